/**
 * What `connect()` needs from the page before it starts anything: a secure
 * context, Web Locks, `crypto.subtle` and IndexedDB. Without them it refuses
 * with an {@link UnsupportedEnvironmentError} that says what to do, instead of
 * failing later with "Cannot read properties of undefined".
 */
import { UnsupportedEnvironmentError } from '../errors';

/** The globals the check reads (`globalThis` in a page). */
export interface PageGlobals {
  readonly isSecureContext?: boolean;
  readonly location?: { readonly origin: string };
  readonly navigator?: { readonly locks?: unknown };
  readonly crypto?: { readonly subtle?: unknown };
  readonly indexedDB?: unknown;
}

/**
 * Throws an {@link UnsupportedEnvironmentError} when `globals` is a browser
 * page that cannot run Lockstep. Outside browsers (no `isSecureContext`, e.g.
 * Node with a hand-made port) there is nothing to check.
 */
export function checkEnvironment(globals: PageGlobals = globalThis as PageGlobals): void {
  if (!('isSecureContext' in globals)) return;
  if (globals.isSecureContext !== true) {
    const origin = globals.location?.origin ?? 'this origin';
    throw new UnsupportedEnvironmentError(
      `Lockstep cannot run on this page: ${origin} is not a secure context, so the browser hides Web Locks and crypto.subtle. ` +
        'Serve the app over HTTPS (on a LAN too: a self-signed certificate, an HTTPS reverse proxy or a tunnel), or open it at http://localhost on the same machine.',
      { value: origin },
    );
  }
  const missing = [
    globals.navigator?.locks === undefined ? 'Web Locks (navigator.locks)' : undefined,
    globals.crypto?.subtle === undefined ? 'crypto.subtle' : undefined,
    globals.indexedDB === undefined ? 'IndexedDB' : undefined,
  ].filter((name) => name !== undefined);
  if (missing.length > 0) {
    throw new UnsupportedEnvironmentError(
      `Lockstep cannot run in this browser: it lacks ${missing.join(', ')}. Use a current Chrome, Edge, Firefox or Safari, outside a mode that turns these off (some private windows disable IndexedDB).`,
      { value: missing.join(', ') },
    );
  }
}
