import type { Hash } from '../codec/hash';
import { DecodeError } from '../errors';
import type { Store } from '../store/store';
import { applyDiff, decodeDiff, hashDiff } from './diff-codec';
import { decodeEntries, encodeEntries, GENESIS, type LogEntry } from './entry';
import { loadSnapshot, type LedgerEntry } from './snapshot';
import type { Storage, StorageCommit } from './storage';

/** Where recovery left the log. */
export interface RecoveredLog {
  readonly seq: number;
  readonly epoch: number;
  readonly chain: Hash;
  readonly ledger: Map<string, LedgerEntry>;
  /** The seq of the snapshot loaded, or 0. */
  readonly snapshotSeq: number;
  /** Entries replayed after the snapshot. */
  readonly replayed: number;
  /** The latest timestamp seen, so new entries never go back in time. */
  readonly lastTimestamp: bigint;
  /** Set when a corrupt tail was cut: the repair to commit before appending. */
  readonly repair: StorageCommit | undefined;
  /** Human-readable warnings (a cut tail). */
  readonly warnings: readonly string[];
}

/** Records a committed or failed call in the ledger of last calls per client. */
export function recordCall(ledger: Map<string, LedgerEntry>, entry: LogEntry): void {
  if (entry.caller === undefined) return;
  const outcome = entry.outcome.ok ? { ok: true as const } : { ok: false as const, name: entry.outcome.name, message: entry.outcome.message };
  ledger.set(entry.caller.client, { callId: entry.caller.callId, seq: entry.seq, outcome });
}

/**
 * Loads the latest snapshot into `store` and applies every later committed entry's
 * diff, checking seq order, the hash chain and each diff's hash. A bad entry in
 * the last segment is a torn or corrupt tail: it and everything after it are cut
 * (the repair is returned, with a warning naming the seq). A bad entry anywhere
 * earlier is corruption inside the durable log: an error that names the seq.
 */
export async function recoverLog(storage: Storage, store: Store): Promise<RecoveredLog> {
  const snapshot = await storage.latestSnapshot();
  const header = snapshot === undefined ? undefined : loadSnapshot(store, snapshot.chunks);
  let seq = header?.seq ?? 0;
  let chain = header?.chain ?? GENESIS;
  let epoch = header?.epoch ?? 0;
  let lastTimestamp = 0n;
  const ledger = new Map(header?.ledger ?? []);
  const warnings: string[] = [];
  let replayed = 0;
  let repair: StorageCommit | undefined;
  const segments = await storage.readSegments(seq);
  for (const [i, segment] of segments.entries()) {
    const { entries, error } = decodeEntries(segment.bytes, segment.firstSeq <= seq ? GENESIS : chain);
    let problem = error;
    const good: LogEntry[] = [];
    for (const { entry, chained } of entries) {
      if (entry.seq <= seq) continue; // covered by the snapshot
      if (entry.seq !== seq + 1) problem = `expected seq ${seq + 1}, found ${entry.seq}`;
      else if (!chained) problem = 'its chain hash does not match the entry before it';
      else if (entry.outcome.ok && hashDiff(entry.outcome.diff) !== entry.outcome.txHash) problem = 'its diff does not match its hash';
      if (problem !== undefined) break;
      if (entry.outcome.ok) applyDiff(store, decodeDiff(store, entry.outcome.diff));
      recordCall(ledger, entry);
      seq = entry.seq;
      chain = entry.chain;
      epoch = entry.epoch;
      if (entry.timestamp > lastTimestamp) lastTimestamp = entry.timestamp;
      good.push(entry);
      replayed++;
    }
    if (problem === undefined) continue;
    const at = seq + 1;
    if (i < segments.length - 1) {
      throw new DecodeError(`The log is corrupt at seq ${at}, inside the durable log (segment ${segment.firstSeq}..${segment.lastSeq}): ${problem}`);
    }
    warnings.push(`Cut a torn or corrupt log tail at seq ${at} (segment ${segment.firstSeq}..${segment.lastSeq}): ${problem}. Entries from seq ${at} on were not durable and are dropped.`);
    const keep = good.length === 0 ? [] : [{ firstSeq: good[0]!.seq, lastSeq: seq, bytes: encodeEntries(good) }];
    repair = { truncateSegmentsFrom: Math.max(segment.firstSeq, 0), segments: keep };
  }
  return { seq, epoch, chain, ledger, snapshotSeq: header?.seq ?? 0, replayed, lastTimestamp, repair, warnings };
}
