import { compileRow, type RowCodec } from '../codec/row';
import { compareFor } from '../codec/compare';
import { ConstraintError, describeValue, ValueError } from '../errors';
import type { ColumnSchema, TableSchema } from '../schema/table';
import { isBigintKind } from '../schema/type-desc';
import { BTree } from './btree';
import { fillIndex, loadSorted } from './btree-bulk';
import { IndexStore, isHashable, type Row } from './index-store';
import type { Transaction } from './transaction';

const NO_FILL = Symbol('no fill');

/**
 * The rows of one table with all of its indexes. Rows are ordered by primary
 * key, or by their whole value when the table has none (set semantics): the order
 * depends only on the contents. Every mutation is checked completely before
 * anything changes, so a failed write leaves the table as it was, and is recorded
 * in the transaction so the whole reducer can be undone.
 */
export class TableStore {
  /** Rows by primary key (or by whole row). */
  readonly primary: BTree<unknown, Row>;
  /** Rows by primary key in a hash map, when the key is a primitive: `find` and `update` in O(1). */
  private readonly byKey: Map<unknown, Row> | undefined;
  /** Every index, by accessor. The primary key's index is `primary` itself. */
  readonly indexes = new Map<string, IndexStore>();
  /** Secondary indexes to maintain on every write. */
  private readonly secondary: IndexStore[] = [];
  readonly codec: RowCodec;
  readonly rowKey: (row: Row) => unknown;
  readonly compareRows: (a: Row, b: Row) => number;
  /** Orders primary keys (whole rows when the table has no primary key). */
  readonly compareKeys: (a: unknown, b: unknown) => number;
  private readonly pk: ColumnSchema | undefined;
  private readonly sequences: ColumnSchema[];
  /** Next value of each autoInc column, by column name. */
  readonly nextSeq = new Map<string, number | bigint>();
  /** Column names in order, and what fills each when an insert leaves it out. */
  private readonly names: readonly string[];
  private readonly fills: readonly unknown[];
  /** Option columns with a default: an explicit `undefined` stays none. */
  private readonly optionDefaults: readonly boolean[];

  constructor(readonly schema: TableSchema) {
    this.codec = compileRow(schema.name, schema.columns);
    this.compareRows = compareFor(schema.rowType) as (a: Row, b: Row) => number;
    this.pk = schema.primaryKey === undefined ? undefined : schema.columns[schema.primaryKey];
    const pkName = this.pk?.name;
    this.rowKey = pkName === undefined ? (row) => row : (row) => row[pkName];
    const keyCompare = this.pk === undefined ? (this.compareRows as (a: unknown, b: unknown) => number) : compareFor(this.pk.type);
    this.compareKeys = keyCompare;
    this.primary = new BTree<unknown, Row>(keyCompare);
    this.byKey = this.pk !== undefined && isHashable(this.pk.type.kind) ? new Map() : undefined;
    for (const index of schema.indexes) {
      const store = new IndexStore(schema, index, this.rowKey, keyCompare);
      this.indexes.set(index.accessor, store);
      if (!index.primary) this.secondary.push(store);
    }
    this.sequences = schema.columns.filter((c) => c.autoInc);
    for (const c of this.sequences) this.nextSeq.set(c.name, isBigintKind(c.type.kind) ? 1n : 1);
    this.names = schema.columns.map((c) => c.name);
    this.fills = schema.columns.map((c) => (c.hasDefault ? c.defaultValue : c.autoInc ? (isBigintKind(c.type.kind) ? 0n : 0) : NO_FILL));
    this.optionDefaults = schema.columns.map((c) => c.hasDefault && c.type.kind === 'option');
  }

  get name(): string {
    return this.schema.name;
  }

  /** The number of rows. */
  count(): number {
    return this.primary.size;
  }

  /** All rows in primary order; safe against writes during iteration. */
  scan(): IterableIterator<Row> {
    return this.primary.values();
  }

  /** The stored row with this primary key (or equal to this row, without a primary key). */
  get(key: unknown): Row | undefined {
    return this.byKey !== undefined ? this.byKey.get(key) : this.primary.get(key);
  }

  /**
   * Builds a validated, frozen row from user input: fills defaults and autoInc
   * values (recording sequence steps in `tx`), rejects unknown and missing columns.
   */
  prepare(input: unknown, tx: Transaction): Row {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new ValueError(`${this.name}: a row must be an object, got ${describeValue(input)}`, { table: this.name, value: describeValue(input) });
    }
    const source = input as Record<string, unknown>;
    // Copy the declared columns in order, filling what may be left out; then
    // validate the copy and make sure the input had nothing else.
    const out: Record<string, unknown> = {};
    const { names, fills } = this;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      let value = source[name];
      if (value === undefined && fills[i] !== NO_FILL && !(this.optionDefaults[i] === true && name in source)) value = fills[i];
      out[name] = value;
    }
    if (!this.codec.check(out)) this.codec.validate(out);
    for (const key in source) {
      if (!(key in out)) throw new ValueError(`${this.name}: unknown column "${key}"`, { table: this.name, column: key });
    }
    for (const c of this.sequences) {
      const value = out[c.name] as number | bigint;
      const next = this.nextSeq.get(c.name)!;
      if (value === 0 || value === 0n) {
        out[c.name] = next;
        tx.recordSequence(this, c.name, next);
        this.nextSeq.set(c.name, typeof next === 'bigint' ? next + 1n : next + 1);
      } else if (value >= next) {
        // An explicit id moves the sequence past it, so later generated ids never collide.
        tx.recordSequence(this, c.name, next);
        this.nextSeq.set(c.name, typeof value === 'bigint' ? value + 1n : (value as number) + 1);
      }
    }
    return Object.freeze(out);
  }

  /** Inserts a prepared row. Returns the stored row (the existing one for a duplicate in a table without a key). */
  insertPrepared(row: Row, tx: Transaction): Row {
    const key = this.rowKey(row);
    const existing = this.get(key);
    if (existing !== undefined) {
      if (this.pk === undefined) return existing;
      throw this.duplicate(this.pk.name, key);
    }
    this.checkUnique(row, undefined);
    this.restore(row);
    tx.recordInsert(this, row);
    return row;
  }

  /** Deletes a stored row (found by key and compared in full). Returns false when absent. */
  deleteRow(row: Row, tx: Transaction): boolean {
    const stored = this.get(this.rowKey(row));
    if (stored === undefined || (stored !== row && this.compareRows(stored, row) !== 0)) return false;
    this.remove(stored);
    tx.recordDelete(this, stored);
    return true;
  }

  /** Replaces the row with the same primary key. Throws when there is none or a unique value collides. */
  update(next: Row, tx: Transaction): Row {
    const pk = this.pk!;
    const key = next[pk.name];
    const old = this.get(key);
    if (old === undefined) {
      throw new ConstraintError(`${this.name}.${pk.name}.update: no row has ${pk.name} = ${describeValue(key)}`, { table: this.name, column: pk.name, value: describeValue(key) });
    }
    this.checkUnique(next, old);
    // The key is the same: overwrite in place rather than delete and re-insert.
    this.primary.set(key, next);
    this.byKey?.set(key, next);
    for (const index of this.secondary) index.replace(old, next);
    tx.recordDelete(this, old);
    tx.recordInsert(this, next);
    return next;
  }

  /** Removes a stored row from every index without recording it (used by rollback and delete). */
  remove(row: Row): void {
    const key = this.rowKey(row);
    this.primary.delete(key);
    this.byKey?.delete(key);
    for (const index of this.secondary) index.drop(row);
  }

  /** Puts a stored row back into every index without checks (used by rollback and restore). */
  restore(row: Row): void {
    const key = this.rowKey(row);
    this.primary.set(key, row);
    this.byKey?.set(key, row);
    for (const index of this.secondary) index.add(row);
  }

  /**
   * Fills an empty table from rows in primary order (a snapshot's), building the
   * primary tree and every index in bulk rather than one insert at a time.
   * @throws InternalError when the table is not empty, or the rows are not in
   * strictly ascending primary order or repeat a unique value (nothing is kept then).
   */
  restoreSorted(rows: readonly Row[]): void {
    const keys = rows.map(this.rowKey);
    loadSorted(this.primary, keys, rows);
    try {
      for (const index of this.secondary) fillIndex(index, rows);
    } catch (error) {
      this.primary.clear();
      for (const index of this.secondary) index.tree.clear(), index.lookup?.clear();
      throw error;
    }
    if (this.byKey !== undefined) for (let i = 0; i < rows.length; i++) this.byKey.set(keys[i], rows[i]!);
  }

  private checkUnique(row: Row, replacing: Row | undefined): void {
    for (const index of this.secondary) {
      if (index.tupleKeys) continue;
      const other = index.find(index.keyOf(row));
      if (other !== undefined && other !== replacing) throw this.duplicate(index.columnNames[0]!, row[index.columnNames[0]!]);
    }
  }

  private duplicate(column: string, value: unknown): ConstraintError {
    const shown = describeValue(value);
    return new ConstraintError(`${this.name}.${column}: a row with ${column} = ${shown} already exists`, { table: this.name, column, value: shown });
  }
}
