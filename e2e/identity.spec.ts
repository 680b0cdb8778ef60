import { expect, test, type Page } from '@playwright/test';

async function loadIdentity(page: Page): Promise<string> {
  await page.goto('/e2e/pages/identity.html');
  const report = await page.evaluate(() => window.loadIdentity());
  expect(report).toMatchObject({ ok: true, matchesPublicKey: true, signatureVerifies: true });
  if (!report.ok) throw new Error(report.message);
  expect(report.identity).toMatch(/^[0-9a-f]{64}$/);
  return report.identity;
}

test('keeps the same identity across page loads in one browser profile', async ({ page, context }) => {
  const first = await loadIdentity(page);
  await page.reload();
  expect(await loadIdentity(page)).toBe(first);
  expect(await loadIdentity(await context.newPage())).toBe(first);
});

test('gives another browser profile a different identity', async ({ page, browser }) => {
  const first = await loadIdentity(page);
  const other = await browser.newContext();
  expect(await loadIdentity(await other.newPage())).not.toBe(first);
  await other.close();
});

test('keeps the private key non-extractable yet able to sign', async ({ page }) => {
  await page.goto('/e2e/pages/identity.html');
  expect(await page.evaluate(() => window.loadIdentity())).toMatchObject({
    ok: true,
    privateKeyExtractable: false,
    privateKeyExport: 'InvalidAccessError',
    signatureVerifies: true,
  });
});

test('gives workers that create the identity at the same moment the same one', async ({ page }) => {
  await page.goto('/e2e/pages/identity.html');
  const reports = await page.evaluate(() => window.loadIdentityConcurrently(4));
  const identities = reports.map((report) => (report.ok ? report.identity : report.message));
  expect(new Set(identities).size).toBe(1);
  expect(identities[0]).toMatch(/^[0-9a-f]{64}$/);
});
