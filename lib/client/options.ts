/**
 * The options of `connect()` and the one thing a connection needs from its
 * worker: something that posts and receives messages.
 */
import { ValueError } from '../errors';
import type { Durability } from '../sync/client-protocol';

/**
 * What a connection talks to: a `Worker`, a `MessagePort`, or an in-process fake
 * with the same four methods. Messages must arrive in the order they were posted.
 */
export interface MessagePortLike {
  /** Sends one message (structured-clonable data) to the host. */
  postMessage(message: unknown): void;
  /** Receives the host's messages (`'message'`, with the message as `data`) and, for a Worker, load failures (`'error'`). */
  addEventListener(type: 'message' | 'error', listener: (event: { readonly data?: unknown; readonly message?: unknown }) => void): void;
  /** Stops receiving. */
  removeEventListener(type: 'message' | 'error', listener: (event: { readonly data?: unknown; readonly message?: unknown }) => void): void;
  /** Stops the worker; called after the host has answered `close`. */
  terminate?(): void;
}

/** Options of `connect()`. */
export interface ConnectOptions {
  /** The database's name, used in messages; the worker already serves exactly this database. */
  readonly database: string;
  /**
   * Starts the worker that hosts the database. Called once per connection, which
   * owns the result and terminates it on `close()`.
   * @example
   * worker: () => new Worker(new URL('./chat.worker.ts', import.meta.url), { type: 'module' })
   */
  readonly worker: () => Worker | MessagePortLike;
  /**
   * `'confirmed'` (the default): a call resolves, and its rows reach the cache, once
   * the transaction is durable in IndexedDB. `'fast'`: as soon as it has committed in memory.
   */
  readonly durability?: Durability;
}

const KNOWN = new Set(['database', 'worker', 'durability']);

/** Throws a {@link ValueError} naming the first bad field of `connect()`'s options. */
export function checkOptions(options: unknown): asserts options is ConnectOptions {
  const fail = (message: string, column?: string): never => {
    throw new ValueError(`connect(): ${message}`, column === undefined ? {} : { column });
  };
  if (typeof options !== 'object' || options === null) fail(`expected an options object { database, worker }, got ${options === null ? 'null' : typeof options}`);
  const o = options as Record<string, unknown>;
  if (typeof o['database'] !== 'string' || o['database'] === '') {
    fail(`options.database must be the database's name (a non-empty string), got ${describe(o['database'])}`, 'database');
  }
  if (typeof o['worker'] !== 'function') {
    fail(`options.worker must be a function that starts the worker, e.g. () => new Worker(url, { type: 'module' }); got ${describe(o['worker'])}`, 'worker');
  }
  const durability = o['durability'];
  if (durability !== undefined && durability !== 'confirmed' && durability !== 'fast') {
    fail(`options.durability must be 'confirmed' or 'fast', got ${describe(durability)}`, 'durability');
  }
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) fail(`unknown option "${key}"; the options are database, worker and durability`, key);
  }
}

/** Throws unless `port` has the methods a connection uses. */
export function checkPort(port: unknown, database: string): asserts port is MessagePortLike {
  const p = port as Partial<MessagePortLike> | null;
  if (typeof p !== 'object' || p === null || typeof p.postMessage !== 'function' || typeof p.addEventListener !== 'function' || typeof p.removeEventListener !== 'function') {
    throw new ValueError(`connect() to database "${database}": options.worker() must return a Worker or an object with postMessage, addEventListener and removeEventListener; got ${port === undefined ? 'undefined' : describe(port)}`, { column: 'worker' });
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
