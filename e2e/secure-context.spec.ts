import { expect, test } from '@playwright/test';
import { freshName, pageReady, type Harness } from './harness';

declare const rt: Harness;

// A page from a name other than localhost / 127.0.0.1 over plain HTTP is not a secure context: what another
// machine on the LAN gets from `npm run demo -- --lan`. Here the test server's responses are served under such a name.
test('connect() refuses a page that is not a secure context, saying what to do', async ({ page, baseURL }) => {
  await page.route('http://lan-host.test/**', async (route) => {
    const url = new URL(route.request().url());
    route.fulfill({ response: await route.fetch({ url: new URL(url.pathname + url.search, baseURL).href }) });
  });
  await page.goto('http://lan-host.test/e2e/pages/runtime.html');
  await pageReady(page);
  expect(await page.evaluate(() => isSecureContext)).toBe(false);
  const refused = await page.evaluate((name) => rt.openError(name, 'runtime'), freshName('insecure'));
  expect(refused).toMatchObject({ ok: false, name: 'UnsupportedEnvironmentError', code: 'UNSUPPORTED_ENVIRONMENT' });
  expect((refused as { message: string }).message).toMatch(/^Lockstep cannot run on this page: http:\/\/lan-host\.test is not a secure context.*HTTPS.*http:\/\/localhost/);
});
