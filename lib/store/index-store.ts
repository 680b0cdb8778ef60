import { compareFor, compareTuples, MAX_KEY, MIN_KEY } from '../codec/compare';
import { codecFor } from '../codec/codec';
import { Range } from '../schema/range';
import type { IndexSchema, TableSchema } from '../schema/table';
import type { TypeKind } from '../schema/type-desc';
import { BTree, type Bound } from './btree';

/** True for kinds whose JS values are primitives a `Map` can key by value. */
export function isHashable(kind: TypeKind): boolean {
  return kind !== 'bytes' && kind !== 'scheduleAt' && kind !== 'option' && kind !== 'array' && kind !== 'object' && kind !== 'enum';
}

/** A stored row: a frozen plain object with the table's columns in order. */
export type Row = Readonly<Record<string, unknown>>;

type Comparator = (a: unknown, b: unknown) => number;

/** Keys and bounds for a B-tree: either the value itself (unique) or a tuple `[...values, primaryKey]`. */
export interface KeyBounds {
  readonly lo: Bound<unknown> | undefined;
  readonly hi: Bound<unknown> | undefined;
}

/**
 * One index of a table. Unique single-column indexes key rows by the column
 * value; every other index keys them by `[...columns, rowKey]`, which makes
 * keys distinct and orders equal values by the table's primary order.
 */
export class IndexStore {
  readonly tree: BTree<unknown, Row>;
  /** Unique indexes over a primitive column also keep a hash map: `find` in O(1). */
  readonly lookup: Map<unknown, Row> | undefined;
  readonly columnNames: readonly string[];
  readonly tupleKeys: boolean;
  /** The order of each indexed column's values. */
  readonly columnCompares: readonly Comparator[];
  /** Per column: an allocation-free check, and the full validation that explains a failure. */
  private readonly validators: readonly ((value: unknown) => void)[];

  constructor(
    readonly table: TableSchema,
    readonly schema: IndexSchema,
    private readonly rowKey: (row: Row) => unknown,
    rowKeyCompare: Comparator,
  ) {
    const columns = schema.columns.map((p) => table.columns[p]!);
    this.columnNames = columns.map((c) => c.name);
    this.columnCompares = columns.map((c) => compareFor(c.type) as Comparator);
    this.validators = columns.map((c) => {
      const codec = codecFor(c.type);
      const path = `${table.name}.${c.name}`;
      return (v: unknown) => {
        if (!codec.check(v)) codec.validate(v, path);
      };
    });
    this.tupleKeys = !(schema.unique && columns.length === 1);
    const compare = this.tupleKeys ? compareTuples([...columns.map((c) => compareFor(c.type)), rowKeyCompare]) : compareFor(columns[0]!.type);
    this.tree = new BTree<unknown, Row>(compare as Comparator);
    this.lookup = !this.tupleKeys && isHashable(columns[0]!.type.kind) ? new Map() : undefined;
  }

  /** Adds a stored row to the index. */
  add(row: Row): void {
    const key = this.keyOf(row);
    this.tree.set(key, row);
    this.lookup?.set(key, row);
  }

  /** Moves the index from `old` to `next`, in place when the indexed values did not change (an update). */
  replace(old: Row, next: Row): void {
    for (let i = 0; i < this.columnNames.length; i++) {
      const name = this.columnNames[i]!;
      if (this.columnCompares[i]!(old[name], next[name]) !== 0) {
        this.drop(old);
        this.add(next);
        return;
      }
    }
    // Same key (the primary key never changes in an update): overwrite the value.
    const key = this.keyOf(next);
    this.tree.set(key, next);
    this.lookup?.set(key, next);
  }

  /** Removes a stored row from the index. */
  drop(row: Row): void {
    const key = this.keyOf(row);
    this.tree.delete(key);
    this.lookup?.delete(key);
  }

  /** The row with this value of a unique index. */
  find(value: unknown): Row | undefined {
    return this.lookup !== undefined ? this.lookup.get(value) : this.tree.get(value);
  }

  /** The key this index stores `row` under. */
  keyOf(row: Row): unknown {
    if (!this.tupleKeys) return row[this.columnNames[0]!];
    const key: unknown[] = [];
    for (const name of this.columnNames) key.push(row[name]);
    key.push(this.rowKey(row));
    return key;
  }

  /** Validates a lookup value for column `i` of this index (a ValueError names `table.column`). */
  validate(value: unknown, i = 0): void {
    this.validators[i]!(value);
  }

  /**
   * Turns a `filter` / `delete` argument into tree bounds: a value, a {@link Range},
   * or for multi-column indexes a tuple of leading values ending in a value or range.
   */
  bounds(arg: unknown): KeyBounds {
    const parts = this.columnNames.length > 1 && Array.isArray(arg) ? (arg as unknown[]) : [arg];
    if (parts.length === 0 || parts.length > this.columnNames.length) {
      throw new RangeError(`Index ${this.table.name}.${this.schema.accessor} takes 1 to ${this.columnNames.length} key parts, got ${parts.length}`);
    }
    const prefix = parts.slice(0, -1);
    prefix.forEach((v, i) => this.validate(v, i));
    const last = parts[parts.length - 1];
    const at = parts.length - 1;
    if (!this.tupleKeys) {
      if (!(last instanceof Range)) {
        this.validate(last, 0);
        return { lo: { key: last, inclusive: true }, hi: { key: last, inclusive: true } };
      }
      return {
        lo: last.from.tag === 'unbounded' ? undefined : (this.validate(last.from.value), { key: last.from.value, inclusive: last.from.tag === 'included' }),
        hi: last.to.tag === 'unbounded' ? undefined : (this.validate(last.to.value), { key: last.to.value, inclusive: last.to.tag === 'included' }),
      };
    }
    if (!(last instanceof Range)) {
      this.validate(last, at);
      return { lo: { key: [...prefix, last, MIN_KEY], inclusive: true }, hi: { key: [...prefix, last, MAX_KEY], inclusive: true } };
    }
    const lo = last.from.tag === 'unbounded' ? [...prefix, MIN_KEY] : (this.validate(last.from.value, at), [...prefix, last.from.value, last.from.tag === 'included' ? MIN_KEY : MAX_KEY]);
    const hi = last.to.tag === 'unbounded' ? [...prefix, MAX_KEY] : (this.validate(last.to.value, at), [...prefix, last.to.value, last.to.tag === 'included' ? MAX_KEY : MIN_KEY]);
    return { lo: { key: lo, inclusive: true }, hi: { key: hi, inclusive: true } };
  }

  /** Rows matching a `filter` argument, in index order. */
  filter(arg: unknown): IterableIterator<Row> {
    const { lo, hi } = this.bounds(arg);
    return this.tree.values(lo, hi);
  }
}
