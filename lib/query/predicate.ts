/**
 * Compiles bound conditions into closures, once per plan. A predicate reads the
 * rows of the query's tables from an environment array indexed by table slot;
 * evaluating it allocates nothing. Comparisons use the same total order as the
 * indexes ({@link compareFor}), so an index range and a scan agree on every
 * value; a NULL (`undefined`) column makes every comparison false.
 */
import { compareBytes, compareF64, compareFor, type Compare } from '../codec/compare';
import type { Row } from '../store/index-store';
import type { CompareOp } from './ast';
import type { BoundColumn, BoundExpr } from './bound';

/** The rows of a query's tables, by slot. */
export type Env = Row[];
/** A compiled condition over an environment. */
export type EnvPredicate = (env: Env) => boolean;
/** A compiled condition over one row. */
export type RowPredicate = (row: Row) => boolean;

const TRUE: EnvPredicate = () => true;

/** Compiles a condition; `undefined` (no WHERE) is always true. */
export function compileExpr(expr: BoundExpr | undefined): EnvPredicate {
  if (expr === undefined) return TRUE;
  switch (expr.kind) {
    case 'and': {
      const l = compileExpr(expr.left);
      const r = compileExpr(expr.right);
      return (env) => l(env) && r(env);
    }
    case 'or': {
      const l = compileExpr(expr.left);
      const r = compileExpr(expr.right);
      return (env) => l(env) || r(env);
    }
    case 'not': {
      const inner = compileExpr(expr.expr);
      return (env) => !inner(env);
    }
    case 'const':
      return expr.value ? TRUE : () => false;
    case 'null': {
      const { slot } = expr.col.table;
      const name = expr.col.column.name;
      return expr.negated ? (env) => env[slot]![name] !== undefined : (env) => env[slot]![name] === undefined;
    }
    case 'cmp': {
      const { slot } = expr.left.table;
      const name = expr.left.column.name;
      const right = expr.right;
      if (right.kind === 'value') return compareToValue(expr.op, slot, name, expr.left, right.value);
      const rslot = right.col.table.slot;
      const rname = right.col.column.name;
      const cmp = compareOf(expr.left);
      const test = TESTS[expr.op];
      return (env) => {
        const a = env[slot]![name];
        const b = env[rslot]![rname];
        return a !== undefined && b !== undefined && test(cmp(a, b));
      };
    }
  }
}

/** Compiles a condition on the single table at `slot` into a per-row closure. */
export function compileRowPredicate(expr: BoundExpr | undefined, slot = 0): RowPredicate {
  if (expr === undefined) return () => true;
  const predicate = compileExpr(expr);
  const env: Env = new Array<Row>(slot + 1);
  return (row) => {
    env[slot] = row;
    return predicate(env);
  };
}

/** Splits a condition into its top-level AND terms. */
export function conjuncts(expr: BoundExpr | undefined): BoundExpr[] {
  if (expr === undefined) return [];
  if (expr.kind === 'and') return [...conjuncts(expr.left), ...conjuncts(expr.right)];
  if (expr.kind === 'const' && expr.value) return [];
  return [expr];
}

/** Joins conditions with AND; `undefined` for none. */
export function conjoin(exprs: readonly BoundExpr[]): BoundExpr | undefined {
  return exprs.reduce<BoundExpr | undefined>((acc, e) => (acc === undefined ? e : { kind: 'and', left: acc, right: e }), undefined);
}

/** The table slots a condition reads. */
export function slotsOf(expr: BoundExpr, into = new Set<number>()): Set<number> {
  switch (expr.kind) {
    case 'and':
    case 'or':
      slotsOf(expr.left, into);
      return slotsOf(expr.right, into);
    case 'not':
      return slotsOf(expr.expr, into);
    case 'null':
      return into.add(expr.col.table.slot);
    case 'cmp':
      into.add(expr.left.table.slot);
      if (expr.right.kind === 'column') into.add(expr.right.col.table.slot);
      return into;
    case 'const':
      return into;
  }
}

/** The order a column's values are compared by (the index order). */
export function compareOf(col: BoundColumn): Compare {
  return compareFor(col.type);
}

const TESTS: Record<CompareOp, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '!=': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

/** Kinds whose order is JS's own `<` / `===` (no -0 / NaN subtleties). */
const NATIVE = new Set(['i8', 'i16', 'i32', 'u8', 'u16', 'u32', 'i64', 'i128', 'i256', 'u64', 'u128', 'u256', 'timestamp', 'timeDuration', 'string', 'identity', 'connectionId', 'uuid']);

type Native = number | bigint | string;

function compareToValue(op: CompareOp, slot: number, name: string, col: BoundColumn, value: unknown): EnvPredicate {
  if (NATIVE.has(col.type.kind)) {
    const k = value as Native;
    // `undefined` fails each of these tests on its own: it is never === a value, and NaN-like in < / >.
    switch (op) {
      case '=':
        return (env) => env[slot]![name] === k;
      case '!=':
        return (env) => {
          const v = env[slot]![name];
          return v !== undefined && v !== k;
        };
      case '<':
        return (env) => {
          const v = env[slot]![name] as Native | undefined;
          return v !== undefined && v < k;
        };
      case '<=':
        return (env) => {
          const v = env[slot]![name] as Native | undefined;
          return v !== undefined && v <= k;
        };
      case '>':
        return (env) => {
          const v = env[slot]![name] as Native | undefined;
          return v !== undefined && v > k;
        };
      case '>=':
        return (env) => {
          const v = env[slot]![name] as Native | undefined;
          return v !== undefined && v >= k;
        };
    }
  }
  const kind = col.type.kind;
  const cmp: Compare = kind === 'f64' ? (a, b) => compareF64(a as number, b as number) : kind === 'bytes' ? (a, b) => compareBytes(a as Uint8Array, b as Uint8Array) : compareOf(col);
  const test = TESTS[op];
  return (env) => {
    const v = env[slot]![name];
    return v !== undefined && test(cmp(v, value));
  };
}
