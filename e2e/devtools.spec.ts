import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { freshName, pageReady } from './harness';

/** What the devtools test page puts on `window` (see e2e/pages/devtools.ts). */
declare const conn: { reducers: Record<string, (args: Record<string, unknown>) => Promise<void>> };
declare function dump(sql: string): Promise<string>;

/** Opens the test page on database `db` with the panel shown on `tab`. */
async function openPanel(page: Page, db: string, tab: string): Promise<void> {
  await page.goto(`/e2e/pages/devtools.html?db=${encodeURIComponent(db)}&tab=${tab}`);
  await pageReady(page);
  await expect(page.locator('.lockstep-devtools')).toBeVisible();
}

/** Adds items through the connection itself (not the panel). */
async function addItems(page: Page, names: readonly string[]): Promise<void> {
  await page.evaluate(async (list) => {
    for (const [i, name] of list.entries()) {
      await conn.reducers.add_item!({ name, qty: i + 1, price: BigInt(100 * (i + 1)), fragile: i % 2 === 0, note: i === 0 ? 'first' : undefined, tags: [name], kind: { tag: 'tool', value: {} } });
    }
  }, names);
}

const panel = (page: Page) => page.locator('.lockstep-devtools');

test('the SQL console shows rows as a table, reads private tables, and points at the position of an error', async ({ page }) => {
  await openPanel(page, freshName('devtools-sql'), 'sql');
  await addItems(page, ['hammer', 'saw', 'drill']);
  const input = panel(page).locator('.ls-sql-input');
  const output = panel(page).locator('.ls-sql-output');

  await input.fill('SELECT name, qty, price FROM item WHERE qty > 1 ORDER BY qty');
  await panel(page).locator('.ls-run').click();
  await expect(output.locator('.ls-sql-summary')).toContainText('2 rows');
  await expect(output.locator('thead th')).toHaveText(['name', 'qty', 'price']);
  await expect(output.locator('tbody tr')).toHaveCount(2);
  await expect(output.locator('tbody tr').first().locator('td')).toHaveText(['saw', '2', '200']);

  // The audit table is private: subscriptions refuse it, the console reads it.
  await input.fill('SELECT what FROM audit');
  await input.press('Control+Enter');
  await expect(output.locator('tbody td')).toHaveText(['add hammer', 'add saw', 'add drill']);

  const bad = 'SELECT name\nFROM item WHERE nope = 1';
  await input.fill(bad);
  await panel(page).locator('.ls-run').click();
  const error = output.locator('.ls-error');
  await expect(error).toContainText('QueryError: Unknown column "nope"');
  await expect(error).toHaveAttribute('data-position', String(bad.indexOf('nope')));
  await expect(error.locator('.ls-error-where')).toHaveText('at line 2, column 17');
  await expect(error.locator('.ls-pointer')).toHaveText('FROM item WHERE nope = 1\n                ^');

  await input.fill('SELECT * FRM item');
  await panel(page).locator('.ls-run').click();
  await expect(output.locator('.ls-error')).toContainText('QueryError');
  await expect(output.locator('.ls-error')).toHaveAttribute('data-position', '9');
  await expect(output.locator('.ls-pointer')).toHaveText('SELECT * FRM item\n         ^');
});

test('the reducer caller builds a form from the argument types, calls it, and the row appears in the tables browser', async ({ page }) => {
  await openPanel(page, freshName('devtools-call'), 'reducers');
  const form = panel(page).locator('.ls-reducer-form');
  const outcome = panel(page).locator('.ls-outcome');
  await expect(panel(page).locator('.ls-reducer-select option')).toHaveText(['add_item', 'remove_item']);
  await expect(form.locator('label[data-field]')).toHaveText(['name string', 'qty u32', 'price u64', 'fragile bool', 'note option<string>', 'tags array<string>', 'kind Kind']);

  // A value that does not fit is refused before the call, naming the argument.
  await form.locator('[name="name"]').fill('crate');
  await form.locator('[name="qty"]').fill('a few');
  await form.locator('.ls-call').click();
  await expect(outcome.locator('[data-ok=false]')).toHaveText('ValueError: qty: expected a number for u32, got "a few"');

  await form.locator('[name="qty"]').fill('4');
  await form.locator('[name="price"]').fill('12345678901234567890');
  await form.locator('[name="fragile"]').check();
  await form.locator('[name="note?"]').check();
  await form.locator('[name="note"]').fill('handle with care');
  await form.locator('[name="tags"]').fill('["wood", "big"]');
  await form.locator('[name="kind.tag"]').selectOption('food');
  await form.locator('[name="kind.food"]').fill('{"days": 3}');
  await form.locator('.ls-call').click();
  await expect(outcome.locator('[data-ok=true]')).toContainText('add_item committed');

  // The module's own error comes back as it was thrown.
  await form.locator('[name="name"]').fill('');
  await form.locator('.ls-call').click();
  await expect(outcome.locator('[data-ok=false]')).toHaveText('SenderError: An item needs a name');

  await panel(page).locator('.ls-tab[data-tab=tables]').click();
  await panel(page).locator('[data-table=item]').click();
  await expect(panel(page).locator('[data-table=item] .ls-count')).toHaveText('1');
  const row = panel(page).locator('.ls-main tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row.locator('[data-column=name]')).toHaveText('crate');
  await expect(row.locator('[data-column=price]')).toHaveText('12345678901234567890');
  await expect(row.locator('[data-column=note]')).toHaveText('handle with care');
  await expect(row.locator('[data-column=tags]')).toHaveText('["wood","big"]');
  await expect(row.locator('[data-column=kind]')).toHaveText('food({"days":3})');
  await expect(panel(page).locator('[data-table=audit] .ls-private')).toHaveCount(1);
  await expect(panel(page).locator('[data-table=audit] .ls-count')).toHaveText('1');

  // Live: a call made elsewhere shows up without touching the panel.
  await addItems(page, ['spade']);
  await expect(panel(page).locator('.ls-main tbody tr')).toHaveCount(2);
  await expect(panel(page).locator('[data-table=audit] .ls-count')).toHaveText('2');

  // The Log tab has the module's log line and the committed entries, with their run time.
  await panel(page).locator('.ls-tab[data-tab=log]').click();
  await expect(panel(page).locator('.ls-line[data-kind=log]').first()).toContainText('info  add_item: adding crate');
  const committed = panel(page).locator('.ls-line[data-kind=commit][data-reducer=add_item][data-ok=true]').first();
  await expect(committed).toContainText(/#\d+ add_item\(name: crate, qty: 4, .*\) by you · ok · item \+1 −0, audit \+1 −0 · [\d.]+ ms/);
  await expect(panel(page).locator('.ls-line[data-kind=commit][data-ok=false]')).toContainText('SenderError: An item needs a name');
});

test('a database exported to a file imports into a new database with the same tables, and a non-empty one refuses it', async ({ page, context }) => {
  const source = freshName('devtools-export');
  await openPanel(page, source, 'backup');
  await addItems(page, ['anvil', 'bellows', 'chisel']);
  await page.evaluate(() => conn.reducers.remove_item!({ id: 2n }));
  const downloading = page.waitForEvent('download');
  await panel(page).locator('.ls-export').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(new RegExp(`^${source}-seq\\d+\\.lockstep$`));
  const file = await download.path();
  await expect(panel(page).locator('.ls-export-result [data-ok=true]')).toContainText('item 2, audit 4');
  const exported = { items: await page.evaluate(() => dump('SELECT * FROM item')), audit: await page.evaluate(() => dump('SELECT * FROM audit')) };
  expect(JSON.parse(exported.items)).toHaveLength(2);

  const target = await context.newPage();
  await openPanel(target, freshName('devtools-import'), 'backup');
  // A file that is not a backup is refused before anything is sent.
  await panel(target).locator('.ls-import-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a backup') });
  await expect(panel(target).locator('.ls-import-preview .ls-error')).toContainText('DecodeError: This file is not a Lockstep backup');
  await expect(panel(target).locator('.ls-import')).toBeDisabled();

  await panel(target).locator('.ls-import-file').setInputFiles(file);
  await expect(panel(target).locator('.ls-import-preview')).toContainText(`a backup of "${source}"`);
  await panel(target).locator('.ls-import').click();
  await expect(panel(target).locator('.ls-import-result [data-ok=true]')).toContainText('item 2, audit 4');
  expect(await target.evaluate(() => dump('SELECT * FROM item'))).toBe(exported.items);
  expect(await target.evaluate(() => dump('SELECT * FROM audit'))).toBe(exported.audit);
  await panel(target).locator('.ls-tab[data-tab=tables]').click();
  await panel(target).locator('[data-table=item]').click();
  await expect(panel(target).locator('.ls-main tbody [data-column=name]')).toHaveText(['anvil', 'chisel']);
  await expect(panel(target).locator('[data-table=audit] .ls-count')).toHaveText('4');
  // The restored database goes on: its sequences came along, so the next item is number 4.
  await addItems(target, ['drill']);
  expect(JSON.parse(await target.evaluate(() => dump("SELECT id FROM item WHERE name = 'drill'")))).toEqual([{ id: '4n' }]);

  // The source is not new: importing into it is refused with the reason, and nothing changes.
  await panel(page).locator('.ls-import-file').setInputFiles(file);
  await panel(page).locator('.ls-import').click();
  const refused = panel(page).locator('.ls-import-result [data-ok=false]');
  await expect(refused).toContainText(`ConstraintError: Cannot import into "${source}": it is not a new database.`);
  expect(await page.evaluate(() => dump('SELECT * FROM item'))).toBe(exported.items);

  // The file is a real copy: the bytes on disk decode as the backup the panel announced.
  expect((await readFile(file)).subarray(0, 15).toString()).toBe('LOCKSTEP BACKUP');
});
