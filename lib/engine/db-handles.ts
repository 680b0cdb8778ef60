import { ConstraintError, describeValue } from '../errors';
import { unindexedColumn, withUniqueOnly } from './index-misuse';
import { Range } from '../schema/range';
import type { IndexStore, Row } from '../store/index-store';
import type { Store } from '../store/store';
import type { TableStore } from '../store/table-store';
import { mapRows, rowForms, type RowForms } from '../values/row-forms';

/**
 * Builds `ctx.db`: one handle per table (`insert`, `delete`, `iter`, `count`,
 * iteration) with a property per index (`find`, `filter`, `delete`, `update`),
 * by the table's key in `schema({...})`. Rows go in and come out with value
 * classes (`Identity`, `Timestamp`…) and are stored in plain form.
 * Each write is atomic on its own: if it throws, nothing of it remains, so a
 * reducer that catches the error can go on.
 */
export function createDbHandles(store: Store): Record<string, unknown> {
  const db: Record<string, unknown> = {};
  for (const table of store.tables.values()) db[table.schema.accessor ?? table.name] = tableHandle(store, table);
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

const same = <T>(value: T): T => value;

/** The conversions a handle applies, with identities where the table needs none. */
interface Forms {
  readonly stored: (row: unknown) => unknown;
  readonly api: (row: Row) => Row;
  readonly rows: (rows: IterableIterator<Row>) => IterableIterator<Row>;
  readonly forms: RowForms;
}

function formsOf(table: TableStore): Forms {
  const forms = rowForms(table.schema);
  const api = forms.toApi;
  return { stored: forms.toStored ?? same, api: api ?? same, rows: api === undefined ? same : (rows) => mapRows(rows, api), forms };
}

function tableHandle(store: Store, table: TableStore): object {
  const f = formsOf(table);
  const handle: Record<string | symbol, unknown> = {
    insert: (row: unknown): Row => f.api(atomic(store, () => table.insertPrepared(table.prepare(f.stored(row), store.tx), store.tx))),
    delete: (row: Row): boolean => atomic(store, () => table.deleteRow(f.stored(row) as Row, store.tx)),
    iter: (): IterableIterator<Row> => f.rows(table.scan()),
    count: (): number => table.count(),
    [Symbol.iterator]: (): IterableIterator<Row> => f.rows(table.scan()),
  };
  for (const [accessor, index] of table.indexes) {
    const key = f.forms.key(index.schema) ?? same;
    handle[accessor] = index.schema.unique ? uniqueHandle(store, table, index, f, key) : indexHandle(store, table, index, f, key);
  }
  for (const column of table.schema.columns) if (!(column.name in handle)) handle[column.name] = unindexedColumn(table.name, column.name);
  return Object.freeze(handle);
}

function uniqueHandle(store: Store, table: TableStore, index: IndexStore, f: Forms, key: (k: unknown) => unknown): object {
  const tree = index.schema.primary ? table.primary : index.tree;
  const column = index.columnNames[0]!;
  const findStored = index.schema.primary
    ? (k: unknown): Row | null => {
        index.validate(k);
        return table.get(k) ?? null;
      }
    : (k: unknown): Row | null => {
        index.validate(k);
        return index.find(k) ?? null;
      };
  const handle: Record<string, unknown> = {
    find: (k: unknown): Row | null => {
      const row = findStored(key(k));
      return row === null ? null : f.api(row);
    },
    delete: (k: unknown): boolean => {
      const row = findStored(key(k));
      return row !== null && atomic(store, () => table.deleteRow(row, store.tx));
    },
    filter: (k: unknown): IterableIterator<Row> => {
      const stored = key(k);
      if (stored instanceof Range) {
        const { lo, hi } = index.bounds(stored);
        return f.rows(tree.values(lo, hi));
      }
      const row = findStored(stored);
      return (row === null ? [] : [f.api(row)])[Symbol.iterator]();
    },
  };
  if (index.schema.primary) {
    handle.update = (row: unknown): Row =>
      f.api(
        atomic(store, () => {
          if (row === null || typeof row !== 'object' || (row as Row)[column] === undefined) {
            throw new ConstraintError(`${table.name}.${column}.update: the row needs its ${column}, got ${describeValue(row)}`, { table: table.name, column });
          }
          return table.update(table.prepare(f.stored(row), store.tx), store.tx);
        }),
      );
  }
  return Object.freeze(handle);
}

function indexHandle(store: Store, table: TableStore, index: IndexStore, f: Forms, key: (k: unknown) => unknown): object {
  return Object.freeze(withUniqueOnly(table.name, index.schema.accessor, {
    filter: (k: unknown): IterableIterator<Row> => f.rows(index.filter(key(k))),
    delete: (k: unknown): number =>
      atomic(store, () => {
        // Collect first: deleting while walking the same index range is wasted re-seeking.
        const rows = [...index.filter(key(k))];
        for (const row of rows) table.deleteRow(row, store.tx);
        return rows.length;
      }),
  }));
}
