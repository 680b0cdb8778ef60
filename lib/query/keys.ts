/**
 * Map keys for column values, and the choice of the WHERE term a live plan is
 * filed under. Values that are JS primitives key a `Map` as they are (bigints by
 * value); bytes become hex text.
 */
import { compareFor } from '../codec/compare';
import type { BoundExpr } from './bound';
import type { Route } from './live-plan';

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += (b < 16 ? '0' : '') + b.toString(16);
  return text;
}

/**
 * The route of the plan side at `slot`, from its WHERE terms that read only
 * that table: the first equality, else the first range, else every row.
 */
export function chooseRoute(terms: readonly BoundExpr[], slot: number): { route: Route; term: BoundExpr | undefined } {
  let range: { route: Route; term: BoundExpr } | undefined;
  for (const term of terms) {
    if (term.kind === 'null' && !term.negated && term.col.table.slot === slot) {
      return { route: { kind: 'eq', column: term.col.column.name, key: undefined, bytes: term.col.type.kind === 'bytes' }, term };
    }
    if (term.kind !== 'cmp' || term.left.table.slot !== slot || term.right.kind !== 'value') continue;
    const { op, left, right } = term;
    const bytes = left.type.kind === 'bytes';
    // f32 values compare rounded, so equal values may differ as map keys: range-route them instead.
    if (op === '=' && left.type.kind !== 'f32') {
      const key = bytes ? toHex(right.value as Uint8Array) : right.value;
      return { route: { kind: 'eq', column: left.column.name, key, bytes }, term };
    }
    if (op !== '!=' && op !== '=' && range === undefined) {
      range = { route: { kind: 'range', column: left.column.name, op, value: right.value, compare: compareFor(left.type) }, term };
    }
  }
  return range ?? { route: { kind: 'all' }, term: undefined };
}
