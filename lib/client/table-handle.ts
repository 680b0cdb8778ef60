/**
 * `conn.db.<table>`: synchronous reads of a {@link TableCache} and its row
 * callbacks, with one property per index (`find` on unique ones, `filter` on all).
 */
import { codecFor } from '../codec/codec';
import type { IndexStore, Row } from '../store/index-store';
import type { RowCallback, UpdateCallback } from './client-types';
import { reportError } from './report-error';
import type { TableCache, TableChanges } from './table-cache';
import { mapRows, rowForms } from '../values/row-forms';

const same = <T>(value: T): T => value;

/** The callbacks registered on one table. */
export class TableListeners {
  /** @param toApi - gives callbacks rows with value classes, as `ctx.db` does */
  constructor(private readonly toApi: (row: Row) => Row = same) {}

  readonly insert = new Set<RowCallback<Row, unknown>>();
  readonly delete = new Set<RowCallback<Row, unknown>>();
  readonly update = new Set<UpdateCallback<Row, unknown>>();

  /** Runs the callbacks for one transaction's changes: deletes, then updates, then inserts. A throwing callback is reported and the rest still run. */
  emit(ctx: unknown, changes: TableChanges): void {
    const api = this.toApi;
    if (this.delete.size > 0) {
      for (const stored of changes.deleted) {
        const row = api(stored);
        for (const cb of this.delete) call(() => cb(ctx, row));
      }
    }
    if (this.update.size > 0) {
      for (const [before, after] of changes.updated) {
        const old = api(before);
        const row = api(after);
        for (const cb of this.update) call(() => cb(ctx, old, row));
      }
    }
    if (this.insert.size > 0) {
      for (const stored of changes.inserted) {
        const row = api(stored);
        for (const cb of this.insert) call(() => cb(ctx, row));
      }
    }
  }
}

function call(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    reportError(error);
  }
}

/** Method names of a client table; an index accessor with one of these names is not attached. */
export const CLIENT_TABLE_METHODS: ReadonlySet<string> = new Set(['iter', 'count', 'onInsert', 'removeOnInsert', 'onDelete', 'removeOnDelete', 'onUpdate', 'removeOnUpdate']);

/** The runtime object behind `ClientTable` / `ClientTableWithPrimaryKey` and its index properties. */
export class ClientTableHandle implements Iterable<Row> {
  readonly #cache: TableCache;
  readonly #listeners: TableListeners;
  readonly #emptyRead: (cache: TableCache) => void;
  readonly #toApi: ((row: Row) => Row) | undefined;

  constructor(cache: TableCache, listeners: TableListeners, emptyRead: (cache: TableCache) => void) {
    this.#cache = cache;
    this.#listeners = listeners;
    this.#emptyRead = emptyRead;
    const forms = rowForms(cache.schema, true);
    this.#toApi = forms.toApi;
    cache.indexes.forEach((index, position) => {
      const accessor = index.schema.accessor;
      if (CLIENT_TABLE_METHODS.has(accessor)) {
        console.warn(`Lockstep: index "${accessor}" of table "${cache.schema.name}" is not available on conn.db.${cache.schema.name}: it would hide the table's ${accessor}() method. Rename the index.`);
        return;
      }
      const handle = indexHandle(cache, position, () => this.#read());
      Object.defineProperty(this, accessor, { value: withForms(handle, forms.key(index.schema), forms.toApi), enumerable: true });
    });
  }

  iter(): IterableIterator<Row> {
    this.#read();
    return this.#toApi === undefined ? this.#cache.rows() : mapRows(this.#cache.rows(), this.#toApi);
  }

  count(): number {
    this.#read();
    return this.#cache.entries.size;
  }

  [Symbol.iterator](): IterableIterator<Row> {
    return this.iter();
  }

  onInsert(cb: RowCallback<Row, unknown>): () => void {
    return add(this.#listeners.insert, cb);
  }

  removeOnInsert(cb: RowCallback<Row, unknown>): void {
    this.#listeners.insert.delete(cb);
  }

  onDelete(cb: RowCallback<Row, unknown>): () => void {
    return add(this.#listeners.delete, cb);
  }

  removeOnDelete(cb: RowCallback<Row, unknown>): void {
    this.#listeners.delete.delete(cb);
  }

  onUpdate(cb: UpdateCallback<Row, unknown>): () => void {
    return add(this.#listeners.update, cb);
  }

  removeOnUpdate(cb: UpdateCallback<Row, unknown>): void {
    this.#listeners.update.delete(cb);
  }

  #read(): void {
    if (this.#cache.queries === 0) this.#emptyRead(this.#cache);
  }
}

function add<F>(set: Set<F>, cb: F): () => void {
  if (typeof cb !== 'function') throw new TypeError(`A row callback must be a function, got ${typeof cb}`);
  set.add(cb);
  return () => void set.delete(cb);
}

function indexHandle(cache: TableCache, position: number, read: () => void): { filter(key: unknown): IterableIterator<Row>; find?(key: unknown): Row | null } {
  const index = cache.indexes[position]!;
  const filter = (key: unknown): IterableIterator<Row> => {
    if (cache.queries === 0) read();
    return collect(index, key);
  };
  if (!index.schema.unique || index.schema.columns.length !== 1) return { filter };
  const check = codecFor(cache.schema.columns[index.schema.columns[0]!]!.type).check;
  const lookup = cache.lookups[position];
  if (index.schema.primary ? cache.entries instanceof Map : lookup !== undefined) {
    // A JS Map matches keys strictly (1 never finds 1n), so a hit proves the key valid: check only on a miss.
    const get = index.schema.primary ? (key: unknown) => cache.byPrimaryKey(key) : (key: unknown) => lookup!.get(key);
    return {
      filter,
      find(key: unknown): Row | null {
        if (cache.queries === 0) read();
        const row = get(key);
        if (row !== undefined) return row;
        if (!check(key)) index.validate(key);
        return null;
      },
    };
  }
  // B-tree comparisons are loose (1 equals 1n): check the key first.
  return {
    filter,
    find(key: unknown): Row | null {
      if (cache.queries === 0) read();
      if (!check(key)) index.validate(key);
      return index.tree.get(key) ?? null;
    },
  };
}

/** An index handle taking keys with value classes and giving rows with them. */
function withForms(handle: { filter(key: unknown): IterableIterator<Row>; find?(key: unknown): Row | null }, key: ((k: unknown) => unknown) | undefined, toApi: ((row: Row) => Row) | undefined): object {
  if (key === undefined && toApi === undefined) return handle;
  const k = key ?? same;
  const api = toApi ?? same;
  const filter = (value: unknown): IterableIterator<Row> => (toApi === undefined ? handle.filter(k(value)) : mapRows(handle.filter(k(value)), toApi));
  const find = handle.find;
  if (find === undefined) return { filter };
  return {
    filter,
    find(value: unknown): Row | null {
      const row = find(k(value));
      return row === null ? null : api(row);
    },
  };
}

/** The rows a filter argument selects, collected at once: a walk of the leaves is several times faster than a cursor. */
function collect(index: IndexStore, key: unknown): IterableIterator<Row> {
  const { lo, hi } = index.bounds(key);
  const rows: Row[] = [];
  index.tree.forEachRange(lo, hi, (_key, row) => void rows.push(row));
  return rows.values();
}
