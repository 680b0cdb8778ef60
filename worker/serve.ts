/// <reference lib="webworker" />
import { ClosedError, serializeError, toLockstepError } from '../lib/errors';
import type { LogRecord } from '../lib/engine/engine';
import type { Migration } from '../lib/log/migrate';
import { loadModule } from '../lib/schema/module';
import type { ConnectionId } from '../lib/schema/type-desc';
import type { ClientMessage, HostMessage } from '../lib/sync/client-protocol';
import { DatabaseHost } from '../lib/sync/database-host';
import { openIdbStorage } from './idb-storage';
import { loadOrCreateIdentity } from './identity';

/** Options of {@link serve}. */
export interface ServeOptions {
  /** Entries between snapshots (at least). Default 10,000. */
  readonly snapshotEvery?: number;
  /** Log entries kept behind the latest snapshot. Default 10,000. */
  readonly keepEntries?: number;
  /** On an incompatible stored schema: refuse (default), start over, or migrate the stored rows. */
  readonly onSchemaMismatch?: 'refuse' | 'reset' | Migration;
}

declare const self: DedicatedWorkerGlobalScope;

/**
 * Takes the database's writer lock for the life of this worker. Until tabs elect a
 * leader and replicate, a second tab must not open a second writer on the same log.
 */
function holdWriterLock(database: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // Wait a little: a closed or crashed tab's worker may still be letting go.
    navigator.locks
      .request(`lockstep:${database}`, { signal: AbortSignal.timeout(3000) }, () => {
        resolve();
        return new Promise<never>(() => {}); // held until the worker ends
      })
      .catch(() =>
        reject(new ClosedError(`Database "${database}" is already open in another tab or worker of this browser profile; close it there first (several tabs of one database are not supported yet)`)),
      );
  });
}

function randomConnectionId(): ConnectionId {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('') as ConnectionId;
}

/**
 * Serves a module from this Web Worker: the whole worker file is
 * `import * as chat from './chat.module'; serve(chat);`. The first `hello` from
 * the connection names the database; the worker opens it from IndexedDB
 * (recovering snapshot and log) with this browser profile's identity.
 *
 * Messages are the plain client protocol over `postMessage`, not comlink: one
 * message per call and per result, no proxy layer (a bare postMessage round trip
 * is about a third of a comlink call's here).
 */
export function serve(namespace: object, options: ServeOptions = {}): void {
  const module = loadModule(namespace as Record<string, unknown>);
  const send = (message: HostMessage): void => self.postMessage(message);
  let session: Promise<(message: ClientMessage) => void> | undefined;

  const open = async (database: string): Promise<(message: ClientMessage) => void> => {
    await holdWriterLock(database);
    const [{ identity }, storage] = await Promise.all([loadOrCreateIdentity(), openIdbStorage(`lockstep:${database}`)]);
    const host = await DatabaseHost.open(module, {
      storage,
      identity,
      timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number) },
      log: (record: LogRecord) => send({ type: 'log', ...record }),
      ...options,
    });
    return host.connect(identity, randomConnectionId(), send);
  };

  self.addEventListener('message', (event: MessageEvent<ClientMessage>) => {
    const message = event.data;
    if (session === undefined) {
      if (message.type !== 'hello') {
        send({ type: 'result', requestId: message.requestId, ok: false, error: serializeError(new Error(`The first message must be hello, got ${message.type}`)) });
        return;
      }
      session = open(message.database);
    }
    session.then(
      (receive) => receive(message),
      (error: unknown) => send({ type: 'result', requestId: message.requestId, ok: false, error: serializeError(toLockstepError(error)) }),
    );
  });
}
