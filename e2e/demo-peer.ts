import { expect, type Browser, type Page } from '@playwright/test';

/** Options of {@link openDemoPeer}. */
export interface DemoPeerOptions {
  /** The page's viewport, e.g. tall enough for screenshots. */
  readonly viewport?: { readonly width: number; readonly height: number };
}

/**
 * A new browser (a context of its own: its own storage and identity) with demo
 * `page` (e.g. `chat`) open in `room`, once its status bar says it is connected.
 * The room is joined through the relay the dev server serves; the first browser
 * in a room creates it and is its authority.
 */
export async function openDemoPeer(browser: Browser, page: string, room: string, options: DemoPeerOptions = {}): Promise<Page> {
  const context = await browser.newContext(options.viewport === undefined ? {} : { viewport: options.viewport });
  // Without it Chromium gathers no ICE candidates on loopback (docs/testing.md).
  await context.grantPermissions(['camera', 'microphone']);
  const tab = await context.newPage();
  tab.on('pageerror', (error) => console.error(`[page] ${error.message}`));
  tab.on('console', (m) => void (m.type() === 'error' && console.error(`[console] ${m.text()} (${m.location().url}, on ${tab.url()})`)));
  // A page that never connects usually failed to load a module: say which (a 404, or Vite's 504 for an outdated pre-bundled dependency).
  tab.on('response', (response) => void (response.status() >= 400 && console.error(`[page] ${response.status()} ${response.url()}`)));
  await tab.goto(`/demo/${page}.html?room=${room}`);
  await expect(tab.locator('#peer-status')).toHaveAttribute('data-state', 'connected', { timeout: 60_000 });
  return tab;
}
