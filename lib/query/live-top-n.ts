/**
 * The live plan of `SELECT * FROM t [WHERE ...] ORDER BY ... LIMIT n`: keeps
 * the first n matching rows in order. A transaction removes deleted rows and
 * merges inserted rows that sort before the old last row; when deletes leave
 * fewer than n, the set is refilled with the rows after the old last row —
 * by walking an index whose order is the ORDER BY, else by reading the table
 * (through its best access path) and selecting.
 */
import type { Row } from '../store/index-store';
import { compareFor } from '../codec/compare';
import { chooseAccess, describeAccess, forEachAccess, pathOver, type Access, type IndexPath } from './access';
import type { BoundQuery, BoundTable } from './bound';
import { chooseRoute } from './keys';
import { describeRoute } from './live-explain';
import { buildChange, type ChangeListener, type LivePlan, type Sink, type SubscriptionChange } from './live-plan';
import { compileRowPredicate, conjuncts, type RowPredicate } from './predicate';
import { renderColumn } from './render';

/** A live top-N view. */
export class TopNPlan implements LivePlan {
  epoch = -1;
  since = 0;
  listeners: readonly ChangeListener[] = [];
  readonly table: string;
  readonly sinks: readonly Sink[];
  private readonly t: BoundTable;
  private readonly limit: number;
  private readonly predicate: RowPredicate;
  private readonly compare: (a: Row, b: Row) => number;
  /** An index whose order is exactly the ORDER BY (walked backwards for DESC), if any. */
  private readonly path: IndexPath | undefined;
  private readonly desc: boolean;
  private readonly access: Access;
  private top: Row[] = [];
  private inserts: Row[] = [];
  private deletes: Row[] = [];

  constructor(private readonly query: BoundQuery) {
    this.t = query.tables[0]!;
    this.table = this.t.schema.name;
    this.limit = query.limit!;
    this.predicate = compileRowPredicate(query.where, 0);
    this.compare = rowComparator(query);
    const terms = conjuncts(query.where);
    this.access = chooseAccess(this.t, terms);
    this.desc = query.orderBy[0]!.desc;
    const sameDirection = query.orderBy.every((o) => o.desc === this.desc);
    this.path = sameDirection ? pathOver(this.t.store, query.orderBy.map((o) => o.col.column)) : undefined;
    const { route, term } = chooseRoute(terms, 0);
    this.sinks = [{ plan: this, side: 0, table: this.table, route, routeTerm: term }];
    this.fill(this.top, undefined);
  }

  accept(_side: number, row: Row, inserted: boolean): boolean {
    if (this.limit === 0 || !this.predicate(row)) return false;
    (inserted ? this.inserts : this.deletes).push(row);
    return true;
  }

  finish(): SubscriptionChange | undefined {
    const { inserts, deletes, limit, compare } = this;
    this.inserts = [];
    this.deletes = [];
    const old = this.top;
    const full = old.length === limit;
    // Every matching row that sorts after `last` was left out of the set.
    const last = full ? old[limit - 1] : undefined;
    const next = old.slice();
    for (const row of deletes) {
      const i = position(next, row, compare);
      if (next[i] === row) next.splice(i, 1);
    }
    // `<= 0`: a rewrite of the last row itself (same key) stays in the known part.
    for (const row of inserts) if (last === undefined || compare(row, last) <= 0) next.splice(position(next, row, compare), 0, row);
    if (next.length > limit) next.length = limit;
    else if (next.length < limit && last !== undefined) this.fill(next, last);
    this.top = next;
    const was = new Set(old);
    const is = new Set(next);
    return buildChange(
      this.t.store,
      old.filter((r) => !is.has(r)),
      next.filter((r) => !was.has(r)),
    );
  }

  rows(): Row[] {
    return this.top.slice();
  }

  explain(): string {
    const order = this.query.orderBy.map((o) => `${renderColumn(o.col)}${o.desc ? ' desc' : ''}`).join(', ');
    const source = this.path !== undefined ? `index walk ${this.path.columns.map((c) => `${this.table}.${c.name}`).join(', ')}${this.desc ? ' desc' : ''}` : `${describeAccess(this.access, this.t)}, select by ${order}`;
    return [`live top-${this.limit} of ${this.table} by ${order}`, `  initial and refill: ${source}`, `  changes: ${describeRoute(this.sinks[0]!)}`].join('\n');
  }

  /** Appends to `rows` the matching rows after `after`, in order, until it holds `limit`. */
  private fill(rows: Row[], after: Row | undefined): void {
    const want = this.limit - rows.length;
    if (want <= 0) return;
    const { predicate, compare } = this;
    if (this.path !== undefined) {
      const bound = after === undefined ? undefined : { key: this.path.keyOf(after), inclusive: false };
      const [lo, hi] = this.desc ? [undefined, bound] : [bound, undefined];
      this.path.tree.forEachRange(lo, hi, (_k, row) => (predicate(row) ? rows.push(row) < this.limit : true), this.desc);
      return;
    }
    const best: Row[] = [];
    forEachAccess(this.access, this.t.store, [], (row) => {
      if (!predicate(row) || (after !== undefined && compare(row, after) <= 0)) return;
      if (best.length === want && compare(row, best[want - 1]!) >= 0) return;
      best.splice(position(best, row, compare), 0, row);
      if (best.length > want) best.pop();
    });
    rows.push(...best);
  }
}

/** ORDER BY keys, then primary order in the direction of the last key (the order an index walk gives). */
export function rowComparator(query: BoundQuery): (a: Row, b: Row) => number {
  const store = query.tables[0]!.store;
  const keys = query.orderBy.map((o) => ({ name: o.col.column.name, cmp: compareFor(o.col.column.type), sign: o.desc ? -1 : 1 }));
  const tieSign = query.orderBy[query.orderBy.length - 1]?.desc === true ? -1 : 1;
  return (a, b) => {
    for (const k of keys) {
      const c = k.cmp(a[k.name], b[k.name]);
      if (c !== 0) return c * k.sign;
    }
    return store.compareKeys(store.rowKey(a), store.rowKey(b)) * tieSign;
  };
}

/** Where `row` sorts in `rows` (the first position not before it). */
function position(rows: readonly Row[], row: Row, compare: (a: Row, b: Row) => number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(rows[mid]!, row) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
