/**
 * The types of `ctx.db` inside reducers, derived from the schema. Types only;
 * the engine implements them.
 */
import type { Range } from './range';
import type { AnyTableDef, ColumnValue, IndexOption, InsertOf, PrimaryKeyColumn, RowOf, TableDef, UniqueColumns, IndexedColumns } from './table';
import type { BuilderMap } from './type-builders';
import type { ConnectionId } from '../values/connection-id';
import type { Identity } from '../values/identity';
import type { Timestamp } from '../values/time';
import type { Uuid } from '../values/uuid';

/** Whole-table operations. Iterating a table yields rows in a order fixed by its contents. */
export interface TableHandle<Row, Insert = Row> extends Iterable<Row> {
  /** Inserts a row and returns it with autoInc and default values filled in. Throws on a duplicate key. */
  insert(row: Insert): Row;
  /** Deletes the row equal to `row`; false when there is none. */
  delete(row: Row): boolean;
  /** All rows. Safe to delete or insert while iterating. */
  iter(): IterableIterator<Row>;
  /** The number of rows, in O(1). */
  count(): number;
}

/** Lookups on a primary-key or unique column. */
export interface UniqueIndexHandle<Row, K> {
  /** The row with this key, or `null`. */
  find(key: K): Row | null;
  /** Deletes the row with this key; false when there is none. */
  delete(key: K): boolean;
  /** Rows whose key lies in the range (or equals the value), in key order. */
  filter(key: K | Range<K>): IterableIterator<Row>;
}

/** A primary key also updates rows in place. */
export interface PrimaryKeyHandle<Row, K> extends UniqueIndexHandle<Row, K> {
  /** Replaces the row that has `row`'s primary key; throws when there is none. Returns the stored row. */
  update(row: Row): Row;
}

/** A non-unique B-tree index. */
export interface IndexHandle<Row, K> {
  /** Rows whose key equals the value or lies in the range, in key order. */
  filter(key: K): IterableIterator<Row>;
  /** Deletes the rows `filter(key)` yields; returns how many. */
  delete(key: K): number;
}

type Keyed<T> = T | Range<T>;
type TupleKeys<C extends BuilderMap, Cols extends readonly unknown[]> = Cols extends readonly [infer H extends keyof C, ...infer R]
  ? readonly [Keyed<ColumnValue<C, H>>] | (R extends readonly [] ? never : readonly [ColumnValue<C, H>, ...TupleKeys<C, R>])
  : never;
/** What a multi-column index accepts: the first column's value or range, or a prefix of values ending in a value or range. */
export type MultiKey<C extends BuilderMap, Cols extends readonly unknown[]> =
  | (Cols extends readonly [infer H extends keyof C, ...unknown[]] ? Keyed<ColumnValue<C, H>> : never)
  | TupleKeys<C, Cols>;

/** The handle of one table: `ctx.db.<table>`, with a property per index. */
export type TableHandleOf<TD> =
  TD extends TableDef<any, infer C, infer I>
    ? TableHandle<RowOf<C>, InsertOf<C>> & {
        readonly [K in UniqueColumns<C>]: K extends PrimaryKeyColumn<C> ? PrimaryKeyHandle<RowOf<C>, ColumnValue<C, K>> : UniqueIndexHandle<RowOf<C>, ColumnValue<C, K>>;
      } & { readonly [K in IndexedColumns<C>]: IndexHandle<RowOf<C>, Keyed<ColumnValue<C, K>>> } & {
        // A table declared inline in schema({...}) without `indexes` infers I as IndexOption[]; its `string` accessor is no index.
        readonly [X in I[number] as string extends X['accessor'] ? never : X['accessor']]: IndexHandle<RowOf<C>, MultiKey<C, X['columns']>>;
      }
    : never;

/** The accessor of a table in `ctx.db` and `conn.db`: its key in `schema({...})` (its `name` option is its SQL name). */
export type TableAccessor<K, _TD = unknown> = K & string;

/** The type of `ctx.db` for a schema's tables. */
export type DbOf<T extends Record<string, AnyTableDef>> = { readonly [K in keyof T as TableAccessor<K, T[K]>]: TableHandleOf<T[K]> };

/** Deterministic random numbers, seeded by the authority for each call. */
export interface Random {
  /** A float in [0, 1), like `Math.random()`. */
  (): number;
  /** A uniformly random unsigned 32-bit integer. */
  uint32(): number;
  /** A uniformly random integer in [min, max], both included. */
  integerInRange(min: number, max: number): number;
  /** Fills an integer typed array with random values and returns it. */
  fill<A extends Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array>(array: A): A;
}

/** The module log, also reached through `console.*` inside reducers. */
export interface ModuleLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** What a reducer knows of its caller's authentication (SpacetimeDB's `AuthCtx`). */
export interface AuthCtx {
  /** True for calls the database makes itself: init, lifecycle and scheduled reducers. */
  readonly isInternal: boolean;
  /** Always false in Lockstep: callers prove a key pair, not a JWT. */
  readonly hasJWT: boolean;
  /** Always null in Lockstep. */
  readonly jwt: null;
}

/** What a reducer sees besides its arguments. Everything here is the same on every replica. */
export interface ReducerContext<DB = unknown> {
  /** The tables, by their keys in `schema({...})`. */
  readonly db: DB;
  /** The verified identity of the caller. */
  readonly sender: Identity;
  /** The identity of the database (its authority's module identity). */
  readonly databaseIdentity: Identity;
  /** Same as {@link ReducerContext.databaseIdentity} (SpacetimeDB's older name). */
  readonly identity: Identity;
  /** The caller's connection, or null for scheduled and internal calls. */
  readonly connectionId: ConnectionId | null;
  /** The call's time, stamped by the authority. Use it instead of `Date.now()` or `Timestamp.now()`. */
  readonly timestamp: Timestamp;
  /** How the caller authenticated. */
  readonly senderAuth: AuthCtx;
  /** Deterministic randomness: use instead of `Math.random()`. */
  readonly random: Random;
  /** A random (version 4) UUID from `random`. */
  newUuidV4(): Uuid;
  /** A time-ordered (version 7) UUID from `timestamp` and `random`. */
  newUuidV7(): Uuid;
  /** The module log. */
  readonly log: ModuleLogger;
}

/** Re-exported for convenience where index options are spelled. */
export type { IndexOption };
