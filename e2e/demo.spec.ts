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

test('two tabs of the demo show the same live list, and the second goes on alone when the first closes', async ({ context }) => {
  const first = await context.newPage();
  await first.goto('/demo/');
  await expect(first.locator('#status')).toContainText('todo(s)');
  const second = await context.newPage();
  await second.goto('/demo/');
  await expect(second.locator('#status')).toContainText('todo(s)');
  const before = await first.locator('#list li span').allTextContents();
  await first.fill('#text', 'Made in the first tab');
  await first.press('#text', 'Enter');
  await expect(second.locator('#list li span')).toHaveText([...before, 'Made in the first tab']);
  await second.fill('#text', 'Made in the second tab');
  await second.press('#text', 'Enter');
  await expect(first.locator('#list li span')).toHaveText([...before, 'Made in the first tab', 'Made in the second tab']);
  await first.close();
  await second.locator('#list li').last().locator('input').check();
  await expect(second.locator('#list li').last()).toHaveClass('done');
});
