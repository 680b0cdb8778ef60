/**
 * A subscription: some queries whose rows the client cache holds until it ends.
 */
import type { LockstepError } from '../errors';
import { reportError } from './report-error';

/**
 * The handle `conn.subscribe()` returns.
 * @example
 * const sub = conn.subscribe(['SELECT * FROM message', 'SELECT * FROM user']).onError((e) => show(e.message));
 * await sub.applied; // the rows are in conn.db and onInsert has run for each
 * sub.unsubscribe(); // rows no other subscription holds leave, with onDelete
 */
export interface SubscriptionHandle {
  /** The SQL text of each query, in order. */
  readonly queries: readonly string[];
  /** Resolves once the first rows are in the cache (and their `onInsert` callbacks ran); rejects when the host refuses a query. */
  readonly applied: Promise<void>;
  /** True from `applied` until the subscription ends (unsubscribe, error or close). */
  readonly active: boolean;
  /** Ends the subscription at once; rows that no other subscription holds leave the cache. Safe to call twice. */
  unsubscribe(): void;
  /**
   * Calls `cb` when the host refuses a query or ends it later (e.g. the module
   * changed). The subscription ends; `applied` also rejects if still pending. Returns the handle.
   */
  onError(cb: (error: LockstepError) => void): SubscriptionHandle;
}

/** What a subscription needs from its connection. */
export interface SubscriptionOwner {
  /** Removes the subscription's rows from the cache, and asks the host to drop the queries in `tell`. */
  end(subscription: Subscription, tell: readonly number[]): void;
}

/** The runtime {@link SubscriptionHandle}. */
export class Subscription implements SubscriptionHandle {
  readonly applied: Promise<void>;
  #active = false;
  #ended = false;
  #settled = false;
  #resolve!: () => void;
  #reject!: (error: unknown) => void;
  readonly #errorCallbacks = new Set<(error: LockstepError) => void>();

  constructor(
    readonly queries: readonly string[],
    readonly queryIds: readonly number[],
    private readonly owner: SubscriptionOwner,
  ) {
    this.applied = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  get active(): boolean {
    return this.#active;
  }

  unsubscribe(): void {
    this.#end(this.queryIds);
  }

  onError(cb: (error: LockstepError) => void): SubscriptionHandle {
    if (typeof cb !== 'function') throw new TypeError(`onError needs a function, got ${typeof cb}`);
    this.#errorCallbacks.add(cb);
    return this;
  }

  /** The host accepted the queries; their first rows are already in the cache. */
  accepted(): void {
    if (!this.#ended) this.#active = true;
    this.#settled = true;
    this.#resolve();
  }

  /**
   * The host refused the subscription (no `queryId`) or ended one of its queries
   * later: the whole subscription ends, and the error goes to the `onError`
   * callbacks, else to a pending `applied`, else to the console.
   */
  failed(error: LockstepError, queryId?: number): void {
    this.#end(queryId === undefined ? [] : this.queryIds.filter((id) => id !== queryId));
    const pending = !this.#settled;
    this.#settled = true;
    if (this.#errorCallbacks.size > 0) {
      if (pending) this.applied.catch(() => {}); // the callbacks below handle it
      for (const cb of this.#errorCallbacks) {
        try {
          cb(error);
        } catch (thrown) {
          reportError(thrown);
        }
      }
    } else if (!pending) {
      reportError(error);
    }
    if (pending) this.#reject(error);
  }

  /** The connection closed: the subscription ends quietly (awaiting a pending `applied` still rejects). */
  closed(error: LockstepError): void {
    this.#ended = true;
    this.#active = false;
    if (this.#settled) return;
    this.#settled = true;
    this.applied.catch(() => {});
    this.#reject(error);
  }

  #end(tell: readonly number[]): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#active = false;
    this.owner.end(this, tell);
  }
}
