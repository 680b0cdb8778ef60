/**
 * The options of `connect()` and the one thing a connection needs from its
 * worker: something that posts and receives messages.
 */
import { ValueError } from '../errors';
import type { Signaling } from '../signal/signaling';
import type { Identity } from '../schema/type-desc';
import type { Durability } from '../host/client-protocol';

/** The `RTCConfiguration` fields a room uses (spelled out so worker code, which has no WebRTC types, can import this). */
export interface RtcConfig {
  readonly iceServers?: readonly { readonly urls: string | readonly string[]; readonly username?: string; readonly credential?: string }[];
  readonly iceTransportPolicy?: 'all' | 'relay';
}

/** `connect({ peers })`: share the database with other browsers in a room, over WebRTC. */
export interface PeersOption {
  /** The room's name: every browser that joins it shares this database. */
  readonly room: string;
  /**
   * How peers find each other: `websocketSignaling(url)` (the relay that `npm run demo`
   * serves at `/lockstep-signal`), `broadcastSignaling()` (same browser), or `manualSignaling()`.
   * A function: each time this tab starts leading its browser, it joins with a new one.
   */
  readonly signaling: () => Signaling;
  /** The authority's identity, when the app names it; by default the browser that created the room is. */
  readonly authority?: Identity;
  /** Passed to `RTCPeerConnection` (an `RTCConfiguration`); default `{ iceServers: [] }` (host candidates: same machine or LAN). */
  readonly rtcConfig?: RtcConfig;
}

/**
 * What a connection talks to: a `Worker`, a `MessagePort`, or an in-process fake
 * with the same four methods. Messages must arrive in the order they were posted.
 */
export interface MessagePortLike {
  /** Sends one message (structured-clonable data) to the host, transferring `transfer` (the connection's ports). */
  postMessage(message: unknown, transfer?: Transferable[]): void;
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
  /**
   * Shares the database with other browsers in a room: the leading tab of each
   * browser joins it; the room's authority orders every call, the others replay
   * its signed log (see the README's "Peers").
   */
  readonly peers?: PeersOption;
}

const KNOWN = new Set(['database', 'worker', 'durability', 'peers']);

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
  const peers = o['peers'] as Record<string, unknown> | undefined;
  if (peers !== undefined) {
    if (typeof peers !== 'object' || peers === null) fail(`options.peers must be { room, signaling }, got ${describe(peers)}`, 'peers');
    if (typeof peers['room'] !== 'string' || peers['room'] === '' || peers['room'].length > 128) fail(`options.peers.room must be the room's name (1 to 128 characters), got ${describe(peers['room'])}`, 'peers');
    if (typeof peers['signaling'] !== 'function') fail(`options.peers.signaling must be a function that makes the signaling, e.g. () => websocketSignaling(); got ${describe(peers['signaling'])}`, 'peers');
    const authority = peers['authority'];
    if (authority !== undefined && (typeof authority !== 'string' || !/^[0-9a-f]{64}$/.test(authority))) fail(`options.peers.authority must be an identity (64 hex digits), got ${describe(authority)}`, 'peers');
  }
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) fail(`unknown option "${key}"; the options are database, worker, durability and peers`, key);
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
