import { Writer } from '../codec/buffer';
import type { Storage, StorageCommit, StoredSnapshot } from './storage';
import { writeEntry, type LogEntry } from './entry';

/** Something to commit together with the next batch of entries (a snapshot and what it lets go). */
export interface Rider {
  readonly snapshot: StoredSnapshot;
  readonly pruneSegmentsThrough: number | undefined;
}

/**
 * Group commit with no timer: when no flush is running, the next one starts
 * right after the current task with everything queued; while one runs, entries
 * queue. A lone call waits one IndexedDB commit; a burst shares commits. Each
 * flush writes one segment (all its entries packed into one value) in one
 * transaction.
 */
export class GroupCommit {
  private writer = new Writer(64 * 1024);
  private firstSeq = 0;
  private lastSeq = 0;
  /** The batch being filled: every entry in it is durable at the same moment, so they share one promise. */
  private batch: Batch | undefined;
  private rider: Rider | undefined;
  private running: Promise<void> | undefined;
  private scheduled = false;
  private failed: unknown;
  /** Commits done, for statistics. */
  commits = 0;

  constructor(
    private readonly storage: Storage,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Queues an entry; the promise (shared by its batch) resolves once it is durable. */
  append(entry: LogEntry): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (this.batch === undefined) {
      this.firstSeq = entry.seq;
      this.batch = newBatch();
    }
    this.lastSeq = entry.seq;
    writeEntry(this.writer, entry);
    this.schedule();
    return this.batch.promise;
  }

  /** Commits a snapshot with the next batch (or alone), after every entry queued so far. */
  attach(rider: Rider): void {
    this.rider = rider;
    this.schedule();
  }

  /** Resolves when everything queued so far is durable. */
  async drain(): Promise<void> {
    while (this.running !== undefined || this.scheduled) await (this.running ?? Promise.resolve());
    if (this.failed !== undefined) throw this.failed;
  }

  private schedule(): void {
    if (this.running !== undefined || this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.running = this.flush().finally(() => {
        this.running = undefined;
        if (this.batch !== undefined || this.rider !== undefined) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    const rider = this.rider;
    const change: { -readonly [K in keyof StorageCommit]: StorageCommit[K] } = {};
    if (batch !== undefined) {
      change.segments = [{ firstSeq: this.firstSeq, lastSeq: this.lastSeq, bytes: this.writer.finish() }];
      this.writer.reset();
    }
    if (rider !== undefined) {
      change.snapshot = rider.snapshot;
      change.deleteSnapshotsBefore = rider.snapshot.seq;
      if (rider.pruneSegmentsThrough !== undefined) change.pruneSegmentsThrough = rider.pruneSegmentsThrough;
    }
    this.batch = undefined;
    this.rider = undefined;
    try {
      await this.storage.commit(change);
      this.commits++;
      batch?.resolve();
    } catch (error) {
      // Nothing after a failed commit can be durable in order: fail it and everything later.
      this.failed = error;
      batch?.reject(error);
      // Entries queued while this commit ran are lost with it.
      (this.batch as Batch | undefined)?.reject(error);
      this.batch = undefined;
      this.onError(error);
    }
  }
}

interface Batch {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  // A failure is reported through onError and each caller's own await; never unhandled.
  promise.catch(() => {});
  return { promise, resolve, reject };
}
