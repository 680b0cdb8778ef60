import { decodeEntries, GENESIS, type LogEntry } from '../log/entry';
import { isEpochFenced, type Storage, type StorageCommit } from '../log/storage';

/** The durable entries after a seq, as storage holds them. */
export interface DurableTail {
  /** Entries with `seq > afterSeq`, ascending and contiguous. */
  readonly entries: LogEntry[];
  /** False when entries right after `afterSeq` were pruned (a snapshot covers them): the reader needs a resync. */
  readonly complete: boolean;
}

/**
 * Reads the durable entries after `afterSeq` from storage segments. Everything
 * in storage is durable, so a leader can send it to replicas as it is; the
 * replicas check the chain. With `throughSeq` (the durable seq the reader must
 * reach), a tail that stops short of it is incomplete: its entries were pruned
 * behind a snapshot, even when none after `afterSeq` is left at all.
 */
export async function readDurableTail(storage: Storage, afterSeq: number, throughSeq?: number): Promise<DurableTail> {
  const entries: LogEntry[] = [];
  for (const segment of await storage.readSegments(afterSeq)) {
    // Storage is trusted here (recovery checked it); replicas verify the chain themselves.
    for (const { entry } of decodeEntries(segment.bytes, GENESIS).entries) {
      const expected = (entries.at(-1)?.seq ?? afterSeq) + 1;
      if (entry.seq < expected) continue;
      if (entry.seq > expected) return { entries, complete: false };
      entries.push(entry);
    }
  }
  return { entries, complete: throughSeq === undefined || (entries.at(-1)?.seq ?? afterSeq) >= throughSeq };
}

/** Reads the stored epoch (0 before the first leader). */
export async function storedEpoch(storage: Storage): Promise<number> {
  const epoch = await storage.readMeta('epoch');
  return typeof epoch === 'number' ? epoch : 0;
}

/**
 * Bumps the stored epoch atomically: the commit is fenced at the epoch read,
 * so of two tabs that both read `e`, only one writes `e + 1`; the other retries
 * and gets `e + 2`. Returns the new epoch.
 */
export async function bumpEpoch(storage: Storage): Promise<number> {
  for (;;) {
    const current = await storedEpoch(storage);
    try {
      await storage.commit({ meta: { epoch: current + 1 }, fenceEpoch: current });
      return current + 1;
    } catch (error) {
      if (!isEpochFenced(error)) throw error;
    }
  }
}

/**
 * Wraps a storage so every commit is fenced at `epoch`: once a newer leader
 * bumped the stored epoch, this one can write nothing more.
 */
export function fencedStorage(storage: Storage, epoch: number): Storage {
  return {
    readMeta: (key) => storage.readMeta(key),
    commit: (change: StorageCommit) => storage.commit({ ...change, fenceEpoch: epoch }),
    readSegments: (afterSeq) => storage.readSegments(afterSeq),
    latestSnapshot: () => storage.latestSnapshot(),
    estimateBytes: () => storage.estimateBytes(),
    close: () => storage.close(),
  };
}
