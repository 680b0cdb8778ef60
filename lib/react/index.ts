/**
 * `lockstep/react`: SpacetimeDB's React hooks over a Lockstep connection. React is an optional
 * peer dependency of this entry only.
 * @example
 * const builder = DbConnection.builder<typeof chat>().withDatabaseName('chat').withWorker(makeWorker);
 * root.render(createElement(SpacetimeDBProvider, { connectionBuilder: builder }, createElement(App)));
 * // in App:
 * const [messages, isLoading] = useTable<typeof chat, 'message'>('message');
 * const sendMessage = useReducer<typeof chat, 'sendMessage'>('sendMessage');
 */
export { SpacetimeDBProvider, useSpacetimeDB, useTable, useReducer } from './hooks';
export type { SpacetimeDBProviderProps, ConnectionState, UseTableOptions } from './hooks';
export { tableStore } from './table-store';
export type { TableStore, TableSnapshot } from './table-store';
