import type { Hash } from '../codec/hash';
import { Engine } from '../engine/engine';
import { DecodeError } from '../errors';
import type { ModuleDef } from '../schema/module';
import type { Identity } from '../schema/type-desc';
import { stateHash } from '../store/state-hash';
import { encodeDiff, hashDiff } from './diff-codec';
import { decodeEntries, GENESIS } from './entry';
import type { Storage } from './storage';

/** The result of re-running a whole log. */
export interface ReplayResult {
  readonly entries: number;
  readonly stateHash: Hash;
}

/**
 * Re-runs every entry of a complete log (from seq 1) through a fresh engine, the
 * way a replica does, and checks that each committed call computes the diff the
 * authority logged. Throws naming the first seq and reducer that diverged.
 * Needs the whole log: use it with `keepEntries: Infinity`.
 */
export async function replayFromScratch(module: ModuleDef, storage: Storage, identity: Identity): Promise<ReplayResult> {
  const engine = new Engine(module, { identity });
  let previous = GENESIS;
  let seq = 0;
  for (const segment of await storage.readSegments(0)) {
    const { entries, error } = decodeEntries(segment.bytes, previous);
    for (const { entry, chained } of entries) {
      if (entry.seq !== seq + 1 || !chained) throw new DecodeError(`Replay: the log breaks at seq ${seq + 1}`);
      seq = entry.seq;
      previous = entry.chain;
      if (!entry.outcome.ok) continue;
      const args = engine.decodeArgs(entry.reducer, entry.args);
      const outcome = engine.call({ ...entry, args, internal: entry.internal });
      if (!outcome.ok) throw new DecodeError(`Replay diverged at seq ${entry.seq} (${entry.reducer}): the call failed with "${outcome.error.message}"`);
      if (hashDiff(encodeDiff(engine.store, outcome.diff)) !== entry.outcome.txHash) {
        throw new DecodeError(`Replay diverged at seq ${entry.seq} (${entry.reducer}): the row diff differs from the logged one`);
      }
    }
    if (error !== undefined) throw new DecodeError(`Replay: segment ${segment.firstSeq}..${segment.lastSeq} is corrupt: ${error}`);
  }
  return { entries: seq, stateHash: stateHash(engine.store) };
}
