import { expect, test } from '@playwright/test';

test('the demo todo list adds, toggles, survives a reload, refuses an empty todo and deletes', async ({ page }, info) => {
  await page.goto('/demo/');
  await expect(page.locator('#status')).toContainText('todo(s)');
  await page.fill('#text', 'Buy groceries');
  await page.click('#add button');
  await expect(page.locator('#list li span')).toHaveText(['Buy groceries']);
  await page.fill('#text', 'Walk the dog');
  await page.press('#text', 'Enter');
  await expect(page.locator('#list li span')).toHaveText(['Buy groceries', 'Walk the dog']);
  await page.locator('#list li').first().locator('input').check();
  await expect(page.locator('#list li').first()).toHaveClass('done');

  await page.reload();
  await expect(page.locator('#list li span')).toHaveText(['Buy groceries', 'Walk the dog']);
  await expect(page.locator('#list li').first()).toHaveClass('done');

  await page.fill('#text', '   ');
  await page.click('#add button');
  await expect(page.locator('#error')).toHaveText('A todo needs some text');
  await page.screenshot({ path: info.outputPath('demo-todo.png') });

  await page.locator('#list li').first().locator('button').click();
  await expect(page.locator('#list li span')).toHaveText(['Walk the dog']);
});

test('a second tab of the same database is refused with a clear error instead of a second writer', async ({ context }) => {
  const first = await context.newPage();
  await first.goto('/e2e/pages/runtime.html');
  await first.evaluate(() => (window as unknown as { rt: { open(n: string): Promise<unknown> } }).rt.open('two-tabs'));
  const second = await context.newPage();
  await second.goto('/e2e/pages/runtime.html');
  const refused = await second.evaluate(() => (window as unknown as { rt: { openError(n: string, v: string): Promise<{ ok: boolean; message?: string }> } }).rt.openError('two-tabs', 'runtime'));
  expect(refused.ok).toBe(false);
  expect(refused.message).toContain('already open in another tab');
  await first.close();
  const third = await context.newPage();
  await third.goto('/e2e/pages/runtime.html');
  await expect.poll(() => third.evaluate(() => (window as unknown as { rt: { openError(n: string, v: string): Promise<{ ok: boolean }> } }).rt.openError('two-tabs', 'runtime')).then((r) => r.ok)).toBe(true);
});
