/**
 * Types derived from a module namespace (`typeof import('./x.module')`), used by
 * the client and the test database so that no code generation is needed.
 */
import type { DbOf } from './handles';
import type { ReducerDef, Schema } from './schema';
import type { AnyTableDef } from './table';
import type { Identity, ConnectionId } from './type-desc';

/** Who makes a call, for hosts that let the caller choose (the test database). */
export interface CallOptions {
  /** The caller's identity; defaults to the host's own. */
  readonly sender?: Identity;
  /** The caller's connection. */
  readonly connectionId?: ConnectionId | null;
}

type SchemaExport<M> = { [K in keyof M]: M[K] extends Schema<any> ? M[K] : never }[keyof M];

/** The table definitions of a module: `schema({ ... })`'s argument. */
export type TablesOf<M> = SchemaExport<M> extends Schema<infer T> ? T : Record<string, AnyTableDef>;

/** The `db` of a module: a handle per table, named by table name. */
export type ModuleDb<M> = DbOf<TablesOf<M>>;

/** Names of the reducers clients may call (not lifecycle or scheduled ones). */
export type CallableReducerName<M> = { [K in keyof M]: M[K] extends ReducerDef<any, 'reducer'> ? K : never }[keyof M] & string;

/** The arguments of reducer `K`. */
export type ReducerArgs<M, K extends keyof M> = M[K] extends ReducerDef<infer A, any> ? A : never;

/** One typed call function per callable reducer: resolves when committed, rejects with the reducer's error. */
export type ReducerCalls<M, Options = never> = {
  readonly [K in CallableReducerName<M>]: {} extends ReducerArgs<M, K>
    ? (args?: ReducerArgs<M, K>, ...options: [Options] extends [never] ? [] : [options?: Options]) => Promise<void>
    : (args: ReducerArgs<M, K>, ...options: [Options] extends [never] ? [] : [options?: Options]) => Promise<void>;
};
