/**
 * Indexes live plans by the terms of their WHERE, so a changed row wakes only
 * the plans that can match it: an equality term (`room = 7`) files the plan
 * under (column, value) in a map; a range term (`score > 100`) under a sorted
 * threshold list searched by bisection; the rest are offered every row of the
 * table. Being offered a row is a hint, not a match: plans still check their
 * whole condition.
 */
import { toHex } from './keys';
import type { Row } from '../store/index-store';
import type { Sink } from './live-plan';

/** Called for each sink a row reaches. */
export type Visit = (sink: Sink, row: Row) => void;

interface Threshold {
  readonly value: unknown;
  readonly sink: Sink;
}

/** Plans whose range term is on one column, split by direction and sorted by threshold. */
class RangeIndex {
  /** `col > k` / `col >= k`: a row with value v can match those with k ≤ v — a prefix. */
  readonly above: Threshold[] = [];
  /** `col < k` / `col <= k`: those with k ≥ v — a suffix. */
  readonly below: Threshold[] = [];

  constructor(
    readonly name: string,
    readonly compare: (a: unknown, b: unknown) => number,
  ) {}

  list(op: string): Threshold[] {
    return op === '>' || op === '>=' ? this.above : this.below;
  }

  /** First position whose threshold is > v (`strict`) or ≥ v. */
  bisect(list: readonly Threshold[], v: unknown, strict: boolean): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(list[mid]!.value, v);
      if (c < 0 || (strict && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Plans filed by equality on one column, by value. */
interface EqColumn {
  readonly name: string;
  readonly bytes: boolean;
  readonly buckets: Map<unknown, Sink[]>;
}

/** The routes of every live plan reading one table. */
export class TableRouter {
  private readonly eq = new Map<string, EqColumn>();
  private readonly ranges = new Map<string, RangeIndex>();
  /** The values of `eq` and `ranges`, as arrays for the hot loop. */
  private eqList: EqColumn[] = [];
  private rangeList: RangeIndex[] = [];
  private readonly all: Sink[] = [];
  private size = 0;

  /** Number of sinks registered. */
  get count(): number {
    return this.size;
  }

  add(sink: Sink): void {
    const route = sink.route;
    this.size++;
    if (route.kind === 'all') this.all.push(sink);
    else if (route.kind === 'eq') {
      let column = this.eq.get(route.column);
      if (column === undefined) {
        this.eq.set(route.column, (column = { name: route.column, bytes: route.bytes, buckets: new Map() }));
        this.eqList = [...this.eq.values()];
      }
      const bucket = column.buckets.get(route.key);
      if (bucket === undefined) column.buckets.set(route.key, [sink]);
      else bucket.push(sink);
    } else {
      let index = this.ranges.get(route.column);
      if (index === undefined) {
        this.ranges.set(route.column, (index = new RangeIndex(route.column, route.compare)));
        this.rangeList = [...this.ranges.values()];
      }
      const list = index.list(route.op);
      list.splice(index.bisect(list, route.value, true), 0, { value: route.value, sink });
    }
  }

  remove(sink: Sink): void {
    const route = sink.route;
    this.size--;
    if (route.kind === 'all') removeFrom(this.all, sink);
    else if (route.kind === 'eq') {
      const column = this.eq.get(route.column)!;
      const bucket = column.buckets.get(route.key)!;
      removeFrom(bucket, sink);
      if (bucket.length === 0) column.buckets.delete(route.key);
      if (column.buckets.size === 0) {
        this.eq.delete(route.column);
        this.eqList = [...this.eq.values()];
      }
    } else {
      const index = this.ranges.get(route.column)!;
      const list = index.list(route.op);
      list.splice(list.findIndex((t) => t.sink === sink), 1);
      if (index.above.length === 0 && index.below.length === 0) {
        this.ranges.delete(route.column);
        this.rangeList = [...this.ranges.values()];
      }
    }
  }

  /** Offers `row` to every sink whose route it can satisfy. */
  route(row: Row, visit: Visit): void {
    const eqList = this.eqList;
    for (let c = 0; c < eqList.length; c++) {
      const column = eqList[c]!;
      const value = row[column.name];
      const bucket = column.buckets.get(column.bytes && value instanceof Uint8Array ? toHex(value) : value);
      if (bucket !== undefined) for (let i = 0; i < bucket.length; i++) visit(bucket[i]!, row);
    }
    const rangeList = this.rangeList;
    for (let c = 0; c < rangeList.length; c++) {
      const index = rangeList[c]!;
      const value = row[index.name];
      if (value === undefined) continue;
      const above = index.above;
      for (let i = 0, end = index.bisect(above, value, true); i < end; i++) visit(above[i]!.sink, row);
      const below = index.below;
      for (let i = index.bisect(below, value, false); i < below.length; i++) visit(below[i]!.sink, row);
    }
    const all = this.all;
    for (let i = 0; i < all.length; i++) visit(all[i]!, row);
  }
}

function removeFrom<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
