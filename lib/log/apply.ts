/**
 * The one apply path (DESIGN §3, §5): every log entry that a database did not
 * order itself (a follower tab's, a room member's, a replay from scratch) goes
 * through {@link applyEntry}: the chain check, the re-run of its call with the
 * context the orderer stamped into it, and the check of its row diff against the
 * orderer's hash.
 */
import type { Hash } from '../codec/hash';
import type { CallOutcome, Engine } from '../engine/engine';
import { deserializeError } from '../errors';
import { encodeDiff, hashDiff } from './diff-codec';
import { sealEntry, type LogEntry } from './entry';

/** Where a replay disagreed with the log: the seq, its reducer and why. */
export interface Divergence {
  readonly seq: number;
  readonly reducer: string;
  readonly reason: string;
}

/** What {@link applyEntry} did: applied (with the call's outcome), or nothing, because the entry diverged. */
export type Applied = { readonly ok: true; readonly outcome: CallOutcome } | { readonly ok: false; readonly divergence: Divergence };

/**
 * Applies `entry` after `previous` (the last entry's seq and chain hash): checks that
 * it continues that log, re-runs its call (a failed call changed nothing, so it is
 * not re-run) and compares the diff. On any disagreement the state is as before
 * and the answer names the seq, the reducer and the reason.
 */
export function applyEntry(engine: Engine, entry: LogEntry, previous: { readonly seq: number; readonly chain: Hash }, chained = false): Applied {
  const diverged = (reason: string): Applied => ({ ok: false, divergence: { seq: entry.seq, reducer: entry.reducer, reason } });
  if (entry.seq !== previous.seq + 1) return diverged(`it does not follow seq ${previous.seq}`);
  // `chained`: the caller decoded the entry's bytes after `previous.chain` and the hash held (`decodeEntries`).
  const { chain: _chain, ...fields } = entry;
  if (!chained && sealEntry(fields, previous.chain).chain !== entry.chain) return diverged('its chain hash does not follow the entry before it');
  if (!entry.outcome.ok) {
    return { ok: true, outcome: { ok: false, error: deserializeError({ name: entry.outcome.name, message: entry.outcome.message, details: entry.outcome.details ?? {} }) } };
  }
  let args: unknown;
  try {
    args = engine.decodeArgs(entry.reducer, entry.args);
  } catch (error) {
    return diverged(`its arguments do not decode here: ${error instanceof Error ? error.message : String(error)}`);
  }
  const outcome = engine.call({ reducer: entry.reducer, args, sender: entry.sender, connectionId: entry.connectionId, timestamp: entry.timestamp, seed: entry.seed, internal: entry.internal });
  if (!outcome.ok) return diverged(`the call failed here but committed where it was ordered: ${outcome.error.message}`);
  if (hashDiff(encodeDiff(engine.store, outcome.diff)) !== entry.outcome.txHash) {
    outcome.tx.undo();
    return diverged('its row diff differs from the one logged where it was ordered');
  }
  return { ok: true, outcome };
}
