import type { Hash } from '../codec/hash';
import { deserializeError } from '../errors';
import type { Divergence } from '../log/apply';
import { decodeEntries, GENESIS, type LogEntry } from '../log/entry';
import type { LedgerEntry } from '../log/snapshot';
import type { Link } from './link';
import type { Call, EntriesMessage, ReplicationMessage, SnapshotMessage } from './messages';
import type { CallFailure } from './ordering';

/** The state a {@link Follower} keeps up to date: a replica tab's engine, or the leading tab's log of a room member. */
export interface FollowerTarget {
  readonly seq: number;
  readonly chain: Hash;
  readonly ledger: ReadonlyMap<string, LedgerEntry>;
  /**
   * Applies the next entry through the one apply path (`applyEntry`); `chained` when its chain
   * hash was checked as it was decoded. A divergence changes nothing and is returned.
   */
  append(entry: LogEntry, chained: boolean): Divergence | undefined;
  /** Replaces the state by a log server's snapshot at `seq`. */
  load(chunks: readonly Uint8Array[], seq: number): void | Promise<void>;
}

/** What a follower tells the node it runs in. All optional. */
export interface FollowerEvents {
  /** An entry was applied, in seq order. */
  readonly onEntry?: (entry: LogEntry) => void;
  /** A log server with a new epoch (or id) was seen: calls waiting elsewhere go to it. */
  readonly onServer?: (server: string, epoch: number) => void;
  /** A replay disagreed with the log; the whole state was asked for. */
  readonly onDiverged?: (divergence: Divergence) => void;
  /** The state was replaced by a snapshot. */
  readonly onLoaded?: () => void;
  /** A message from a stale log server (a lower epoch) was refused. */
  readonly onStale?: (message: ReplicationMessage, highestEpoch: number) => void;
  /** A forwarded call failed without an entry: its final answer. */
  readonly onCallFailed?: (failure: CallFailure) => void;
  /** The calls waiting for the log server, whenever no server is reachable to take them (persist them). */
  readonly onOutbox?: (calls: readonly Call[]) => void;
  /** State, seq, lag or server changed. */
  readonly onProgress?: () => void;
  /** Loading a snapshot failed (it is asked for again on the next nudge). */
  readonly onError?: (error: unknown) => void;
}

/** Options of {@link Follower}. */
export interface FollowerOptions extends FollowerEvents {
  readonly link: Link<ReplicationMessage>;
  readonly target: FollowerTarget;
  /** The highest epoch known: messages of lower ones are refused. */
  readonly epoch?: number;
  /** Calls still waiting from before (a reload). */
  readonly outbox?: readonly Call[];
}

/** Where a follower stands with its log server. */
export type FollowerState = 'offline' | 'connected' | 'refused';

/** Calls per `calls` message when the whole outbox is sent again. */
const RESEND_BATCH = 256;

/**
 * Follows a log server over a link: a replica tab follows its leader, a room
 * member's leading tab follows the room's authority. Entries apply strictly in
 * seq order through the target (early ones wait in a buffer, duplicates are
 * dropped, a gap asks the server again); a divergence asks for the whole state.
 * Messages stamped with an epoch below the highest seen are refused.
 *
 * It also forwards this node's calls, and keeps each in an outbox until the log
 * shows it (or the server says it failed), sending them again to every new
 * server and on {@link Follower.nudge}: the ledger makes that exactly-once.
 */
export class Follower {
  private highestEpoch: number;
  private serverValue: string | undefined;
  private serverSeq: number;
  private stateValue: FollowerState = 'offline';
  private errorValue: Error | undefined;
  private buffer = new Map<number, EntriesMessage>();
  private askedFrom = -1;
  private divergence: Divergence | undefined;
  private loading = false;
  private closed = false;
  private fetchedValue = 0;
  /** Calls forwarded and not yet in the log, by client, then callId. */
  private readonly outbox = new Map<string, Map<number, Call>>();
  private unsent: Call[] = [];
  private readonly offs: (() => void)[];
  /** Messages refused for a stale epoch. */
  stale = 0;

  constructor(private readonly options: FollowerOptions) {
    this.highestEpoch = options.epoch ?? 0;
    this.serverSeq = options.target.seq;
    // A stored call the log already shows (its state came by snapshot) can never be applied again: drop it.
    for (const call of options.outbox ?? []) if ((options.target.ledger.get(call.client)?.callId ?? 0) < call.callId) this.keep(call);
    this.offs = [
      options.link.onMessage((message, from) => this.receive(message, from)),
      options.link.onPeer((event) => (event.type === 'connected' ? this.hello(event.peer) : this.lost(event.peer))),
    ];
    this.hello();
  }

  get seq(): number {
    return this.options.target.seq;
  }

  /** The highest epoch seen. */
  get epoch(): number {
    return this.highestEpoch;
  }

  /** The log server followed now, once it announced itself. */
  get server(): string | undefined {
    return this.serverValue;
  }

  get state(): FollowerState {
    return this.stateValue;
  }

  /** Why the server refused this node, when it did. */
  get error(): Error | undefined {
    return this.errorValue;
  }

  /** The server's last durable seq as last heard. */
  get target(): number {
    return this.serverSeq;
  }

  /** Durable entries the server has that this follower has not applied. */
  get lag(): number {
    return Math.max(0, this.serverSeq - this.seq);
  }

  /** Entries applied since this follower started (a snapshot not counted). */
  get fetched(): number {
    return this.fetchedValue;
  }

  /** Set while waiting for a snapshot after a diverged replay. */
  get diverged(): Divergence | undefined {
    return this.divergence;
  }

  /** How many calls are forwarded and not yet in the log (without listing them). */
  get waitingCount(): number {
    let count = 0;
    for (const calls of this.outbox.values()) count += calls.size;
    return count;
  }

  /** Calls forwarded and not yet in the log. */
  get waiting(): readonly Call[] {
    return [...this.outbox.values()].flatMap((calls) => [...calls.values()]);
  }

  /** Asks the server (or, while none is known, every peer) for what this follower lacks, or for the whole state after a divergence. */
  hello(to: string | undefined = this.serverValue): void {
    if (this.closed) return;
    this.askedFrom = this.seq;
    this.options.link.send({ type: 'hello', epoch: this.highestEpoch, fromSeq: this.seq, ...(this.divergence === undefined ? {} : { snapshot: true }) }, to);
  }

  /** Forwards a call to be ordered; its answer comes through the log (or as a failure). */
  forward(call: Call): void {
    if (this.closed) return;
    this.keep(call);
    // Offline the outbox is stored, and the status shows it; online its count is read when asked (see `waitingCount`).
    if (this.serverValue === undefined) {
      this.options.onOutbox?.(this.waiting);
      this.options.onProgress?.();
    }
    this.unsent.push(call);
    if (this.unsent.length === 1) queueMicrotask(() => this.sendUnsent());
  }

  /**
   * Repeats what a lost message may have dropped: the hello and every waiting call
   * (the log answers duplicates). Safe at any time; a link that can lose messages,
   * or a stall check, calls it now and then.
   */
  nudge(): void {
    this.askedFrom = -1;
    this.hello();
    this.resend();
    this.options.onProgress?.();
  }

  /** Stops following. */
  close(): void {
    this.closed = true;
    for (const off of this.offs.splice(0)) off();
  }

  /** Handles one message from the link. */
  receive(message: ReplicationMessage, from: string): void {
    if (this.closed) return;
    switch (message.type) {
      case 'announce':
        if (this.isStale(message)) return;
        this.seeServer(from, message.epoch, message.seq);
        if (message.seq > this.seq && this.askedFrom !== this.seq) this.hello();
        return;
      case 'entries':
        if (this.isStale(message)) return;
        this.seeServer(from, message.epoch, message.target);
        if (message.lastSeq <= this.seq || this.divergence !== undefined) return;
        if ((this.buffer.get(message.firstSeq)?.lastSeq ?? -1) < message.lastSeq) this.buffer.set(message.firstSeq, message);
        this.drain();
        return;
      case 'snapshot':
        if (this.isStale(message)) return;
        this.seeServer(from, message.epoch, message.target);
        if (this.divergence === undefined && message.seq <= this.seq) return; // a late answer: already past it
        void this.load(message);
        return;
      case 'call-failed':
        this.drop(message.client, message.callId);
        this.options.onCallFailed?.(message);
        return;
      case 'refused':
        this.stateValue = 'refused';
        this.errorValue = deserializeError({ name: message.name, message: message.message, details: {} });
        this.options.onProgress?.();
        return;
      default:
        // 'call-refused': the call stays in the outbox for the next server; 'hello' and 'calls' are for servers.
        return;
    }
  }

  private isStale(message: ReplicationMessage & { readonly epoch: number }): boolean {
    if (message.epoch >= this.highestEpoch) return false;
    this.stale++;
    this.options.onStale?.(message, this.highestEpoch);
    return true;
  }

  private seeServer(from: string, epoch: number, seq: number): void {
    // An epoch has one server: another node sending under the server's epoch does not take its place.
    const changed = epoch > this.highestEpoch || this.serverValue === undefined;
    const server = changed ? from : this.serverValue!;
    this.highestEpoch = epoch;
    this.serverValue = server;
    this.stateValue = 'connected';
    this.errorValue = undefined;
    if (seq > this.serverSeq) this.serverSeq = seq;
    if (changed) {
      // Whatever was asked or sent before went to no server or to an old one: ask this one.
      this.hello();
      this.resend();
      this.options.onServer?.(server, epoch);
    }
    this.options.onProgress?.();
  }

  private lost(peer: string): void {
    if (peer !== this.serverValue) return;
    this.serverValue = undefined;
    if (this.stateValue === 'connected') this.stateValue = 'offline';
    this.options.onOutbox?.(this.waiting);
    this.options.onProgress?.();
  }

  /** Applies buffered messages while they continue the log; asks again on a gap. */
  private drain(): void {
    while (!this.loading && this.divergence === undefined) {
      let next: EntriesMessage | undefined;
      for (const [first, message] of this.buffer) {
        if (message.lastSeq <= this.seq || message.epoch < this.highestEpoch) this.buffer.delete(first);
        else if (first <= this.seq + 1 && (next === undefined || message.lastSeq > next.lastSeq)) next = message;
      }
      if (next === undefined) break;
      this.buffer.delete(next.firstSeq);
      if (!this.apply(next)) break;
    }
    if (this.buffer.size > 0 && this.divergence === undefined && this.askedFrom !== this.seq) this.hello();
    this.options.onProgress?.();
  }

  /** Applies the entries of one message that follow this log; false when it stopped (divergence, bad bytes). */
  private apply(message: EntriesMessage): boolean {
    const { target } = this.options;
    const linked = message.firstSeq === target.seq + 1;
    const { entries, error } = decodeEntries(message.bytes, linked ? target.chain : GENESIS);
    let previous: Hash | undefined = linked ? target.chain : undefined;
    for (const { entry, chained } of entries) {
      if (entry.seq <= target.seq) {
        previous = entry.chain;
        continue;
      }
      const divergence = target.append(entry, chained && previous === target.chain);
      if (divergence !== undefined) {
        this.diverge(divergence);
        return false;
      }
      previous = entry.chain;
      this.fetchedValue++;
      if (entry.caller !== undefined) this.drop(entry.caller.client, entry.caller.callId);
      this.options.onEntry?.(entry);
    }
    // Corrupt bytes in transit: keep what was good and ask for the rest again.
    return error === undefined;
  }

  private diverge(divergence: Divergence): void {
    this.divergence = divergence;
    this.buffer.clear();
    this.options.onDiverged?.(divergence);
    this.hello();
  }

  private async load(message: SnapshotMessage): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      await this.options.target.load(message.chunks, message.seq);
    } catch (error) {
      this.options.onError?.(error);
      return;
    } finally {
      this.loading = false;
    }
    if (this.closed) return;
    this.divergence = undefined;
    this.askedFrom = -1;
    for (const [client, last] of this.options.target.ledger) this.drop(client, last.callId);
    this.options.onLoaded?.();
    this.drain();
  }

  private keep(call: Call): void {
    let calls = this.outbox.get(call.client);
    if (calls === undefined) this.outbox.set(call.client, (calls = new Map()));
    calls.set(call.callId, call);
  }

  /** Drops the calls of `client` up to `callId` from the outbox: the log shows them (or one after them). */
  private drop(client: string, callId: number): void {
    const calls = this.outbox.get(client);
    if (calls === undefined) return;
    for (const id of calls.keys()) if (id <= callId) calls.delete(id);
    if (calls.size === 0) this.outbox.delete(client);
  }

  private sendUnsent(): void {
    const calls = this.unsent.filter((call) => this.outbox.get(call.client)?.has(call.callId) === true);
    this.unsent = [];
    if (calls.length > 0 && !this.closed) this.options.link.send({ type: 'calls', epoch: this.highestEpoch, calls }, this.serverValue);
  }

  private resend(): void {
    const calls = this.waiting;
    for (let i = 0; i < calls.length; i += RESEND_BATCH) this.options.link.send({ type: 'calls', epoch: this.highestEpoch, calls: calls.slice(i, i + RESEND_BATCH) }, this.serverValue);
  }
}
