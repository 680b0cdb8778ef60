/**
 * `connect()`: a typed connection to a database hosted in a worker, with the
 * client cache, reducer calls and subscriptions.
 */
import { deserializeError, QueryError, ValueError, type LockstepError } from '../errors';
import type { CallableReducerName, ReducerArgs, ReducerCalls } from '../schema/module-types';
import { ConnectionId } from '../values/connection-id';
import { Identity } from '../values/identity';
import { Timestamp } from '../values/time';
import type { HelloResult, HostMessage, InspectResult, SqlResult, TabStatus } from '../host/client-protocol';
import type { CommittedEntry, ImportResult } from '../host/client-protocol';
import { ClientCache } from './client-cache';
import type { ClientDb, ClientEvent, EventContext } from './client-types';
import { checkOptions, checkPort, type ConnectOptions, type PeersOption } from './options';
import type { RejoinableRoom } from '../peer/rejoinable-room';
import type { PeerConnectionConfig } from '../peer/room';
import { checkEnvironment } from './environment';
import { reducerCalls } from './reducer-proxy';
import { RoomDiagnosis, type ConnectionStatus } from './room-diagnosis';
import { ReducerCatalog } from './reducers';
import { SubscriptionBuilderImpl, type SubscriptionBuilder } from './builder-subscription';
import { withCamelCaseAliases } from '../schema/names';
import { reportError } from './report-error';
import { Rpc } from './rpc';
import { Subscription, type SubscriptionHandle } from './subscription';

import type { Connection, Divergence, ImportOptions, ModuleDescription, ModuleLogLine } from './connection-types';

export type { Connection, ConnectionStatus, Divergence, ImportOptions, ModuleDescription, ModuleLogLine } from './connection-types';


/**
 * Opens a connection: starts the worker, greets the host, and resolves once the
 * module's tables and reducers are known. Rejects with a `ValueError` naming a bad
 * option, an `UnsupportedEnvironmentError` when the page is not a secure context or
 * lacks Web Locks, `crypto.subtle` or IndexedDB, or with the host's error when it refuses.
 * @example
 * import type * as chat from './chat.module';
 * const conn = await connect<typeof chat>({
 *   database: 'chat',
 *   worker: () => new Worker(new URL('./chat.worker.ts', import.meta.url), { type: 'module' }),
 * });
 * conn.db.message.onInsert((ctx, row) => render(row));
 * await conn.subscribe('SELECT * FROM message').applied;
 * await conn.reducers.sendMessage({ text: 'hi' });
 */
export async function connect<M>(options: ConnectOptions): Promise<Connection<M>> {
  const connection = openConnection<M>(options);
  await connection.ready;
  return connection;
}

/** Opens a connection without waiting for the host; calls wait for `ready` in a queue. For tests and tools. */
export function openConnection<M>(options: ConnectOptions): ClientConnection<M> {
  checkOptions(options);
  checkEnvironment();
  const port = options.worker();
  checkPort(port, options.database);
  return new ClientConnection<M>(options.database, port, options.durability ?? 'confirmed', options.peers);
}

/** The runtime {@link Connection}. */
export class ClientConnection<M> implements Connection<M> {
  identity = Identity.zero();
  connectionId = new ConnectionId(0n);
  reducers = {} as ReducerCalls<M>;
  /** Resolves once the host has answered `hello`; rejects when it refuses. */
  readonly ready: Promise<void>;
  readonly #rpc: Rpc;
  readonly #cache = new ClientCache((event) => this.#context(event));
  readonly #subscriptions = new Map<number, Subscription>();
  readonly #logListeners = new Set<(line: ModuleLogLine) => void>();
  readonly #statusListeners = new Set<(status: ConnectionStatus) => void>();
  readonly #divergedListeners = new Set<(divergence: Divergence) => void>();
  readonly #commitListeners = new Set<(entry: CommittedEntry) => void>();
  #description: ModuleDescription = { tables: [], reducers: [] };
  #status: TabStatus = { role: 'replica', epoch: 0, leader: undefined, lag: 0, seq: 0 };
  #diagnosis: RoomDiagnosis | undefined;
  #catalog = new ReducerCatalog();
  #lastCallId = 0;
  #nextQueryId = 1;
  /** The room this tab joined for its browser, while it leads. */
  #room: { readonly room: RejoinableRoom; close(): void } | undefined;
  /** Set by goOffline(): the room stays left until goOnline(). */
  #offline = false;
  /**
   * Set by the page's `offline` event, cleared by `online`: apart from goOffline(), so the network coming
   * back does not undo the app's choice. Not read from `navigator.onLine` at start: a machine on a LAN or
   * loopback only can say false and still reach its peers.
   */
  #networkDown = false;
  readonly #onNetwork = (event: Event): void => {
    this.#networkDown = event.type === 'offline';
    this.#applyOnline();
  };

  constructor(
    readonly database: string,
    port: ConstructorParameters<typeof Rpc>[0],
    durability: 'confirmed' | 'fast',
    private readonly peers?: PeersOption,
  ) {
    this.#rpc = new Rpc(port, database, (message) => this.#receive(message));
    const room = peers === undefined ? undefined : { name: peers.room, ...(peers.authority === undefined ? {} : { authority: peers.authority }) };
    this.ready = this.#rpc.hello(durability, room).then(
      (hello) => this.#greeted(hello),
      (error: unknown) => {
        // Refused before it opened: nothing queued will ever be answered. (When closed, close() does this.)
        if (!this.#rpc.closing) {
          this.#rpc.fail(error);
          this.#rpc.shutdown();
        }
        throw error;
      },
    );
  }

  get db(): ClientDb<M> {
    return this.#cache.db as unknown as ClientDb<M>;
  }

  call<K extends CallableReducerName<M>>(name: K, args: ReducerArgs<M, K>): Promise<void> {
    return this.#call(name, args);
  }

  subscriptionBuilder(): SubscriptionBuilder<M> {
    return new SubscriptionBuilderImpl<M>(this);
  }

  subscribe(queries: string | readonly string[]): SubscriptionHandle {
    const list = typeof queries === 'string' ? [queries] : Array.isArray(queries) ? [...(queries as readonly unknown[])] : [];
    if (list.length === 0 || list.some((q) => typeof q !== 'string' || q.trim() === '')) {
      throw new QueryError(`subscribe() takes SQL text or a non-empty array of it, e.g. conn.subscribe('SELECT * FROM message'); got ${JSON.stringify(queries) ?? typeof queries}`);
    }
    const sqls = list as string[];
    const ids = sqls.map(() => this.#nextQueryId++);
    const subscription = new Subscription(sqls, ids, { end: (s, tell) => this.#end(s, tell) });
    if (this.#rpc.closing) {
      subscription.closed(this.#rpc.closedError());
      return subscription;
    }
    for (const id of ids) {
      this.#subscriptions.set(id, subscription);
      this.#cache.addQuery(id);
    }
    this.#cache.pendingSubscriptions++;
    const settle = (): void => void this.#cache.pendingSubscriptions--;
    this.#rpc
      .request((host) => host.subscribe({ queries: ids.map((queryId, i) => ({ queryId, sql: sqls[i]! })) }))
      .then(
        () => (settle(), subscription.accepted()),
        (error: LockstepError) => (settle(), this.#rpc.closing ? subscription.closed(error) : subscription.failed(error)),
      );
    return subscription;
  }

  sql(query: string): Promise<SqlResult> {
    if (typeof query !== 'string' || query.trim() === '') return Promise.reject(new QueryError(`sql() takes SQL text, got ${JSON.stringify(query) ?? typeof query}`));
    return this.#rpc.request((host) => host.sql({ sql: query }));
  }

  onLog(cb: (line: ModuleLogLine) => void): () => void {
    return listen(this.#logListeners, cb, 'onLog');
  }

  get status(): ConnectionStatus {
    return this.#diagnosis?.apply(this.#status) ?? this.#status;
  }

  onStatus(cb: (status: ConnectionStatus) => void): () => void {
    return listen(this.#statusListeners, cb, 'onStatus');
  }

  onDiverged(cb: (divergence: Divergence) => void): () => void {
    return listen(this.#divergedListeners, cb, 'onDiverged');
  }

  inspect(options: { readonly replay?: boolean } = {}): Promise<InspectResult> {
    const replay = options.replay === true;
    return this.#rpc.request((host) => host.inspect(replay ? { replay } : {}));
  }

  describe(): ModuleDescription {
    return this.#description;
  }

  onCommit(cb: (entry: CommittedEntry) => void): () => void {
    const off = listen(this.#commitListeners, cb, 'onCommit');
    if (this.#commitListeners.size === 1) this.#watchCommits(true);
    return () => {
      const had = this.#commitListeners.has(cb);
      off();
      if (had && this.#commitListeners.size === 0) this.#watchCommits(false);
    };
  }

  exportDatabase(): Promise<Uint8Array> {
    return this.#rpc.request((host) => host.exportDatabase({}));
  }

  importDatabase(bytes: Uint8Array, options: ImportOptions = {}): Promise<ImportResult> {
    if (!(bytes instanceof Uint8Array)) return Promise.reject(new ValueError(`importDatabase() takes the bytes of a backup file (a Uint8Array), got ${bytes === null ? 'null' : typeof bytes}`));
    return this.#rpc.request((host) => host.importDatabase({ bytes, ...(options.allowReducerChanges === true ? { allowReducerChanges: true } : {}) }));
  }

  #watchCommits(watch: boolean): void {
    this.#rpc.request((host) => host.watchCommits({ watch })).catch((error: unknown) => {
      if (!this.#rpc.closing) reportError(error);
    });
  }

  close(): Promise<void> {
    this.#leaveRoom();
    const closed = this.#rpc.close();
    const error = this.#rpc.closedError();
    for (const subscription of new Set(this.#subscriptions.values())) subscription.closed(error);
    this.#subscriptions.clear();
    return closed;
  }

  #call(name: string, args: unknown): Promise<void> {
    return this.#rpc.call((requestId) => {
      const callArgs = this.#catalog.prepare(name, args ?? {});
      return { type: 'call', requestId, reducer: name, args: callArgs, callId: ++this.#lastCallId };
    });
  }

  #greeted(hello: HelloResult): void {
    this.identity = new Identity(hello.identity);
    this.connectionId = new ConnectionId(hello.connectionId);
    this.#catalog = new ReducerCatalog(hello.reducers);
    this.#description = Object.freeze({ tables: hello.tables, reducers: hello.reducers });
    this.#status = hello.status;
    const reducers: Record<string, (args?: unknown) => Promise<void>> = {};
    for (const name of this.#catalog.names()) reducers[name] = (args) => this.#call(name, args);
    this.reducers = reducerCalls<ReducerCalls<M>>(withCamelCaseAliases(reducers), Object.keys(reducers));
    this.#cache.init(hello.tables);
    this.#rpc.open();
  }

  #receive(message: HostMessage): void {
    switch (message.type) {
      case 'applied':
        return this.#cache.apply(message.queries, SUBSCRIBE_APPLIED);
      case 'transaction': {
        const { reducer, callId, sender, timestamp, seq } = message;
        return this.#cache.apply(message.queries, { kind: 'reducer', reducer, callId, own: callId !== undefined, sender: new Identity(sender), timestamp: new Timestamp(timestamp), seq });
      }
      case 'refresh':
        return this.#cache.apply(message.queries, REFRESH);
      case 'subscriptionError':
        return this.#subscriptions.get(message.queryId)?.failed(deserializeError(message.error), message.queryId);
      case 'log':
        return emit(this.#logListeners, { level: message.level, reducer: message.reducer, message: message.message });
      case 'status':
        this.#status = message.status;
        return emit(this.#statusListeners, this.status);
      case 'diverged':
        return emit(this.#divergedListeners, { seq: message.seq, reducer: message.reducer, reason: message.reason });
      case 'room-join':
        return void this.#joinRoom().catch(reportError);
      case 'room-leave':
        return this.#leaveRoom();
      case 'commit':
        return emit(this.#commitListeners, message.entry);
    }
  }

  goOffline(): void {
    this.#offline = true;
    this.#applyOnline();
  }

  goOnline(): void {
    this.#offline = false;
    this.#applyOnline();
  }

  /** In the room unless the app went offline or the network is down. */
  #applyOnline(): void {
    if (this.#offline || this.#networkDown) this.#room?.room.pause();
    else this.#room?.room.resume();
  }

  /**
   * Joins the room on this (main) thread, where WebRTC lives, and hands the
   * worker a port that relays its data channels at once, before the join
   * completes: a browser that knows its room's authority opens offline. The room
   * is joined again after a dropped relay, and left while offline. The peer code
   * loads only here.
   */
  async #joinRoom(): Promise<void> {
    const peers = this.peers;
    if (peers === undefined || this.#room !== undefined || this.#rpc.closing) return;
    const [{ joinRoom }, { bridgeRoom }, { rejoinableRoom }] = await Promise.all([import('../peer/room'), import('../peer/port-link'), import('../peer/rejoinable-room')]);
    if (this.#room !== undefined || this.#rpc.closing) return;
    const rtcConfig = peers.rtcConfig === undefined ? {} : { rtcConfig: peers.rtcConfig as PeerConnectionConfig };
    const diagnosis = (this.#diagnosis ??= new RoomDiagnosis(peers.room, () => this.#status, () => emit(this.#statusListeners, this.status)));
    const open = diagnosis.watch((watched) => joinRoom({ room: peers.room, peerId: crypto.randomUUID(), signaling: peers.signaling(), ...watched, ...rtcConfig }));
    const room = rejoinableRoom(open, { paused: this.#offline || this.#networkDown, onError: reportError });
    const channel = new MessageChannel();
    const unbridge = bridgeRoom(room, channel.port1, { joined: room.firstJoin });
    globalThis.addEventListener?.('offline', this.#onNetwork);
    globalThis.addEventListener?.('online', this.#onNetwork);
    this.#room = {
      room,
      close: () => {
        globalThis.removeEventListener?.('offline', this.#onNetwork);
        globalThis.removeEventListener?.('online', this.#onNetwork);
        unbridge();
        room.close();
      },
    };
    this.#rpc.roomJoined(channel.port2);
  }

  #leaveRoom(): void {
    this.#room?.close();
    this.#room = undefined;
  }

  #end(subscription: Subscription, tell: readonly number[]): void {
    for (const id of subscription.queryIds) this.#subscriptions.delete(id);
    this.#cache.endQueries(subscription.queryIds);
    if (tell.length === 0 || this.#rpc.closing) return;
    this.#rpc.request((host) => host.unsubscribe({ queryIds: tell })).catch((error: unknown) => {
      if (!this.#rpc.closing) reportError(error);
    });
  }

  #context(event: ClientEvent): EventContext<M> {
    return { event, db: this.db, reducers: this.reducers };
  }
}

const SUBSCRIBE_APPLIED: ClientEvent = Object.freeze({ kind: 'subscribeApplied' });
const REFRESH: ClientEvent = Object.freeze({ kind: 'refresh' });

function listen<T>(listeners: Set<(value: T) => void>, cb: (value: T) => void, name: string): () => void {
  if (typeof cb !== 'function') throw new TypeError(`${name} needs a function, got ${typeof cb}`);
  listeners.add(cb);
  return () => void listeners.delete(cb);
}

/** Calls every listener; one that throws is reported and does not stop the others. */
function emit<T>(listeners: ReadonlySet<(value: T) => void>, value: T): void {
  for (const cb of listeners) {
    try {
      cb(value);
    } catch (error) {
      reportError(error);
    }
  }
}
