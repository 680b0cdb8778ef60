/**
 * The client cache: every table's cached rows, the queries that hold them, and
 * the application of host diffs. Callbacks run only after every table of a
 * message has been applied, so a callback reading another table sees the new state.
 */
import type { TableSchema } from '../schema/table';
import type { QueryDiff } from '../host/client-protocol';
import type { ClientEvent } from './client-types';
import { ClientTableHandle, TableListeners } from './table-handle';
import { TableCache, type Members, type TableChanges } from './table-cache';
import { rowForms } from '../values/row-forms';

/** An active query: its table (learned from its first diff) and the rows it holds. */
interface QueryState {
  table: TableCache | undefined;
  readonly members: Members;
}

/** The rows of all active queries, and `conn.db`. */
export class ClientCache {
  /** `conn.db`: a handle per table, by table name. Filled by {@link ClientCache.init}. */
  readonly db: Record<string, ClientTableHandle> = {};
  /** Subscriptions sent but not yet answered; while there are any, empty reads do not warn. */
  pendingSubscriptions = 0;
  private readonly tables = new Map<string, { readonly cache: TableCache; readonly listeners: TableListeners }>();
  private readonly queries = new Map<number, QueryState>();
  private readonly warned = new Set<string>();

  /** @param context - builds the `ctx` of callbacks for an event */
  constructor(private readonly context: (event: ClientEvent) => unknown) {}

  /** Creates the tables from the host's schema. */
  init(schemas: readonly TableSchema[]): void {
    for (const schema of schemas) {
      const cache = new TableCache(schema);
      const listeners = new TableListeners(rowForms(schema, true).toApi);
      this.tables.set(schema.name, { cache, listeners });
      this.db[schema.accessor ?? schema.name] = new ClientTableHandle(cache, listeners, (c) => this.emptyRead(c));
    }
  }

  /** Starts tracking a query, before its first rows arrive. */
  addQuery(queryId: number): void {
    this.queries.set(queryId, { table: undefined, members: new Set() });
  }

  /** True while the query is active. */
  hasQuery(queryId: number): boolean {
    return this.queries.has(queryId);
  }

  /** Applies one message's diffs to every table (deletes first, then inserts), then runs callbacks. Diffs of ended queries are ignored. */
  apply(diffs: readonly QueryDiff[], event: ClientEvent): void {
    const touched = new Set<TableCache>();
    for (const diff of diffs) {
      const query = this.resolve(diff);
      if (query === undefined) continue;
      touched.add(query.table);
      for (const row of diff.deletes) query.table.release(query.members, row);
    }
    for (const diff of diffs) {
      const query = this.resolve(diff);
      if (query === undefined) continue;
      for (const row of diff.inserts) query.table.hold(query.members, row);
    }
    this.emit(touched, event);
  }

  /** Ends queries: their rows leave the cache unless another query holds them, with `onDelete` callbacks. */
  endQueries(queryIds: readonly number[]): void {
    const touched = new Set<TableCache>();
    for (const id of queryIds) {
      const query = this.queries.get(id);
      if (query === undefined) continue;
      this.queries.delete(id);
      const table = query.table;
      if (table === undefined) continue;
      table.queries--;
      touched.add(table);
      for (const entry of query.members) table.unref(entry);
    }
    this.emit(touched, { kind: 'unsubscribeApplied' });
  }

  private resolve(diff: QueryDiff): { readonly table: TableCache; readonly members: Members } | undefined {
    const query = this.queries.get(diff.queryId);
    if (query === undefined) return undefined;
    if (query.table === undefined) {
      const table = this.tables.get(diff.table)?.cache;
      if (table === undefined) return undefined;
      query.table = table;
      table.queries++;
    }
    return query as { readonly table: TableCache; readonly members: Members };
  }

  private emit(touched: ReadonlySet<TableCache>, event: ClientEvent): void {
    const changes: [TableListeners, TableChanges][] = [];
    for (const cache of touched) changes.push([this.tables.get(cache.schema.name)!.listeners, cache.settle()]);
    let ctx: unknown;
    for (const [listeners, change] of changes) listeners.emit((ctx ??= this.context(event)), change);
  }

  private emptyRead(cache: TableCache): void {
    const name = cache.schema.name;
    if (this.pendingSubscriptions > 0 || this.warned.has(name)) return;
    this.warned.add(name);
    console.warn(
      cache.schema.public
        ? `Lockstep: conn.db.${name} was read, but no subscription covers table "${name}", so it is empty and will not update. Subscribe first: conn.subscribe('SELECT * FROM ${name}').`
        : `Lockstep: conn.db.${name} was read, but table "${name}" is private: clients cannot subscribe to it, so it stays empty. Declare it with table({ name: '${name}', public: true }, ...) to read it here.`,
    );
  }
}
