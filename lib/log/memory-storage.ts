/**
 * An in-memory {@link Storage} for unit tests and simulations. It checks the
 * same invariants as the IndexedDB store and copies bytes in and out, so code
 * that passes against it does not rely on aliasing that IndexedDB would break.
 */

import {
  checkCommitShape,
  epochFenced,
  overlapRefused,
  snapshotRefused,
  storageClosed,
  type Storage,
  type StorageCommit,
  type StoredSegment,
  type StoredSnapshot,
} from './storage';

/** The data behind one named memory storage; several `MemoryStorage`s may share it (a reopen). */
export interface MemoryStorageData {
  /** Sorted by `firstSeq`, non-overlapping. */
  segments: StoredSegment[];
  /** Sorted by `seq`. */
  snapshots: StoredSnapshot[];
  meta: Map<string, unknown>;
}

/** A {@link Storage} kept in memory. Commits apply synchronously, so they are atomic and in call order. */
export class MemoryStorage implements Storage {
  /** The name used in error messages. */
  readonly name: string;
  readonly #data: MemoryStorageData;
  #closed = false;

  /** Wraps `data` (fresh and empty by default); pass the same object again to model a reopen. */
  constructor(name = 'memory', data: MemoryStorageData = emptyData()) {
    this.name = name;
    this.#data = data;
  }

  async readMeta(key: string): Promise<unknown> {
    this.#check();
    return structuredClone(this.#data.meta.get(key));
  }

  async commit(change: StorageCommit): Promise<void> {
    this.#check();
    const added = checkCommitShape(change);
    const stored = this.#data.meta.get('epoch');
    if (change.fenceEpoch !== undefined && typeof stored === 'number' && stored > change.fenceEpoch) throw epochFenced(stored, change.fenceEpoch);
    const { truncateSegmentsFrom: cut, pruneSegmentsThrough: prune, deleteSnapshotsBefore: before } = change;
    // Validate against the state the deletions leave, before touching anything.
    const segments = this.#data.segments.filter(
      (s) => (cut === undefined || s.lastSeq < cut) && (prune === undefined || s.lastSeq > prune),
    );
    const snapshots = this.#data.snapshots.filter((s) => before === undefined || s.seq >= before);
    for (const segment of added) {
      const clash = segments.find((s) => s.firstSeq <= segment.lastSeq && s.lastSeq >= segment.firstSeq);
      if (clash !== undefined) throw overlapRefused(segment, clash);
    }
    const latest = snapshots.at(-1);
    if (change.snapshot !== undefined && latest !== undefined && change.snapshot.seq <= latest.seq) {
      throw snapshotRefused(change.snapshot.seq, latest.seq);
    }
    const meta = Object.entries(change.meta ?? {}).map(([key, value]) => [key, structuredClone(value)] as const);

    segments.push(...added.map(copySegment));
    segments.sort((a, b) => a.firstSeq - b.firstSeq);
    if (change.snapshot !== undefined) snapshots.push(copySnapshot(change.snapshot));
    this.#data.segments = segments;
    this.#data.snapshots = snapshots;
    for (const [key, value] of meta) {
      if (value === undefined) this.#data.meta.delete(key);
      else this.#data.meta.set(key, value);
    }
  }

  async readSegments(afterSeq: number): Promise<StoredSegment[]> {
    this.#check();
    return this.#data.segments.filter((s) => s.lastSeq > afterSeq).map(copySegment);
  }

  async latestSnapshot(): Promise<StoredSnapshot | undefined> {
    this.#check();
    const latest = this.#data.snapshots.at(-1);
    return latest === undefined ? undefined : copySnapshot(latest);
  }

  async estimateBytes(): Promise<number> {
    this.#check();
    let bytes = 0;
    for (const segment of this.#data.segments) bytes += segment.bytes.byteLength;
    for (const snapshot of this.#data.snapshots) for (const chunk of snapshot.chunks) bytes += chunk.byteLength;
    return bytes;
  }

  close(): void {
    this.#closed = true;
  }

  #check(): void {
    if (this.#closed) throw storageClosed(this.name);
  }
}

/**
 * An {@link OpenStorage} over a private set of named memory storages: opening
 * a name again (after `close()`) sees what was committed under it before.
 * @example
 * const open = memoryStorageOpener();
 * const a = await open('db'); await a.commit({ meta: { x: 1 } }); a.close();
 * await (await open('db')).readMeta('x'); // 1
 */
export function memoryStorageOpener(): (name: string) => Promise<MemoryStorage> {
  // Return type is narrower than OpenStorage so tests can reach MemoryStorage specifics.
  const byName = new Map<string, MemoryStorageData>();
  return async (name) => {
    let data = byName.get(name);
    if (data === undefined) byName.set(name, (data = emptyData()));
    return new MemoryStorage(name, data);
  };
}

const emptyData = (): MemoryStorageData => ({ segments: [], snapshots: [], meta: new Map() });
const copySegment = (s: StoredSegment): StoredSegment => ({ firstSeq: s.firstSeq, lastSeq: s.lastSeq, bytes: s.bytes.slice() });
const copySnapshot = (s: StoredSnapshot): StoredSnapshot => ({ seq: s.seq, chunks: s.chunks.map((c) => c.slice()) });
