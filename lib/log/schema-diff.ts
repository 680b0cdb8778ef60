import { SchemaError } from '../errors';
import { diffSchemas, type SchemaChange } from '../schema/diff';
import type { TableSchema } from '../schema/table';
import { typeName } from '../schema/type-desc';

/** How a stored schema relates to the module's. */
export type SchemaComparison =
  | { readonly kind: 'same' }
  /** Only additions: new tables, new indexes, new columns at the end with a default (or optional). */
  | { readonly kind: 'additive'; readonly changes: readonly string[] }
  | { readonly kind: 'breaking'; readonly error: SchemaError };

/** The schema as stored in metadata: plain, structured-clonable data. */
export function storedSchema(tables: readonly TableSchema[]): TableSchema[] {
  return structuredClone(tables.map((t) => ({ ...t, scheduled: undefined }))) as TableSchema[];
}

/**
 * Compares the stored schema with the module's. Additions migrate by themselves;
 * anything else is breaking, and the error names the table, the column and the change.
 */
export function compareSchemas(stored: readonly TableSchema[], current: readonly TableSchema[]): SchemaComparison {
  // A changed default only fills values missing later: the stored rows keep theirs, so nothing migrates.
  const changes = diffSchemas(stored, current).filter((c) => c.kind !== 'default-changed');
  const breaking = changes.find((c) => c.breaking);
  if (breaking !== undefined) {
    const where = 'column' in breaking ? { table: breaking.table, column: breaking.column } : { table: breaking.table };
    return { kind: 'breaking', error: new SchemaError(`The stored database does not fit the module: ${breakingText(breaking)}. Pass a migration, or onSchemaMismatch: 'reset' to start over`, where) };
  }
  return changes.length === 0 ? { kind: 'same' } : { kind: 'additive', changes: changes.map(additiveText) };
}

function breakingText(change: SchemaChange): string {
  const column = 'column' in change ? `column "${change.table}.${change.column}"` : '';
  switch (change.kind) {
    case 'table-removed':
      return `table "${change.table}" was removed`;
    case 'column-added':
      return `new ${column} needs a .default() (or .optional()) for the existing rows`;
    case 'column-removed':
      return `${column} was removed`;
    case 'column-renamed':
      return `column ${change.position + 1} of "${change.table}" was "${change.column}" and is now "${change.to}" (renamed, reordered or removed)`;
    case 'column-retyped': {
      const [from, to] = [typeName(change.from), typeName(change.to)];
      return from === to ? `${column} changed its ${from} type` : `${column} changed type from ${from} to ${to}`;
    }
    case 'flag-changed':
      return `${column} ${change.to ? 'became' : 'is no longer'} ${change.flag}`;
    case 'index-removed':
      return `index "${change.table}.${change.index}" was removed`;
    case 'index-changed':
      return `index "${change.table}.${change.index}" changed its columns`;
    default:
      return additiveText(change);
  }
}

function additiveText(change: SchemaChange): string {
  switch (change.kind) {
    case 'table-added':
      return `added table ${change.table}`;
    case 'column-added':
      return `added column ${change.table}.${change.column}`;
    case 'index-added':
      return `added index ${change.table}.${change.index}`;
    case 'visibility-changed':
      return `${change.table} is now ${change.public ? 'public' : 'private'}`;
    default:
      return `${change.kind} in ${change.table}`;
  }
}
