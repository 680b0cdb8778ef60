import type { Hash } from '../codec/hash';
import { Engine } from '../engine/engine';
import { DecodeError } from '../errors';
import type { ModuleDef } from '../schema/module';
import type { Identity } from '../schema/type-desc';
import { stateHash } from '../store/state-hash';
import { applyEntry } from './apply';
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
  let at = { seq: 0, chain: GENESIS };
  for (const segment of await storage.readSegments(0)) {
    const { entries, error } = decodeEntries(segment.bytes, at.chain);
    for (const { entry } of entries) {
      const applied = applyEntry(engine, entry, at);
      if (!applied.ok) throw new DecodeError(`Replay diverged at seq ${applied.divergence.seq} (${applied.divergence.reducer}): ${applied.divergence.reason}`);
      at = entry;
    }
    if (error !== undefined) throw new DecodeError(`Replay: segment ${segment.firstSeq}..${segment.lastSeq} is corrupt: ${error}`);
  }
  return { entries: at.seq, stateHash: stateHash(engine.store) };
}
