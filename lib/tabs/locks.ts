/**
 * The part of the Web Locks API (`navigator.locks`) that tab election uses,
 * so the election runs against real locks in workers and against
 * `FakeLocks` in Node.
 */

/** A granted lock. */
export interface HeldLock {
  readonly name: string;
}

/** Options of {@link TabLocks.request}, as in Web Locks. */
export interface LockRequestOptions {
  /** Take the lock from its holder at once; the holder's request promise rejects with an `AbortError`. */
  readonly steal?: boolean;
}

/**
 * An exclusive lock manager with Web Locks semantics: requests for a name are
 * granted one at a time in FIFO order; the lock is held until the promise
 * returned by `callback` settles. A holder whose context dies releases it.
 */
export interface TabLocks {
  /** Resolves (or rejects) with the callback's result; rejects with an `AbortError` when the lock is stolen. */
  request(name: string, options: LockRequestOptions, callback: (lock: HeldLock | null) => Promise<void>): Promise<void>;
}
