/**
 * The query layer over a {@link Store}: one-off SQL queries, their plans, and
 * live subscriptions kept up to date from each committed transaction's diff.
 */
import type { Identity } from '../schema/type-desc';
import type { Row } from '../store/index-store';
import type { Store } from '../store/store';
import type { TxDiff } from '../store/transaction';
import type { SelectAst } from './ast';
import { bind } from './bind';
import { executePlan, type QueryResult } from './execute';
import { createLivePlan } from './live-classify';
import type { ChangeListener, LivePlan, Sink, SubscriptionChange } from './live-plan';
import { parse } from './parser';
import { explainPlan, planQuery, type QueryPlan } from './planner';
import { TableRouter } from './router';

/** Values of a query's parameters. */
export interface QueryParams {
  /** The value of `:sender`: the identity of whoever asks. */
  readonly sender?: Identity;
}

/** Options of one-off queries. */
export interface QueryOptions {
  /** Allow private tables (the module owner, tests). Default false. */
  readonly allowPrivate?: boolean;
  /** Scan every table and sort, ignoring indexes: the reference plan tests compare with. */
  readonly forceScan?: boolean;
}

/** Options of {@link QueryEngine.explain}. */
export interface ExplainOptions extends QueryOptions {
  /** Explain how the query is maintained as a subscription instead of run once. */
  readonly live?: boolean;
}

/** Options of {@link QueryEngine.subscribe}. */
export interface SubscribeOptions {
  /** Allow private tables (the module owner, tests). Default false. */
  readonly allowPrivate?: boolean;
}

/** A live query held by one subscriber. */
export interface Subscription {
  /** The query in canonical form (subscribers of equal forms share one plan). */
  readonly query: string;
  /** The table whose rows the query returns. */
  readonly table: string;
  /** The result when subscribing: a snapshot between two transactions. */
  readonly rows: readonly Row[];
  /** Stops the changes; the shared plan goes when its last subscriber does. Idempotent. */
  unsubscribe(): void;
}

interface LiveEntry {
  readonly key: string;
  readonly plan: LivePlan;
}

const PLAN_CACHE_SIZE = 256;

/**
 * One-off queries, plans and live subscriptions over a store. Call
 * {@link QueryEngine.applyDiff} with every committed transaction's diff, right
 * after it commits (before the next one starts): live plans read the store as
 * of that commit.
 * @example
 * const queries = new QueryEngine(engine.store);
 * engine.onCommit((diff) => queries.applyDiff(diff));
 * queries.query("SELECT name FROM player WHERE level > 3 ORDER BY name LIMIT 10").rows;
 * const sub = queries.subscribe('SELECT * FROM message WHERE room = 7', {}, (c) => render(c.inserts));
 */
export class QueryEngine {
  private readonly live = new Map<string, LiveEntry>();
  private readonly routers = new Map<string, TableRouter>();
  private readonly statements = new Map<string, SelectAst>();
  private readonly plans = new Map<string, QueryPlan>();
  private epoch = 0;
  private received = 0;
  private delivering = false;
  private readonly queue: TxDiff[] = [];
  private touched: LivePlan[] = [];
  private readonly changes: (SubscriptionChange | undefined)[] = [];
  private readonly listeners: (readonly ChangeListener[])[] = [];
  private visitInsert: (sink: Sink, row: Row) => void;
  private visitDelete: (sink: Sink, row: Row) => void;

  constructor(readonly store: Store) {
    const visit = (inserted: boolean) => (sink: Sink, row: Row) => {
      const plan = sink.plan;
      if (plan.since >= this.received || !plan.accept(sink.side, row, inserted) || plan.epoch === this.epoch) return;
      plan.epoch = this.epoch;
      this.touched.push(plan);
    };
    this.visitInsert = visit(true);
    this.visitDelete = visit(false);
  }

  /**
   * Runs a one-off query. Rows are arrays in the order of `columns`; `SELECT *`
   * over a join names clashing columns `alias.column`.
   */
  query(sql: string, params: QueryParams = {}, options: QueryOptions = {}): QueryResult {
    return executePlan(this.plan(sql, params, options));
  }

  /** The plan of a query as readable lines: `index seek player.name = 'Alice'`, `scan player`, … */
  explain(sql: string, params: QueryParams = {}, options: ExplainOptions = {}): string {
    if (options.live !== true) return explainPlan(this.plan(sql, params, options));
    const ast = this.parse(sql);
    const bound = bind(ast, this.store, { sender: params.sender, allowPrivate: options.allowPrivate });
    return (this.live.get(liveKey(bound.text, bound.usesSender, params.sender))?.plan ?? createLivePlan(bound, ast)).explain();
  }

  /**
   * Subscribes to a live query. Returns its current rows at once; after each
   * transaction that changes the result, `onChange` receives what entered,
   * left and changed. Subscribers of the same query (canonical text and sender)
   * share one plan.
   */
  subscribe(sql: string, params: QueryParams, onChange: ChangeListener, options: SubscribeOptions = {}): Subscription {
    const ast = this.parse(sql);
    const bound = bind(ast, this.store, { sender: params.sender, allowPrivate: options.allowPrivate });
    const key = liveKey(bound.text, bound.usesSender, params.sender);
    let entry = this.live.get(key);
    if (entry === undefined) {
      const plan = createLivePlan(bound, ast);
      plan.since = this.received;
      entry = { key, plan };
      this.live.set(key, entry);
      for (const sink of plan.sinks) this.router(sink.table).add(sink);
    }
    // A wrapper per subscription: the same function subscribed twice is two subscribers,
    // and one that unsubscribes while a transaction is being delivered gets no more.
    let active = true;
    const listener: ChangeListener = (change) => {
      if (active) onChange(change);
    };
    const held = entry;
    const plan = held.plan;
    // Replaced, never changed in place: a delivery in progress keeps the list it started with.
    plan.listeners = [...plan.listeners, listener];
    return {
      query: bound.text,
      table: plan.table,
      rows: plan.rows(),
      unsubscribe: () => {
        if (!active) return;
        active = false;
        plan.listeners = plan.listeners.filter((l) => l !== listener);
        if (plan.listeners.length === 0) this.drop(held);
      },
    };
  }

  /**
   * Brings every live query up to date with a committed transaction and
   * delivers the changes. A listener that throws does not stop the others; the
   * first error is rethrown once all were called. A diff that arrives while
   * changes are being delivered (a listener ran a reducer) is applied after.
   */
  applyDiff(diff: TxDiff): void {
    this.received++;
    this.queue.push(diff);
    if (this.delivering) return;
    const errors: unknown[] = [];
    // Diffs are numbered in arrival order; the queue holds the last ones received.
    for (let seq = this.received - this.queue.length + 1; this.queue.length > 0; seq++) this.process(this.queue.shift()!, seq, errors);
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} subscription listeners threw`);
  }

  /** Number of distinct live plans. */
  get liveQueries(): number {
    return this.live.size;
  }

  /** The rows of every live query, distinct, grouped by table. */
  resultsByTable(): Map<string, Row[]> {
    const sets = new Map<string, Set<Row>>();
    for (const { plan } of this.live.values()) {
      let set = sets.get(plan.table);
      if (set === undefined) sets.set(plan.table, (set = new Set()));
      for (const row of plan.rows()) set.add(row);
    }
    return new Map([...sets].map(([table, rows]) => [table, [...rows]]));
  }

  private process(diff: TxDiff, seq: number, errors: unknown[]): void {
    if (this.routers.size === 0) return;
    // Plans made after this diff committed already include it.
    const received = this.received;
    this.received = seq;
    this.epoch++;
    const touched: LivePlan[] = [];
    this.touched = touched;
    try {
      for (const change of diff.changes) {
        const router = this.routers.get(change.table);
        if (router === undefined) continue;
        for (const row of change.deletes) router.route(row, this.visitDelete);
        for (const row of change.inserts) router.route(row, this.visitInsert);
      }
    } finally {
      this.received = received;
    }
    if (touched.length === 0) return;
    const n = touched.length;
    // Reused: a diff that arrives during delivery waits in the queue until this loop is done.
    const { changes, listeners } = this;
    changes.length = n;
    listeners.length = n;
    for (let i = 0; i < n; i++) {
      const plan = touched[i]!;
      changes[i] = plan.finish();
      listeners[i] = plan.listeners;
    }
    this.delivering = true;
    try {
      for (let i = 0; i < n; i++) {
        const change = changes[i];
        if (change === undefined) continue;
        for (const listener of listeners[i]!) {
          try {
            listener(change);
          } catch (error) {
            errors.push(error);
          }
        }
      }
    } finally {
      this.delivering = false;
      changes.length = 0;
      listeners.length = 0;
    }
  }

  private drop(entry: LiveEntry): void {
    this.live.delete(entry.key);
    for (const sink of entry.plan.sinks) {
      const router = this.routers.get(sink.table)!;
      router.remove(sink);
      if (router.count === 0) this.routers.delete(sink.table);
    }
  }

  private router(table: string): TableRouter {
    let router = this.routers.get(table);
    if (router === undefined) this.routers.set(table, (router = new TableRouter()));
    return router;
  }

  private parse(sql: string): SelectAst {
    let ast = this.statements.get(sql);
    if (ast === undefined) {
      ast = parse(sql);
      remember(this.statements, sql, ast);
    }
    return ast;
  }

  private plan(sql: string, params: QueryParams, options: QueryOptions): QueryPlan {
    const key = `${options.forceScan === true ? 1 : 0}${options.allowPrivate === true ? 1 : 0}${params.sender ?? ''}\u0000${sql}`;
    let plan = this.plans.get(key);
    if (plan === undefined) {
      const bound = bind(this.parse(sql), this.store, { sender: params.sender, allowPrivate: options.allowPrivate });
      plan = planQuery(bound, options.forceScan === true);
      remember(this.plans, key, plan);
    }
    return plan;
  }
}

function liveKey(text: string, usesSender: boolean, sender: Identity | undefined): string {
  return usesSender ? `${text}\u0000${sender}` : text;
}

/** Caches with a bound: the oldest entry goes first. */
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= PLAN_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}
