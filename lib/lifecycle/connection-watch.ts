import type { ModuleDef } from '../schema/module';
import type { ConnectionId, Identity } from '../schema/type-desc';
import type { LedgerEntry } from '../log/snapshot';
import type { Call } from '../replication/messages';
import type { TabLocks } from '../tabs/locks';
import { lifecycleCall, lifecycleClient } from './calls';

/** What {@link startConnectionWatch} needs. */
export interface ConnectionWatchDeps {
  readonly locks: TabLocks;
  /** The lock name of a connection (see `DatabaseHost`'s `connectionLocks`). */
  readonly lockName: (connectionId: ConnectionId) => string;
  readonly module: ModuleDef;
  /** This browser's identity: in a room, only its own connections are watched here (the authority watches other browsers'). */
  readonly identity: Identity;
  readonly inRoom: boolean;
  /** The leader's ledger: the connections open now (call 1 logged, call 2 not). */
  readonly ledger: ReadonlyMap<string, LedgerEntry>;
  /** Submits a disconnect. */
  readonly call: (call: Call) => void;
}

/** A running watch: `connected(client)` when a connection's `clientConnected` was logged. */
export interface ConnectionWatch {
  connected(client: string): void;
}

/**
 * The leading tab's watch over this browser's connections: every connection
 * holds a Web Lock while its worker lives; the leader queues for the lock of
 * each open connection, and a grant means that worker is gone without saying
 * so (its page closed or crashed): it then submits that connection's
 * `clientDisconnected`. If the connection disconnected itself first, the ledger
 * makes it a no-op. Stops queueing new locks when `signal` aborts.
 */
export function startConnectionWatch(deps: ConnectionWatchDeps, signal: AbortSignal): ConnectionWatch {
  const watched = new Set<string>();
  const disconnected = deps.module.clientDisconnected;
  const connected = (client: string): void => {
    const connection = lifecycleClient(client);
    if (signal.aborted || connection === undefined || disconnected === undefined || watched.has(client)) return;
    if (deps.inRoom && connection.sender !== deps.identity) return;
    watched.add(client);
    const { sender, connectionId } = connection;
    deps.locks
      .request(deps.lockName(connectionId), {}, async () => {
        if (!signal.aborted) deps.call(lifecycleCall(connectionId, sender, disconnected.name, 2));
      })
      .catch(() => watched.delete(client));
  };
  for (const [client, last] of deps.ledger) if (last.callId === 1) connected(client);
  return { connected };
}
