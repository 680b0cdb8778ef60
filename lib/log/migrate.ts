import { SchemaError } from '../errors';
import type { TableSchema } from '../schema/table';
import type { Row } from '../store/index-store';
import type { Store } from '../store/store';
import type { TableStore } from '../store/table-store';

/** What a migration sees of the stored database. */
export interface OldDatabase {
  /** The stored schema. */
  readonly tables: readonly TableSchema[];
  /** The stored rows of a table (empty for a table the stored schema lacks). */
  rows(table: string): Row[];
}

/**
 * An explicit migration for a breaking schema change: returns the rows of the
 * tables it rewrites, keyed by table name, in the module's new layout. Tables it
 * does not return are carried over as for an additive change.
 * @example
 * onSchemaMismatch: (old) => ({ player: old.rows('player').map((p) => ({ ...p, score: Number(p.score) })) })
 */
export type Migration = (old: OldDatabase) => Readonly<Record<string, readonly Record<string, unknown>[]>>;

/**
 * Moves every row of `from` (stored layout) into `to` (module layout). Columns
 * the module added take their default; rows a migration returns are validated and
 * inserted like reducer writes, so a bad row fails the open with a named error.
 */
export function migrateStore(from: Store, to: Store, migration: Migration | undefined): void {
  const old: OldDatabase = {
    tables: [...from.tables.values()].map((t) => t.schema),
    rows: (name) => (from.tables.has(name) ? [...from.table(name).scan()] : []),
  };
  const rewritten = migration?.(old) ?? {};
  const tx = to.begin();
  try {
    for (const table of to.tables.values()) {
      const rows = rewritten[table.name];
      if (rows !== undefined) for (const row of rows) table.insertPrepared(table.prepare(row, tx), tx);
      else if (from.tables.has(table.name)) carry(from.table(table.name), table);
    }
  } catch (error) {
    to.rollback();
    throw error;
  }
  to.commit();
}

function carry(from: TableStore, to: TableStore): void {
  const added = to.schema.columns.slice(from.schema.columns.length);
  if (to.schema.columns.some((c, i) => i < from.schema.columns.length && from.schema.columns[i]!.name !== c.name)) {
    throw new SchemaError(`Cannot carry table "${to.name}" over: its columns changed; return its rows from the migration`, { table: to.name });
  }
  for (const row of from.scan()) {
    const next: Record<string, unknown> = { ...row };
    for (const c of added) next[c.name] = c.hasDefault ? c.defaultValue : undefined;
    to.restore(Object.freeze(next));
  }
  for (const [column, value] of from.nextSeq) to.nextSeq.set(column, value);
}
