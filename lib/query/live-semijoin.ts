/**
 * The live plan of `SELECT r.* FROM r JOIN o ON r.x = o.y [WHERE ...]`: the
 * rows of r with at least one row of o satisfying the ON and the WHERE. It
 * keeps, for each r row in the result, how many o rows support it. A
 * transaction's diff adjusts those counts: a changed o row finds its r rows
 * by an index on r.x, a new r row counts its o rows by an index on o.y (each
 * a scan when the column has no index), and a row whose count crossed zero
 * entered or left the result.
 */
import { InternalError } from '../errors';
import type { ColumnSchema } from '../schema/table';
import type { Row } from '../store/index-store';
import { chooseAccess, describeAccess, forEachAccess, indexPaths, seekBounds, type IndexPath } from './access';
import type { BoundExpr, BoundQuery, BoundTable } from './bound';
import { chooseRoute } from './keys';
import { describeRoute } from './live-explain';
import { buildChange, type ChangeListener, type LivePlan, type Sink, type SubscriptionChange } from './live-plan';
import { compileExpr, compileRowPredicate, conjoin, conjuncts, slotsOf, type Env, type EnvPredicate, type RowPredicate } from './predicate';
import { renderColumn, renderExpr } from './render';

/** Finds the rows of a table whose column equals a value: an index prefix seek, or a scan. */
interface Lookup {
  readonly path: IndexPath | undefined;
  each(value: unknown, fn: (row: Row) => void): void;
}

/** A live semijoin. */
export class SemijoinPlan implements LivePlan {
  epoch = -1;
  since = 0;
  listeners: readonly ChangeListener[] = [];
  readonly table: string;
  readonly sinks: readonly Sink[];
  private readonly r: BoundTable;
  private readonly o: BoundTable;
  private readonly rColumn: ColumnSchema;
  private readonly oColumn: ColumnSchema;
  private readonly rTerms: BoundExpr[];
  private readonly keepR: RowPredicate;
  private readonly keepO: RowPredicate;
  private readonly pair: EnvPredicate;
  private readonly condition: BoundExpr;
  private readonly env: Env = [];
  private readonly rLookup: Lookup;
  private readonly oLookup: Lookup;
  /** Result rows and the number of o rows that support each. */
  private readonly counts = new Map<Row, number>();
  private ri: Row[] = [];
  private rd: Row[] = [];
  private oi: Row[] = [];
  private od: Row[] = [];

  /** `on` must be an equality between a column of each table. */
  constructor(query: BoundQuery, resultSlot: number, on: BoundExpr & { kind: 'cmp' }) {
    this.r = query.tables[resultSlot]!;
    this.o = query.tables[1 - resultSlot]!;
    this.table = this.r.schema.name;
    const right = on.right as { kind: 'column'; col: typeof on.left };
    [this.rColumn, this.oColumn] = on.left.table === this.r ? [on.left.column, right.col.column] : [right.col.column, on.left.column];
    const terms = [...conjuncts(on), ...conjuncts(query.where)];
    const only = (slot: number) => terms.filter((t) => [...slotsOf(t)].every((s) => s === slot));
    this.rTerms = only(this.r.slot);
    const oTerms = only(this.o.slot).filter((t) => slotsOf(t).size > 0);
    this.keepR = compileRowPredicate(conjoin(this.rTerms), this.r.slot);
    this.keepO = compileRowPredicate(conjoin(oTerms), this.o.slot);
    this.condition = conjoin(terms)!;
    this.pair = compileExpr(this.condition);
    this.rLookup = lookup(this.r, this.rColumn);
    this.oLookup = lookup(this.o, this.oColumn);
    const rRoute = chooseRoute(this.rTerms, this.r.slot);
    const oRoute = chooseRoute(oTerms, this.o.slot);
    this.sinks = [
      { plan: this, side: this.r.slot, table: this.table, route: rRoute.route, routeTerm: rRoute.term },
      { plan: this, side: this.o.slot, table: this.o.schema.name, route: oRoute.route, routeTerm: oRoute.term },
    ];
    forEachAccess(chooseAccess(this.r, this.rTerms), this.r.store, this.env, (row) => {
      if (!this.keepR(row)) return;
      const n = this.support(row);
      if (n > 0) this.counts.set(row, n);
    });
  }

  accept(side: number, row: Row, inserted: boolean): boolean {
    if (side === this.r.slot) {
      if (!this.keepR(row)) return false;
      (inserted ? this.ri : this.rd).push(row);
    } else {
      if (!this.keepO(row)) return false;
      (inserted ? this.oi : this.od).push(row);
    }
    return true;
  }

  finish(): SubscriptionChange | undefined {
    const { counts, ri, rd, oi, od } = this;
    this.ri = [];
    this.rd = [];
    this.oi = [];
    this.od = [];
    const left: Row[] = [];
    const entered: Row[] = [];
    for (const row of rd) if (counts.delete(row)) left.push(row);
    // Rows of r inserted now are counted afresh below, against the new state of o.
    const fresh = ri.length > 0 ? new Set(ri) : undefined;
    const before = new Map<Row, boolean>();
    const name = this.oColumn.name;
    for (const o of od) {
      this.rLookup.each(o[name], (r) => {
        if (fresh?.has(r) || !this.matches(r, o)) return;
        if (!before.has(r)) before.set(r, true);
        const n = counts.get(r);
        if (n === undefined) throw new InternalError(`Live semijoin on ${this.table}: a deleted ${this.o.schema.name} row supported a row that was not counted`);
        if (n === 1) counts.delete(r);
        else counts.set(r, n - 1);
      });
    }
    for (const o of oi) {
      this.rLookup.each(o[name], (r) => {
        if (fresh?.has(r) || !this.matches(r, o)) return;
        const n = counts.get(r);
        if (!before.has(r)) before.set(r, n !== undefined);
        counts.set(r, (n ?? 0) + 1);
      });
    }
    for (const row of ri) {
      const n = this.support(row);
      if (n > 0) {
        counts.set(row, n);
        entered.push(row);
      }
    }
    for (const [row, was] of before) {
      const is = counts.has(row);
      if (was && !is) left.push(row);
      else if (!was && is) entered.push(row);
    }
    return buildChange(this.r.store, left, entered);
  }

  rows(): Row[] {
    const { store } = this.r;
    return [...this.counts.keys()].sort((a, b) => store.compareKeys(store.rowKey(a), store.rowKey(b)));
  }

  explain(): string {
    const via = (l: Lookup, t: BoundTable, c: ColumnSchema): string => {
      const col = renderColumn({ table: t, column: c, type: c.type, optional: false });
      return l.path === undefined ? `scan ${t.schema.name} (no index on ${col})` : `index seek ${col}${l.path.columns.length > 1 ? ` (index ${l.path.name})` : ''}`;
    };
    const r = this.r;
    const o = this.o;
    const rCol = renderColumn({ table: r, column: this.rColumn, type: this.rColumn.type, optional: false });
    const oCol = renderColumn({ table: o, column: this.oColumn, type: this.oColumn.type, optional: false });
    const lines = [
      `live semijoin: rows of ${r.schema.name} with a matching ${o.schema.name} on ${rCol} = ${oCol}`,
      `  initial: ${describeAccess(chooseAccess(r, this.rTerms), r)}, count matches by ${via(this.oLookup, o, this.oColumn)}`,
      `  changes of ${r.schema.name}: ${describeRoute(this.sinks[0]!)}; count matches by ${via(this.oLookup, o, this.oColumn)}`,
      `  changes of ${o.schema.name}: ${describeRoute(this.sinks[1]!)}; find ${r.schema.name} rows by ${via(this.rLookup, r, this.rColumn)}`,
    ];
    lines.push(`  condition: ${renderExpr(this.condition)}`);
    return lines.join('\n');
  }

  /** How many rows of o support `row` now. */
  private support(row: Row): number {
    let n = 0;
    this.oLookup.each(row[this.rColumn.name], (o) => {
      if (this.matches(row, o)) n++;
    });
    return n;
  }

  private matches(r: Row, o: Row): boolean {
    const env = this.env;
    env[this.r.slot] = r;
    env[this.o.slot] = o;
    return this.pair(env);
  }
}

function lookup(table: BoundTable, column: ColumnSchema): Lookup {
  const store = table.store;
  const path = indexPaths(store)
    .filter((p) => p.columns[0] === column)
    .sort((a, b) => a.columns.length - b.columns.length)[0];
  if (path === undefined) return { path, each: (_value, fn) => store.primary.forEachRange(undefined, undefined, (_k, row) => void fn(row)) };
  return {
    path,
    each(value, fn) {
      if (value === undefined) return;
      const { lo, hi } = seekBounds(path, [value], undefined, undefined);
      path.tree.forEachRange(lo, hi, (_k, row) => void fn(row));
    },
  };
}
