import type { LockstepErrorName, SerializedError } from '../errors';
import type { LogEntry } from '../log/entry';
import type { LedgerEntry } from '../log/snapshot';
import type { Call } from './messages';

export type { Call };

/** The final answer to a call: committed at `seq`, or failed (with the seq of its logged failure, if logged). */
export type CallResult =
  | { readonly ok: true; readonly seq: number }
  | { readonly ok: false; readonly name: LockstepErrorName; readonly message: string; readonly seq: number | undefined; readonly details?: SerializedError['details'] };

interface Pending {
  readonly call: Call;
  readonly resolve: (result: CallResult) => void;
}

/**
 * The calls of one tab's clients that have no answer yet. They survive role
 * changes: whichever role the tab has, a call is answered only by the log
 * (its entry, durable on the leader or replayed on a replica) or by a refusal
 * that left no entry. That is what makes a resubmitted call exactly-once with
 * its original outcome.
 *
 * Calls of one client are applied in callId order (the ledger refuses a callId
 * at or below the last applied one), so once the log shows call `k` of a
 * client, every pending call of that client below `k` can never be applied:
 * it is answered as skipped (it was lost on the way, e.g. with a crashed leader).
 */
export class PendingCalls {
  private readonly calls = new Map<string, Pending>();

  /** Registers a call; the promise settles with its final answer. */
  add(call: Call): Promise<CallResult> {
    const key = keyOf(call.client, call.callId);
    if (this.calls.has(key)) return Promise.reject(new RangeError(`Call ${call.callId} of client ${call.client} is already pending`));
    return new Promise((resolve) => this.calls.set(key, { call, resolve }));
  }

  /** The unanswered calls, in the order they were made. */
  list(): Call[] {
    return [...this.calls.values()].map((p) => p.call);
  }

  get size(): number {
    return this.calls.size;
  }

  /** Answers the call an entry records (durable or replayed), and the calls it shows were skipped. */
  observe(entry: LogEntry): void {
    const caller = entry.caller;
    if (caller === undefined) return;
    const outcome: CallResult = entry.outcome.ok
      ? { ok: true, seq: entry.seq }
      : { ...entry.outcome, seq: entry.seq };
    this.answer(caller.client, caller.callId, outcome);
    this.skipBelow(caller.client, caller.callId);
  }

  /** After loading a state without its entries (a resync): answers what the ledger shows. */
  observeLedger(ledger: ReadonlyMap<string, LedgerEntry>): void {
    for (const [client, last] of ledger) {
      const outcome: CallResult = last.outcome.ok ? { ok: true, seq: last.seq } : { ...last.outcome, seq: last.seq };
      this.answer(client, last.callId, outcome);
      // Known limit: a resync jumps over entries, so an earlier pending call's own outcome is unknown here.
      for (const { call } of [...this.calls.values()]) {
        if (call.client !== client || call.callId >= last.callId) continue;
        this.fail(client, call.callId, 'InternalError', `The outcome of call ${call.callId} of client ${client} is unknown: a resync snapshot replaced the entries after it (it ran at most once)`);
      }
    }
  }

  /** Answers a call that failed without an entry. */
  fail(client: string, callId: number, name: LockstepErrorName, message: string): void {
    this.answer(client, callId, { ok: false, name, message, seq: undefined });
  }

  /** Gives a pending call its final answer (no-op when it is not pending). */
  answer(client: string, callId: number, result: CallResult): void {
    const key = keyOf(client, callId);
    const pending = this.calls.get(key);
    if (pending === undefined) return;
    this.calls.delete(key);
    pending.resolve(result);
  }

  private skipBelow(client: string, callId: number): void {
    for (const { call } of [...this.calls.values()]) {
      if (call.client !== client || call.callId >= callId) continue;
      this.fail(client, call.callId, 'ReducerError', `Call ${call.callId} of client ${client} was not applied and never will be: a later call of the same client was applied first`);
    }
  }
}

const keyOf = (client: string, callId: number): string => `${client}\u0000${callId}`;
