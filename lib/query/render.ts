/**
 * Writes bound queries and conditions back as SQL in one canonical spelling:
 * the sharing key of live queries and the text of plans.
 */
import type { BoundColumn, BoundExpr, BoundOperand, BoundQuery } from './bound';

/** `alias.column`. */
export function renderColumn(col: BoundColumn): string {
  return `${name(col.table.alias)}.${name(col.column.name)}`;
}

/** The right side of a comparison. */
export function renderOperand(operand: BoundOperand): string {
  return operand.kind === 'column' ? renderColumn(operand.col) : operand.sql;
}

/**
 * A condition. A nested AND / OR gets parentheses unless it continues a chain
 * of the same operator; `nested` says the caller needs them for any AND / OR.
 */
export function renderExpr(expr: BoundExpr, nested: boolean | 'and' | 'or' = false): string {
  switch (expr.kind) {
    case 'and':
    case 'or': {
      const text = `${renderExpr(expr.left, expr.kind)} ${expr.kind.toUpperCase()} ${renderExpr(expr.right, expr.kind)}`;
      return nested === false || nested === expr.kind ? text : `(${text})`;
    }
    case 'not':
      return `NOT ${renderExpr(expr.expr, true)}`;
    case 'cmp':
      return `${renderColumn(expr.left)} ${expr.op} ${renderOperand(expr.right)}`;
    case 'null':
      return `${renderColumn(expr.col)} IS ${expr.negated ? 'NOT ' : ''}NULL`;
    case 'const':
      return expr.value ? 'TRUE' : 'FALSE';
  }
}

/** The canonical text of a whole query. */
export function renderQuery(q: Omit<BoundQuery, 'text'>): string {
  const select =
    q.select.kind === 'count'
      ? `COUNT(*) AS ${name(q.select.name)}`
      : q.select.shape === 'star'
        ? '*'
        : q.select.shape === 'table-star'
          ? `${name(q.select.starTable!.alias)}.*`
          : q.select.columns.map((c) => `${renderColumn(c.col)} AS ${name(c.name)}`).join(', ');
  const table = (i: number): string => {
    const t = q.tables[i]!;
    return t.alias === t.schema.name ? name(t.alias) : `${name(t.schema.name)} AS ${name(t.alias)}`;
  };
  let text = `SELECT ${select} FROM ${table(0)}`;
  q.joinOns.forEach((on, i) => (text += ` JOIN ${table(i + 1)} ON ${renderExpr(on)}`));
  if (q.where !== undefined) text += ` WHERE ${renderExpr(q.where)}`;
  if (q.orderBy.length > 0) text += ` ORDER BY ${q.orderBy.map((o) => `${renderColumn(o.col)}${o.desc ? ' DESC' : ''}`).join(', ')}`;
  if (q.limit !== undefined) text += ` LIMIT ${q.limit}`;
  return text;
}

/** A name, double-quoted unless it is a plain identifier. */
function name(text: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) ? text : `"${text.replaceAll('"', '""')}"`;
}
