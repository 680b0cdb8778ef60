import type { BackupTarget } from '../backup/host-backup';
import type { BackupFitOptions } from '../backup/backup';
import { ReducerError } from '../errors';
import type { Engine } from '../engine/engine';
import { decodeDiff } from '../log/diff-codec';
import type { LogEntry } from '../log/entry';
import { replayFromScratch } from '../log/replay';
import { QueryEngine } from '../query/query-engine';
import type { ModuleDef } from '../schema/module';
import type { ConnectionId, Identity } from '../schema/type-desc';
import type { Row } from '../store/index-store';
import { stateHash } from '../store/state-hash';
import type { ClientMessage, CommittedEntry, Durability, HelloResult, HostMessage, ImportResult, InspectResult, SqlResult } from './client-protocol';
import type { ModuleFingerprint } from '../room/handshake';
import { HostSession } from './host-session';
import type { TabLocks } from '../tabs/locks';
import type { Call, CallResult } from '../replication/pending-calls';
import type { Timers } from '../replication/timers';
import type { Tab } from '../tabs/tab';
import { startConnectionWatch, type ConnectionWatch } from '../lifecycle/connection-watch';
import { startSchedulerPump, type SchedulerPump } from './scheduler-pump';
import { startStatusPacer } from './status-pacer';

/** Timers the host uses to run scheduled reducers and pace status messages; injected so tests control time. */
export type HostTimers = Timers;

/** Options of {@link DatabaseHost}. */
export interface HostOptions {
  readonly timers?: HostTimers;
  /** How long seq and lag changes are gathered before one status message goes out; 0 sends each at once. Default 100 ms. */
  readonly statusEveryMs?: number;
  /**
   * Web Locks, to learn when another tab's connection is gone without saying so
   * (its page closed or crashed): each connection holds `<connectionLocks><connectionId>`
   * while its worker lives, and the leader queues for the locks of every open
   * connection; a grant means that worker is gone, and the leader runs its
   * `clientDisconnected`.
   */
  readonly locks?: TabLocks;
  /** The prefix of connection lock names; default `lockstep:connection:`. */
  readonly connectionLocks?: string;
  /** The database's name, recorded in backups (`conn.exportDatabase`) and named in their errors. */
  readonly database?: string;
  /**
   * How many other tabs have this database open: an import is refused while any do (see
   * `importBackup`). `serve` counts the tabs queued for the leader's Web Lock.
   */
  readonly otherTabs?: () => Promise<number>;
  /** The module's declared version (`serve(module, { version })`), recorded in backups. */
  readonly version?: string | number;
  /**
   * Answers the devtools' requests: the stream of committed entries (`conn.onCommit`), and
   * `conn.exportDatabase` / `conn.importDatabase`. Default true: the page that owns the worker is
   * the developer's own. With false they are refused with a `ReducerError` naming this option.
   */
  readonly devtools?: boolean;
}

/**
 * Serves one database to the connections of one tab, over that tab's
 * {@link Tab} (leader or replica): calls go through the tab, so they reach the
 * leader from any tab and are applied exactly once; live queries run against
 * whichever engine holds the tab's state now, and move (with the difference
 * sent as a `refresh`) when the role changes or a replica resyncs. Every
 * applied entry is published to each session as a transaction — after it is
 * durable for `confirmed` sessions, at once for `fast` ones (a replica only ever
 * applies durable entries). It speaks only the client protocol, so any
 * transport can carry it.
 */
export class DatabaseHost {
  private queriesValue: QueryEngine;
  private engineValue: Engine;
  private offCommit: () => void;
  private readonly sessions = new Set<HostSession>();
  private readonly module: ModuleDef;
  private closed = false;
  /** The loops that run while the tab's current role does (scheduler pump, connection watch). */
  private roleLoops = new AbortController();
  private readonly hostLoops = new AbortController();
  private pump: SchedulerPump | undefined;
  private watch: ConnectionWatch | undefined;
  private fingerprintValue: Promise<ModuleFingerprint> | undefined;

  /**
   * Starts serving over an open tab. Pass the host's {@link DatabaseHost.events}
   * to `Tab.open` so it hears of applied entries and engine changes.
   */
  constructor(
    readonly tab: Tab,
    private readonly options: HostOptions = {},
  ) {
    const engine = tab.engine;
    if (engine === undefined) throw new Error('DatabaseHost needs an open tab');
    this.engineValue = engine;
    this.module = engine.module;
    this.queriesValue = new QueryEngine(engine.store);
    this.offCommit = engine.onCommit((diff) => this.queriesValue.applyDiff(diff));
    startStatusPacer(
      {
        status: () => tab.status,
        onStatus: (fn) => tab.onStatus(fn),
        send: (status) => {
          for (const session of this.sessions) session.send({ type: 'status', status });
        },
        timers: options.timers,
        everyMs: options.statusEveryMs ?? 100,
      },
      this.hostLoops.signal,
    );
    // A role change installs a new engine before its status says so: restart the role's loops then too.
    tab.onStatus(() => this.startRoleLoops());
    tab.onDiverged(({ seq, reducer, reason }) => {
      for (const session of this.sessions) session.send({ type: 'diverged', seq, reducer, reason });
    });
    this.startRoleLoops();
  }

  /**
   * The tab events a host needs. Tabs open before their host exists, so they
   * are late-bound: `Tab.open(options, DatabaseHost.events(() => host))`.
   */
  static events(host: () => DatabaseHost | undefined): { onApplied: (entry: LogEntry, durable: Promise<void>) => void; onEngine: (engine: Engine) => void } {
    return {
      onApplied: (entry, durable) => host()?.applied(entry, durable),
      onEngine: (engine) => host()?.switchEngine(engine),
    };
  }

  /** The live queries of every session, over the current engine. */
  get queries(): QueryEngine {
    return this.queriesValue;
  }

  /** True when the database is shared in a room of browsers (its calls may wait for an authority out of reach). */
  get inRoom(): boolean {
    return this.tab.status.room !== undefined;
  }

  /** The engine holding this tab's state now. */
  get engine(): Engine {
    return this.engineValue;
  }

  /** Starts a session for one connection; `send` delivers host messages to it. */
  connect(identity: Identity, connectionId: ConnectionId, send: (message: HostMessage) => void): (message: ClientMessage) => void {
    const session = new HostSession(this, identity, connectionId, send);
    this.sessions.add(session);
    return (message) => session.receive(message);
  }

  /** The module's description for `hello`. */
  describe(identity: Identity, connectionId: ConnectionId): HelloResult {
    const module = this.module;
    return {
      identity,
      connectionId,
      tables: module.tables,
      reducers: [...module.reducers.values()].map(({ name, kind, params }) => ({ name, kind, params })),
      status: this.tab.status,
    };
  }

  /**
   * Resolves once a leader is known (this tab or another), so a new session's
   * calls have somewhere to go; rejects when this tab could not lead and no
   * other tab does (e.g. its schema was refused).
   */
  ready(): Promise<void> {
    const settled = (): boolean | Error => (this.tab.status.leader !== undefined ? true : (this.tab.failure ?? false));
    const now = settled();
    if (now === true) return Promise.resolve();
    if (now instanceof Error) return Promise.reject(now);
    return new Promise((resolve, reject) => {
      const off = this.tab.onStatus(() => {
        const state = settled();
        if (state === false) return;
        off();
        if (state === true) resolve();
        else reject(state);
      });
    });
  }

  /**
   * Takes a connection's lock for as long as this worker lives (see {@link HostOptions.locks});
   * resolves once it is held, with a function that releases it.
   */
  holdConnection(connectionId: ConnectionId): Promise<() => void> {
    const locks = this.options.locks;
    if (locks === undefined) return Promise.resolve(() => {});
    return new Promise((granted, refused) => {
      locks.request(this.lockName(connectionId), {}, () => new Promise<void>((release) => granted(release))).catch(refused);
    });
  }

  /** Runs a one-off query; the local UI may read private tables (it belongs to the module's owner). */
  sql(sql: string, sender: Identity): SqlResult {
    const result = this.queriesValue.query(sql, { sender }, { allowPrivate: true });
    const rows: Row[] = result.rows.map((values) => Object.fromEntries(result.columns.map((c, i) => [c, values[i]])));
    return { columns: result.columns, rows };
  }

  /** The database's status as this tab sees it; with `replay`, also the state hash of re-running the whole durable log. */
  async inspect(replay: boolean): Promise<InspectResult> {
    const { tab } = this;
    const engine = this.engineValue;
    const leader = tab.leadership?.log;
    const storage = tab.storage;
    const rows = Object.fromEntries([...engine.store.tables.values()].map((t) => [t.name, t.count()]));
    const status = tab.status;
    const base: InspectResult = {
      role: status.role === 'leader' ? 'authority' : 'replica',
      status,
      epoch: status.epoch,
      seq: status.seq,
      stateHash: stateHash(engine.store),
      rows,
      liveQueries: this.queriesValue.liveQueries,
      storageBytes: storage === undefined ? 0 : await storage.estimateBytes(),
      // Reads the snapshot's chunks too; inspect() already reads every stored byte for storageBytes.
      snapshotSeq: storage === undefined ? 0 : ((await storage.latestSnapshot())?.seq ?? 0),
      warnings: leader?.db.warnings ?? [],
      pendingCalls: tab.pendingCalls,
    };
    if (!replay || storage === undefined) return base;
    await leader?.db.flush();
    const replayed = await replayFromScratch(this.module, storage, engine.identity);
    return { ...base, replayStateHash: replayed.stateHash, replayEntries: replayed.entries };
  }

  /** Throws a `ReducerError` naming `what` when the devtools' requests are turned off (see {@link HostOptions.devtools}). */
  checkDevtools(what: string): void {
    if (this.options.devtools === false) throw new ReducerError(`${what} is a devtools request, and this worker turns them off: serve(module, { devtools: false })`);
  }

  /** A backup of the whole database (see `conn.exportDatabase`). */
  async exportDatabase(): Promise<Uint8Array> {
    this.checkDevtools('exportDatabase()');
    // Backups load only when asked for (devtools): an app that never backs up never fetches their code.
    const { exportBackup } = await import('../backup/host-backup');
    return exportBackup(await this.backupTarget());
  }

  /** Replaces a new database's state with a backup (see `conn.importDatabase`); refuses, changing nothing, otherwise. */
  async importDatabase(bytes: Uint8Array, options: BackupFitOptions = {}): Promise<ImportResult> {
    this.checkDevtools('importDatabase()');
    const { importBackup } = await import('../backup/host-backup');
    return importBackup(await this.backupTarget(), bytes, options);
  }

  /** Makes a call through the tab: answered by its own entry (see {@link HostSession}) or by the tab's final answer. */
  call(call: Call): Promise<CallResult> {
    return this.tab.call(call);
  }

  /** A durable point for a session's reply: the leader's pending writes, or now on a replica. */
  flush(): Promise<void> {
    return this.tab.leadership?.log.db.flush() ?? Promise.resolve();
  }

  /** Ends a session: drops its live queries (its clientDisconnected is the session's to call). */
  forget(session: HostSession): void {
    this.sessions.delete(session);
    session.dropQueries();
  }

  /** Stops timers and leaves: a leader makes what it ordered durable and hands the lead on. */
  async close(): Promise<void> {
    this.closed = true;
    this.hostLoops.abort();
    this.roleLoops.abort();
    await Promise.all([...this.sessions].map((session) => session.close()));
    await this.tab.close();
  }

  /** Hands each session its queries' part of an applied entry (and, to sessions that watch, the entry itself). */
  private applied(entry: LogEntry, durable: Promise<void>): void {
    let committed: CommittedEntry | undefined;
    for (const session of this.sessions) {
      if (session.watchingCommits) session.deliver(durable, { type: 'commit', entry: (committed ??= this.describeEntry(entry)) });
      session.publish(entry, durable);
    }
    const caller = entry.caller;
    if (caller !== undefined && caller.callId === 1 && entry.internal) this.watch?.connected(caller.client);
    this.pump?.poke();
  }

  /** An entry as the devtools show it; read right after the engine ran it, so its last run is this entry's. */
  private describeEntry(entry: LogEntry): CommittedEntry {
    const engine = this.engineValue;
    const run = engine.lastRun;
    const ran = run !== undefined && run.request.reducer === entry.reducer && run.request.seed === entry.seed && run.request.timestamp === entry.timestamp;
    let args: Record<string, unknown> | undefined;
    try {
      args = engine.decodeArgs(entry.reducer, entry.args);
    } catch {
      args = undefined; // a reducer this module no longer has: the entry is shown without its arguments
    }
    const { outcome } = entry;
    return {
      seq: entry.seq,
      epoch: entry.epoch,
      reducer: entry.reducer,
      internal: entry.internal,
      sender: entry.sender,
      connectionId: entry.connectionId,
      callId: entry.caller?.callId,
      timestamp: entry.timestamp,
      args,
      outcome: outcome.ok ? { ok: true } : { ok: false, name: outcome.name, message: outcome.message },
      changes: outcome.ok ? decodeDiff(engine.store, outcome.diff).changes.map((c) => ({ table: c.table, inserts: c.inserts.length, deletes: c.deletes.length })) : [],
      durationMs: ran ? run.ms : undefined,
    };
  }

  private backupTarget(): Promise<BackupTarget> {
    this.fingerprintValue ??= import('../room/handshake').then(({ describeModule }) => describeModule(this.module, this.options.version));
    const { otherTabs } = this.options;
    return this.fingerprintValue.then((fingerprint) => ({ tab: this.tab, module: this.module, database: this.options.database ?? '', fingerprint, ...(otherTabs === undefined ? {} : { otherTabs }) }));
  }

  /**
   * Starts what runs while this tab leads: the scheduler pump (when it orders) and the
   * watch over this browser's connections. Restarted on every role change; idle elsewhere.
   */
  private startRoleLoops(): void {
    const leadership = this.tab.leadership;
    const running = this.pump !== undefined || this.watch !== undefined;
    if (running && this.roleLoopsFor === leadership) return;
    this.roleLoops.abort();
    this.roleLoops = new AbortController();
    this.roleLoopsFor = leadership;
    this.pump = undefined;
    this.watch = undefined;
    if (leadership === undefined || this.closed) return;
    const { signal } = this.roleLoops;
    const { timers, locks } = this.options;
    if (leadership.orderer !== undefined && timers !== undefined) this.pump = startSchedulerPump({ orderer: leadership.orderer, timers }, signal);
    if (locks !== undefined) {
      this.watch = startConnectionWatch(
        { locks, lockName: (id) => this.lockName(id), module: this.module, identity: this.engineValue.identity, inRoom: this.inRoom, ledger: leadership.log.ledger, call: (call) => void this.tab.call(call) },
        signal,
      );
    }
  }

  private roleLoopsFor: unknown;

  private lockName(connectionId: ConnectionId): string {
    return `${this.options.connectionLocks ?? 'lockstep:connection:'}${connectionId}`;
  }

  /** Moves every live query to the engine that now holds the state; sessions get the difference. */
  private switchEngine(engine: Engine): void {
    if (engine === this.engineValue) return;
    const old = this.queriesValue;
    this.offCommit();
    this.engineValue = engine;
    this.queriesValue = new QueryEngine(engine.store);
    this.offCommit = engine.onCommit((diff) => this.queriesValue.applyDiff(diff));
    for (const session of this.sessions) session.moveQueries(old, this.queriesValue, engine);
    this.startRoleLoops();
  }
}

export type { Durability };
