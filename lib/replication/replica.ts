import type { Hash } from '../codec/hash';
import { Engine, type LogRecord } from '../engine/engine';
import { decodeEntries, GENESIS, type LogEntry } from '../log/entry';
import { encodeDiff, hashDiff } from '../log/diff-codec';
import { recordCall, recoverLog } from '../log/recovery';
import { compareSchemas } from '../log/schema-diff';
import { loadSnapshot, type LedgerEntry } from '../log/snapshot';
import type { Storage } from '../log/storage';
import type { ModuleDef } from '../schema/module';
import type { TableSchema } from '../schema/table';
import type { Identity } from '../schema/type-desc';
import { stateHash } from '../store/state-hash';
import { storedEpoch } from './durable-log';
import type { TabCall } from './pending-calls';
import type { EntriesMessage, ResyncMessage, TabMessage } from './messages';
import type { Transport } from './link';

/** A replay that computed a different diff than the leader logged. */
export interface Divergence {
  readonly seq: number;
  readonly reducer: string;
  readonly reason: string;
}

/** What a replica tells its tab. All optional. */
export interface ReplicaEvents {
  /** An entry was applied (replayed, or a failure recorded), in seq order. */
  readonly onEntry?: (entry: LogEntry) => void;
  /** A leader with a new epoch (or id) was seen: resubmit pending calls to it. */
  readonly onLeader?: (leaderId: string, epoch: number) => void;
  /** A replay disagreed with the leader; a resync was asked for. */
  readonly onDiverged?: (divergence: Divergence) => void;
  /** The state was replaced by a leader's snapshot; `engine` is the new one. */
  readonly onResynced?: (engine: Engine, ledger: ReadonlyMap<string, LedgerEntry>) => void;
  /** A message from a stale leader (lower epoch) was refused. */
  readonly onRefused?: (message: TabMessage, highestEpoch: number) => void;
  /** A call of this tab failed without an entry (answer from the leader). */
  readonly onCallFailed?: (message: Extract<TabMessage, { type: 'call-failed' }>) => void;
  /** seq, lag or leader changed. */
  readonly onProgress?: () => void;
}

/** Options of {@link Replica.open}. */
export interface ReplicaOptions extends ReplicaEvents {
  readonly id: string;
  /** Read only: a replica never writes. */
  readonly storage: Storage;
  readonly transport: Transport<TabMessage>;
  readonly identity: Identity;
  readonly log?: (record: LogRecord) => void;
}

/**
 * The replica role: an engine loaded from storage (read only) that follows the
 * leader's log. Entries apply strictly in seq order (early ones wait in a
 * buffer, duplicates are dropped, a gap asks the leader again); each committed
 * entry is re-run through the same transaction path with its stamped context,
 * and its diff hash compared with the leader's. A mismatch is reported and the
 * replica asks for a resync instead of going on. Messages from a leader with an
 * epoch below the highest seen are refused.
 */
export class Replica {
  private seqValue: number;
  private chainValue: Hash;
  private highestEpoch: number;
  private leaderIdValue: string | undefined;
  private leaderSeq: number;
  private buffer = new Map<number, EntriesMessage>();
  private askedFrom = -1;
  private divergence: Divergence | undefined;
  private closed = false;
  private readonly off: () => void;
  /** Messages refused for a stale epoch. */
  refused = 0;

  private constructor(
    public engine: Engine,
    private readonly options: ReplicaOptions,
    state: { seq: number; chain: Hash; epoch: number },
    readonly ledger: Map<string, LedgerEntry>,
  ) {
    this.seqValue = state.seq;
    this.chainValue = state.chain;
    this.highestEpoch = state.epoch;
    this.leaderSeq = state.seq;
    this.off = options.transport.onMessage((message) => this.receive(message));
  }

  /** Loads the latest durable state (snapshot + log) from storage, then asks the leader for the rest. */
  static async open(module: ModuleDef, options: ReplicaOptions): Promise<Replica> {
    const engine = new Engine(module, { identity: options.identity, ...(options.log === undefined ? {} : { log: options.log }) });
    const stored = (await options.storage.readMeta('schema')) as TableSchema[] | undefined;
    // A stored schema that differs is the leader's to migrate: start empty and catch up from it.
    const same = stored !== undefined && compareSchemas(stored, module.tables).kind === 'same';
    const recovered = same ? await recoverLog(options.storage, engine.store) : undefined;
    engine.scheduler.rebuild(recovered?.lastTimestamp ?? 0n);
    const epoch = Math.max(recovered?.epoch ?? 0, await storedEpoch(options.storage));
    const replica = new Replica(engine, options, { seq: recovered?.seq ?? 0, chain: recovered?.chain ?? GENESIS, epoch }, recovered?.ledger ?? new Map());
    replica.hello();
    return replica;
  }

  get seq(): number {
    return this.seqValue;
  }

  /** The storage this replica loaded from (read only). */
  get storage(): Storage {
    return this.options.storage;
  }

  get chain(): Hash {
    return this.chainValue;
  }

  /** The highest epoch seen: messages from lower ones are refused. */
  get epoch(): number {
    return this.highestEpoch;
  }

  get leaderId(): string | undefined {
    return this.leaderIdValue;
  }

  /** Entries the leader has made durable that this replica has not applied. */
  get lag(): number {
    return Math.max(0, this.leaderSeq - this.seqValue);
  }

  /** Set while waiting for a resync after a diverged replay. */
  get diverged(): Divergence | undefined {
    return this.divergence;
  }

  stateHash(): Hash {
    return stateHash(this.engine.store);
  }

  /** Asks the leader for what this replica lacks (or for a snapshot, while diverged). */
  hello(): void {
    if (this.closed) return;
    this.askedFrom = this.seqValue;
    this.options.transport.send({ type: 'hello-replica', replicaId: this.options.id, fromSeq: this.seqValue, ...(this.divergence === undefined ? {} : { resync: true }) });
  }

  /** Forwards a call to the leader; its answer comes through the log. */
  forward(call: TabCall): void {
    if (!this.closed) this.options.transport.send({ type: 'call', epoch: this.highestEpoch, replicaId: this.options.id, ...call });
  }

  /** Stops following the log. */
  close(): void {
    this.closed = true;
    this.off();
  }

  /** Handles one tab message. */
  receive(message: TabMessage): void {
    if (this.closed) return;
    switch (message.type) {
      case 'leader':
        if (this.stale(message)) return;
        this.seeLeader(message.leaderId, message.epoch, message.seq);
        if (message.seq > this.seqValue && this.askedFrom !== this.seqValue) this.hello();
        return;
      case 'entries':
        if (this.stale(message)) return;
        this.seeLeader(message.leaderId, message.epoch, message.lastSeq);
        if (message.lastSeq <= this.seqValue || this.divergence !== undefined) return;
        if (!this.buffer.has(message.firstSeq) || this.buffer.get(message.firstSeq)!.lastSeq < message.lastSeq) this.buffer.set(message.firstSeq, message);
        this.drain();
        return;
      case 'resync':
        if (message.to !== this.options.id || this.stale(message)) return;
        if (this.divergence === undefined && message.seq <= this.seqValue) return; // a late answer: already past it
        this.resync(message);
        return;
      case 'call-failed':
        if (message.to === this.options.id) this.options.onCallFailed?.(message);
        return;
      default:
        return;
    }
  }

  private stale(message: TabMessage & { epoch: number }): boolean {
    if (message.epoch >= this.highestEpoch) return false;
    this.refused++;
    this.options.onRefused?.(message, this.highestEpoch);
    return true;
  }

  private seeLeader(leaderId: string, epoch: number, seq: number): void {
    const changed = epoch > this.highestEpoch || leaderId !== this.leaderIdValue;
    this.highestEpoch = epoch;
    this.leaderIdValue = leaderId;
    if (seq > this.leaderSeq) this.leaderSeq = seq;
    if (changed) {
      // Whatever was asked before went to no leader or to an old one: ask this one.
      this.hello();
      this.options.onLeader?.(leaderId, epoch);
    }
    this.options.onProgress?.();
  }

  /** Applies buffered messages while they continue the log; asks again on a gap. */
  private drain(): void {
    for (;;) {
      let next: EntriesMessage | undefined;
      for (const [first, message] of this.buffer) {
        if (message.lastSeq <= this.seqValue || message.epoch < this.highestEpoch) this.buffer.delete(first);
        else if (first <= this.seqValue + 1 && (next === undefined || message.lastSeq > next.lastSeq)) next = message;
      }
      if (next === undefined) break;
      this.buffer.delete(next.firstSeq);
      if (!this.apply(next)) break;
    }
    if (this.buffer.size > 0 && this.divergence === undefined && this.askedFrom !== this.seqValue) this.hello();
    this.options.onProgress?.();
  }

  /** Applies the entries of one message that follow this replica's seq; false when it stopped (divergence, bad bytes). */
  private apply(message: EntriesMessage): boolean {
    const linked = message.firstSeq === this.seqValue + 1;
    const { entries, error } = decodeEntries(message.bytes, linked ? this.chainValue : GENESIS);
    let previous: Hash | undefined = linked ? this.chainValue : undefined;
    for (const { entry, chained } of entries) {
      if (entry.seq <= this.seqValue) {
        previous = entry.chain;
        continue;
      }
      if (entry.seq !== this.seqValue + 1 || !chained || previous !== this.chainValue) {
        this.diverge({ seq: this.seqValue + 1, reducer: entry.reducer, reason: 'its chain hash does not follow the entry before it' });
        return false;
      }
      if (!this.replay(entry)) return false;
      previous = entry.chain;
    }
    // Corrupt bytes in transit: keep what was good and ask for the rest again.
    return error === undefined;
  }

  private replay(entry: LogEntry): boolean {
    if (entry.outcome.ok) {
      const { engine } = this;
      const outcome = engine.call({
        reducer: entry.reducer,
        args: engine.decodeArgs(entry.reducer, entry.args),
        sender: entry.sender,
        connectionId: entry.connectionId,
        timestamp: entry.timestamp,
        seed: entry.seed,
        internal: entry.internal,
      });
      if (!outcome.ok) {
        this.diverge({ seq: entry.seq, reducer: entry.reducer, reason: `the call failed here: ${outcome.error.message}` });
        return false;
      }
      if (hashDiff(encodeDiff(engine.store, outcome.diff)) !== entry.outcome.txHash) {
        this.diverge({ seq: entry.seq, reducer: entry.reducer, reason: 'its row diff differs from the one the leader logged' });
        return false;
      }
    }
    // A failed call changed nothing, but it is a step of the log and of the ledger.
    recordCall(this.ledger, entry);
    this.seqValue = entry.seq;
    this.chainValue = entry.chain;
    this.options.onEntry?.(entry);
    return true;
  }

  private diverge(divergence: Divergence): void {
    this.divergence = divergence;
    this.buffer.clear();
    this.options.onDiverged?.(divergence);
    this.hello();
  }

  private resync(message: ResyncMessage): void {
    const engine = new Engine(this.engine.module, { identity: this.options.identity, ...(this.options.log === undefined ? {} : { log: this.options.log }) });
    const header = loadSnapshot(engine.store, message.chunks);
    engine.scheduler.rebuild(0n);
    this.engine = engine;
    this.seqValue = header.seq;
    this.chainValue = header.chain;
    this.ledger.clear();
    for (const [client, last] of header.ledger) this.ledger.set(client, last);
    this.divergence = undefined;
    this.askedFrom = -1;
    this.options.onResynced?.(engine, this.ledger);
    this.drain();
  }
}
