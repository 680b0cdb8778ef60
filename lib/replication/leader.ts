import { Database, type DatabaseOptions, type Submitted } from '../log/database';
import { encodeEntries, type LogEntry } from '../log/entry';
import { encodeSnapshot, type LedgerEntry } from '../log/snapshot';
import { toLockstepError, type LockstepErrorName } from '../errors';
import type { ModuleDef } from '../schema/module';
import { bumpEpoch, fencedStorage, readDurableTail, storedEpoch } from './durable-log';
import type { TabCall } from './pending-calls';
import type { CallMessage, TabMessage } from './messages';
import type { Transport } from './link';

/** Options of {@link Leader.start}. */
export interface LeaderOptions extends DatabaseOptions {
  /** This tab's id in the tab protocol. */
  readonly id: string;
  readonly transport: Transport<TabMessage>;
  /**
   * Called with each entry as it is logged (applied to this tab's state), with the promise of its
   * durability: here, or for an entry of a room's authority, already there (resolved).
   */
  readonly onLogged?: (entry: LogEntry, durable: Promise<void>) => void;
  /** Called with entries once they are durable and sent, in seq order. */
  readonly onDurable?: (entries: readonly LogEntry[]) => void;
  /** Called once when this leader stops leading (a newer epoch, a failed write); it orders nothing after. */
  readonly onStepDown?: (reason: string) => void;
  /**
   * Set in a room where another browser is the authority: this leader then orders
   * nothing itself. It hands every call to `forward` (its answer comes back as an
   * entry, through {@link Leader.acceptOrdered}), and it still alone writes this
   * browser's storage and feeds this browser's other tabs.
   */
  readonly upstream?: { forward(call: TabCall): void };
  /** A call of this tab's own clients that the room's authority refused without an entry. */
  readonly onCallFailed?: (client: string, callId: number, name: LockstepErrorName, message: string) => void;
}

/** What became of a call given to {@link Leader.order}. */
export type Ordered =
  /** Logged: its answer is the entry, once durable. */
  | { readonly kind: 'entry'; readonly entry: LogEntry }
  /** Refused without an entry (unknown reducer, bad arguments): final. */
  | { readonly kind: 'failed'; readonly name: LockstepErrorName; readonly message: string }
  /** Seen before: its answer is in the log (`last` is the client's latest logged call). */
  | { readonly kind: 'duplicate'; readonly last: LedgerEntry }
  /** Not ordered: this leader is stepping down; the call must go to the next one. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** Handed to the room's authority: its answer is the entry that comes back. */
  | { readonly kind: 'forwarded' };

/**
 * The leader role over a {@link Database}: it orders calls, makes entries
 * durable (it alone writes storage) and only then sends them to replicas, in
 * seq order, so no replica ever applies what a crash can lose.
 *
 * Taking over bumps the stored epoch before recovering, and every later write
 * is fenced at that epoch: an ex-leader that wakes up after a newer one took
 * over can neither write nor (since it sends entries only once durable) feed
 * replicas. It steps down when it sees a higher epoch or a fenced write.
 */
export class Leader {
  private outbox: LogEntry[] = [];
  private stopped: string | undefined;
  private durableSeqValue: number;
  /** The last durable seq heard of, not yet released (see {@link Leader.released}). */
  private releaseUpTo = 0;
  private readonly off: () => void;
  private readonly lifecycle: ReadonlySet<string>;
  private readonly durableListeners = new Set<(entries: readonly LogEntry[]) => void>();
  /** Calls handed upstream, by client and callId: the replica tab that made each (undefined: this tab). */
  private readonly forwarded = new Map<string, string | undefined>();

  private constructor(
    readonly db: Database,
    readonly epoch: number,
    private readonly options: LeaderOptions,
  ) {
    this.durableSeqValue = db.seq;
    const module: ModuleDef = db.engine.module;
    this.lifecycle = new Set([module.clientConnected?.name, module.clientDisconnected?.name].filter((n): n is string => n !== undefined));
    this.off = options.transport.onMessage((message) => this.receive(message));
  }

  /**
   * Takes over: bumps the epoch in storage, then opens (recovers) the database,
   * so entries carry the new epoch, and announces itself.
   * Call it only while holding the database's lock.
   */
  static async start(module: ModuleDef, options: LeaderOptions): Promise<Leader> {
    const epoch = await bumpEpoch(options.storage);
    const storage = fencedStorage(options.storage, epoch);
    // A follower of a room's authority takes its `init` from the authority's log, like every other entry.
    const db = await Database.open(module, { ...options, storage, init: options.upstream === undefined });
    db.epoch = epoch;
    // Creating a database writes epoch 1; keep the bumped one so older leaders stay fenced.
    if ((await storedEpoch(options.storage)) < epoch) await storage.commit({ meta: { epoch } });
    const leader = new Leader(db, epoch, options);
    leader.announce();
    return leader;
  }

  /** The seq of the last entry sent to replicas (all durable). */
  get durableSeq(): number {
    return this.durableSeqValue;
  }

  /** Why this leader stopped, or undefined while it leads. */
  get stoppedBecause(): string | undefined {
    return this.stopped;
  }

  /** Calls `fn` with entries once they are durable (after the tabs were sent them); returns a function that stops it. */
  onDurable(fn: (entries: readonly LogEntry[]) => void): () => void {
    this.durableListeners.add(fn);
    return () => this.durableListeners.delete(fn);
  }

  /** Announces this leader to every tab. */
  announce(): void {
    if (this.stopped === undefined) this.options.transport.send({ type: 'leader', epoch: this.epoch, leaderId: this.options.id, seq: this.durableSeqValue });
  }

  /** Orders a call of this tab's own clients or of a replica's (`replicaId`). */
  order(call: TabCall, replicaId?: string): Ordered {
    if (this.stopped !== undefined) return { kind: 'refused', reason: this.stopped };
    if (call.internal === true && !this.lifecycle.has(call.reducer)) {
      return { kind: 'failed', name: 'ReducerError', message: `Only clientConnected and clientDisconnected may be forwarded as internal calls, not "${call.reducer}"` };
    }
    const last = this.db.ledger.get(call.client);
    if (last !== undefined && call.callId <= last.callId) return { kind: 'duplicate', last };
    if (this.options.upstream !== undefined) {
      try {
        this.db.engine.check(call.reducer, call.args, call.internal === true);
      } catch (error) {
        const e = toLockstepError(error);
        return { kind: 'failed', name: e.name, message: e.message };
      }
      this.forwarded.set(`${call.client}\u0000${call.callId}`, replicaId);
      this.options.upstream.forward(call);
      return { kind: 'forwarded' };
    }
    const submitted = this.db.submit({ ...call, caller: { client: call.client, callId: call.callId } });
    if (submitted.entry !== undefined) {
      this.track(submitted);
      return { kind: 'entry', entry: submitted.entry };
    }
    const outcome = submitted.outcome;
    if (outcome.ok) return { kind: 'refused', reason: 'the call was not logged' };
    if (outcome.error.name === 'SchemaError' && outcome.error.message.startsWith('The database cannot write')) {
      this.stepDown(outcome.error.message);
      return { kind: 'refused', reason: outcome.error.message };
    }
    return { kind: 'failed', name: outcome.error.name, message: outcome.error.message };
  }

  /** The room's authority refused a forwarded call without an entry: tells the tab that made it. */
  failForwarded(client: string, callId: number, name: LockstepErrorName, message: string): void {
    const key = `${client}\u0000${callId}`;
    if (!this.forwarded.has(key)) return;
    const replicaId = this.forwarded.get(key);
    this.forwarded.delete(key);
    if (replicaId === undefined) this.options.onCallFailed?.(client, callId, name, message);
    else this.options.transport.send({ type: 'call-failed', epoch: this.epoch, to: replicaId, client, callId, name, message });
  }

  /**
   * Logs entries the room's authority ordered (see {@link LeaderOptions.upstream}), in seq order;
   * entries at or below this log's seq are skipped. Throws a `DecodeError` naming the seq of the
   * first one that does not continue this log or whose replay disagrees; the ones before it stay.
   */
  acceptOrdered(entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      if (this.stopped !== undefined) return;
      if (entry.seq <= this.db.seq) continue;
      // Durable at the room's authority already: its effects reach this browser's sessions now, not after this copy's commit.
      this.track(this.db.appendOrdered(entry), DURABLE_ELSEWHERE);
      if (entry.caller !== undefined) this.forwarded.delete(`${entry.caller.client}\u0000${entry.caller.callId}`);
    }
  }

  /** Runs the scheduled calls that are due now (not in a room that another browser orders: its authority runs them). */
  runDue(): void {
    if (this.stopped !== undefined || this.options.upstream !== undefined) return;
    for (let run; (run = this.db.runNextDue()) !== undefined; ) if (run.entry !== undefined) this.track(run);
  }

  /** Stops leading: orders and sends nothing more. Idempotent. */
  stepDown(reason: string): void {
    if (this.stopped !== undefined) return;
    this.stopped = reason;
    this.off();
    this.outbox = [];
    this.options.onStepDown?.(reason);
  }

  /** Handles one tab message. */
  receive(message: TabMessage): void {
    if (this.stopped !== undefined) return;
    if ('epoch' in message && message.epoch > this.epoch) {
      this.stepDown(`a newer leader took over (epoch ${message.epoch} > ${this.epoch})`);
      return;
    }
    switch (message.type) {
      case 'leader':
        // A stale leader announced itself: tell it (and everyone) who leads now.
        if (message.epoch < this.epoch) this.announce();
        return;
      case 'hello-replica':
        this.answerHello(message.replicaId, message.fromSeq, message.resync === true).catch((error: unknown) => this.stepDown(`answering a replica failed: ${String(error)}`));
        return;
      case 'call':
        this.orderForReplica(message);
        return;
      default:
        return;
    }
  }

  private orderForReplica(message: CallMessage): void {
    const { replicaId, type: _type, epoch: _epoch, ...call } = message;
    const ordered = this.order(call, replicaId);
    const send = this.options.transport.send.bind(this.options.transport);
    if (ordered.kind === 'failed') send({ type: 'call-failed', epoch: this.epoch, to: replicaId, client: call.client, callId: call.callId, name: ordered.name, message: ordered.message });
    if (ordered.kind === 'refused') send({ type: 'call-refused', epoch: this.epoch, leaderId: this.options.id, to: replicaId, client: call.client, callId: call.callId, reason: ordered.reason });
    // A duplicate's answer is in the log the replica replays: nothing to send.
  }

  /** Sends the entry on once durable here; its sessions hear of it once `answered` (by default, the same). */
  private track(submitted: Submitted, answered: Promise<void> = submitted.durable): void {
    const entry = submitted.entry!;
    this.outbox.push(entry);
    this.options.onLogged?.(entry, answered);
    submitted.durable.then(
      () => this.released(entry.seq),
      (error: unknown) => this.stepDown(`writing the log failed: ${error instanceof Error ? error.message : String(error)}`),
    );
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

  /** Sends every queued entry up to `seq`, now durable. */
  private release(seq: number): void {
    if (this.stopped !== undefined || seq <= this.durableSeqValue) return;
    const count = this.outbox.findIndex((e) => e.seq > seq);
    const entries = this.outbox.splice(0, count < 0 ? this.outbox.length : count);
    if (entries.length === 0) return;
    this.durableSeqValue = entries.at(-1)!.seq;
    this.sendEntries(entries, undefined);
    this.options.onDurable?.(entries);
    for (const fn of this.durableListeners) fn(entries);
  }

  private sendEntries(entries: readonly LogEntry[], to: string | undefined, afterSeq = entries[0]!.seq - 1): void {
    this.options.transport.send({
      type: 'entries',
      epoch: this.epoch,
      leaderId: this.options.id,
      ...(to === undefined ? {} : { to }),
      firstSeq: afterSeq + 1,
      lastSeq: afterSeq + entries.length,
      bytes: entries.length === 0 ? new Uint8Array(0) : encodeEntries(entries),
    });
  }

  private async answerHello(replicaId: string, fromSeq: number, resync: boolean): Promise<void> {
    this.announce();
    if (!resync && fromSeq >= this.durableSeqValue) return;
    const tail = resync ? undefined : await readDurableTail(this.options.storage, fromSeq, this.durableSeqValue);
    if (this.stopped !== undefined) return;
    if (tail !== undefined && tail.complete) {
      this.sendEntries(tail.entries, replicaId, fromSeq);
      return;
    }
    await this.sendResync(replicaId);
  }

  /** Sends the whole state, once every entry it includes is durable. */
  private async sendResync(to: string): Promise<void> {
    const snapshot = await this.durableSnapshot();
    if (snapshot !== undefined) this.options.transport.send({ type: 'resync', epoch: this.epoch, leaderId: this.options.id, to, ...snapshot });
  }

  /** The whole state at a moment when every entry in it is durable (undefined when stopped or always busy). */
  async durableSnapshot(): Promise<{ seq: number; chain: LogEntry['chain']; chunks: Uint8Array[] } | undefined> {
    const { db } = this;
    for (let tries = 0; tries < 8; tries++) {
      await db.flush();
      if (this.stopped !== undefined) return undefined;
      if (this.durableSeqValue !== db.seq) continue;
      return { seq: db.seq, chain: db.chain, chunks: encodeSnapshot(db.engine.store, { seq: db.seq, epoch: db.epoch, chain: db.chain, ledger: db.ledger }) };
    }
    return undefined;
  }
}

/**
 * The durability of an entry that was durable before it got here (a leader tab's entry on a
 * replica tab, a room authority's in a follower): its sessions hear of it at once.
 */
export const DURABLE_ELSEWHERE: Promise<void> = Promise.resolve();
