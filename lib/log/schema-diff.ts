import { SchemaError } from '../errors';
import type { ColumnSchema, TableSchema } from '../schema/table';
import { typeName } from '../schema/type-desc';

/** How a stored schema relates to the module's. */
export type SchemaComparison =
  | { readonly kind: 'same' }
  /** Only additions: new tables, new indexes, new columns at the end with a default (or optional). */
  | { readonly kind: 'additive'; readonly changes: readonly string[] }
  | { readonly kind: 'breaking'; readonly error: SchemaError };

const canonical = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v));

const sameType = (a: ColumnSchema, b: ColumnSchema): boolean => canonical(a.type) === canonical(b.type);

/** The schema as stored in metadata: plain, structured-clonable data. */
export function storedSchema(tables: readonly TableSchema[]): TableSchema[] {
  return structuredClone(tables.map((t) => ({ ...t, scheduled: undefined }))) as TableSchema[];
}

/**
 * Compares the stored schema with the module's. Additions migrate by themselves;
 * anything else is breaking, and the error names the table, the column and the change.
 */
export function compareSchemas(stored: readonly TableSchema[], current: readonly TableSchema[]): SchemaComparison {
  const changes: string[] = [];
  const breaking = (message: string, table: string, column?: string): SchemaComparison => ({
    kind: 'breaking',
    error: new SchemaError(`The stored database does not fit the module: ${message}. Pass a migration, or onSchemaMismatch: 'reset' to start over`, column === undefined ? { table } : { table, column }),
  });
  for (const old of stored) {
    const now = current.find((t) => t.name === old.name);
    if (now === undefined) return breaking(`table "${old.name}" was removed`, old.name);
    for (const [i, col] of old.columns.entries()) {
      const next = now.columns[i];
      if (next === undefined) return breaking(`column "${old.name}.${col.name}" was removed`, old.name, col.name);
      if (next.name !== col.name) return breaking(`column ${i + 1} of "${old.name}" was "${col.name}" and is now "${next.name}" (renamed, reordered or removed)`, old.name, col.name);
      if (!sameType(col, next)) return breaking(`column "${old.name}.${col.name}" changed type from ${typeName(col.type)} to ${typeName(next.type)}`, old.name, col.name);
      for (const flag of ['primaryKey', 'unique', 'autoInc'] as const) {
        if (col[flag] !== next[flag]) return breaking(`column "${old.name}.${col.name}" ${next[flag] ? 'became' : 'is no longer'} ${flag}`, old.name, col.name);
      }
    }
    for (const col of now.columns.slice(old.columns.length)) {
      if (!col.hasDefault && col.type.kind !== 'option') return breaking(`new column "${now.name}.${col.name}" needs a .default() (or .optional()) for the existing rows`, now.name, col.name);
      changes.push(`added column ${now.name}.${col.name}`);
    }
    for (const index of old.indexes) {
      const same = now.indexes.find((i) => i.accessor === index.accessor);
      if (same === undefined) return breaking(`index "${old.name}.${index.accessor}" was removed`, old.name);
      if (canonical(same) !== canonical(index)) return breaking(`index "${old.name}.${index.accessor}" changed its columns`, old.name);
    }
    for (const index of now.indexes) if (!old.indexes.some((i) => i.accessor === index.accessor)) changes.push(`added index ${now.name}.${index.accessor}`);
    if (old.public !== now.public) changes.push(`${now.name} is now ${now.public ? 'public' : 'private'}`);
  }
  for (const table of current) if (!stored.some((t) => t.name === table.name)) changes.push(`added table ${table.name}`);
  return changes.length === 0 ? { kind: 'same' } : { kind: 'additive', changes };
}
