import { ConstraintError, describeValue } from '../errors';
import { unindexedColumn, withUniqueOnly } from './index-misuse';
import { Range } from '../schema/range';
import type { IndexStore, Row } from '../store/index-store';
import type { Store } from '../store/store';
import type { TableStore } from '../store/table-store';

/**
 * Builds `ctx.db`: one handle per table (`insert`, `delete`, `iter`, `count`,
 * iteration) with a property per index (`find`, `filter`, `delete`, `update`).
 * Each write is atomic on its own: if it throws, nothing of it remains, so a
 * reducer that catches the error can go on.
 */
export function createDbHandles(store: Store): Record<string, unknown> {
  const db: Record<string, unknown> = {};
  for (const table of store.tables.values()) db[table.name] = tableHandle(store, table);
  return Object.freeze(db);
}

function atomic<T>(store: Store, write: () => T): T {
  const tx = store.tx;
  const mark = tx.mark();
  try {
    return write();
  } catch (error) {
    tx.undoTo(mark);
    throw error;
  }
}

function tableHandle(store: Store, table: TableStore): object {
  const handle: Record<string | symbol, unknown> = {
    insert: (row: unknown): Row => atomic(store, () => table.insertPrepared(table.prepare(row, store.tx), store.tx)),
    delete: (row: Row): boolean => atomic(store, () => table.deleteRow(row, store.tx)),
    iter: (): IterableIterator<Row> => table.scan(),
    count: (): number => table.count(),
    [Symbol.iterator]: (): IterableIterator<Row> => table.scan(),
  };
  for (const [accessor, index] of table.indexes) {
    handle[accessor] = index.schema.unique ? uniqueHandle(store, table, index) : indexHandle(store, table, index);
  }
  for (const column of table.schema.columns) if (!(column.name in handle)) handle[column.name] = unindexedColumn(table.name, column.name);
  return Object.freeze(handle);
}

function uniqueHandle(store: Store, table: TableStore, index: IndexStore): object {
  const tree = index.schema.primary ? table.primary : index.tree;
  const column = index.columnNames[0]!;
  const find = index.schema.primary
    ? (key: unknown): Row | null => {
        index.validate(key);
        return table.get(key) ?? null;
      }
    : (key: unknown): Row | null => {
        index.validate(key);
        return index.find(key) ?? null;
      };
  const handle: Record<string, unknown> = {
    find,
    delete: (key: unknown): boolean => {
      const row = find(key);
      return row !== null && atomic(store, () => table.deleteRow(row, store.tx));
    },
    filter: (key: unknown): IterableIterator<Row> => {
      if (key instanceof Range) {
        const { lo, hi } = index.bounds(key);
        return tree.values(lo, hi);
      }
      const row = find(key);
      return (row === null ? [] : [row])[Symbol.iterator]();
    },
  };
  if (index.schema.primary) {
    handle.update = (row: unknown): Row =>
      atomic(store, () => {
        if (row === null || typeof row !== 'object' || (row as Row)[column] === undefined) {
          throw new ConstraintError(`${table.name}.${column}.update: the row needs its ${column}, got ${describeValue(row)}`, { table: table.name, column });
        }
        return table.update(table.prepare(row, store.tx), store.tx);
      });
  }
  return Object.freeze(handle);
}

function indexHandle(store: Store, table: TableStore, index: IndexStore): object {
  return Object.freeze(withUniqueOnly(table.name, index.schema.accessor, {
    filter: (key: unknown): IterableIterator<Row> => index.filter(key),
    delete: (key: unknown): number =>
      atomic(store, () => {
        // Collect first: deleting while walking the same index range is wasted re-seeking.
        const rows = [...index.filter(key)];
        for (const row of rows) table.deleteRow(row, store.tx);
        return rows.length;
      }),
  }));
}
