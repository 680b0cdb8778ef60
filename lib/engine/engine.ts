import { Reader, Writer } from '../codec/buffer';
import { compileArgs, unknownReducer } from '../codec/args';
import type { RowCodec } from '../codec/row';
import { DeterminismError, inReducer, ReducerError, SenderError, toLockstepError, type LockstepError } from '../errors';
import type { ModuleLogger, ReducerContext } from '../schema/handles';
import type { ModuleDef, ModuleReducer } from '../schema/module';
import type { ConnectionId as ConnectionIdHex, Identity as IdentityHex } from '../schema/type-desc';
import type { Row } from '../store/index-store';
import { Store } from '../store/store';
import type { Transaction, TxDiff } from '../store/transaction';
import { createDbHandles } from './db-handles';
import { install, uninstall } from './guards';
import { createContext } from './context';
import { Scheduler } from './scheduler';
import { ConnectionId } from '../values/connection-id';
import { apiConverter, storedConverter, type Convert } from '../values/convert';
import { Identity } from '../values/identity';
import { TimeDuration, Timestamp } from '../values/time';
import { Uuid } from '../values/uuid';

/** Everything that decides a call's outcome besides the state: what the authority stamps into the log. */
export interface CallMeta {
  readonly sender: IdentityHex;
  readonly connectionId: ConnectionIdHex | null;
  /** Microseconds since the Unix epoch. */
  readonly timestamp: bigint;
  /** Seeds `ctx.random`. */
  readonly seed: bigint;
}

/** One reducer call to run. */
export interface CallRequest extends CallMeta {
  readonly reducer: string;
  readonly args: unknown;
  /** Set by the host for lifecycle and scheduled calls, which clients may not make. */
  readonly internal?: boolean;
}

/** The outcome of a call: committed with its row diff and undo record, or failed and rolled back. */
export type CallOutcome =
  | { readonly ok: true; readonly diff: TxDiff; readonly tx: Transaction }
  | { readonly ok: false; readonly error: LockstepError };

/** A line of the module log. */
export interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly reducer: string;
  readonly message: string;
}

/** Options of an {@link Engine}. */
export interface EngineOptions {
  /** The database's own identity (`ctx.identity`, the sender of scheduled calls). */
  readonly identity?: IdentityHex;
  /** Receives `ctx.log` and `console.*` output of reducers. */
  readonly log?: (record: LogRecord) => void;
}

const ZERO_IDENTITY = '0'.repeat(64) as IdentityHex;

/**
 * The platform's monotonic clock, taken before any guard replaces `performance.now`:
 * the engine times each reducer run from outside it, for the devtools.
 */
const clock: () => number = typeof performance === 'object' && typeof performance.now === 'function' ? performance.now.bind(performance) : Date.now;

/** How long the engine's last call ran: see {@link Engine.lastRun}. */
export interface CallTiming {
  /** The call that ran (committed or rolled back). */
  readonly request: CallRequest;
  /** Milliseconds from opening its transaction to committing or rolling it back (commit listeners excluded). */
  readonly ms: number;
}

/**
 * Runs a module's reducers as transactions over its in-memory tables. The same
 * requests in the same order give the same state on every engine: this is what
 * the authority runs and what replicas replay.
 */
export class Engine {
  readonly store: Store;
  readonly identity: IdentityHex;
  /** `ctx.db`: table handles over the store. Reads work anywhere; writes only inside a reducer. */
  readonly db: Record<string, unknown>;
  private readonly argCodecs = new Map<string, RowCodec>();
  /** Per reducer: its arguments as stored → as the reducer sees them (value classes), when they differ. */
  private readonly argsToApi = new Map<string, Convert>();
  private readonly argsToStored = new Map<string, Convert>();
  readonly scheduler: Scheduler;
  private readonly logSink: (record: LogRecord) => void;
  private readonly commitListeners = new Set<(diff: TxDiff, request: CallRequest) => void>();
  /**
   * The last call this engine ran and how long it took, or undefined before the first. Not part of
   * the replicated state (it differs on every engine); the host reads it right after a call to
   * report the run time of its log entry.
   */
  lastRun: CallTiming | undefined;

  constructor(
    readonly module: ModuleDef,
    options: EngineOptions = {},
  ) {
    this.store = new Store(module.tables);
    this.db = createDbHandles(this.store);
    this.identity = options.identity ?? ZERO_IDENTITY;
    this.logSink = options.log ?? (() => {});
    this.scheduler = new Scheduler(this.store);
    for (const reducer of module.reducers.values()) {
      this.argCodecs.set(reducer.name, compileArgs(reducer.name, reducer.params));
      const type = { kind: 'object', name: reducer.name, fields: reducer.params } as const;
      const toApi = apiConverter(type);
      if (toApi !== undefined) this.argsToApi.set(reducer.name, toApi);
      const toStored = storedConverter(type, true);
      if (toStored !== undefined) this.argsToStored.set(reducer.name, toStored);
    }
  }

  /**
   * Checks that a call names a reducer its caller may call, with valid arguments.
   * Throws {@link ReducerError} naming the reducer and argument. Clients run this before sending.
   */
  check(name: string, args: unknown, internal = false): ModuleReducer {
    const reducer = this.module.reducers.get(name);
    if (reducer === undefined) {
      throw unknownReducer(name, [...this.module.reducers.values()].filter((r) => r.kind === 'reducer').map((r) => r.name));
    }
    if (!internal && reducer.kind !== 'reducer') {
      const why = reducer.kind === 'scheduled' ? `it is scheduled by table "${reducer.scheduleTable}"` : `it is the ${reducer.kind} lifecycle reducer`;
      throw new ReducerError(`Reducer "${name}" cannot be called by clients: ${why}`, { reducer: name });
    }
    this.argCodecs.get(name)!.validate(args);
    return reducer;
  }

  /**
   * A call's arguments as an app writes them (value classes, safe JS integers for 64-bit
   * arguments) in the plain form calls are checked, logged and sent in.
   */
  storedArgs(name: string, args: unknown): unknown {
    const convert = this.argsToStored.get(name);
    return convert === undefined ? args : convert(args);
  }

  /** The codec of a reducer's arguments (for log entries and wire messages). */
  argsCodec(name: string): RowCodec {
    const codec = this.argCodecs.get(name);
    if (codec === undefined) throw new ReducerError(`No reducer named "${name}"`, { reducer: name });
    return codec;
  }

  /** Encodes a call's arguments (already checked) for a log entry or a wire message. */
  encodeArgs(name: string, args: unknown): Uint8Array {
    this.scratch.reset();
    this.argsCodec(name).encode(this.scratch, args as Record<string, unknown>);
    return this.scratch.finish();
  }

  /** Decodes a call's arguments from a log entry. */
  decodeArgs(name: string, bytes: Uint8Array): Record<string, unknown> {
    return this.argsCodec(name).decode(new Reader(bytes));
  }

  private readonly scratch = new Writer(256);

  /** Runs one call in its own transaction. Never throws for reducer failures: they are the outcome. */
  call(request: CallRequest): CallOutcome {
    let reducer: ModuleReducer;
    try {
      reducer = this.check(request.reducer, request.args, request.internal === true);
    } catch (error) {
      const refused = this.module.reducers.get(request.reducer);
      // A due row whose call cannot even start must not stay due forever.
      if (refused?.kind === 'scheduled' && request.internal === true) this.scheduler.skip(refused.scheduleTable!, (request.args as { arg: Row }).arg);
      return { ok: false, error: toLockstepError(error) };
    }
    const log = this.logger(reducer.name);
    const started = clock();
    const tx = this.store.begin();
    install(log);
    try {
      const ctx = createContext(this.db, request, this.identity, log);
      const toApi = this.argsToApi.get(reducer.name);
      const result: unknown = reducer.fn(ctx as ReducerContext<any>, toApi === undefined ? request.args : toApi(request.args));
      if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
        (result as Promise<unknown>).then(undefined, () => {});
        throw new DeterminismError(`Reducer "${reducer.name}" returned a Promise: reducers must be synchronous (no async/await)`, { reducer: reducer.name });
      }
      if (reducer.kind === 'scheduled') this.scheduler.finishRun(reducer, request.args, tx);
    } catch (error) {
      uninstall();
      this.store.rollback();
      if (reducer.kind === 'scheduled') this.scheduler.skip(reducer.scheduleTable!, (request.args as { arg: Row }).arg);
      this.lastRun = { request, ms: clock() - started };
      const failure = inReducer(error, reducer.name);
      if (!(failure instanceof SenderError) && failure.cause !== undefined) this.logSink({ level: 'error', reducer: reducer.name, message: failure.stack ?? failure.message });
      return { ok: false, error: failure };
    }
    uninstall();
    this.store.commit();
    const diff = tx.diff();
    const ran = reducer.kind === 'scheduled' ? { table: reducer.scheduleTable!, row: (request.args as { arg: Row }).arg } : undefined;
    this.scheduler.afterCommit(diff, request.timestamp, ran);
    this.lastRun = { request, ms: clock() - started };
    for (const listener of this.commitListeners) {
      try {
        listener(diff, request);
      } catch (error) {
        // The transaction is committed: a failing observer must not make it look failed.
        this.logSink({ level: 'error', reducer: reducer.name, message: `A commit listener threw after "${reducer.name}" committed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` });
      }
    }
    return { ok: true, diff, tx };
  }

  /**
   * Calls `listener` after every committed transaction (outside the reducer, with
   * the state already updated). Returns a function that removes it.
   */
  onCommit(listener: (diff: TxDiff, request: CallRequest) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Runs `init` if the module has one (once, when the database is created). */
  init(meta: CallMeta): CallOutcome | undefined {
    const init = this.module.init;
    return init === undefined ? undefined : this.call({ ...meta, reducer: init.name, args: {}, internal: true });
  }

  /** Runs `clientConnected` / `clientDisconnected` for a client, if the module has it. */
  lifecycle(event: 'clientConnected' | 'clientDisconnected', meta: CallMeta): CallOutcome | undefined {
    const reducer = this.module[event];
    return reducer === undefined ? undefined : this.call({ ...meta, reducer: reducer.name, args: {}, internal: true });
  }

  /** The next time a scheduled reducer is due, if any. */
  nextDue(): bigint | undefined {
    return this.scheduler.nextDue();
  }

  /**
   * The scheduled call that is due first at `now`, as a request to run (and to log),
   * or undefined when nothing is due. The host runs it with {@link call}.
   */
  dueCall(now: bigint, seed: bigint): CallRequest | undefined {
    const due = this.scheduler.firstDue(now);
    if (due === undefined) return undefined;
    return { reducer: due.reducer, args: { arg: due.row }, internal: true, sender: this.identity, connectionId: null, timestamp: due.at, seed };
  }

  /** All rows of a table, in its order (reads outside reducers). */
  rows(table: string): Row[] {
    return [...this.store.table(table).scan()];
  }

  private readonly loggers = new Map<string, ModuleLogger>();

  private logger(reducer: string): ModuleLogger {
    const cached = this.loggers.get(reducer);
    if (cached !== undefined) return cached;
    const emit = (level: LogRecord['level']) => (...args: unknown[]) => this.logSink({ level, reducer, message: args.map(format).join(' ') });
    const logger: ModuleLogger = { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
    this.loggers.set(reducer, logger);
    return logger;
  }
}

function format(value: unknown): string {
  if (typeof value === 'string') return value;
  // Value classes print as they do in template strings: hex, ISO time, UUID text.
  if (value instanceof Identity || value instanceof ConnectionId || value instanceof Timestamp || value instanceof TimeDuration || value instanceof Uuid) return String(value);
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
