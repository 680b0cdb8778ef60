/**
 * The client protocol: what a connection (UI thread) and the database host
 * (worker) exchange. Plain structured-clonable data and no logic.
 *
 * Two channels. The requests (hello, subscribe, sql, inspect, export, import,
 * close…) are the methods of {@link HostApi}, called over comlink (`wrap` on the
 * page, `expose` in the worker); each answers once with an {@link Answer}. The
 * hot path stays plain messages on a `MessagePort` of its own, the stream that
 * hello hands the worker: calls go in as {@link CallRequestMessage}s, and
 * everything the host pushes comes out as {@link HostMessage}s — the transaction
 * that answers a call, query results, status, log lines. One message per call
 * each way: a comlink round trip would add its own reply to every call.
 *
 * Inside the worker each request becomes one of the request messages below
 * (numbered by the host, apart from the calls' ids), which the session answers
 * with exactly one `result`. Rows travel as plain objects (bigint, Uint8Array and
 * strings survive structured clone).
 */
import type { SerializedError } from '../errors';
import type { ReducerKind } from '../schema/schema';
import type { TableSchema } from '../schema/table';
import type { ConnectionId, FieldDesc, Identity } from '../schema/type-desc';
import type { TabStatus } from '../tabs/tab';

export type { TabStatus };

/** A row as sent over the wire. */
export type WireRow = Readonly<Record<string, unknown>>;

/** How a call's promise and its visible effects wait for IndexedDB. */
export type Durability = 'confirmed' | 'fast';

/** Opens the session. Answered with {@link HelloResult}. */
export interface HelloRequest {
  readonly type: 'hello';
  readonly requestId: number;
  /** The database to open; the host opens it on the first hello. */
  readonly database: string;
  readonly durability: Durability;
  /** Set to share the database with other browsers in a room (see `connect({ peers })`). */
  readonly room?: { readonly name: string; readonly authority?: Identity };
}

/** A reducer call; args are validated by the client first and again by the host. */
export interface CallRequestMessage {
  readonly type: 'call';
  readonly requestId: number;
  readonly reducer: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** Numbers this client's calls, for exactly-once delivery across retries. */
  readonly callId: number;
}

/** Subscribes to queries; each gets its own id, chosen by the client. Answered when the first results are sent. */
export interface SubscribeRequest {
  readonly type: 'subscribe';
  readonly requestId: number;
  readonly queries: readonly { readonly queryId: number; readonly sql: string }[];
}

/** Ends subscriptions. */
export interface UnsubscribeRequest {
  readonly type: 'unsubscribe';
  readonly requestId: number;
  readonly queryIds: readonly number[];
}

/** A one-off query. Answered with {@link SqlResult}. */
export interface SqlRequest {
  readonly type: 'sql';
  readonly requestId: number;
  readonly sql: string;
}

/** Ends the session (runs `clientDisconnected`). */
export interface CloseRequest {
  readonly type: 'close';
  readonly requestId: number;
}

/** Asks for the database's status. Answered with {@link InspectResult}. */
export interface InspectRequest {
  readonly type: 'inspect';
  readonly requestId: number;
  /** Also re-run the whole log from scratch and report its state hash (slow; needs the whole log kept). */
  readonly replay?: boolean;
}

/**
 * Devtools: starts (`watch: true`) or stops sending this session a {@link CommitMessage}
 * for every entry this tab applies. Answered at once.
 */
export interface WatchCommitsRequest {
  readonly type: 'watch-commits';
  readonly requestId: number;
  readonly watch: boolean;
}

/** Devtools: a backup of the whole database (see `conn.exportDatabase`). Answered with the file's bytes (`Uint8Array`). */
export interface ExportRequest {
  readonly type: 'export';
  readonly requestId: number;
}

/** Devtools: replaces a new database's state with a backup (see `conn.importDatabase`). Answered with {@link ImportResult}. */
export interface ImportRequest {
  readonly type: 'import';
  readonly requestId: number;
  /** The file made by `export`. */
  readonly bytes: Uint8Array;
  /** Accept a backup whose tables match but whose reducers differ (the app changed its code since). */
  readonly allowReducerChanges?: boolean;
}

/** Every request a session handles: the calls from the stream, the rest from {@link HostApi}. */
export type ClientMessage =
  | HelloRequest
  | CallRequestMessage
  | SubscribeRequest
  | UnsubscribeRequest
  | SqlRequest
  | CloseRequest
  | InspectRequest
  | WatchCommitsRequest
  | ExportRequest
  | ImportRequest;

/** The answer to `inspect`. */
export interface InspectResult {
  /** `authority`: this tab orders the calls (it leads, with no peers); `replica`: it replays another tab's log. */
  readonly role: 'authority' | 'replica';
  /** This tab's status (as `conn.status`). */
  readonly status: TabStatus;
  readonly epoch: number;
  /** The seq of the last entry. */
  readonly seq: number;
  readonly stateHash: string;
  /** Rows per table. */
  readonly rows: Readonly<Record<string, number>>;
  /** Live queries held by all sessions. */
  readonly liveQueries: number;
  /** Bytes of log and snapshots in storage (estimate). */
  readonly storageBytes: number;
  /** The seq of the latest snapshot in storage (recovery loads it and replays the log after it); 0 when there is none. */
  readonly snapshotSeq: number;
  /** Warnings from opening: a cut log tail, a migration. */
  readonly warnings: readonly string[];
  /** Calls of this tab waiting for their answer. */
  readonly pendingCalls: number;
  /** With `replay`: the state hash computed by re-running the whole durable log. */
  readonly replayStateHash?: string;
  /** With `replay`: how many entries were re-run. */
  readonly replayEntries?: number;
}

/** The answer to `hello`. */
export interface HelloResult {
  readonly identity: Identity;
  readonly connectionId: ConnectionId;
  /** The module's tables (plain data), so the client can keep a cache with real indexes. */
  readonly tables: readonly TableSchema[];
  /** The module's reducers with their parameter types, so the client can validate arguments before sending. */
  readonly reducers: readonly { readonly name: string; readonly kind: ReducerKind; readonly params: readonly FieldDesc[] }[];
  /** This tab's status when the session opened; `status` messages follow its changes. */
  readonly status: TabStatus;
}

/** The answer to `sql`. */
export interface SqlResult {
  readonly columns: readonly string[];
  readonly rows: readonly WireRow[];
}

/**
 * A session's one answer to a request. For a call it goes out on the stream (when
 * no transaction answers it: the call failed, or it was a duplicate); for the
 * other requests the host turns it into the {@link Answer} of the comlink method.
 */
export type ResultMessage =
  | { readonly type: 'result'; readonly requestId: number; readonly ok: true; readonly value?: unknown }
  | { readonly type: 'result'; readonly requestId: number; readonly ok: false; readonly error: SerializedError };

/**
 * A request's answer over comlink: its value, or its error as plain data (so
 * the error's name, code, table, column, value and reducer arrive intact).
 * `streamed` counts the stream messages the host sent before answering: the
 * client handles them first, so a subscription's first rows are in the cache
 * when it is accepted, and a restored state's refresh when the import resolves.
 */
export type Answer<T> =
  | { readonly ok: true; readonly value: T; readonly streamed: number }
  | { readonly ok: false; readonly error: SerializedError };

/** A request as {@link HostApi} takes it: without the `type` and `requestId` the host adds. */
export type RequestFields<R extends ClientMessage> = Omit<R, 'type' | 'requestId'>;

/** The requests of a connection, as comlink methods (`wrap<HostApi>(worker)`). */
export interface HostApi {
  /** Opens the session (the database on the first hello); `stream` carries calls in and {@link HostMessage}s out. */
  hello(request: RequestFields<HelloRequest>, stream: MessagePort): Promise<Answer<HelloResult>>;
  subscribe(request: RequestFields<SubscribeRequest>): Promise<Answer<undefined>>;
  unsubscribe(request: RequestFields<UnsubscribeRequest>): Promise<Answer<undefined>>;
  sql(request: RequestFields<SqlRequest>): Promise<Answer<SqlResult>>;
  inspect(request: RequestFields<InspectRequest>): Promise<Answer<InspectResult>>;
  watchCommits(request: RequestFields<WatchCommitsRequest>): Promise<Answer<undefined>>;
  exportDatabase(request: RequestFields<ExportRequest>): Promise<Answer<Uint8Array>>;
  importDatabase(request: RequestFields<ImportRequest>): Promise<Answer<ImportResult>>;
  /** Ends the session (runs `clientDisconnected`); the page terminates the worker after the answer. */
  close(request: RequestFields<CloseRequest>): Promise<Answer<undefined>>;
  /**
   * The main thread took up the room the host asked for (`room-join`): `port`
   * relays its data channels (`portLink`), from the first join on, across
   * every rejoin. Sent at once, before the join completes (offline first).
   */
  roomJoined(port: MessagePort): void;
}

/** The rows one query added and removed in one transaction (an update is a delete plus an insert of the same key). */
export interface QueryDiff {
  readonly queryId: number;
  readonly table: string;
  readonly inserts: readonly WireRow[];
  readonly deletes: readonly WireRow[];
}

/** The first result of subscribed queries, sent before the subscribe request's answer. */
export interface AppliedMessage {
  readonly type: 'applied';
  readonly requestId: number;
  readonly queries: readonly QueryDiff[];
}

/** One committed transaction as this client's queries see it. */
export interface TransactionMessage {
  readonly type: 'transaction';
  readonly seq: number;
  readonly reducer: string;
  readonly sender: Identity;
  readonly timestamp: bigint;
  /** Set when this client made the call: its callId. */
  readonly callId: number | undefined;
  /**
   * Set when this message answers this client's own `call` request: the call
   * committed, and no separate `result` follows (one message per call, not two).
   */
  readonly requestId: number | undefined;
  readonly queries: readonly QueryDiff[];
}

/** A subscription failed after it was accepted (e.g. the module changed). */
export interface SubscriptionErrorMessage {
  readonly type: 'subscriptionError';
  readonly queryId: number;
  readonly error: SerializedError;
}

/** A line of the module log. */
export interface LogMessage {
  readonly type: 'log';
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly reducer: string;
  readonly message: string;
}

/** This tab's status changed: role, epoch or leader at once, seq and lag at a gathered pace. */
export interface StatusMessage {
  readonly type: 'status';
  readonly status: TabStatus;
}

/** This tab's replay of entry `seq` disagreed with the leader's; the tab resyncs from the leader's state. */
export interface DivergedMessage {
  readonly type: 'diverged';
  readonly seq: number;
  readonly reducer: string;
  readonly reason: string;
}

/**
 * The live queries moved to another engine (a role change or a resync): the
 * rows that differ between the old and the new results. Not a transaction of
 * its own: it brings the cache to the new state.
 */
export interface RefreshMessage {
  readonly type: 'refresh';
  readonly queries: readonly QueryDiff[];
}

/**
 * This tab now leads its browser and must speak for it in the room: the main
 * thread (where WebRTC lives) joins and answers with {@link HostApi.roomJoined}. `room-leave`
 * ends it (this tab stopped leading).
 */
export interface RoomJoinMessage {
  readonly type: 'room-join' | 'room-leave';
}

/** A log entry this tab applied, as the devtools show it (see {@link WatchCommitsRequest}). */
export interface CommittedEntry {
  readonly seq: number;
  /** The epoch of the authority that ordered it. */
  readonly epoch: number;
  readonly reducer: string;
  /** True for `init`, lifecycle and scheduled runs. */
  readonly internal: boolean;
  readonly sender: Identity;
  readonly connectionId: ConnectionId | null;
  /** The calling client's call number; undefined for internal calls. */
  readonly callId: number | undefined;
  /** Microseconds since the Unix epoch, as stamped by the authority. */
  readonly timestamp: bigint;
  /** The decoded arguments; undefined when they could not be decoded here. */
  readonly args: Readonly<Record<string, unknown>> | undefined;
  /** Committed, or failed (logged so a retried call gets the same answer) with the error's name and message. */
  readonly outcome: { readonly ok: true } | { readonly ok: false; readonly name: string; readonly message: string };
  /** Rows deleted and inserted per table (an update counts as one of each). */
  readonly changes: readonly { readonly table: string; readonly inserts: number; readonly deletes: number }[];
  /**
   * Milliseconds the reducer ran in this tab's engine (on the leader: the run that made the entry;
   * on a replica: its replay). Undefined when this tab did not run it (a failed entry a replica only records).
   */
  readonly durationMs: number | undefined;
}

/** Devtools: one applied entry, sent to sessions that asked with {@link WatchCommitsRequest}. */
export interface CommitMessage {
  readonly type: 'commit';
  readonly entry: CommittedEntry;
}

/** The answer to `import`. */
export interface ImportResult {
  /** The seq the restored state starts at. */
  readonly seq: number;
  /** The seq the backup was taken at (the restored seq is greater when this database's log was already further). */
  readonly backupSeq: number;
  /** Rows per table, as restored. */
  readonly rows: Readonly<Record<string, number>>;
  /** The restored state's hash: equal to the exported database's at `backupSeq`. */
  readonly stateHash: string;
}

/** Everything the host sends. */
export type HostMessage =
  | ResultMessage
  | AppliedMessage
  | TransactionMessage
  | SubscriptionErrorMessage
  | LogMessage
  | StatusMessage
  | DivergedMessage
  | RefreshMessage
  | RoomJoinMessage
  | CommitMessage;
