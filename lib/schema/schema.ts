import { SchemaError } from '../errors';
import type { DbOf, ReducerContext } from './handles';
import { resolveTable, type AnyTableDef, type TableSchema } from './table';
import { fieldsOf, TypeBuilder, type BuilderMap, type InferObject } from './type-builders';
import type { FieldDesc } from './type-desc';

/** What a reducer definition is for. `scheduled` reducers run from a schedule table only. */
export type ReducerKind = 'reducer' | 'init' | 'clientConnected' | 'clientDisconnected' | 'scheduled';

/** Marks reducer definitions among a module's exports. */
export const REDUCER: unique symbol = Symbol.for('lockstep.reducer') as never;

/** Runtime facts of a reducer definition. */
export interface ReducerInfo {
  readonly kind: ReducerKind;
  readonly params: readonly FieldDesc[];
  readonly fn: (ctx: ReducerContext<any>, args: any) => unknown;
  readonly schema: Schema<any>;
  /** For `scheduled`: the schedule table's key in `schema({...})`. */
  readonly scheduleTable: AnyTableDef | undefined;
}

/**
 * A reducer as exported from a module. It is also a plain function, so a module
 * can call one reducer from another (`otherReducer(ctx, args)`) inside one transaction.
 */
export type ReducerDef<A, K extends ReducerKind = ReducerKind> = ((ctx: ReducerContext<any>, args: A) => void) & {
  readonly [REDUCER]: ReducerInfo;
  /** Phantom: argument type. */
  readonly __args?: A;
  /** Phantom: kind. */
  readonly __kind?: K;
};

/** Options of a reducer bound to a schedule table. */
export interface ScheduleOptions<TD extends AnyTableDef> {
  /** The schedule table: a row with a `t.scheduleAt()` column runs this reducer at that time. */
  readonly onSchedule: TD;
}

/**
 * What a reducer may return: anything but a Promise (or other thenable). Reducers
 * are synchronous transactions, so an `async` reducer is a type error here (and
 * refused at run time with a `DeterminismError`); the value itself is ignored.
 */
export type ReducerReturn = void | undefined | null | string | number | boolean | bigint | symbol | (object & { readonly then?: undefined });

/** The reducer function's signature for a schema. */
export type ReducerFn<T extends Record<string, AnyTableDef>, A> = (ctx: ReducerContext<DbOf<T>>, args: A) => ReducerReturn;

function define<A, K extends ReducerKind>(kind: K, schema: Schema<any>, params: BuilderMap, fn: (ctx: ReducerContext<any>, args: any) => unknown, scheduleTable?: AnyTableDef): ReducerDef<A, K> {
  if (typeof fn !== 'function') throw new SchemaError(`A ${kind} definition needs a function`);
  for (const [name, builder] of Object.entries(params)) {
    if (!(builder instanceof TypeBuilder)) throw new SchemaError(`Reducer parameter "${name}" is not a type builder (use t.*)`, { column: name });
  }
  const info: ReducerInfo = { kind, params: fieldsOf(params), fn, schema, scheduleTable };
  const callable = (ctx: ReducerContext<any>, args: A): void => void fn(ctx, args);
  return Object.assign(callable, { [REDUCER]: info }) as ReducerDef<A, K>;
}

/**
 * A module's database: its tables, and the factory of its reducers. Make one with
 * {@link schema} and export it as the module's default export.
 */
export class Schema<T extends Record<string, AnyTableDef>> {
  /** The resolved tables, in declaration order. */
  readonly tables: readonly TableSchema[];

  /**
   * The schema as a type, for {@link ReducerCtx}: `ReducerCtx<typeof spacetimedb.schemaType>`.
   * At runtime, the table definitions by key.
   */
  get schemaType(): SchemaType<T> {
    return { tables: this.tableDefs };
  }

  constructor(readonly tableDefs: T) {
    const seen = new Map<string, string>();
    this.tables = Object.entries(tableDefs).map(([key, def]) => {
      if (def === null || typeof def !== 'object' || !('columns' in def)) throw new SchemaError(`schema({...}): "${key}" is not a table (use table(...))`, { table: key });
      const name = def.options.name ?? key;
      const other = seen.get(name);
      if (other !== undefined) throw new SchemaError(`Two tables are named "${name}" (keys "${other}" and "${key}")`, { table: name });
      seen.set(name, key);
      return resolveTable(key, def);
    });
  }

  /**
   * Defines a reducer: a transaction that clients call by its export name.
   * @example
   * export const sendMessage = db.reducer({ text: t.string() }, (ctx, { text }) => {
   *   ctx.db.message.insert({ id: 0n, sender: ctx.sender, text, sent: ctx.timestamp });
   * });
   */
  reducer(fn: ReducerFn<T, {}>): ReducerDef<{}, 'reducer'>;
  reducer<P extends BuilderMap>(params: P, fn: ReducerFn<T, InferObject<P>>): ReducerDef<InferObject<P>, 'reducer'>;
  /** Defines the reducer a schedule table runs; it receives the row as `arg`. Clients cannot call it. */
  reducer<TD extends AnyTableDef, P extends BuilderMap>(options: ScheduleOptions<TD>, params: P, fn: ReducerFn<T, InferObject<P>>): ReducerDef<InferObject<P>, 'scheduled'>;
  reducer(a: unknown, b?: unknown, c?: unknown): ReducerDef<any, any> {
    if (typeof a === 'function') return define('reducer', this, {}, a as never);
    if (c !== undefined) {
      const table = (a as ScheduleOptions<AnyTableDef>).onSchedule;
      if (table === undefined || !Object.values(this.tableDefs).includes(table)) throw new SchemaError('reducer({ onSchedule }): onSchedule must be a table of this schema');
      return define('scheduled', this, b as BuilderMap, c as never, table);
    }
    return define('reducer', this, a as BuilderMap, b as never);
  }

  /** Runs once, when the database is created. */
  init(fn: ReducerFn<T, {}>): ReducerDef<{}, 'init'> {
    return define('init', this, {}, fn);
  }

  /** Runs when a client connects; throwing rejects the client. */
  clientConnected(fn: ReducerFn<T, {}>): ReducerDef<{}, 'clientConnected'> {
    return define('clientConnected', this, {}, fn);
  }

  /** Runs when a client disconnects. */
  clientDisconnected(fn: ReducerFn<T, {}>): ReducerDef<{}, 'clientDisconnected'> {
    return define('clientDisconnected', this, {}, fn);
  }
}

/**
 * Declares a module's tables. A table's accessor in `ctx.db` (and `conn.db`) is its key here;
 * its `name` option, when given, is its name in SQL.
 * Throws {@link SchemaError} for an invalid schema, naming table and column.
 * @example
 * const db = schema({ message });
 * export default db;
 */
export function schema<T extends Record<string, AnyTableDef>>(tables: T): Schema<T> {
  return new Schema(tables);
}

/** True when a module export is a reducer definition. */
export function isReducerDef(value: unknown): value is ReducerDef<unknown> {
  return typeof value === 'function' && REDUCER in value;
}

/** What {@link Schema.schemaType} is: the tables by their keys in `schema({...})`. */
export interface SchemaType<T extends Record<string, AnyTableDef> = Record<string, AnyTableDef>> {
  readonly tables: T;
}

/**
 * The reducer context of a schema, named as in SpacetimeDB, for helper functions that take `ctx`.
 * @example
 * function me(ctx: ReducerCtx<typeof spacetimedb.schemaType>) { return ctx.db.player.owner.find(ctx.sender); }
 */
export type ReducerCtx<S extends SchemaType<any>> = ReducerContext<DbOf<S['tables']>>;

/**
 * The reducer context type of a schema, for helper functions that take `ctx`.
 * @example
 * function me(ctx: ContextOf<typeof db>) { return ctx.db.player.owner.find(ctx.sender); }
 */
export type ContextOf<S> = S extends Schema<infer T> ? ReducerContext<DbOf<T>> : never;
