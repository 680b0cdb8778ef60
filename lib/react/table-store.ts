/**
 * The state behind `useTable`: a subscription to one table and a snapshot of its rows that
 * changes identity only when the rows change, as `useSyncExternalStore` needs. No React here.
 */
import type { Connection } from '../client/connection';
import { reportError } from '../client/report-error';
import type { SubscriptionHandle } from '../client/subscription';

/** A table's rows and whether its subscription has delivered them yet. */
export type TableSnapshot<Row> = readonly [rows: readonly Row[], isLoading: boolean];

/** What a table store reads of `conn.db.<table>`. */
interface ObservedTable<Row> {
  iter(): Iterable<Row>;
  onInsert(cb: (ctx: unknown, row: Row) => void): () => void;
  onDelete(cb: (ctx: unknown, row: Row) => void): () => void;
  onUpdate?(cb: (ctx: unknown, old: Row, row: Row) => void): () => void;
}

/** A store for `useSyncExternalStore`: `subscribe(listener)` starts the query, `getSnapshot()` reads. */
export interface TableStore<Row> {
  subscribe(listener: () => void): () => void;
  getSnapshot(): TableSnapshot<Row>;
}

/** Resolves once the connection is up (at once for a connection that has no `ready`). */
export function whenReady(conn: Connection<any>): Promise<void> {
  return (conn as { readonly ready?: Promise<void> }).ready ?? Promise.resolve();
}

/**
 * Subscribes while anyone listens (once the connection is up) and keeps the rows of
 * `conn.db[accessor]` that the subscription holds.
 * @param sql - the subscription; default `SELECT * FROM <the table's SQL name>`
 * @param filter - keeps only the rows the query selects (the cache also holds other queries' rows)
 */
export function tableStore<Row>(conn: Connection<any>, accessor: string, sql?: string, filter: (row: Row) => boolean = () => true): TableStore<Row> {
  let snapshot: TableSnapshot<Row> = [[], true];
  let handle: SubscriptionHandle | undefined;
  let offs: (() => void)[] = [];
  const listeners = new Set<() => void>();
  const emit = (): void => {
    for (const listener of listeners) listener();
  };
  const start = (): void => {
    if (listeners.size === 0 || handle !== undefined) return;
    const table = (conn.db as unknown as Record<string, ObservedTable<Row> | undefined>)[accessor];
    if (table === undefined) {
      snapshot = [[], false];
      emit();
      throw new Error(`useTable: the module has no table "${accessor}" (tables are reached by their key in schema({...}))`);
    }
    const refresh = (): void => {
      snapshot = [[...table.iter()].filter(filter), handle?.active !== true];
      emit();
    };
    offs = [table.onInsert(refresh), table.onDelete(refresh), ...(table.onUpdate === undefined ? [] : [table.onUpdate(refresh)])];
    const name = conn.describe().tables.find((t) => (t.accessor ?? t.name) === accessor)?.name ?? accessor;
    handle = conn.subscribe(sql ?? `SELECT * FROM ${name}`);
    handle.applied.then(refresh, refresh);
  };
  return {
    subscribe(listener) {
      listeners.add(listener);
      // A connection that fails to open reports through onConnectError; a missing table is reported here.
      if (listeners.size === 1) whenReady(conn).then(start, () => {}).catch(reportError);
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        for (const off of offs) off();
        offs = [];
        handle?.unsubscribe();
        handle = undefined;
        snapshot = [[], true];
      };
    },
    getSnapshot: () => snapshot,
  };
}
