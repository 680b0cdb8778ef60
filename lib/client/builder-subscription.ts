/**
 * SpacetimeDB's `conn.subscriptionBuilder()` over `conn.subscribe()`.
 */
import type { LockstepError } from '../errors';
import type { Connection } from './connection';
import type { SubscriptionHandle } from './subscription';

/** What `onApplied` callbacks receive: the connection's tables and reducers. */
export interface SubscriptionEventContext<M> {
  readonly db: Connection<M>['db'];
  readonly reducers: Connection<M>['reducers'];
}

/**
 * SpacetimeDB's `conn.subscriptionBuilder()`: callbacks first, then `subscribe(sql)`.
 * @example
 * conn.subscriptionBuilder().onApplied((ctx) => render(ctx.db.message.iter())).subscribe('SELECT * FROM message');
 */
export interface SubscriptionBuilder<M> {
  /** Runs once the subscription's first rows are in `conn.db` (after their `onInsert` callbacks). */
  onApplied(callback: (ctx: SubscriptionEventContext<M>) => void): SubscriptionBuilder<M>;
  /** Runs when the subscription is refused or ends with an error. */
  onError(callback: (ctx: SubscriptionEventContext<M>, error: LockstepError) => void): SubscriptionBuilder<M>;
  /** Subscribes to SQL queries: `'SELECT * FROM message'` or an array of them. */
  subscribe(queries: string | readonly string[]): SubscriptionHandle;
}

/** The runtime {@link SubscriptionBuilder}. */
export class SubscriptionBuilderImpl<M> implements SubscriptionBuilder<M> {
  #onApplied: ((ctx: SubscriptionEventContext<M>) => void) | undefined;
  #onError: ((ctx: SubscriptionEventContext<M>, error: LockstepError) => void) | undefined;

  constructor(private readonly conn: Connection<M>) {}

  /** Runs once the subscription's first rows are in `conn.db` (after their `onInsert` callbacks). */
  onApplied(callback: (ctx: SubscriptionEventContext<M>) => void): this {
    this.#onApplied = callback;
    return this;
  }

  /** Runs when the subscription is refused or ends with an error. */
  onError(callback: (ctx: SubscriptionEventContext<M>, error: LockstepError) => void): this {
    this.#onError = callback;
    return this;
  }

  /** Subscribes to SQL queries: `'SELECT * FROM message'` or an array of them. */
  subscribe(queries: string | readonly string[]): SubscriptionHandle {
    const handle = this.conn.subscribe(queries);
    const ctx = (): SubscriptionEventContext<M> => ({ db: this.conn.db, reducers: this.conn.reducers });
    const onError = this.#onError;
    if (onError !== undefined) handle.onError((error) => onError(ctx(), error));
    const onApplied = this.#onApplied;
    handle.applied.then(() => onApplied?.(ctx()), () => {});
    return handle;
  }
}
