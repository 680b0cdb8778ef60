/**
 * Access paths: how one table's rows are reached. The primary key, unique and
 * B-tree indexes (including leading prefixes of multi-column ones) serve
 * equalities and a range on the next column; anything else scans. The chosen
 * path only narrows: the caller still applies the whole condition to each row.
 */
import { compareFor, MAX_KEY, MIN_KEY } from '../codec/compare';
import type { ColumnSchema } from '../schema/table';
import type { Bound, BTree } from '../store/btree';
import type { Row } from '../store/index-store';
import type { TableStore } from '../store/table-store';
import type { BoundExpr, BoundOperand, BoundTable } from './bound';
import type { Env } from './predicate';
import { renderColumn, renderOperand } from './render';

/** An ordered tree over some columns of a table. */
export interface IndexPath {
  /** `primary key` or the index accessor. */
  readonly name: string;
  readonly columns: readonly ColumnSchema[];
  readonly tree: BTree<unknown, Row>;
  /** Keys are `[...values, rowKey]` (else the single column's value). */
  readonly tupleKeys: boolean;
  /** At most one row per full key. */
  readonly unique: boolean;
  /** The key `row` is stored under. */
  readonly keyOf: (row: Row) => unknown;
}

/** One end of a range seek. */
export interface RangeEnd {
  readonly value: unknown;
  readonly inclusive: boolean;
  readonly sql: string;
}

/** How a table's rows are produced. */
export type Access =
  | { readonly kind: 'scan' }
  | {
      readonly kind: 'seek';
      readonly path: IndexPath;
      /** Values of the leading index columns: literals, or columns of tables bound earlier (join lookups). */
      readonly eq: readonly BoundOperand[];
      /** A range on the column after the equalities. */
      readonly lo: RangeEnd | undefined;
      readonly hi: RangeEnd | undefined;
      /** Equality on every column of a unique index: at most one row. */
      readonly point: boolean;
      /** The conditions the seek stands for, for plans. */
      readonly used: readonly BoundExpr[];
    }
  | { readonly kind: 'walk'; readonly path: IndexPath; readonly desc: boolean };

const cache = new WeakMap<TableStore, IndexPath[]>();

/** The table's index paths, the primary key first. */
export function indexPaths(store: TableStore): readonly IndexPath[] {
  let paths = cache.get(store);
  if (paths !== undefined) return paths;
  paths = [];
  const schema = store.schema;
  if (schema.primaryKey !== undefined) {
    const pk = schema.columns[schema.primaryKey]!;
    paths.push({ name: 'primary key', columns: [pk], tree: store.primary, tupleKeys: false, unique: true, keyOf: store.rowKey });
  }
  for (const index of store.indexes.values()) {
    if (index.schema.primary) continue;
    paths.push({ name: index.schema.accessor, columns: index.schema.columns.map((p) => schema.columns[p]!), tree: index.tree, tupleKeys: index.tupleKeys, unique: index.schema.unique, keyOf: (row) => index.keyOf(row) });
  }
  cache.set(store, paths);
  return paths;
}

/** The single-column or multi-column path whose columns are exactly `columns`, in order. */
export function pathOver(store: TableStore, columns: readonly ColumnSchema[]): IndexPath | undefined {
  return indexPaths(store).find((p) => p.columns.length === columns.length && p.columns.every((c, i) => c === columns[i]));
}

/**
 * The best seek for `table` from `conds` (terms of an AND), or a scan. A term
 * qualifies when it compares a column of `table` with a literal, or equates it
 * with a column of a table earlier in the join (an index nested-loop lookup).
 * Equality on a whole unique index wins; then more equal leading columns; then a range.
 */
export function chooseAccess(table: BoundTable, conds: readonly BoundExpr[]): Access {
  const eqs = new Map<ColumnSchema, { operand: BoundOperand; cond: BoundExpr }>();
  const ranges = new Map<ColumnSchema, { cond: BoundExpr; op: '<' | '<=' | '>' | '>='; operand: BoundOperand & { kind: 'value' } }[]>();
  for (const cond of conds) {
    if (cond.kind === 'null' && !cond.negated && cond.col.table === table) {
      if (!eqs.has(cond.col.column)) eqs.set(cond.col.column, { operand: { kind: 'value', value: undefined, sql: 'NULL' }, cond });
    }
    if (cond.kind !== 'cmp') continue;
    let { left, right, op } = cond;
    if (left.table !== table && right.kind === 'column' && right.col.table === table) {
      if (op !== '=') continue;
      [left, right] = [right.col, { kind: 'column', col: left }];
    }
    if (left.table !== table) continue;
    if (right.kind === 'column' && right.col.table.slot >= table.slot) continue;
    if (op === '=') {
      if (!eqs.has(left.column)) eqs.set(left.column, { operand: right, cond });
    } else if (op !== '!=' && right.kind === 'value') {
      const list = ranges.get(left.column) ?? [];
      list.push({ cond, op, operand: right });
      ranges.set(left.column, list);
    }
  }
  let best: Access = { kind: 'scan' };
  let bestScore = 0;
  for (const path of indexPaths(table.store)) {
    const eq: BoundOperand[] = [];
    const used: BoundExpr[] = [];
    for (const column of path.columns) {
      const hit = eqs.get(column);
      if (hit === undefined) break;
      eq.push(hit.operand);
      used.push(hit.cond);
    }
    const point = path.unique && eq.length === path.columns.length;
    let lo: RangeEnd | undefined;
    let hi: RangeEnd | undefined;
    const next = path.columns[eq.length];
    if (!point && next !== undefined) {
      const cmp = compareFor(next.type);
      for (const r of ranges.get(next) ?? []) {
        const end = { value: r.operand.value, inclusive: r.op === '<=' || r.op === '>=', sql: r.operand.sql };
        const lower = r.op === '>' || r.op === '>=';
        const current = lower ? lo : hi;
        const c = current === undefined ? 0 : cmp(end.value, current.value) * (lower ? 1 : -1);
        if (current === undefined || c > 0 || (c === 0 && !end.inclusive)) {
          if (lower) lo = end;
          else hi = end;
        }
        used.push(r.cond);
      }
    }
    const score = point ? 1000 : eq.length * 10 + (lo !== undefined ? 3 : 0) + (hi !== undefined ? 3 : 0) - path.columns.length * 0.1;
    if (score > bestScore) {
      best = { kind: 'seek', path, eq, lo, hi, point, used };
      bestScore = score;
    }
  }
  return best;
}

/**
 * Calls `fn` with each row the access path yields (ascending, or descending
 * with `desc`), until `fn` returns false. Join lookups read outer values from `env`;
 * a NULL outer value matches nothing.
 */
export function forEachAccess(access: Access, store: TableStore, env: Env, fn: (row: Row) => boolean | void, desc = false): void {
  if (access.kind === 'scan') {
    store.primary.forEachRange(undefined, undefined, (_k, row) => fn(row), desc);
    return;
  }
  if (access.kind === 'walk') {
    access.path.tree.forEachRange(undefined, undefined, (_k, row) => fn(row), access.desc);
    return;
  }
  const values: unknown[] = [];
  for (const operand of access.eq) {
    if (operand.kind === 'value') values.push(operand.value);
    else {
      const v = env[operand.col.table.slot]![operand.col.column.name];
      if (v === undefined) return;
      values.push(v);
    }
  }
  const { lo, hi } = seekBounds(access.path, values, access.lo, access.hi);
  access.path.tree.forEachRange(lo, hi, (_k, row) => fn(row), desc);
}

/** Tree bounds for equalities on the leading columns and an optional range on the next. */
export function seekBounds(path: IndexPath, eq: readonly unknown[], lo: RangeEnd | undefined, hi: RangeEnd | undefined): { lo: Bound<unknown> | undefined; hi: Bound<unknown> | undefined } {
  if (!path.tupleKeys) {
    if (eq.length > 0) return { lo: { key: eq[0], inclusive: true }, hi: { key: eq[0], inclusive: true } };
    return { lo: lo && { key: lo.value, inclusive: lo.inclusive }, hi: hi && { key: hi.value, inclusive: hi.inclusive } };
  }
  const loKey = lo === undefined ? [...eq, MIN_KEY] : [...eq, lo.value, lo.inclusive ? MIN_KEY : MAX_KEY];
  const hiKey = hi === undefined ? [...eq, MAX_KEY] : [...eq, hi.value, hi.inclusive ? MAX_KEY : MIN_KEY];
  return { lo: { key: loKey, inclusive: true }, hi: { key: hiKey, inclusive: true } };
}

/** A plan line for an access path: `scan player`, `index seek player.name = 'Alice'`. */
export function describeAccess(access: Access, table: BoundTable): string {
  const label = table.alias === table.schema.name ? table.schema.name : `${table.schema.name} as ${table.alias}`;
  if (access.kind === 'scan') return `scan ${label}`;
  const col = (c: ColumnSchema): string => renderColumn({ table, column: c, type: c.type, optional: false });
  const suffix = access.path.columns.length > 1 ? ` (index ${access.path.name})` : '';
  if (access.kind === 'walk') return `index walk ${access.path.columns.map(col).join(', ')}${access.desc ? ' desc' : ''}${suffix}`;
  const parts = access.eq.map((v, i) => `${col(access.path.columns[i]!)} = ${renderOperand(v)}`);
  const next = access.path.columns[access.eq.length];
  if (next !== undefined && access.lo !== undefined) parts.push(`${col(next)} ${access.lo.inclusive ? '>=' : '>'} ${access.lo.sql}`);
  if (next !== undefined && access.hi !== undefined) parts.push(`${col(next)} ${access.hi.inclusive ? '<=' : '<'} ${access.hi.sql}`);
  return `index ${access.eq.length > 0 ? 'seek' : 'range'} ${parts.join(' and ')}${suffix}`;
}
