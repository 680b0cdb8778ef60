import { createContext, createElement, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { DbConnectionBuilder } from '../client/builder';
import type { ClientDb } from '../client/client-types';
import type { Connection } from '../client/connection';
import type { ReducerCalls } from '../schema/module-types';
import type { Identity } from '../values/identity';
import { tableStore, whenReady } from './table-store';

/** What {@link useSpacetimeDB} gives: the connection's state, as in `spacetimedb/react`. */
export interface ConnectionState<M = unknown> {
  /** True once the host has answered. */
  readonly isActive: boolean;
  /** This browser's identity, once active. */
  readonly identity: Identity | undefined;
  /** Why the connection could not open, if it could not. */
  readonly connectionError: Error | undefined;
  /** The connection (calls made before it is active wait for it). */
  getConnection(): Connection<M>;
}

const Context = createContext<ConnectionState<any> | undefined>(undefined);

/** Props of {@link SpacetimeDBProvider}. */
export interface SpacetimeDBProviderProps<M> {
  /** Built once, when the provider mounts. */
  readonly connectionBuilder: DbConnectionBuilder<M>;
  readonly children?: ReactNode;
}

/** Opens the connection of `connectionBuilder` and gives it to the hooks below it. */
export function SpacetimeDBProvider<M>({ connectionBuilder, children }: SpacetimeDBProviderProps<M>): ReactNode {
  const conn = useMemo(() => connectionBuilder.build(), [connectionBuilder]);
  const [state, setState] = useState<{ isActive: boolean; connectionError: Error | undefined }>({ isActive: false, connectionError: undefined });
  useEffect(() => {
    let live = true;
    whenReady(conn).then(
      () => live && setState({ isActive: true, connectionError: undefined }),
      (error: unknown) => live && setState({ isActive: false, connectionError: error as Error }),
    );
    return () => {
      live = false;
    };
  }, [conn]);
  const value = useMemo<ConnectionState<M>>(() => ({ ...state, identity: state.isActive ? conn.identity : undefined, getConnection: () => conn }), [state, conn]);
  return createElement(Context.Provider, { value }, children);
}

/** The connection state of the nearest {@link SpacetimeDBProvider}; throws outside one. */
export function useSpacetimeDB<M = unknown>(): ConnectionState<M> {
  const state = useContext(Context);
  if (state === undefined) throw new Error('useSpacetimeDB: no SpacetimeDBProvider above this component; wrap the app in <SpacetimeDBProvider connectionBuilder={...}>');
  return state as ConnectionState<M>;
}

/** Options of {@link useTable}. */
export interface UseTableOptions<Row> {
  /** The subscription's SQL; default `SELECT * FROM <the table's SQL name>`. */
  readonly sql?: string;
  /** Keeps only these rows (use it with a `sql` that has a WHERE). */
  readonly where?: (row: Row) => boolean;
}

type RowOfTable<M, K extends keyof ClientDb<M>> = ClientDb<M>[K] extends Iterable<infer R> ? R : never;

/**
 * Subscribes to a table (by its key in `schema({...})`) while the component is mounted and
 * re-renders with its rows: `[rows, isLoading]`.
 */
export function useTable<M, K extends keyof ClientDb<M> & string>(accessor: K, options: UseTableOptions<RowOfTable<M, K>> = {}): readonly [readonly RowOfTable<M, K>[], boolean] {
  const conn = useSpacetimeDB<M>().getConnection();
  const store = useMemo(() => tableStore<RowOfTable<M, K>>(conn, accessor, options.sql, options.where), [conn, accessor, options.sql, options.where]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** A reducer of the connection, by export or camelCase name: `useReducer('sendMessage')({ text })`. */
export function useReducer<M, K extends keyof ReducerCalls<M> & string>(name: K): ReducerCalls<M>[K] {
  const conn = useSpacetimeDB<M>().getConnection();
  // conn.reducers is filled once the host has described the module: wait for that first.
  return useMemo(() => (async (args?: unknown) => {
    await whenReady(conn);
    return (conn.reducers as unknown as Record<string, (a?: unknown) => Promise<void>>)[name]!(args);
  }) as ReducerCalls<M>[K], [conn, name]);
}
