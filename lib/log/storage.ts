/**
 * The durable home of one database: its log segments, its snapshots and a few
 * metadata values. Everything here is opaque bytes plus small structured
 * metadata; the log and snapshot formats belong to the layers above.
 *
 * Implementations: `MemoryStorage` (tests, simulation) and the IndexedDB store
 * in `worker/idb-storage.ts`. Both pass `storageContract`.
 */

import { ClosedError, InternalError } from '../errors';

/** Many encoded log entries (`firstSeq` … `lastSeq`, inclusive) packed into one stored value. */
export interface StoredSegment {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly bytes: Uint8Array;
}

/** The full state at `seq`, as packed pages; each chunk is stored as its own bounded value. */
export interface StoredSnapshot {
  readonly seq: number;
  readonly chunks: readonly Uint8Array[];
}

/**
 * One atomic change. Applied as if in this order: `truncateSegmentsFrom`,
 * `pruneSegmentsThrough`, `deleteSnapshotsBefore`, then `segments`, `snapshot`
 * and `meta`. If any part is invalid the whole commit rejects and nothing changes.
 */
export interface StorageCommit {
  /** Segments to append, keyed by `firstSeq`; they must not overlap each other or a stored one. */
  readonly segments?: readonly StoredSegment[];
  /** A snapshot whose `seq` is greater than every remaining stored snapshot's. */
  readonly snapshot?: StoredSnapshot;
  /** Structured-clonable values to put by key; `undefined` deletes the key. */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** Deletes segments whose `lastSeq <= pruneSegmentsThrough` (a snapshot covers them). */
  readonly pruneSegmentsThrough?: number;
  /** Deletes segments whose `lastSeq >= truncateSegmentsFrom`: cuts a corrupt tail, which may be rewritten in the same commit. */
  readonly truncateSegmentsFrom?: number;
  /** Deletes snapshots whose `seq < deleteSnapshotsBefore`. */
  readonly deleteSnapshotsBefore?: number;
  /**
   * Fences a stale authority: the whole commit is refused (with {@link epochFenced})
   * when the stored meta `epoch` is greater than this. The check and the write are
   * one atomic step, so an ex-leader cannot write once a newer one bumped the epoch.
   */
  readonly fenceEpoch?: number;
}

/**
 * A database's durable storage. Commits apply in call order. Bytes are copied
 * on the way in and out, so callers may reuse and mutate their buffers.
 * Every method rejects with `ClosedError` after {@link Storage.close}.
 * @example
 * await storage.commit({ segments: [{ firstSeq: 1, lastSeq: 3, bytes }], meta: { epoch: 1 } });
 * const tail = await storage.readSegments(0); // [{ firstSeq: 1, lastSeq: 3, bytes }]
 */
export interface Storage {
  /** The metadata value stored under `key`, or `undefined`. */
  readMeta(key: string): Promise<unknown>;
  /** Applies `change` in one atomic transaction; resolves once it is committed. */
  commit(change: StorageCommit): Promise<void>;
  /** Segments with `lastSeq > afterSeq`, ascending by `firstSeq`. */
  readSegments(afterSeq: number): Promise<StoredSegment[]>;
  /** The snapshot with the greatest `seq`, or `undefined` when there is none. */
  latestSnapshot(): Promise<StoredSnapshot | undefined>;
  /** Roughly how many bytes of segments and snapshot chunks are stored (metadata is not counted). */
  estimateBytes(): Promise<number>;
  /** Releases the storage; commits already started still complete. */
  close(): void;
}

/** Opens (creating if needed) the storage called `name`; the same name sees the same data. */
export type OpenStorage = (name: string) => Promise<Storage>;

/**
 * Checks the parts of a commit that need no stored state: segment ranges are
 * integers with `firstSeq <= lastSeq` that do not overlap each other, and the
 * snapshot seq is an integer. Returns the segments sorted by `firstSeq`.
 * @throws InternalError (see {@link commitRefused}) describing the first problem.
 */
export function checkCommitShape(change: StorageCommit): StoredSegment[] {
  const sorted = [...(change.segments ?? [])].sort((a, b) => a.firstSeq - b.firstSeq);
  for (const [i, { firstSeq, lastSeq }] of sorted.entries()) {
    if (!Number.isSafeInteger(firstSeq) || !Number.isSafeInteger(lastSeq) || firstSeq > lastSeq) {
      throw commitRefused(`segment ${firstSeq}..${lastSeq} is not a range of integers with firstSeq <= lastSeq`);
    }
    const previous = sorted[i - 1];
    if (previous !== undefined && previous.lastSeq >= firstSeq) {
      throw commitRefused(`segments ${previous.firstSeq}..${previous.lastSeq} and ${firstSeq}..${lastSeq} overlap`);
    }
  }
  const seq = change.snapshot?.seq;
  if (seq !== undefined && !Number.isSafeInteger(seq)) throw commitRefused(`snapshot seq ${seq} is not an integer`);
  return sorted;
}

/** A segment range, as stored. */
export interface SegmentRange {
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/**
 * The error for a commit that breaks the storage's invariants. It is a bug in
 * the caller (the log layer), so it is an `InternalError`; nothing was written.
 */
export function commitRefused(problem: string): InternalError {
  return new InternalError(`Storage commit refused, nothing was written: ${problem}. This is a bug in the log layer.`);
}

/** The error for a segment that overlaps one already stored. */
export function overlapRefused(added: SegmentRange, stored: SegmentRange): InternalError {
  return commitRefused(`segment ${added.firstSeq}..${added.lastSeq} overlaps the stored segment ${stored.firstSeq}..${stored.lastSeq}`);
}

/** The error for a snapshot that does not come after the latest stored one. */
export function snapshotRefused(seq: number, latest: number): InternalError {
  return commitRefused(`snapshot at seq ${seq} does not come after the stored snapshot at seq ${latest}`);
}

/**
 * The error for a commit fenced off by {@link StorageCommit.fenceEpoch}: a newer
 * authority took over. Not a bug: the writer must step down; nothing was written.
 */
export function epochFenced(stored: number, fence: number): ClosedError {
  return new ClosedError(`Storage commit refused, nothing was written: the stored epoch ${stored} is newer than this writer's epoch ${fence}; a newer leader took over, so this one must step down.`);
}

/** True for the error of {@link epochFenced} (also after crossing a worker boundary, by its message). */
export function isEpochFenced(error: unknown): boolean {
  return error instanceof Error && error.name === 'ClosedError' && error.message.includes('a newer leader took over');
}

/** The error for any use of a storage after `close()`. */
export function storageClosed(name: string): ClosedError {
  return new ClosedError(`Storage "${name}" is closed; open it again to use it.`);
}
