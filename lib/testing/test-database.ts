import { reducerCalls } from '../client/reducer-proxy';
import { hashBytes, type Hash } from '../codec/hash';
import { Engine, type CallMeta, type CallOutcome, type CallRequest, type LogRecord } from '../engine/engine';
import type { SubscriptionChange } from '../query/live-plan';
import { QueryEngine } from '../query/query-engine';
import { loadModule } from '../schema/module';
import { withCamelCaseAliases } from '../schema/names';
import type { CallableReducerName, CallOptions, ModuleDb, ReducerArgs, ReducerCalls } from '../schema/module-types';
import type { ConnectionId as ConnectionIdHex, Identity as IdentityHex } from '../schema/type-desc';
import { ConnectionId } from '../values/connection-id';
import { Identity } from '../values/identity';
import { rowForms } from '../values/row-forms';
import { Timestamp } from '../values/time';
import type { Row } from '../store/index-store';
import { stateHash } from '../store/state-hash';

/** Options of {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /** The starting clock, in microseconds since the Unix epoch. Default 2026-01-01T00:00:00Z. */
  readonly now?: bigint;
  /** Seeds `ctx.random` for the sequence of calls. Default 0. */
  readonly seed?: bigint;
  /** The default sender of calls. Default `identity('default')`. */
  readonly sender?: Identity;
}

/**
 * A module running in-process on memory, for unit tests of modules. The clock
 * stands still until {@link TestDatabase.advanceTime}; every call's randomness
 * comes from a seeded sequence, so a test runs the same every time.
 */
export interface TestDatabase<M> {
  /** One function per callable reducer: `await test.reducers.sendMessage({ text: 'hi' }, { sender })`. */
  readonly reducers: ReducerCalls<M, CallOptions>;
  /** The tables, read-only outside reducers: `test.db.message.count()`, `test.db.user.identity.find(id)`. */
  readonly db: ModuleDb<M>;
  /** Calls a reducer by name; resolves when committed, rejects with the reducer's error. */
  call<K extends CallableReducerName<M>>(name: K, args: ReducerArgs<M, K>, options?: CallOptions): Promise<void>;
  /** A stable identity for a test user: the same label always gives the same identity. */
  identity(label: string): Identity;
  /** All rows of a table, by its SQL name, in table order, with value classes as `ctx.db` gives them. */
  rows(table: string): Row[];
  /**
   * Runs a one-off SQL query, private tables included; rows are objects keyed by
   * column name or alias. `:sender` is the default sender unless one is given.
   * @example
   * test.sql('SELECT text FROM message WHERE room = 7 ORDER BY id'); // [{ text: 'hi' }]
   */
  sql(query: string, options?: CallOptions): Row[];
  /**
   * Subscribes to a live query, private tables included: `rows` is the result
   * now, and `onChange` receives what entered, left and changed after each
   * transaction that changes it.
   */
  subscribe(query: string, onChange: (change: SubscriptionChange) => void, options?: CallOptions): TestSubscription;
  /** Runs `clientConnected` for a client; rejects when it throws (the client is refused). */
  connect(options?: CallOptions): Promise<void>;
  /** Runs `clientDisconnected` for a client. */
  disconnect(options?: CallOptions): Promise<void>;
  /** The current clock. */
  readonly now: Timestamp;
  /** Moves the clock forward and runs every scheduled reducer that falls due, in order; resolves with how many ran. */
  advanceTime(micros: bigint | number): Promise<number>;
  /** A hash of the whole state: equal contents, equal hash. */
  stateHash(): Hash;
  /** Everything reducers logged (`ctx.log`, `console.*`) and internal errors. */
  readonly logs: readonly LogRecord[];
  /** The engine underneath, for tools that need more. */
  readonly engine: Engine;
}

/** A live query of a {@link TestDatabase}. */
export interface TestSubscription {
  /** The result when subscribing. */
  readonly rows: readonly Row[];
  /** Stops the changes. */
  unsubscribe(): void;
}

const JAN_2026 = 1_767_225_600_000_000n;
const MAX_RUNS_PER_ADVANCE = 100_000;

/**
 * Runs a module in-process for tests. `init` runs at once.
 * @example
 * import * as chat from './chat.module';
 * const test = createTestDatabase(chat);
 * await test.reducers.sendMessage({ text: 'hi' }, { sender: test.identity('alice') });
 * expect(test.db.message.count()).toBe(1);
 */
export function createTestDatabase<M extends object>(module: M, options: TestDatabaseOptions = {}): TestDatabase<M> {
  const logs: LogRecord[] = [];
  const identity = (label: string): Identity => {
    const bytes = new TextEncoder().encode(label);
    return new Identity([1, 2, 3, 4].map((seed) => hashBytes(bytes, seed)).join(''));
  };
  const engine = new Engine(loadModule(module as Record<string, unknown>), { identity: identity('module').toHexString() as IdentityHex, log: (r) => logs.push(r) });
  const queries = new QueryEngine(engine.store);
  engine.onCommit((diff) => queries.applyDiff(diff));
  const defaultSender = options.sender ?? identity('default');
  let now = options.now ?? JAN_2026;
  let calls = 0n;

  const meta = (o: CallOptions = {}): CallMeta => {
    calls += 1n;
    const seed = ((options.seed ?? 0n) + calls * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    return { sender: hexOf(o.sender ?? defaultSender), connectionId: o.connectionId instanceof ConnectionId ? (o.connectionId.toHexString() as ConnectionIdHex) : null, timestamp: now, seed };
  };
  const settle = (outcome: CallOutcome | undefined): Promise<void> =>
    outcome === undefined || outcome.ok ? Promise.resolve() : Promise.reject(outcome.error);
  const call = (name: string, args: unknown, o?: CallOptions): Promise<void> => settle(engine.call({ ...meta(o), reducer: name, args: engine.storedArgs(name, args ?? {}) }));

  const init = engine.init(meta());
  if (init !== undefined && !init.ok) throw init.error;

  const reducers: Record<string, (args?: unknown, o?: CallOptions) => Promise<void>> = {};
  for (const reducer of engine.module.reducers.values()) {
    if (reducer.kind === 'reducer') reducers[reducer.name] = (args?: unknown, o?: CallOptions) => call(reducer.name, args, o);
  }

  return {
    reducers: reducerCalls<ReducerCalls<M, CallOptions>>(withCamelCaseAliases(reducers), Object.keys(reducers)),
    db: engine.db as ModuleDb<M>,
    call: (name, args, o) => call(name, args, o),
    identity,
    rows(table) {
      const toApi = rowForms(engine.store.table(table).schema).toApi;
      const rows = engine.rows(table);
      return toApi === undefined ? rows : rows.map(toApi);
    },
    sql(query, o = {}) {
      const { columns, rows } = queries.query(query, { sender: hexOf(o.sender ?? defaultSender) }, { allowPrivate: true });
      return rows.map((values) => Object.fromEntries(columns.map((name, i) => [name, values[i]])));
    },
    subscribe(query, onChange, o = {}) {
      const { rows, unsubscribe } = queries.subscribe(query, { sender: hexOf(o.sender ?? defaultSender) }, onChange, { allowPrivate: true });
      return { rows, unsubscribe };
    },
    connect: (o) => settle(engine.lifecycle('clientConnected', meta(o))),
    disconnect: (o) => settle(engine.lifecycle('clientDisconnected', meta(o))),
    get now() {
      return new Timestamp(now);
    },
    async advanceTime(micros) {
      const target = now + BigInt(micros);
      let ran = 0;
      for (let request: CallRequest | undefined; (request = engine.dueCall(target, meta().seed)) !== undefined; ran++) {
        if (ran >= MAX_RUNS_PER_ADVANCE) throw new Error(`advanceTime: more than ${MAX_RUNS_PER_ADVANCE} scheduled runs; is an interval too short?`);
        now = request.timestamp > now ? request.timestamp : now;
        const outcome = engine.call(request);
        if (!outcome.ok) logs.push({ level: 'error', reducer: request.reducer, message: `scheduled run failed: ${outcome.error.message}` });
      }
      now = target;
      return ran;
    },
    stateHash: () => stateHash(engine.store),
    logs,
    engine,
  };
}

const hexOf = (identity: Identity): IdentityHex => identity.toHexString() as IdentityHex;
