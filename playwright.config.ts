import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const PORT = 5174;
// No browser download works on our machines: use the system Chromium when there is one.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Playwright drives real Chromium against the Vite dev server (pages at /e2e/pages/…). */
export default defineConfig({
  testDir: 'e2e',
  reporter: 'list',
  retries: 0,
  workers: 2, // 2 vCPUs: one browser per core
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  use: {
    browserName: 'chromium',
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: {
      ...(existsSync(chromium) ? { executablePath: chromium } : {}),
      // Never add --disable-features=…: it replaces Playwright's own list (docs/testing.md).
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--allow-loopback-in-peer-connection',
      ],
    },
  },
  webServer: {
    command: `npx vite --config e2e/vite.config.ts --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/e2e/pages/storage.html`,
    reuseExistingServer: false, // always the frozen e2e config, never a developer's HMR server
    timeout: 60_000,
    // e2e/vite.config.ts imports ../vite.config without an extension (tsconfig forbids `.ts` ones);
    // that only matters to Vite's future native config loader.
    env: { VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  },
});
