/**
 * The syntax tree of the SQL subset, as the parser builds it: names are not yet
 * resolved and literals not yet typed. Every node keeps the offset where it starts.
 */

/** A name as written, with its offset. */
export interface Name {
  readonly name: string;
  readonly pos: number;
}

/** Comparison operators; `<>` is read as `!=`. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** A literal as written. Integers keep full precision; hex keeps its digits. */
export type Literal =
  | { readonly type: 'int'; readonly value: bigint; readonly text: string }
  | { readonly type: 'float'; readonly value: number; readonly text: string }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'null' }
  | { readonly type: 'hex'; readonly digits: string };

/** `col` or `t.col`. */
export interface ColumnRefAst {
  readonly kind: 'column';
  readonly table: Name | undefined;
  readonly column: Name;
  readonly pos: number;
}

/** One side of a comparison. */
export type OperandAst =
  | ColumnRefAst
  | { readonly kind: 'literal'; readonly literal: Literal; readonly pos: number }
  | { readonly kind: 'param'; readonly name: string; readonly pos: number };

/** A WHERE or ON condition. */
export type ExprAst =
  | { readonly kind: 'and' | 'or'; readonly left: ExprAst; readonly right: ExprAst; readonly pos: number }
  | { readonly kind: 'not'; readonly expr: ExprAst; readonly pos: number }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: OperandAst; readonly right: OperandAst; readonly pos: number }
  | { readonly kind: 'is-null'; readonly operand: OperandAst; readonly negated: boolean; readonly pos: number }
  /** A bare operand used as a condition: a bool column, `true`, `false`. */
  | { readonly kind: 'operand'; readonly operand: OperandAst; readonly pos: number };

/** One item of the select list. */
export type SelectItemAst =
  | { readonly kind: 'star'; readonly pos: number }
  | { readonly kind: 'table-star'; readonly table: Name; readonly pos: number }
  | { readonly kind: 'count'; readonly alias: Name | undefined; readonly pos: number }
  | { readonly kind: 'column'; readonly ref: ColumnRefAst; readonly alias: Name | undefined; readonly pos: number };

/** A table in FROM or JOIN, with its optional alias. */
export interface TableRefAst {
  readonly name: Name;
  readonly alias: Name | undefined;
}

/** `JOIN u ON cond`. */
export interface JoinAst {
  readonly table: TableRefAst;
  readonly on: ExprAst;
  readonly pos: number;
}

/** `ORDER BY col [ASC|DESC]`. */
export interface OrderItemAst {
  readonly ref: ColumnRefAst;
  readonly desc: boolean;
}

/** A whole SELECT statement. */
export interface SelectAst {
  readonly select: readonly SelectItemAst[];
  readonly from: TableRefAst;
  readonly joins: readonly JoinAst[];
  readonly where: ExprAst | undefined;
  readonly orderBy: readonly OrderItemAst[];
  /** Offset of the ORDER keyword, when there is an ORDER BY. */
  readonly orderByPos: number | undefined;
  readonly limit: { readonly value: number; readonly pos: number } | undefined;
}
