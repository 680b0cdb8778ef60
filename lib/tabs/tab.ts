import type { Engine } from '../engine/engine';
import type { Divergence } from '../log/apply';
import type { LogEntry } from '../log/entry';
import type { LedgerEntry } from '../log/snapshot';
import type { Storage } from '../log/storage';
import { readDurableTail } from '../replication/durable-log';
import { Follower } from '../replication/follower';
import { DURABLE_ELSEWHERE, type LeaderLog } from '../replication/leader-log';
import { MemoryReplica } from '../replication/memory-replica';
import type { Call } from '../replication/messages';
import { PendingCalls, type CallResult } from '../replication/pending-calls';
import { Leadership } from './leadership';
import type { TabEvents, TabOptions, TabStatus } from './tab-types';

export type { TabEvents, TabOptions, TabRole, TabStatus } from './tab-types';

/** One grant of the leader's lock, and the leadership it started. */
interface LockGrant {
  lost: boolean;
  leadership: Leadership | undefined;
}

const isAbort = (error: unknown): boolean => error instanceof Error && error.name === 'AbortError';

/** A replica tab: its state, and the follower that keeps it up to date. */
interface Following {
  readonly replica: MemoryReplica;
  readonly follower: Follower;
}

/**
 * One tab's worker for one database: the election and handover state machine.
 * It opens as a replica at once (a follower of the leader's log over the tab
 * link) and queues for the database's lock; when the lock is granted it leads
 * (see {@link Leadership}: it bumps the epoch, orders or relays, serves the log),
 * and when its leadership ends (a newer epoch, a failed write, a stolen lock)
 * it goes back to following and queues again. Its clients' calls stay pending
 * across all of that and are resubmitted to each new role; the ledger makes
 * that exactly-once.
 */
export class Tab {
  private readonly pending = new PendingCalls();
  private leadershipValue: Leadership | undefined;
  private following: Following | undefined;
  private lockQueued = false;
  private closed = false;
  private readonly statusListeners = new Set<(status: TabStatus) => void>();
  private readonly divergenceListeners = new Set<(divergence: Divergence) => void>();
  private lastStatus = '';
  /** The last entry whose call (if any) the pending calls were shown; entries are shown once each, in seq order. */
  private observedSeq = 0;
  /** Entries arriving while the stored tail is read, shown after it. */
  private held: LogEntry[] | undefined;
  private failureValue: Error | undefined;

  private constructor(
    private readonly options: TabOptions,
    private readonly events: TabEvents,
  ) {}

  /** Opens the tab as a replica and queues it for leadership. */
  static async open(options: TabOptions, events: TabEvents = {}): Promise<Tab> {
    const tab = new Tab(options, events);
    await tab.follow();
    tab.requestLock(false);
    return tab;
  }

  /** The current role's status. */
  get status(): TabStatus {
    const leadership = this.leadershipValue;
    const room = this.options.room === undefined ? {} : { room: this.options.room.status() };
    if (this.closed) return { role: 'closed', epoch: 0, leader: undefined, lag: 0, seq: 0, ...room };
    if (leadership !== undefined) return { role: 'leader', epoch: leadership.log.epoch, leader: this.options.id, lag: 0, seq: leadership.log.seq, ...room };
    const follower = this.following?.follower;
    return { role: 'replica', epoch: follower?.epoch ?? 0, leader: follower?.server, lag: follower?.lag ?? 0, seq: follower?.seq ?? 0, ...room };
  }

  /** The engine holding this tab's state (the leader's or the replica's); undefined only while a role is starting. */
  get engine(): Engine | undefined {
    return this.leadershipValue?.engine ?? this.following?.replica.engine;
  }

  /** The storage this tab's role reads (the leader also writes it). */
  get storage(): Storage | undefined {
    return this.leadershipValue?.log.db.storage ?? this.following?.replica.storage;
  }

  /** Why this tab could not take the lead (e.g. its module's schema is refused by the stored one); it then stops queueing for it. */
  get failure(): Error | undefined {
    return this.failureValue;
  }

  /** What this tab is made of while it leads. */
  get leadership(): Leadership | undefined {
    return this.leadershipValue;
  }

  /** The log this tab writes while it leads. */
  get leader(): LeaderLog | undefined {
    return this.leadershipValue?.log;
  }

  /** This tab's state while it is a replica. */
  get replica(): MemoryReplica | undefined {
    return this.following?.replica;
  }

  /** The follower of the leader's log while this tab is a replica. */
  get follower(): Follower | undefined {
    return this.following?.follower;
  }

  /** Calls not answered yet. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /** Calls `fn` whenever the status changes; returns a function that stops it. */
  onStatus(fn: (status: TabStatus) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  /** Calls `fn` when this tab's replay disagrees with the leader (it then resyncs). */
  onDiverged(fn: (divergence: Divergence) => void): () => void {
    this.divergenceListeners.add(fn);
    return () => this.divergenceListeners.delete(fn);
  }

  /**
   * Makes a call; resolves with its final answer once it is durable (leader) or
   * replayed (replica) — across any number of leader changes, applied at most once.
   */
  call(call: Call): Promise<CallResult> {
    const answer = this.pending.add(call);
    this.route(call);
    return answer;
  }

  /**
   * Repeats what a lost message may have dropped: the leader announces itself and
   * orders its pending calls again, a replica asks for what it lacks and sends its
   * waiting calls again. Safe at any time (duplicates are answered by the log).
   */
  nudge(): void {
    const leadership = this.leadershipValue;
    if (leadership === undefined) return this.following?.follower.nudge();
    leadership.nudge();
    this.resubmit();
  }

  /**
   * Takes leadership even from a live holder (Web Locks `steal`), for a leader
   * that stopped responding. The epoch fences the old one: whatever it still
   * tries to write or send is refused.
   */
  takeOver(): void {
    this.requestLock(true);
  }

  /** Leaves: a leader makes what it ordered durable, then releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const leadership = this.leadershipValue;
    if (leadership !== undefined) await leadership.log.db.flush().catch(() => {});
    leadership?.stop('the tab closed');
    this.following?.follower.close();
    this.following = undefined;
    this.emitStatus();
  }

  private route(call: Call): void {
    const leadership = this.leadershipValue;
    if (leadership === undefined) {
      this.following?.follower.forward(call);
      return;
    }
    const ordered = leadership.ordering.order(call);
    if (ordered.kind === 'failed') this.pending.fail(call.client, call.callId, ordered.name, ordered.message);
    if (ordered.kind === 'duplicate') {
      const { last } = ordered;
      const { client, callId } = call;
      const result: CallResult = last.outcome.ok ? { ok: true, seq: last.seq } : { ...last.outcome, seq: last.seq };
      // The answer is in the log, maybe not durable yet: once it is (and was shown to the pending calls, which
      // only a leader still leading does), an earlier call still unanswered never ran. Otherwise the next role answers.
      leadership.log.db.flush().then(() => {
        if (leadership.log.stoppedBecause !== undefined) return;
        if (last.callId === callId) this.pending.answer(client, callId, result);
        else this.pending.fail(client, callId, 'ReducerError', `Call ${callId} of client ${client} was not applied and never will be: a later call of the same client was applied first`);
      }, () => {});
    }
    // 'entry' and 'forwarded' are answered by the log once durable here; 'refused' stays pending for the next leader.
  }

  private resubmit(): void {
    for (const call of this.pending.list()) this.route(call);
  }

  /** Becomes a replica: loads the durable state, then follows the leader's log over the tab link. */
  private async follow(): Promise<void> {
    const { options } = this;
    const replica = await MemoryReplica.open(options.module, {
      storage: await options.openStorage(),
      identity: options.identity,
      ...(options.log === undefined ? {} : { log: options.log }),
      onEngine: (engine) => this.events.onEngine?.(engine),
    });
    if (this.closed || this.leadershipValue !== undefined) return;
    const follower = new Follower({
      link: options.link,
      target: replica,
      epoch: replica.epoch,
      onEntry: (entry) => {
        this.events.onApplied?.(entry, DURABLE_ELSEWHERE);
        this.observe(entry);
      },
      onDiverged: (divergence) => {
        for (const fn of this.divergenceListeners) fn(divergence);
      },
      onLoaded: () => {
        this.pending.observeLedger(replica.ledger);
        this.observedSeq = Math.max(this.observedSeq, replica.seq);
      },
      onCallFailed: (failure) => this.pending.fail(failure.client, failure.callId, failure.name, failure.message),
      onProgress: () => this.emitStatus(),
    });
    this.following = { replica, follower };
    this.events.onEngine?.(replica.engine);
    // Loading from storage replays entries silently: show pending calls the ones they may be waiting for.
    if (this.pending.size === 0) this.observedSeq = Math.max(this.observedSeq, replica.seq);
    else await this.observeStored(replica.storage, replica.ledger, replica.seq);
    this.emitStatus();
    this.resubmit();
  }

  private requestLock(steal: boolean): void {
    if (this.closed || (!steal && this.lockQueued)) return;
    if (!steal) this.lockQueued = true;
    /** One grant of the lock: lost when it is stolen (by another tab, or by this tab's own takeOver). */
    const grant: LockGrant = { lost: false, leadership: undefined };
    this.options.locks
      .request(this.options.lockName ?? 'lockstep:leader', steal ? { steal: true } : {}, () => {
        if (!steal) this.lockQueued = false;
        return this.lead(grant);
      })
      .catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        if (isAbort(error)) {
          // Stolen: whatever this grant still does as leader is fenced by the new epoch. A leadership it
          // installed steps down (and the tab queues again as it follows); one still starting never installs.
          grant.lost = true;
          if (!steal) this.lockQueued = false;
          const installed = grant.leadership !== undefined && grant.leadership === this.leadershipValue;
          grant.leadership?.stop(`the lock was taken: ${reason}`);
          if (!installed) this.requestLock(false);
          return;
        }
        this.failureValue = error instanceof Error ? error : new Error(reason);
        this.options.log?.({ level: 'error', reducer: '', message: `Tab ${this.options.id} could not lead: ${reason}` });
        this.emitStatus(true);
      });
  }

  /** Runs while this tab holds the lock (`grant`); resolving releases it. */
  private async lead(grant: LockGrant): Promise<void> {
    if (this.closed || grant.lost) return;
    // A takeOver while this tab already leads (or is about to): the new grant replaces the old one.
    this.leadershipValue?.stop('this tab took the lead again');
    const { options } = this;
    const storage = await options.openStorage();
    if (grant.lost) return;
    const leadership = await Leadership.start(storage, options, {
      onLogged: (entry, durable) => this.events.onApplied?.(entry, durable),
      onDurable: (entries) => {
        for (const entry of entries) this.observe(entry);
        this.emitStatus(); // the seq moved (the host paces what it sends)
      },
      onFailed: (failure) => this.pending.fail(failure.client, failure.callId, failure.name, failure.message),
      onRoomChanged: () => this.emitStatus(),
    });
    let end: () => void = () => {};
    const ended = new Promise<void>((resolve) => (end = resolve));
    grant.leadership = leadership;
    leadership.log.onStepDown((reason) => this.stepDown(leadership, reason, end));
    if (this.closed || grant.lost || this.leadershipValue !== undefined) {
      leadership.stop(this.closed ? 'the tab closed' : 'its lock was taken while it started');
      return ended;
    }
    this.following?.follower.close();
    this.following = undefined;
    this.leadershipValue = leadership;
    this.events.onEngine?.(leadership.engine);
    // Own calls whose entries became durable after what this tab replayed: answer them from the log first.
    await this.observeStored(storage, leadership.log.ledger, leadership.log.seq);
    if (this.leadershipValue === leadership) this.resubmit();
    this.emitStatus();
    return ended;
  }

  /** Shows an entry to the pending calls, once, in seq order. */
  private observe(entry: LogEntry): void {
    if (this.held !== undefined) this.held.push(entry);
    else if (entry.seq > this.observedSeq) {
      this.observedSeq = entry.seq;
      this.pending.observe(entry);
    }
  }

  /**
   * Shows the pending calls the durable entries after the last one they saw, up to the loaded
   * state's `seq` (or the ledger, when those entries were pruned or replaced by a snapshot).
   */
  private async observeStored(storage: Storage, ledger: ReadonlyMap<string, LedgerEntry>, seq: number): Promise<void> {
    this.held = [];
    let tail: Awaited<ReturnType<typeof readDurableTail>> = { entries: [], complete: true };
    try {
      tail = await readDurableTail(storage, this.observedSeq, seq);
    } finally {
      const held = this.held;
      this.held = undefined;
      if (!tail.complete) this.pending.observeLedger(ledger);
      for (const entry of [...tail.entries, ...held]) this.observe(entry);
    }
  }

  /** A leadership ended: its lock is released (`end`), and this tab follows again unless another leadership took its place. */
  private stepDown(leadership: Leadership, reason: string, end: () => void): void {
    end();
    if (this.leadershipValue !== leadership) {
      leadership.log.db.close().catch(() => {});
      return;
    }
    this.options.log?.({ level: 'warn', reducer: '', message: `Tab ${this.options.id} stops leading: ${reason}` });
    this.leadershipValue = undefined;
    leadership.log.db.close().catch(() => {});
    this.emitStatus();
    if (this.closed) return;
    this.follow().then(
      () => this.requestLock(false),
      (error: unknown) => this.options.log?.({ level: 'error', reducer: '', message: `Tab ${this.options.id} could not reopen as a replica: ${String(error)}` }),
    );
  }

  private emitStatus(force = false): void {
    const status = this.status;
    const key = JSON.stringify(status);
    if (key === this.lastStatus && !force) return;
    this.lastStatus = key;
    for (const fn of this.statusListeners) fn(status);
  }
}
