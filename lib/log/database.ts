import type { Hash } from '../codec/hash';
import { Engine, type CallOutcome, type CallRequest, type LogRecord } from '../engine/engine';
import { deserializeError, ReducerError, SchemaError, StorageError, type LockstepError } from '../errors';
import type { ModuleDef } from '../schema/module';
import type { TableSchema } from '../schema/table';
import type { ConnectionId, Identity } from '../schema/type-desc';
import { Store } from '../store/store';
import { stateHash } from '../store/state-hash';
import { EMPTY_DIFF, Transaction } from '../store/transaction';
import { encodeDiff, hashDiff } from './diff-codec';
import { applyEntry, type Divergence } from './apply';
import { failedOutcome, GENESIS, sealEntry, type LogEntry } from './entry';
import { GroupCommit } from './group-commit';
import { migrateStore, type Migration } from './migrate';
import { recordCall, recoverLog } from './recovery';
import { compareSchemas, storedSchema } from './schema-diff';
import { encodeSnapshot, type LedgerEntry } from './snapshot';
import type { Storage } from './storage';

/** Options of {@link Database.open}. */
export interface DatabaseOptions {
  readonly storage: Storage;
  /** The database's identity: `ctx.identity`, the sender of scheduled calls. */
  readonly identity: Identity;
  /** Microseconds since the Unix epoch. Default: the wall clock. */
  readonly clock?: () => bigint;
  /** A fresh 64-bit seed per call. Default: crypto randomness. */
  readonly seeds?: () => bigint;
  readonly log?: (record: LogRecord) => void;
  /** Entries between snapshots, at least; a large state waits for as many entries as it has rows. Default 10,000. */
  readonly snapshotEvery?: number;
  /** Log entries kept behind the latest snapshot, for replicas catching up. Default 10,000; `Infinity` keeps all. */
  readonly keepEntries?: number;
  /** What to do when the stored schema changed incompatibly: refuse (default), start over, or migrate. */
  readonly onSchemaMismatch?: 'refuse' | 'reset' | Migration;
  /**
   * Run the module's `init` when this opens a new database. Default true; false
   * for a browser that follows a room's authority, whose log carries the room's `init`.
   */
  readonly init?: boolean;
}

/** One call to submit. */
export interface Submission {
  readonly reducer: string;
  readonly args: unknown;
  readonly sender: Identity;
  readonly connectionId: ConnectionId | null;
  readonly internal?: boolean;
  readonly caller?: { readonly client: string; readonly callId: number };
}

/** What became of a submission. */
export interface Submitted {
  /** The engine's outcome (for a duplicate: the recorded one, with an empty diff). */
  readonly outcome: CallOutcome;
  /** The new log entry, or undefined for a duplicate or an unlogged failure. */
  readonly entry: LogEntry | undefined;
  /** Resolves when the entry is durable (at once when there is none). */
  readonly durable: Promise<void>;
}

const wallClock = (): bigint => BigInt(Date.now()) * 1000n;
/** Fresh 64-bit seeds from the platform's randomness, drawn 512 at a time (one call to it costs more than a small reducer). */
const cryptoSeed = (() => {
  const pool = new Uint32Array(1024);
  let next = pool.length;
  return (): bigint => {
    if (next === pool.length) {
      crypto.getRandomValues(pool);
      next = 0;
    }
    const hi = pool[next++]!;
    const lo = pool[next++]!;
    return (BigInt(hi) << 32n) | BigInt(lo);
  };
})();

/** Log bytes after which a snapshot is written even when few entries were (bulk loads). */
const SNAPSHOT_BYTES = 4 * 1024 * 1024;

/**
 * A durable database: the engine plus its log in {@link Storage}. Every committed
 * call becomes a log entry, written by group commit; snapshots bound recovery
 * time; opening recovers the latest snapshot plus the log after it.
 */
export class Database {
  private seqValue: number;
  private chainValue: Hash;
  private lastTimestamp: bigint;
  private sinceSnapshot = 0;
  private bytesSinceSnapshot = 0;
  private lastSnapshotBytes = 0;
  private readonly commits: GroupCommit;
  private failure: unknown;

  private constructor(
    readonly engine: Engine,
    private readonly options: DatabaseOptions,
    state: { seq: number; chain: Hash; epoch: number; lastTimestamp: bigint },
    readonly ledger: Map<string, LedgerEntry>,
    /** Warnings from opening (a cut log tail, a migration). */
    readonly warnings: readonly string[],
  ) {
    this.seqValue = state.seq;
    this.chainValue = state.chain;
    this.epoch = state.epoch;
    this.lastTimestamp = state.lastTimestamp;
    this.commits = new GroupCommit(options.storage, (error) => {
      this.failure = error;
      options.log?.({ level: 'error', reducer: '', message: `Writing the log failed; no further call is accepted: ${String(error)}` });
    });
  }

  /** The authority epoch of new entries. */
  epoch: number;

  /** The storage this database writes. */
  get storage(): Storage {
    return this.options.storage;
  }

  /** Opens (recovering or creating) the database of `module` in `options.storage`. */
  static async open(module: ModuleDef, options: DatabaseOptions): Promise<Database> {
    const { storage } = options;
    const engine = new Engine(module, { identity: options.identity, ...(options.log === undefined ? {} : { log: options.log }) });
    const warnings: string[] = [];
    let stored = (await storage.readMeta('schema')) as TableSchema[] | undefined;
    const comparison = stored === undefined ? undefined : compareSchemas(stored, module.tables);
    const mismatch = options.onSchemaMismatch ?? 'refuse';
    if (comparison?.kind === 'breaking' && mismatch === 'refuse') throw comparison.error;
    if (comparison?.kind === 'breaking' && mismatch === 'reset') {
      await storage.commit({ truncateSegmentsFrom: 0, deleteSnapshotsBefore: Number.MAX_SAFE_INTEGER, meta: { schema: undefined } });
      warnings.push(`Reset the database: ${comparison.error.message}`);
      stored = undefined;
    }
    if (stored === undefined || comparison === undefined || (comparison.kind === 'breaking' && mismatch === 'reset')) {
      const db = new Database(engine, options, { seq: 0, chain: GENESIS, epoch: 1, lastTimestamp: 0n }, new Map(), warnings);
      await storage.commit({ meta: { schema: storedSchema(module.tables), epoch: 1 } });
      const init = module.init === undefined || options.init === false ? undefined : db.submit({ reducer: module.init.name, args: {}, sender: options.identity, connectionId: null, internal: true });
      if (init !== undefined && !init.outcome.ok) throw init.outcome.error;
      await db.commits.drain();
      return db;
    }
    const loadInto = comparison.kind === 'same' ? engine.store : new Store(stored);
    const recovered = await recoverLog(storage, loadInto);
    warnings.push(...recovered.warnings);
    if (recovered.repair !== undefined) await storage.commit(recovered.repair);
    const db = new Database(engine, options, recovered, recovered.ledger, warnings);
    if (comparison.kind !== 'same') {
      migrateStore(loadInto, engine.store, comparison.kind === 'breaking' ? (mismatch as Migration) : undefined);
      if (comparison.kind === 'additive') warnings.push(`Migrated the schema: ${comparison.changes.join('; ')}`);
      await storage.commit({
        snapshot: { seq: db.seq, chunks: encodeSnapshot(engine.store, { seq: db.seq, epoch: db.epoch, chain: db.chain, ledger: db.ledger }) },
        deleteSnapshotsBefore: db.seq,
        // The old entries encode rows in the old layout: the new snapshot replaces them.
        pruneSegmentsThrough: db.seq,
        meta: { schema: storedSchema(module.tables) },
      });
    }
    engine.scheduler.rebuild(db.now());
    return db;
  }

  /** The seq of the last entry. */
  get seq(): number {
    return this.seqValue;
  }

  /** The chain hash of the last entry. */
  get chain(): Hash {
    return this.chainValue;
  }

  /**
   * Runs a call now and logs it. Returns at once with the outcome; `durable`
   * resolves when the entry is in storage. A call whose client and callId were
   * seen before is answered from the ledger and not run again.
   */
  submit(call: Submission): Submitted {
    if (this.failure !== undefined) return { outcome: { ok: false, error: new StorageError(`The database cannot write: ${String(this.failure)}`, { cause: this.failure }) }, entry: undefined, durable: Promise.reject(this.failure) };
    const seen = call.caller === undefined ? undefined : this.ledger.get(call.caller.client);
    if (call.caller !== undefined && seen !== undefined && call.caller.callId <= seen.callId) return this.duplicate(call.caller, seen);
    const request: CallRequest = { ...call, timestamp: this.now(), seed: (this.options.seeds ?? cryptoSeed)() };
    const outcome = this.engine.call(request);
    // A refused or failed call changed nothing; it is logged only when a client must get the same answer on retry.
    if (!outcome.ok && (call.caller === undefined || outcome.error instanceof ReducerError)) return { outcome, entry: undefined, durable: Promise.resolve() };
    return { outcome, entry: this.append(request, outcome, call.caller), durable: this.lastDurable };
  }

  /** Runs the first scheduled call that is due now, as its own logged call; undefined when none is. */
  runNextDue(): Submitted | undefined {
    const request = this.engine.dueCall(this.now(), (this.options.seeds ?? cryptoSeed)());
    if (request === undefined) return undefined;
    const outcome = this.engine.call(request);
    return outcome.ok ? { outcome, entry: this.append(request, outcome, undefined), durable: this.lastDurable } : { outcome, entry: undefined, durable: Promise.resolve() };
  }

  /** Resolves when every entry so far is durable. */
  flush(): Promise<void> {
    return this.commits.drain();
  }

  /** A hash of the whole state. */
  stateHash(): Hash {
    return stateHash(this.engine.store);
  }

  /** Writes a snapshot of the current state with the next commit. */
  snapshot(): void {
    const chunks = encodeSnapshot(this.engine.store, { seq: this.seq, epoch: this.epoch, chain: this.chain, ledger: this.ledger });
    this.lastSnapshotBytes = chunks.reduce((sum, c) => sum + c.length, 0);
    this.bytesSinceSnapshot = 0;
    const keep = this.options.keepEntries ?? 10_000;
    this.commits.attach({ snapshot: { seq: this.seq, chunks }, pruneSegmentsThrough: keep === Infinity ? undefined : this.seq - keep });
    this.sinceSnapshot = 0;
  }

  /** Flushes and releases the storage. */
  async close(): Promise<void> {
    await this.commits.drain().catch(() => {});
    this.options.storage.close();
  }

  /** The time of the next call: the clock, but never before the last entry's time. */
  now(): bigint {
    const t = (this.options.clock ?? wallClock)();
    if (t > this.lastTimestamp) this.lastTimestamp = t;
    return this.lastTimestamp;
  }

  private lastDurable: Promise<void> = Promise.resolve();

  private append(request: CallRequest, outcome: CallOutcome, caller: Submission['caller']): LogEntry {
    const diff = outcome.ok ? encodeDiff(this.engine.store, outcome.diff) : undefined;
    const entry = sealEntry(
      {
        seq: this.seqValue + 1,
        epoch: this.epoch,
        reducer: request.reducer,
        args: this.engine.encodeArgs(request.reducer, request.args),
        sender: request.sender,
        connectionId: request.connectionId,
        timestamp: request.timestamp,
        seed: request.seed,
        internal: request.internal === true,
        caller,
        outcome: diff !== undefined ? { ok: true, txHash: hashDiff(diff), diff } : failedOutcome((outcome as { error: LockstepError }).error),
      },
      this.chainValue,
    );
    return this.log(entry);
  }

  /**
   * Logs an entry that another database ordered (a room's authority) through the
   * one apply path (`applyEntry`), and writes it as it is, so this log stays
   * identical to the orderer's. A divergence (it does not continue this log, or
   * its replay disagrees) changes nothing and is returned instead.
   */
  appendOrdered(entry: LogEntry): Submitted | { readonly divergence: Divergence } {
    const applied = applyEntry(this.engine, entry, this);
    if (!applied.ok) return { divergence: applied.divergence };
    if (entry.timestamp > this.lastTimestamp) this.lastTimestamp = entry.timestamp;
    return { outcome: applied.outcome, entry: this.log(entry), durable: this.lastDurable };
  }

  /** Makes `entry` the last one: the ledger, the group commit, and a snapshot when due. */
  private log(entry: LogEntry): LogEntry {
    this.seqValue = entry.seq;
    this.chainValue = entry.chain;
    recordCall(this.ledger, entry);
    this.lastDurable = this.commits.append(entry);
    this.lastDurable.catch(() => {});
    this.bytesSinceSnapshot += entry.args.length + (entry.outcome.ok ? entry.outcome.diff.length : 0);
    // Recovery replays the log after the snapshot: snapshot when that log has grown as
    // large as the state (by entries or by bytes), so both stay proportional.
    if (++this.sinceSnapshot >= Math.max(this.options.snapshotEvery ?? 10_000, this.rowCount()) || this.bytesSinceSnapshot >= Math.max(SNAPSHOT_BYTES, this.lastSnapshotBytes)) this.snapshot();
    return entry;
  }

  private rowCount(): number {
    let rows = 0;
    for (const table of this.engine.store.tables.values()) rows += table.count();
    return rows;
  }

  private duplicate(caller: NonNullable<Submission['caller']>, seen: LedgerEntry): Submitted {
    if (caller.callId < seen.callId) {
      const error = new ReducerError(`Call ${caller.callId} of client ${caller.client} is older than its last call (${seen.callId}); it was answered before`);
      return { outcome: { ok: false, error }, entry: undefined, durable: Promise.resolve() };
    }
    const outcome: CallOutcome = seen.outcome.ok
      ? { ok: true, diff: EMPTY_DIFF, tx: new Transaction() }
      : { ok: false, error: deserializeError({ name: seen.outcome.name, message: seen.outcome.message, details: {} }) };
    return { outcome, entry: undefined, durable: Promise.resolve() };
  }
}
