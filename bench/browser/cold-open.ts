/**
 * Cold-open page: fills a Lockstep database and a packed IndexedDB baseline with
 * the same rows, and (in a fresh page each time) opens one and reads it back.
 */
import { connect } from 'lockstep';
import type * as bench from './bench.module';
import { timePackedRead, timePackedWrite } from './idb-baseline';

/** Rows per `fill` call when prepopulating. */
export const ROWS_PER_CALL = 10_000;

/** What a cold open took, in milliseconds from `connect()` being called. */
export interface OpenTiming {
  /** Until `connect()` resolved: worker started, database recovered, hello answered. */
  readonly connected: number;
  /** Until the first query, `SELECT COUNT(*)`, answered. */
  readonly answered: number;
  /** The count it answered. */
  readonly rows: number;
}

/** Fills Lockstep database `database` with `rows` rows, {@link ROWS_PER_CALL} per awaited call, and closes it; resolves with the milliseconds the calls took. */
export async function prepopulate(database: string, rows: number): Promise<number> {
  const conn = await connect<typeof bench>({ database, worker: startWorker });
  const start = performance.now();
  for (let from = 0; from < rows; from += ROWS_PER_CALL) await conn.reducers.fill({ from, count: Math.min(ROWS_PER_CALL, rows - from) });
  const ms = performance.now() - start;
  await conn.close();
  return ms;
}

/** Opens Lockstep database `database` and asks it one query; closes it afterwards. */
export async function openAndCount(database: string): Promise<OpenTiming> {
  const start = performance.now();
  const conn = await connect<typeof bench>({ database, worker: startWorker });
  const connected = performance.now() - start;
  const result = await conn.sql('SELECT COUNT(*) AS n FROM item');
  const answered = performance.now() - start;
  await conn.close();
  return { connected, answered, rows: Number(result.rows[0]?.['n']) };
}

/** Starts a worker that loads the same modules as the database's and opens nothing; resolves with the milliseconds until it answered. */
export async function bootWorker(): Promise<number> {
  const start = performance.now();
  const worker = new Worker(new URL('./boot-worker.ts', import.meta.url), { type: 'module' });
  await new Promise((resolve, reject) => {
    worker.addEventListener('message', resolve, { once: true });
    worker.addEventListener('error', () => reject(new Error('boot-worker.ts failed to load')), { once: true });
  });
  const ms = performance.now() - start;
  worker.terminate();
  return ms;
}

const startWorker = (): Worker => new Worker(new URL('./bench-worker.ts', import.meta.url), { type: 'module' });

Object.assign(window, { bench: { prepopulate, prepopulatePacked: timePackedWrite, openAndCount, openAndReadPacked: timePackedRead, bootWorker } });
