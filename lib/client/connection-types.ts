/** The public shape of a connection (`connect()`): the {@link Connection} interface and the plain types it uses. */
import type { CallableReducerName, ReducerArgs, ReducerCalls } from '../schema/module-types';
import type { ConnectionId } from '../values/connection-id';
import type { Identity } from '../values/identity';
import type { DivergedMessage, HelloResult, InspectResult, LogMessage, SqlResult } from '../host/client-protocol';
import type { CommittedEntry, ImportResult } from '../host/client-protocol';
import type { ClientDb } from './client-types';
import type { SubscriptionBuilder } from './builder-subscription';
import type { ConnectionStatus } from './room-diagnosis';
import type { SubscriptionHandle } from './subscription';

/** A line of the module log: `ctx.log.*` or `console.*` inside a reducer. */
export type ModuleLogLine = Omit<LogMessage, 'type'>;

export type { ConnectionStatus };

/** A replay of this tab that disagreed with the leader's log: `conn.onDiverged`. The tab resyncs from the leader's state. */
export type Divergence = Omit<DivergedMessage, 'type'>;

/** The module as the host described it when the connection opened: `conn.describe()`. Plain data. */
export type ModuleDescription = Pick<HelloResult, 'tables' | 'reducers'>;

/** Options of {@link Connection.importDatabase}. */
export interface ImportOptions {
  /**
   * Accept a backup whose tables match this module's but whose reducers differ (the app changed
   * its reducers' code since the export). Without it such a backup is refused.
   */
  readonly allowReducerChanges?: boolean;
}

/** An open connection to a database. `M` is the module's type: `connect<typeof chat>(...)`. */
export interface Connection<M> {
  /** The database's name. */
  readonly database: string;
  /** This browser profile's identity: `ctx.sender` of this connection's calls. */
  readonly identity: Identity;
  /** This connection's id: `ctx.connectionId` of its calls. */
  readonly connectionId: ConnectionId;
  /** The client cache: rows of active subscriptions, read synchronously. */
  readonly db: ClientDb<M>;
  /** One function per callable reducer: resolves once committed and in the cache (callbacks have run), rejects with the reducer's error. */
  readonly reducers: ReducerCalls<M>;
  /** Calls a reducer by name, like `reducers[name](args)`. */
  call<K extends CallableReducerName<M>>(name: K, args: ReducerArgs<M, K>): Promise<void>;
  /** Subscribes to queries; their rows enter `db` and stay until the subscription ends. */
  subscribe(queries: string | readonly string[]): SubscriptionHandle;
  /** SpacetimeDB's form of {@link Connection.subscribe}: `conn.subscriptionBuilder().onApplied(cb).subscribe(sql)`. */
  subscriptionBuilder(): SubscriptionBuilder<M>;
  /** Runs a one-off query against the database (not the cache). */
  sql(query: string): Promise<SqlResult>;
  /** Calls `cb` for each line of the module log; returns a function that removes it. */
  onLog(cb: (line: ModuleLogLine) => void): () => void;
  /**
   * This tab's part in the database: `role` (`leader` orders the calls and writes IndexedDB; `replica`
   * replays the leader's log), the `epoch` (raised at each leader change), the `leader` tab's id, `seq`
   * (the last applied entry) and `lag` (durable entries not applied here yet).
   */
  readonly status: ConnectionStatus;
  /** Calls `cb` whenever {@link Connection.status} changes; returns a function that removes it. */
  onStatus(cb: (status: ConnectionStatus) => void): () => void;
  /** Calls `cb` when this tab's replay disagrees with the leader's log (it then resyncs); returns a function that removes it. */
  onDiverged(cb: (divergence: Divergence) => void): () => void;
  /**
   * Takes this browser out of its room (`peers`), as if the network were cut: reads and calls go on
   * locally, calls for the authority wait in a persistent queue, and `status.room.state` turns
   * `reconnecting`. The room is left by the tab that holds it (the one leading this browser), so call
   * it there, or in every tab. The page's `offline` event does the same until its `online` event, but
   * only {@link Connection.goOnline} ends what goOffline() began.
   */
  goOffline(): void;
  /** Joins the room again after {@link Connection.goOffline}: the waiting calls go to the authority, each applied once. */
  goOnline(): void;
  /** The database's status: role, epoch, last seq, state hash, rows per table. With `replay`, also re-runs the whole log (slow) and reports its state hash. */
  inspect(options?: { readonly replay?: boolean }): Promise<InspectResult>;
  /**
   * The module's tables (columns, indexes, visibility) and reducers (kind and parameter types), as
   * the host described them when the connection opened; empty before that. For tools: the devtools
   * build their reducer forms from it.
   */
  describe(): ModuleDescription;
  /**
   * Devtools: calls `cb` with every log entry this tab applies (reducer, sender, seq, arguments,
   * outcome, rows changed per table, and how long the reducer ran here), once it is durable for a
   * `confirmed` connection. The host sends entries only while some callback is registered. Returns
   * a function that removes `cb`. A worker served with `{ devtools: false }` refuses; the refusal
   * is reported to the console.
   */
  onCommit(cb: (entry: CommittedEntry) => void): () => void;
  /**
   * Devtools: a backup of the whole database, as the bytes of a file: every row (private tables
   * too) at the last durable seq, with the module's schema and reducer hashes. Restore it with
   * {@link Connection.importDatabase} into a new database.
   * @example
   * const bytes = await conn.exportDatabase();
   * const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(new Blob([bytes])), download: 'chat.lockstep' });
   * link.click();
   */
  exportDatabase(): Promise<Uint8Array>;
  /**
   * Devtools: restores a backup made by {@link Connection.exportDatabase} into this database, which
   * must be new (no client has called a reducer in it: only `init`, lifecycle and scheduled
   * reducers ran). The state is replaced by the backup's rows; live queries see the difference as
   * a `refresh`. Rejects, changing nothing, with an error naming the problem: a `DecodeError` for a
   * file that is not a backup or is damaged, a `SchemaError` for a backup of other tables (or other
   * reducers, see {@link ImportOptions.allowReducerChanges}), a `ConstraintError` for a database
   * that is not new, is shared in a room, or is open in other tabs of this browser (close them
   * first: they would go on showing the replaced state). The tab's leadership restarts from the
   * restored state (a new epoch); calls made meanwhile wait and apply to it.
   * @example
   * const restored = await connect<typeof chat>({ database: 'chat-restored', worker });
   * await restored.importDatabase(new Uint8Array(await file.arrayBuffer()));
   */
  importDatabase(bytes: Uint8Array, options?: ImportOptions): Promise<ImportResult>;
  /**
   * Closes the connection: pending and later calls reject with a `ClosedError`, subscriptions end,
   * and the cache keeps its last rows. Resolves once the host has answered; then the worker is terminated.
   */
  close(): Promise<void>;
}
