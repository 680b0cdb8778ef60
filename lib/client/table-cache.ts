/**
 * The rows of one table in the client cache, counted by how many active queries
 * hold each, with a real B-tree per index kept up to date row by row.
 *
 * A transaction is applied in three steps so callbacks see a net result:
 * {@link TableCache.release} every deleted row, {@link TableCache.hold} every
 * inserted row, then {@link TableCache.settle}. A row that loses its last query
 * and regains one in the same transaction is not reported as deleted; with a
 * primary key, a row whose contents changed is reported as an update.
 */
import { compareFor, type Compare } from '../codec/compare';
import type { TableSchema } from '../schema/table';
import type { TypeKind } from '../schema/type-desc';
import { BTree } from '../store/btree';
import { IndexStore, type Row } from '../store/index-store';
import type { WireRow } from '../host/client-protocol';

/** A cached row and the number of active queries that hold it. */
export interface Entry {
  row: Row;
  refs: number;
}

/** What one transaction changed in one table, net. */
export interface TableChanges {
  readonly deleted: readonly Row[];
  readonly updated: readonly (readonly [Row, Row])[];
  readonly inserted: readonly Row[];
}

/** The rows of queries on one table; `Set`s of entries say which rows each query holds. */
export type Members = Set<Entry>;

/** JS `Map` keys with value equality: a primary key of these kinds needs no B-tree. */
const MAP_KEY_KINDS: ReadonlySet<TypeKind> = new Set(['bool', 'string', 'identity', 'connectionId', 'uuid', 'i8', 'i16', 'i32', 'u8', 'u16', 'u32', 'i64', 'i128', 'i256', 'u64', 'u128', 'u256', 'timestamp', 'timeDuration']);

/** One table's cached rows and indexes. */
export class TableCache {
  /** Rows by identity: the primary-key value, or the whole row when there is no primary key. */
  readonly entries: Map<unknown, Entry> | BTree<unknown, Entry>;
  /** One index per declared index, keyed as in the engine's store. */
  readonly indexes: readonly IndexStore[];
  /** The primary-key index, which gives iteration its order; undefined without a primary key. */
  readonly primary: IndexStore | undefined;
  /** Per index: a `Map` from value to row for unique one-column indexes whose values are `Map` keys, so `find` does no comparisons. */
  readonly lookups: readonly (Map<unknown, Row> | undefined)[];
  /** Number of active queries on this table; reads warn while it is 0. */
  queries = 0;
  private readonly pkName: string | undefined;
  private readonly sameRow: Compare<Row>;
  private dropped: Entry[] = [];
  private added: Entry[] = [];
  private replaced: Map<Entry, Row> | undefined;

  constructor(readonly schema: TableSchema) {
    this.sameRow = compareFor<Row>(schema.rowType);
    const pk = schema.primaryKey === undefined ? undefined : schema.columns[schema.primaryKey];
    this.pkName = pk?.name;
    const pkName = this.pkName;
    const rowKey = pkName === undefined ? (row: Row) => row : (row: Row) => row[pkName];
    const rowKeyCompare = pk === undefined ? (this.sameRow as Compare) : compareFor(pk.type);
    this.entries = pk !== undefined && MAP_KEY_KINDS.has(pk.type.kind) ? new Map() : new BTree<unknown, Entry>(rowKeyCompare);
    this.indexes = schema.indexes.map((index) => new IndexStore(schema, index, rowKey, rowKeyCompare));
    this.primary = this.indexes.find((index) => index.schema.primary);
    this.lookups = this.indexes.map((index) => (!index.schema.primary && !index.tupleKeys && MAP_KEY_KINDS.has(schema.columns[index.schema.columns[0]!]!.type.kind) ? new Map() : undefined));
  }

  /** The identity of a row: its primary-key value, or the row itself. */
  keyOf(row: WireRow): unknown {
    return this.pkName === undefined ? row : row[this.pkName];
  }

  /** A query stops holding `row` (a delete in a diff). */
  release(members: Members, row: WireRow): void {
    const entry = this.entries.get(this.keyOf(row));
    if (entry !== undefined && members.delete(entry)) this.unref(entry);
  }

  /** Drops one query's hold on an entry; the row leaves the indexes when no query holds it. */
  unref(entry: Entry): void {
    if (--entry.refs > 0) return;
    this.unindex(entry.row);
    this.dropped.push(entry);
  }

  /** A query holds `row` (an insert in a diff). */
  hold(members: Members, wire: WireRow): void {
    const key = this.keyOf(wire);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { row: Object.freeze(wire), refs: 0 };
      this.entries.set(key, entry);
      this.index(entry.row);
      this.added.push(entry);
    } else if (this.pkName !== undefined && entry.row !== wire && this.sameRow(entry.row, wire) !== 0) {
      if (entry.refs > 0) this.unindex(entry.row);
      (this.replaced ??= new Map()).set(entry, this.replaced.get(entry) ?? entry.row);
      entry.row = Object.freeze(wire);
      this.index(entry.row);
    } else if (entry.refs === 0) {
      this.index(entry.row);
    }
    if (!members.has(entry)) {
      members.add(entry);
      entry.refs++;
    }
  }

  /** Ends the transaction: removes rows no query holds and returns what changed. */
  settle(): TableChanges {
    const deleted: Row[] = [];
    const updated: (readonly [Row, Row])[] = [];
    for (const entry of this.dropped) {
      if (entry.refs > 0) continue;
      this.entries.delete(this.keyOf(entry.row));
      deleted.push(entry.row);
    }
    const inserted = this.added.map((entry) => entry.row);
    if (this.replaced !== undefined) {
      const fresh = new Set(this.added);
      for (const [entry, old] of this.replaced) if (!fresh.has(entry)) updated.push([old, entry.row]);
      this.replaced = undefined;
    }
    this.dropped = [];
    this.added = [];
    return { deleted, updated, inserted };
  }

  /** Every row, in primary-key order or row order. */
  rows(): IterableIterator<Row> {
    return this.primary !== undefined ? this.primary.tree.values() : (this.entries as BTree<Row, Entry>).keys();
  }

  /** The row with this primary-key value, or undefined. */
  byPrimaryKey(key: unknown): Row | undefined {
    return this.entries.get(key)?.row;
  }

  private index(row: Row): void {
    const { indexes, lookups } = this;
    for (let i = 0; i < indexes.length; i++) {
      const index = indexes[i]!;
      const key = index.keyOf(row);
      index.tree.set(key, row);
      lookups[i]?.set(key, row);
    }
  }

  private unindex(row: Row): void {
    const { indexes, lookups } = this;
    for (let i = 0; i < indexes.length; i++) {
      const index = indexes[i]!;
      const key = index.keyOf(row);
      index.tree.delete(key);
      lookups[i]?.delete(key);
    }
  }
}
