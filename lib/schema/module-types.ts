/**
 * Types derived from a module namespace (`typeof import('./x.module')`), used by
 * the client and the test database so that no code generation is needed.
 */
import type { DbOf } from './handles';
import type { ReducerDef, Schema } from './schema';
import type { AnyTableDef } from './table';
import type { ConnectionId } from '../values/connection-id';
import type { Identity } from '../values/identity';
import type { CamelCase } from './names';

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

/**
 * What a call accepts for arguments `A`: a 64- or 128-bit integer argument may also be given as a safe
 * JS integer (`amount: 1` for an i64), which is converted to a bigint before the reducer sees it.
 */
export type CallArgs<A> = { [K in keyof A]: A[K] extends bigint ? A[K] | number : A[K] };

type CallFn<M, K extends keyof M, Options> = {} extends ReducerArgs<M, K>
  ? (args?: CallArgs<ReducerArgs<M, K>>, ...options: [Options] extends [never] ? [] : [options?: Options]) => Promise<void>
  : (args: CallArgs<ReducerArgs<M, K>>, ...options: [Options] extends [never] ? [] : [options?: Options]) => Promise<void>;

/**
 * One typed call function per callable reducer: resolves when committed, rejects with the reducer's
 * error. Each is there by its export name and by its camelCase name (`send_message` and `sendMessage`).
 */
export type ReducerCalls<M, Options = never> = {
  readonly [K in CallableReducerName<M>]: CallFn<M, K, Options>;
} & {
  readonly [K in CallableReducerName<M> as Exclude<CamelCase<K>, CallableReducerName<M>>]: CallFn<M, K, Options>;
};
