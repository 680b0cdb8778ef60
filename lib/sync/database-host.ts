import { serializeError, toLockstepError } from '../errors';
import { Database, type DatabaseOptions, type Submitted } from '../log/database';
import { QueryEngine } from '../query/query-engine';
import type { ModuleDef } from '../schema/module';
import type { ConnectionId, Identity } from '../schema/type-desc';
import type { Row } from '../store/index-store';
import { replayFromScratch } from '../log/replay';
import type { ClientMessage, Durability, HelloResult, HostMessage, InspectResult, QueryDiff, SqlResult } from './client-protocol';
import { HostSession } from './host-session';

/** Timers the host uses to run scheduled reducers; injected so tests control time. */
export interface HostTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link DatabaseHost.open}. */
export interface HostOptions extends DatabaseOptions {
  readonly timers?: HostTimers;
}

/**
 * Serves one database to its connections: runs their calls through the durable
 * database, keeps their live queries, and sends each of them the transactions
 * in commit order — after the entry is durable for `confirmed` sessions, at once
 * for `fast` ones. It speaks only the client protocol, so any transport can carry it.
 */
export class DatabaseHost {
  readonly queries: QueryEngine;
  private readonly sessions = new Set<HostSession>();
  private timer: unknown;
  private closed = false;

  private constructor(
    readonly db: Database,
    private readonly options: HostOptions,
  ) {
    this.queries = new QueryEngine(db.engine.store);
    db.engine.onCommit((diff) => this.queries.applyDiff(diff));
    this.schedule();
  }

  /** Opens the database and starts serving it. */
  static async open(module: ModuleDef, options: HostOptions): Promise<DatabaseHost> {
    return new DatabaseHost(await Database.open(module, options), options);
  }

  /** Starts a session for one connection; `send` delivers host messages to it. */
  connect(identity: Identity, connectionId: ConnectionId, send: (message: HostMessage) => void): (message: ClientMessage) => void {
    const session = new HostSession(this, identity, connectionId, send);
    this.sessions.add(session);
    return (message) => this.receive(session, message);
  }

  /** The module's description for `hello`. */
  describe(identity: Identity, connectionId: ConnectionId): HelloResult {
    const module: ModuleDef = this.db.engine.module;
    return {
      identity,
      connectionId,
      tables: module.tables,
      reducers: [...module.reducers.values()].map(({ name, kind, params }) => ({ name, kind, params })),
    };
  }

  /** Runs a one-off query; the local UI may read private tables (it belongs to the module's owner). */
  sql(sql: string, sender: Identity): SqlResult {
    const result = this.queries.query(sql, { sender }, { allowPrivate: true });
    const rows: Row[] = result.rows.map((values) => Object.fromEntries(result.columns.map((c, i) => [c, values[i]])));
    return { columns: result.columns, rows };
  }

  /** The database's status; with `replay`, also the state hash of re-running the whole log. */
  async inspect(replay: boolean): Promise<InspectResult> {
    const { db } = this;
    const rows = Object.fromEntries([...db.engine.store.tables.values()].map((t) => [t.name, t.count()]));
    const base = { role: 'authority' as const, epoch: db.epoch, seq: db.seq, stateHash: db.stateHash(), rows, liveQueries: this.queries.liveQueries, storageBytes: await this.options.storage.estimateBytes(), warnings: db.warnings };
    if (!replay) return base;
    await db.flush();
    const replayed = await replayFromScratch(db.engine.module, this.options.storage, db.engine.identity);
    return { ...base, replayStateHash: replayed.stateHash };
  }

  /**
   * Submits a call and tells every session about its transaction. With `requestId`,
   * the caller's transaction message also answers its call request.
   */
  submit(call: Parameters<Database['submit']>[0], from?: HostSession, requestId?: number): Submitted {
    const submitted = this.db.submit(call);
    if (submitted.entry !== undefined && submitted.outcome.ok) this.publish(submitted, from, requestId);
    this.schedule();
    return submitted;
  }

  /** Ends a session: runs clientDisconnected, drops its live queries. */
  disconnect(session: HostSession): void {
    if (!this.sessions.delete(session)) return;
    session.dropQueries();
    if (this.db.engine.module.clientDisconnected !== undefined) {
      this.submit({ reducer: this.db.engine.module.clientDisconnected.name, args: {}, sender: session.identity, connectionId: session.connectionId, internal: true });
    }
  }

  /** Stops timers, flushes and closes storage. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) this.options.timers?.clearTimeout(this.timer);
    for (const session of [...this.sessions]) this.disconnect(session);
    await this.db.close();
  }

  private receive(session: HostSession, message: ClientMessage): void {
    try {
      session.handle(message);
    } catch (error) {
      session.send({ type: 'result', requestId: message.requestId, ok: false, error: serializeError(toLockstepError(error)) });
    }
  }

  /** Hands each session its queries' part of a committed transaction. */
  private publish(submitted: Submitted, from: HostSession | undefined, requestId?: number): void {
    const entry = submitted.entry!;
    for (const session of this.sessions) {
      const queries: QueryDiff[] = session.takePending();
      const own = session === from;
      if (queries.length === 0 && !own) continue;
      session.deliver(submitted.durable, {
        type: 'transaction',
        seq: entry.seq,
        reducer: entry.reducer,
        sender: entry.sender,
        timestamp: entry.timestamp,
        callId: own ? entry.caller?.callId : undefined,
        requestId: own ? requestId : undefined,
        queries,
      });
    }
  }

  /** Arms one timer for the next scheduled reducer. */
  private schedule(): void {
    const timers = this.options.timers;
    if (timers === undefined || this.closed) return;
    const due = this.db.engine.nextDue();
    if (this.timer !== undefined) timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (due === undefined) return;
    const wait = Number((due - this.db.now()) / 1000n);
    this.timer = timers.setTimeout(() => {
      this.timer = undefined;
      for (let run; (run = this.db.runNextDue()) !== undefined; ) if (run.entry !== undefined) this.publish(run, undefined);
      this.schedule();
    }, Math.max(0, wait));
  }
}

export type { Durability };
