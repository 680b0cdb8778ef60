import type { Hash } from '../codec/hash';
import type { Divergence } from '../log/apply';
import { Database, type DatabaseOptions, type Submitted } from '../log/database';
import type { LogEntry } from '../log/entry';
import { encodeSnapshot, type LedgerEntry } from '../log/snapshot';
import type { ModuleDef } from '../schema/module';
import { bumpEpoch, fencedStorage, readDurableTail, storedEpoch, type DurableTail } from './durable-log';

/** Options of {@link LeaderLog.open}: the database's (`init: false` when the log comes from a room's authority, whose log carries it). */
export type LeaderLogOptions = DatabaseOptions;

/** A durable state to send a follower: `encodeSnapshot` chunks at `seq`. */
export interface DurableSnapshot {
  readonly seq: number;
  readonly chain: Hash;
  readonly chunks: Uint8Array[];
}

/**
 * The log of the tab that leads its browser: it alone writes storage, under an
 * epoch it bumped when it took over (every later write is fenced at it, so an
 * ex-leader that wakes up can write nothing). Whatever puts entries in it (an
 * `Orderer` that orders calls here, a `Follower` that logs a room authority's),
 * they reach {@link LeaderLog.onDurable} listeners (the log servers) only once
 * durable, in seq order, one batch per commit, so no follower ever applies what
 * a crash can lose. It stops (steps down) once, on a failed or fenced write or
 * when told to; nothing is logged or sent after.
 */
export class LeaderLog {
  private outbox: LogEntry[] = [];
  private stopped: string | undefined;
  private durableSeqValue: number;
  /** The last durable seq heard of, not yet released (see {@link LeaderLog.released}). */
  private releaseUpTo = 0;
  private readonly durableListeners = new Set<(entries: readonly LogEntry[]) => void>();
  private readonly loggedListeners = new Set<(entry: LogEntry, durable: Promise<void>) => void>();
  private readonly stopListeners = new Set<(reason: string) => void>();

  private constructor(
    readonly db: Database,
    readonly epoch: number,
  ) {
    this.durableSeqValue = db.seq;
  }

  /**
   * Takes over: bumps the epoch in storage, then opens (recovers) the database,
   * so entries carry the new epoch. Call it only while holding the database's lock.
   */
  static async open(module: ModuleDef, options: LeaderLogOptions): Promise<LeaderLog> {
    const epoch = await bumpEpoch(options.storage);
    const storage = fencedStorage(options.storage, epoch);
    const db = await Database.open(module, { ...options, storage });
    db.epoch = epoch;
    // Creating a database writes epoch 1; keep the bumped one so older leaders stay fenced.
    if ((await storedEpoch(options.storage)) < epoch) await storage.commit({ meta: { epoch } });
    return new LeaderLog(db, epoch);
  }

  /** The seq of the last entry released to the log servers (all durable). */
  get durableSeq(): number {
    return this.durableSeqValue;
  }

  /** Why this log stopped, or undefined while it leads. */
  get stoppedBecause(): string | undefined {
    return this.stopped;
  }

  /** The last entry's seq (durable or not). */
  get seq(): number {
    return this.db.seq;
  }

  get chain(): Hash {
    return this.db.chain;
  }

  /** The last logged call of every client (exactly-once). */
  get ledger(): ReadonlyMap<string, LedgerEntry> {
    return this.db.ledger;
  }

  /** Calls `fn` with entries once durable, in seq order, one batch per commit; returns a function that stops it. */
  onDurable(fn: (entries: readonly LogEntry[]) => void): () => void {
    this.durableListeners.add(fn);
    return () => this.durableListeners.delete(fn);
  }

  /** Calls `fn` with each entry as it is applied to this state, with the promise of its durability. */
  onLogged(fn: (entry: LogEntry, durable: Promise<void>) => void): () => void {
    this.loggedListeners.add(fn);
    return () => this.loggedListeners.delete(fn);
  }

  /** Calls `fn` once, when this log stops leading. */
  onStepDown(fn: (reason: string) => void): () => void {
    this.stopListeners.add(fn);
    return () => this.stopListeners.delete(fn);
  }

  /**
   * Logs a submission that made an entry. Its entry goes out once durable here; its
   * sessions hear of it once `answered` (by default, the same moment).
   */
  track(submitted: Submitted, answered: Promise<void> = submitted.durable): void {
    const entry = submitted.entry!;
    this.outbox.push(entry);
    for (const fn of this.loggedListeners) fn(entry, answered);
    submitted.durable.then(
      () => this.released(entry.seq),
      (error: unknown) => this.stepDown(`writing the log failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /**
   * Appends an entry another log ordered (a room's authority) through the one apply
   * path; its sessions hear of it at once (it is durable there). A divergence changes
   * nothing and is returned.
   */
  append(entry: LogEntry): Divergence | undefined {
    if (this.stopped !== undefined) return undefined;
    const appended = this.db.appendOrdered(entry);
    if ('divergence' in appended) return appended.divergence;
    this.track(appended, DURABLE_ELSEWHERE);
    return undefined;
  }

  /** Replaces this browser's log by another's state (a room's authority), then steps down to lead again from it. */
  async load(chunks: readonly Uint8Array[], seq: number): Promise<void> {
    if (this.stopped !== undefined) return;
    await this.db.flush();
    await this.db.storage.commit({ truncateSegmentsFrom: 0, snapshot: { seq, chunks: [...chunks] } });
    this.stepDown(`loaded another log's state at seq ${seq}`);
  }

  /** The durable entries after `fromSeq`, as storage holds them (incomplete when pruned behind a snapshot). */
  readTail(fromSeq: number): Promise<DurableTail> {
    return readDurableTail(this.db.storage, fromSeq, this.durableSeqValue);
  }

  /** The whole state at a moment when every entry in it is durable (undefined when stopped or always busy). */
  async snapshot(): Promise<DurableSnapshot | undefined> {
    const { db } = this;
    for (let tries = 0; tries < 8; tries++) {
      await db.flush();
      if (this.stopped !== undefined) return undefined;
      if (this.durableSeqValue !== db.seq) continue;
      return { seq: db.seq, chain: db.chain, chunks: encodeSnapshot(db.engine.store, { seq: db.seq, epoch: db.epoch, chain: db.chain, ledger: db.ledger }) };
    }
    return undefined;
  }

  /** Stops leading: logs and sends nothing more. Idempotent. */
  stepDown(reason: string): void {
    if (this.stopped !== undefined) return;
    this.stopped = reason;
    this.outbox = [];
    for (const fn of [...this.stopListeners]) fn(reason);
  }

  /**
   * Notes that entries up to `seq` are durable, and releases them a microtask
   * later: the entries of one commit resolve together, and go out as one batch
   * (one message to the tabs, one signed batch to a room) rather than one each.
   */
  private released(seq: number): void {
    const scheduled = this.releaseUpTo > this.durableSeqValue;
    this.releaseUpTo = Math.max(this.releaseUpTo, seq);
    if (!scheduled) queueMicrotask(() => this.release(this.releaseUpTo));
  }

  private release(seq: number): void {
    if (this.stopped !== undefined || seq <= this.durableSeqValue) return;
    const count = this.outbox.findIndex((e) => e.seq > seq);
    const entries = this.outbox.splice(0, count < 0 ? this.outbox.length : count);
    if (entries.length === 0) return;
    this.durableSeqValue = entries.at(-1)!.seq;
    for (const fn of this.durableListeners) fn(entries);
  }
}

/**
 * The durability of an entry that was durable before it got here (a leader tab's entry on a
 * replica tab, a room authority's in a member): its sessions hear of it at once.
 */
export const DURABLE_ELSEWHERE: Promise<void> = Promise.resolve();
