import { expect, test } from '@playwright/test';
import { storageContract } from '../lib/log/storage-contract';

// The same contract MemoryStorage passes in Vitest, against IndexedDB in a Chromium module worker.
test.describe('IdbStorage passes the storage contract', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto('/e2e/pages/storage.html');
  });

  for (const { name } of storageContract) {
    test(name, async ({ page }) => {
      expect(await page.evaluate((caseName) => window.runStorageCase(caseName), name)).toEqual({ ok: true });
    });
  }
});
