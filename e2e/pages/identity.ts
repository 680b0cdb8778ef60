/** Test page for worker/identity.ts: loads the identity in new module workers. */
import { callWorker } from './call-worker';
import type { IdentityReport } from './identity-worker';

type Outcome = IdentityReport | { ok: false; message: string };

declare global {
  interface Window {
    /** Loads (or creates) this profile's identity in a worker and reports on it. */
    loadIdentity(): Promise<Outcome>;
    /** Loads the identity in `count` workers at once. */
    loadIdentityConcurrently(count: number): Promise<Outcome[]>;
  }
}

window.loadIdentity = () =>
  callWorker<IdentityReport>(new Worker(new URL('./identity-worker.ts', import.meta.url), { type: 'module' }), 'load');
window.loadIdentityConcurrently = (count) => Promise.all(Array.from({ length: count }, () => window.loadIdentity()));
