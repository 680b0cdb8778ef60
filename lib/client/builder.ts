/**
 * SpacetimeDB's client shape over {@link openConnection}: `DbConnection.builder()…build()`
 * returns the connection at once and reports when it is up, and
 * `conn.subscriptionBuilder().onApplied(…).subscribe(…)` subscribes.
 */
import type { Identity } from '../values/identity';
import { openConnection, type Connection } from './connection';
import type { ConnectOptions, MessagePortLike, PeersOption } from './options';

/** What `onConnectError` and `onDisconnect` callbacks receive first. */
export interface ErrorContext<M> {
  /** The connection the error is about. */
  readonly db: Connection<M>['db'];
  readonly reducers: Connection<M>['reducers'];
}

/**
 * Builds a connection the way SpacetimeDB's generated `DbConnection.builder()` does. Lockstep
 * has no server: name the database and give the worker that hosts the module.
 * @example
 * const conn = DbConnection.builder<typeof chat>()
 *   .withDatabaseName('chat')
 *   .withWorker(() => new Worker(new URL('./chat.worker.ts', import.meta.url), { type: 'module' }))
 *   .onConnect((conn, identity) => console.log('connected as', identity.toHexString()))
 *   .build();
 */
export class DbConnectionBuilder<M> {
  #options: { -readonly [K in keyof ConnectOptions]?: ConnectOptions[K] } = {};
  #onConnect: ((conn: Connection<M>, identity: Identity, token: string) => void)[] = [];
  #onConnectError: ((ctx: ErrorContext<M>, error: Error) => void)[] = [];
  #onDisconnect: ((ctx: ErrorContext<M>, error?: Error) => void)[] = [];

  /** The database's name: one IndexedDB database, one log, one room per name. */
  withDatabaseName(name: string): this {
    this.#options.database = name;
    return this;
  }

  /** The worker hosting the module (Lockstep's stand-in for SpacetimeDB's server URI). */
  withWorker(worker: () => Worker | MessagePortLike): this {
    this.#options.worker = worker;
    return this;
  }

  /** `'confirmed'` (default) or `'fast'`: see `connect()`. */
  withDurability(durability: NonNullable<ConnectOptions['durability']>): this {
    this.#options.durability = durability;
    return this;
  }

  /** Joins a WebRTC room of browsers: see `connect({ peers })`. */
  withPeers(peers: PeersOption): this {
    this.#options.peers = peers;
    return this;
  }

  /** Runs once the host has answered, with this browser's identity. `token` is always `''`: identities come from a key pair. */
  onConnect(callback: (conn: Connection<M>, identity: Identity, token: string) => void): this {
    this.#onConnect.push(callback);
    return this;
  }

  /** Runs when the connection cannot open (the host refused it, or the worker failed). */
  onConnectError(callback: (ctx: ErrorContext<M>, error: Error) => void): this {
    this.#onConnectError.push(callback);
    return this;
  }

  /** Runs once the connection is closed with `conn.close()`. */
  onDisconnect(callback: (ctx: ErrorContext<M>, error?: Error) => void): this {
    this.#onDisconnect.push(callback);
    return this;
  }

  /**
   * Opens the connection and returns it at once; calls and subscriptions made before it is up
   * wait for it. Throws a `ValueError` when the database name or the worker is missing or bad.
   */
  build(): Connection<M> {
    const conn = openConnection<M>(this.#options as ConnectOptions);
    const ctx: ErrorContext<M> = { db: conn.db, reducers: conn.reducers };
    conn.ready.then(
      () => {
        for (const cb of this.#onConnect) cb(conn, conn.identity, '');
      },
      (error: unknown) => {
        for (const cb of this.#onConnectError) cb(ctx, error as Error);
      },
    );
    const close = conn.close.bind(conn);
    conn.close = async () => {
      await close();
      for (const cb of this.#onDisconnect) cb({ db: conn.db, reducers: conn.reducers });
    };
    return conn;
  }
}

/** The entry point of SpacetimeDB-style clients: `DbConnection.builder<typeof module>()`. */
export const DbConnection = {
  /** A new {@link DbConnectionBuilder}. */
  builder<M>(): DbConnectionBuilder<M> {
    return new DbConnectionBuilder<M>();
  },
} as const;
