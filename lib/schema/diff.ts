/**
 * The one schema comparison. Migration on open, the room handshake and backup
 * import all ask "how does schema `to` differ from schema `from`?"; this file
 * answers with structured {@link SchemaChange}s and each caller only words them.
 *
 * Tables and indexes are matched by name, columns by position (a stored row is
 * a sequence of columns), and the changes come in one order from either side:
 * tables by name, then within a table its columns by position, its indexes by
 * accessor and its visibility. So two peers comparing in opposite directions
 * find the same first change, each seeing the other's kind (added ↔ removed).
 */
import type { ColumnSchema, IndexSchema, TableSchema } from './table';
import { typeName, type TypeDesc } from './type-desc';

/** The column flags a change can flip. */
export type ColumnFlag = 'primaryKey' | 'unique' | 'autoInc';

/** An index as a change describes it: its columns by name. */
export interface IndexShape {
  readonly columns: readonly string[];
  readonly unique: boolean;
}

/**
 * One difference from schema `from` to schema `to`. `breaking` says whether a
 * database stored under `from` cannot take it by itself: additions (a table, an
 * index, a trailing column with a default or optional, a visibility change, a
 * new default) are not breaking; everything that reinterprets stored rows is.
 * `column` names the column as `from` has it (as `to` has it when added).
 */
export type SchemaChange =
  | { readonly kind: 'table-added'; readonly table: string; readonly breaking: false }
  | { readonly kind: 'table-removed'; readonly table: string; readonly breaking: true }
  /** Breaking when the existing rows have no value for it: no default and not optional. */
  | { readonly kind: 'column-added'; readonly table: string; readonly column: string; readonly position: number; readonly breaking: boolean }
  | { readonly kind: 'column-removed'; readonly table: string; readonly column: string; readonly position: number; readonly breaking: true }
  /** The column at `position` has another name: renamed, reordered, or one before it removed. */
  | { readonly kind: 'column-renamed'; readonly table: string; readonly column: string; readonly position: number; readonly to: string; readonly breaking: true }
  | { readonly kind: 'column-retyped'; readonly table: string; readonly column: string; readonly from: TypeDesc; readonly to: TypeDesc; readonly breaking: true }
  /** `to` is the flag's value in `to`. */
  | { readonly kind: 'flag-changed'; readonly table: string; readonly column: string; readonly flag: ColumnFlag; readonly to: boolean; readonly breaking: true }
  /** A default only fills values that are missing, so stored rows keep theirs. */
  | { readonly kind: 'default-changed'; readonly table: string; readonly column: string; readonly breaking: false }
  | { readonly kind: 'index-added'; readonly table: string; readonly index: string; readonly breaking: false }
  | { readonly kind: 'index-removed'; readonly table: string; readonly index: string; readonly breaking: true }
  | { readonly kind: 'index-changed'; readonly table: string; readonly index: string; readonly from: IndexShape; readonly to: IndexShape; readonly breaking: true }
  /** `public` is the table's visibility in `to`. */
  | { readonly kind: 'visibility-changed'; readonly table: string; readonly public: boolean; readonly breaking: false };

/**
 * Every difference from `from` to `to`, in the order described above; empty
 * when the schemas lay out and index the data the same way.
 * @example
 * const breaking = diffSchemas(stored, module.tables).filter((c) => c.breaking);
 */
export function diffSchemas(from: readonly TableSchema[], to: readonly TableSchema[]): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const names = [...new Set([...from, ...to].map((t) => t.name))].sort(compareText);
  for (const table of names) {
    const a = from.find((t) => t.name === table);
    const b = to.find((t) => t.name === table);
    if (a === undefined || b === undefined) {
      changes.push(a === undefined ? { kind: 'table-added', table, breaking: false } : { kind: 'table-removed', table, breaking: true });
      continue;
    }
    for (let i = 0; i < Math.max(a.columns.length, b.columns.length); i++) {
      const change = columnChange(table, i, a.columns[i], b.columns[i]);
      if (change !== undefined) changes.push(change);
    }
    for (const index of [...new Set([...a.indexes, ...b.indexes].map((x) => x.accessor))].sort(compareText)) {
      const x = a.indexes.find((i) => i.accessor === index);
      const y = b.indexes.find((i) => i.accessor === index);
      if (x === undefined) changes.push({ kind: 'index-added', table, index, breaking: false });
      else if (y === undefined) changes.push({ kind: 'index-removed', table, index, breaking: true });
      else if (!sameIndex(x, y)) changes.push({ kind: 'index-changed', table, index, from: shape(x, a), to: shape(y, b), breaking: true });
    }
    if (a.public !== b.public) changes.push({ kind: 'visibility-changed', table, public: b.public, breaking: false });
  }
  return changes;
}

/** How {@link describeChange} names the two sides, e.g. `{ from: 'on this peer', to: 'on the other peer' }`. */
export interface ChangeSides {
  readonly from: string;
  readonly to: string;
}

/**
 * Words a change as a difference between two sides that both exist (a peer and
 * another, a backup and this module), e.g.
 * `column "note.text" is string in the backup and bytes here`.
 * Migration words changes its own way (what became of the stored database).
 */
export function describeChange(change: SchemaChange, sides: ChangeSides): string {
  const { from, to } = sides;
  const at = 'column' in change ? `column "${change.table}.${change.column}"` : '';
  switch (change.kind) {
    case 'table-added':
    case 'table-removed':
      return `table "${change.table}" exists only ${change.kind === 'table-removed' ? from : to}`;
    case 'column-added':
    case 'column-removed':
      return `${at} exists only ${change.kind === 'column-removed' ? from : to}`;
    case 'column-renamed':
      return `column ${change.position + 1} of "${change.table}" is "${change.column}" ${from} and "${change.to}" ${to}`;
    case 'column-retyped': {
      const [a, b] = [typeName(change.from), typeName(change.to)];
      return a === b ? `${at} has a different ${a} type on each side` : `${at} is ${a} ${from} and ${b} ${to}`;
    }
    case 'flag-changed':
      return `${at} is ${change.flag} ${change.to ? to : from} but not ${change.to ? from : to}`;
    case 'default-changed':
      return `${at} has a different default on each side`;
    case 'index-added':
    case 'index-removed':
      return `index "${change.table}.${change.index}" exists only ${change.kind === 'index-removed' ? from : to}`;
    case 'index-changed': {
      const columns = (index: IndexShape): string => `(${index.columns.join(', ')})${index.unique ? ' unique' : ''}`;
      return `index "${change.table}.${change.index}" is ${columns(change.from)} ${from} and ${columns(change.to)} ${to}`;
    }
    case 'visibility-changed': {
      const visibility = (isPublic: boolean): string => (isPublic ? 'public' : 'private');
      return `table "${change.table}" is ${visibility(!change.public)} ${from} and ${visibility(change.public)} ${to}`;
    }
  }
}

/** Joins differences for a message: all of them up to three, else the first three and how many more. */
export function summarizeDifferences(items: readonly string[]): string {
  return items.length <= 3 ? items.join('; ') : `${items.slice(0, 3).join('; ')}; and ${items.length - 3} more`;
}

/**
 * JSON that keeps bigints and bytes apart from numbers and arrays: compares
 * type descriptions and default values by content.
 */
export const canonical = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v));

/** Orders text by UTF-16 code units: the same on every engine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- helpers ----

/** The first difference of the column at position `i`, if any: name, then type, flags, default. */
function columnChange(table: string, position: number, a: ColumnSchema | undefined, b: ColumnSchema | undefined): SchemaChange | undefined {
  if (a === undefined) return { kind: 'column-added', table, column: b!.name, position, breaking: !b!.hasDefault && b!.type.kind !== 'option' };
  if (b === undefined) return { kind: 'column-removed', table, column: a.name, position, breaking: true };
  const column = a.name;
  if (a.name !== b.name) return { kind: 'column-renamed', table, column, position, to: b.name, breaking: true };
  if (canonical(a.type) !== canonical(b.type)) return { kind: 'column-retyped', table, column, from: a.type, to: b.type, breaking: true };
  for (const flag of ['primaryKey', 'unique', 'autoInc'] as const) {
    if (a[flag] !== b[flag]) return { kind: 'flag-changed', table, column, flag, to: b[flag], breaking: true };
  }
  if (a.hasDefault !== b.hasDefault || (a.hasDefault && canonical(a.defaultValue) !== canonical(b.defaultValue))) {
    return { kind: 'default-changed', table, column, breaking: false };
  }
  return undefined;
}

function sameIndex(a: IndexSchema, b: IndexSchema): boolean {
  return a.unique === b.unique && a.primary === b.primary && a.columns.length === b.columns.length && a.columns.every((c, i) => c === b.columns[i]);
}

const shape = (index: IndexSchema, table: TableSchema): IndexShape => ({ columns: index.columns.map((p) => table.columns[p]?.name ?? String(p)), unique: index.unique });
