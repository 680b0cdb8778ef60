// Test page: a connection to `?db=<name>` with the devtools panel mounted and shown (`&tab=<tab>` first).
import { connect, type Connection } from 'lockstep';
import { mountDevtools, type DevtoolsTab } from 'lockstep/devtools';
import type * as inventory from './devtools.module';

const params = new URLSearchParams(location.search);
const status = document.getElementById('status')!;

/** Rows of a query as JSON (bigints as "5n"), for tests to compare databases. */
const dump = async (conn: Connection<typeof inventory>, sql: string): Promise<string> =>
  JSON.stringify((await conn.sql(sql)).rows, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

connect<typeof inventory>({ database: params.get('db') ?? 'devtools', worker: () => new Worker(new URL('./devtools-worker.ts', import.meta.url), { type: 'module' }) }).then(
  (conn) => {
    const devtools = mountDevtools(conn, { tab: (params.get('tab') ?? 'tables') as DevtoolsTab });
    devtools.show();
    Object.assign(window, { conn, devtools, dump: (sql: string) => dump(conn, sql) });
    status.textContent = 'ready';
  },
  (error: unknown) => void (status.textContent = `failed: ${String(error)}`),
);
