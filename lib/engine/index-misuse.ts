/**
 * Clear errors for index methods a column does not have: `ctx.db.t.col.find()`
 * on a column without an index, or `find` / `update` on a non-unique index,
 * instead of JavaScript's "Cannot read properties of undefined (reading 'find')".
 */
import { SchemaError } from '../errors';

const UNIQUE_ONLY = ['find', 'update'] as const;
const ALL = ['find', 'filter', 'delete', 'update'] as const;

function refuse(table: string, column: string, method: string, why: string): () => never {
  return () => {
    throw new SchemaError(`ctx.db.${table}.${column}.${method}(): ${why}`, { table, column });
  };
}

/** Methods for a column that has no single-column index: each throws naming the table and column. */
export function unindexedColumn(table: string, column: string): object {
  const why = `column "${column}" of table "${table}" has no index. Declare it with .primaryKey(), .unique() or .index('btree'), or scan with ctx.db.${table}.iter()`;
  return Object.freeze(Object.fromEntries(ALL.map((m) => [m, refuse(table, column, m, why)])));
}

/** Adds `find` / `update` to a non-unique index's handle: they throw, pointing at `filter`. */
export function withUniqueOnly(table: string, column: string, handle: Record<string, unknown>): Record<string, unknown> {
  for (const m of UNIQUE_ONLY) {
    const why = `the index on ${table}.${column} is not unique, so it has no ${m}(). Use filter(), or declare the column .unique() or .primaryKey()`;
    if (!(m in handle)) handle[m] = refuse(table, column, m, why);
  }
  return handle;
}
