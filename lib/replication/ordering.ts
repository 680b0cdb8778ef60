import type { LockstepErrorName } from '../errors';
import type { LogEntry } from '../log/entry';
import type { LedgerEntry } from '../log/snapshot';
import type { LeaderLog } from './leader-log';
import type { Call } from './messages';

/** What became of a call given to an {@link Ordering}. */
export type Ordered =
  /** Logged: its answer is the entry, once durable. */
  | { readonly kind: 'entry'; readonly entry: LogEntry }
  /** Refused without an entry (unknown reducer, bad arguments): final. */
  | { readonly kind: 'failed'; readonly name: LockstepErrorName; readonly message: string }
  /** Seen before: its answer is in the log (`last` is the client's latest logged call). */
  | { readonly kind: 'duplicate'; readonly last: LedgerEntry }
  /** Not ordered: the leader is stepping down; the call must go to the next one. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** Handed on to the log this one follows (a room's authority): its answer is the entry that comes back. */
  | { readonly kind: 'forwarded' };

/**
 * How the leading tab orders a call, from its own clients or from a follower
 * (`from`, the follower's peer on the link the call came by): an `Orderer`
 * orders it into this log; a `Relay` hands it to the log this one follows.
 */
export interface Ordering {
  order(call: Call, from?: string): Ordered;
  /**
   * Calls `fn` with calls that failed later, without an entry (a room's authority
   * refused a relayed call), and the peer each came from (undefined: this tab's own).
   */
  onFailed(fn: (failure: CallFailure, from: string | undefined) => void): () => void;
}

/** A call's final answer without a log entry. */
export interface CallFailure {
  readonly client: string;
  readonly callId: number;
  readonly name: LockstepErrorName;
  readonly message: string;
}

/**
 * What every ordering answers before it orders: refused while its log stops leading, failed
 * for an internal call that is not a lifecycle reducer, a duplicate for a call the ledger shows.
 */
export function precheck(log: LeaderLog, call: Call, lifecycle: ReadonlySet<string>): Ordered | undefined {
  if (log.stoppedBecause !== undefined) return { kind: 'refused', reason: log.stoppedBecause };
  if (call.internal === true && !lifecycle.has(call.reducer)) {
    return { kind: 'failed', name: 'ReducerError', message: `Only clientConnected and clientDisconnected may be forwarded as internal calls, not "${call.reducer}"` };
  }
  const last = log.db.ledger.get(call.client);
  return last !== undefined && call.callId <= last.callId ? { kind: 'duplicate', last } : undefined;
}

/** The names of the module's lifecycle reducers. */
export function lifecycleReducers(module: { readonly clientConnected?: { readonly name: string } | undefined; readonly clientDisconnected?: { readonly name: string } | undefined }): ReadonlySet<string> {
  return new Set([module.clientConnected?.name, module.clientDisconnected?.name].filter((n): n is string => n !== undefined));
}
