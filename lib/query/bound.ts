/**
 * A query after name resolution and literal typing: every column points at its
 * table slot and schema, every literal holds the JS value its column stores
 * (`bigint` for 64-bit and wider, `number` below), so predicates compare
 * without conversion. Plain types, no logic.
 */
import type { ColumnSchema, TableSchema } from '../schema/table';
import type { TypeDesc } from '../schema/type-desc';
import type { TableStore } from '../store/table-store';
import type { CompareOp } from './ast';

/** A table of the query at position `slot` (FROM is 0, each JOIN the next). */
export interface BoundTable {
  readonly slot: number;
  /** The alias, or the table name when there is none. */
  readonly alias: string;
  readonly store: TableStore;
  readonly schema: TableSchema;
}

/** A resolved column. */
export interface BoundColumn {
  readonly table: BoundTable;
  readonly column: ColumnSchema;
  /** The value type with any `option` removed. */
  readonly type: TypeDesc;
  /** True for `option` columns, whose value may be `undefined` (SQL NULL). */
  readonly optional: boolean;
}

/** A typed constant: a literal or a bound parameter. */
export interface BoundValue {
  readonly kind: 'value';
  readonly value: unknown;
  /** How the value is written in normalized SQL and in plans (`:sender` for the parameter). */
  readonly sql: string;
}

/** The right-hand side of a comparison. */
export type BoundOperand = { readonly kind: 'column'; readonly col: BoundColumn } | BoundValue;

/** A condition with the column always on the left of a comparison. */
export type BoundExpr =
  | { readonly kind: 'and' | 'or'; readonly left: BoundExpr; readonly right: BoundExpr }
  | { readonly kind: 'not'; readonly expr: BoundExpr }
  | { readonly kind: 'cmp'; readonly op: CompareOp; readonly left: BoundColumn; readonly right: BoundOperand }
  | { readonly kind: 'null'; readonly col: BoundColumn; readonly negated: boolean }
  | { readonly kind: 'const'; readonly value: boolean };

/** An output column of a one-off query. */
export interface OutputColumn {
  readonly name: string;
  readonly col: BoundColumn;
}

/** What a query returns. */
export type BoundSelect =
  | {
      readonly kind: 'columns';
      readonly columns: readonly OutputColumn[];
      /** `*` alone, or `t.*` alone (the table), or a list. Subscriptions need one of the first two. */
      readonly shape: 'star' | 'table-star' | 'list';
      readonly starTable: BoundTable | undefined;
    }
  | { readonly kind: 'count'; readonly name: string };

/** One ORDER BY key. */
export interface BoundOrder {
  readonly col: BoundColumn;
  readonly desc: boolean;
}

/** A fully resolved SELECT. */
export interface BoundQuery {
  readonly tables: readonly BoundTable[];
  /** The ON condition of each JOIN: `joinOns[i]` joins `tables[i + 1]`. */
  readonly joinOns: readonly BoundExpr[];
  readonly where: BoundExpr | undefined;
  readonly select: BoundSelect;
  readonly orderBy: readonly BoundOrder[];
  readonly limit: number | undefined;
  /** Whether `:sender` appears (then plans are per sender). */
  readonly usesSender: boolean;
  /** The query in a canonical spelling: equal for queries that differ only in case of keywords, spacing, or `<>` vs `!=`. */
  readonly text: string;
}
