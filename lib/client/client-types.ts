/**
 * The types of `conn.db`, derived from the module's table definitions (no code
 * generation): read-only tables with `find` on unique columns, `filter` on
 * indexes, and row callbacks. Types only; `table-handle.ts` implements them.
 */
import type { MultiKey, TableAccessor } from '../schema/handles';
import type { ReducerCalls, TablesOf } from '../schema/module-types';
import type { Range } from '../schema/range';
import type { ColumnValue, IndexedColumns, PrimaryKeyColumn, RowOf, TableDef, UniqueColumns } from '../schema/table';
import type { Identity } from '../values/identity';
import type { Timestamp } from '../values/time';

/** Why rows changed in the client cache. */
export type ClientEvent =
  | {
      /** A committed transaction: a reducer call, scheduled run or lifecycle reducer. */
      readonly kind: 'reducer';
      /** The reducer's name. */
      readonly reducer: string;
      /** This connection's number for the call when it made the call, else undefined. */
      readonly callId: number | undefined;
      /** True when this connection made the call. */
      readonly own: boolean;
      /** The verified identity of the caller. */
      readonly sender: Identity;
      /** The call's time. */
      readonly timestamp: Timestamp;
      /** The transaction's position in the database's log. */
      readonly seq: number;
    }
  /** The first rows of a new subscription. */
  | { readonly kind: 'subscribeApplied' }
  /** A subscription ended (unsubscribe or error) and took its rows with it. */
  | { readonly kind: 'unsubscribeApplied' }
  /**
   * This tab's state moved (it became the leader, or resynced from the leader's
   * state): the rows that differ between the old and the new state.
   */
  | { readonly kind: 'refresh' };

/** What row callbacks receive besides the rows. */
export interface EventContext<M = unknown> {
  /** What happened. */
  readonly event: ClientEvent;
  /** The client cache, already holding the whole transaction. */
  readonly db: ClientDb<M>;
  /** The connection's reducers, to react with a call. */
  readonly reducers: ReducerCalls<M>;
}

/** A callback for inserted or deleted rows. */
export type RowCallback<Row, Ctx = EventContext> = (ctx: Ctx, row: Row) => void;
/** A callback for a row replaced by another with the same primary key. */
export type UpdateCallback<Row, Ctx = EventContext> = (ctx: Ctx, oldRow: Row, newRow: Row) => void;

/**
 * A table of the client cache: the rows of the connection's subscriptions.
 * Reads are synchronous; callbacks run after a whole transaction is applied.
 */
export interface ClientTable<Row, Ctx = EventContext> extends Iterable<Row> {
  /** Every cached row, in primary-key order (or row order without one). */
  iter(): IterableIterator<Row>;
  /** The number of cached rows, in O(1). */
  count(): number;
  /** Calls `cb` for each row that enters the cache; returns a function that removes it. */
  onInsert(cb: RowCallback<Row, Ctx>): () => void;
  /** Stops calling `cb` on inserts. */
  removeOnInsert(cb: RowCallback<Row, Ctx>): void;
  /** Calls `cb` for each row that leaves the cache; returns a function that removes it. */
  onDelete(cb: RowCallback<Row, Ctx>): () => void;
  /** Stops calling `cb` on deletes. */
  removeOnDelete(cb: RowCallback<Row, Ctx>): void;
}

/** A table with a primary key also reports updates: a delete and an insert of one key in one transaction. */
export interface ClientTableWithPrimaryKey<Row, Ctx = EventContext> extends ClientTable<Row, Ctx> {
  /** Calls `cb` when a row is replaced; returns a function that removes it. */
  onUpdate(cb: UpdateCallback<Row, Ctx>): () => void;
  /** Stops calling `cb` on updates. */
  removeOnUpdate(cb: UpdateCallback<Row, Ctx>): void;
}

/** Lookups on a primary-key or unique column of the cache. */
export interface ClientUniqueIndex<Row, K> {
  /** The cached row with this key, or `null`. */
  find(key: K): Row | null;
  /** Cached rows whose key equals the value or lies in the range, in key order. */
  filter(key: K | Range<K>): IterableIterator<Row>;
}

/** A non-unique index of the cache. */
export interface ClientIndex<Row, K> {
  /** Cached rows whose key equals the value or lies in the range (multi-column: a prefix ending in a value or range), in key order. */
  filter(key: K): IterableIterator<Row>;
}

type Keyed<T> = T | Range<T>;

/** The client handle of one table definition. */
export type ClientTableOf<TD, Ctx = EventContext> =
  TD extends TableDef<any, infer C, infer I>
    ? ([PrimaryKeyColumn<C>] extends [never] ? ClientTable<RowOf<C>, Ctx> : ClientTableWithPrimaryKey<RowOf<C>, Ctx>) & {
        readonly [K in UniqueColumns<C>]: ClientUniqueIndex<RowOf<C>, ColumnValue<C, K>>;
      } & { readonly [K in IndexedColumns<C>]: ClientIndex<RowOf<C>, Keyed<ColumnValue<C, K>>> } & {
        readonly [X in I[number] as string extends X['accessor'] ? never : X['accessor']]: ClientIndex<RowOf<C>, MultiKey<C, X['columns']>>;
      }
    : never;

/**
 * `conn.db` for a module: one read-only table per table of its schema, named like
 * `ctx.db` in reducers.
 * @example
 * const conn = await connect<typeof chat>({ database: 'chat', worker });
 * conn.db.message.id.find(1n); // typed row | null
 */
export type ClientDb<M> = {
  readonly [K in keyof TablesOf<M> as TableAccessor<K, TablesOf<M>[K]>]: ClientTableOf<TablesOf<M>[K], EventContext<M>>;
};
