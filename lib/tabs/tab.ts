import type { Engine, LogRecord } from '../engine/engine';
import type { Migration } from '../log/migrate';
import type { LogEntry } from '../log/entry';
import type { LedgerEntry } from '../log/snapshot';
import type { Storage } from '../log/storage';
import type { ModuleDef } from '../schema/module';
import type { Identity } from '../schema/type-desc';
import { readDurableTail } from '../replication/durable-log';
import { DURABLE_ELSEWHERE, Leader, type LeaderOptions } from '../replication/leader';
import type { TabLocks } from './locks';
import { PendingCalls, type TabCall, type TabCallResult } from '../replication/pending-calls';
import { Replica, type Divergence } from '../replication/replica';
import type { TabMessage } from '../replication/messages';
import type { Transport } from '../replication/link';

/** Where this browser stands in its room (see ./room-tab): on `conn.status.room`. */
export interface RoomStatus {
  readonly name: string;
  /** `authority`: this browser orders the room's calls; `replica`: it follows the authority's log. Undefined until this tab leads. */
  readonly role: 'authority' | 'replica' | undefined;
  /** `connected`: the authority is reachable (or this is it); `reconnecting`: it was, and is being looked for; `offline`: not yet found; `refused`: the handshake failed (see `error`). */
  readonly state: 'connected' | 'reconnecting' | 'offline' | 'refused';
  readonly authority: Identity | undefined;
  /** Peers connected now. */
  readonly peers: number;
  /** The authority's last seq as last heard (a catch-up's goal). */
  readonly target: number;
  /** Calls waiting for the authority. */
  readonly waiting: number;
  /** Entries this browser received from the authority since its tab started leading (not counting a snapshot). */
  readonly fetched: number;
  readonly error: string | undefined;
}

/** What a room does while this tab leads its browser. */
export interface TabRoomRole {
  /** Set when another browser orders the calls (see `LeaderOptions.upstream`). */
  readonly upstream?: LeaderOptions['upstream'];
  /** Starts speaking for the browser with the leader; returns a function that stops it. */
  attach(leader: Leader): () => void;
}

/** A room a tab joins while it leads (see ./room-tab). */
export interface TabRoom {
  /** Called when this tab is about to lead, with its storage: decides the role. `changed` reports status changes. */
  prepare(storage: Storage, changed: () => void): Promise<TabRoomRole>;
  status(): RoomStatus;
}

/** What a tab is doing for its database. */
export type TabRole = 'replica' | 'leader' | 'closed';

/** `conn.status`: the tab's role, the epoch, the leader it follows and how far behind it is. */
export interface TabStatus {
  readonly role: TabRole;
  readonly epoch: number;
  /** The leading tab's id (this tab's own when leading); undefined until one is known. */
  readonly leader: string | undefined;
  /** Durable entries this tab has not applied yet (0 for the leader). */
  readonly lag: number;
  readonly seq: number;
  /** Set when the database is in a room of browsers. */
  readonly room?: RoomStatus;
}

/** Options of {@link Tab.open}. Clock, randomness, locks, transport and storage are injected, so a simulation can drive many tabs. */
export interface TabOptions {
  readonly module: ModuleDef;
  /** Unique per tab (and per reopening of one). */
  readonly id: string;
  readonly identity: Identity;
  readonly transport: Transport<TabMessage>;
  readonly locks: TabLocks;
  /** The Web Lock's name; default `lockstep:leader`. */
  readonly lockName?: string;
  /** Opens this database's storage (each role opens its own handle on the shared data). */
  readonly openStorage: () => Promise<Storage>;
  readonly clock?: () => bigint;
  readonly seeds?: () => bigint;
  readonly log?: (record: LogRecord) => void;
  readonly keepEntries?: number;
  readonly snapshotEvery?: number;
  /** A room of browsers that this tab speaks for while it leads. */
  readonly room?: TabRoom;
  /** What the leader does with an incompatible stored schema (see `Database.open`); default refuse. */
  readonly onSchemaMismatch?: 'refuse' | 'reset' | Migration;
}

/** What a tab tells the host serving its connections. All optional. */
export interface TabEvents {
  /** An entry was applied to this tab's state: logged by the leader (`durable` settles when it is), or replayed by a replica (already durable). */
  readonly onApplied?: (entry: LogEntry, durable: Promise<void>) => void;
  /** The tab's state now lives in another engine: a role change or a resync. */
  readonly onEngine?: (engine: Engine) => void;
}

/**
 * One tab's worker for one database: the election and handover state machine.
 * It opens as a replica at once (loading storage, asking the leader for the
 * rest) and queues for the database's lock; when the lock is granted it
 * becomes the leader (bumping the epoch), and when its leadership ends (a
 * newer epoch, a failed write, a stolen lock) it goes back to being a replica
 * and queues again. Its clients' calls stay pending across all of that and are
 * resubmitted to each new leader; the ledger makes that exactly-once.
 */
export class Tab {
  private readonly pending = new PendingCalls();
  private leaderValue: Leader | undefined;
  private replicaValue: Replica | undefined;
  private endLeadership: (() => void) | undefined;
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
    await tab.becomeReplica();
    tab.requestLock(false);
    return tab;
  }

  /** The current role's status. */
  get status(): TabStatus {
    const leader = this.leaderValue;
    const room = this.options.room === undefined ? {} : { room: this.options.room.status() };
    if (this.closed) return { role: 'closed', epoch: 0, leader: undefined, lag: 0, seq: 0, ...room };
    if (leader !== undefined) return { role: 'leader', epoch: leader.epoch, leader: this.options.id, lag: 0, seq: leader.db.seq, ...room };
    const replica = this.replicaValue;
    return { role: 'replica', epoch: replica?.epoch ?? 0, leader: replica?.leaderId, lag: replica?.lag ?? 0, seq: replica?.seq ?? 0, ...room };
  }

  /** The engine holding this tab's state (the leader's or the replica's); undefined only while a role is starting. */
  get engine(): Engine | undefined {
    return this.leaderValue?.db.engine ?? this.replicaValue?.engine;
  }

  /** Why this tab could not take the lead (e.g. its module's schema is refused by the stored one); it then stops queueing for it. */
  get failure(): Error | undefined {
    return this.failureValue;
  }

  /** The leader role while this tab leads. */
  get leader(): Leader | undefined {
    return this.leaderValue;
  }

  /** The replica role while this tab follows. */
  get replica(): Replica | undefined {
    return this.replicaValue;
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
  call(call: TabCall): Promise<TabCallResult> {
    const answer = this.pending.add(call);
    this.route(call);
    return answer;
  }

  /**
   * Repeats what a lost message may have dropped: the leader announces itself,
   * a replica asks for what it lacks and resubmits its pending calls. Safe at
   * any time (duplicates are answered by the log); a transport that can lose
   * messages calls it now and then.
   */
  nudge(): void {
    if (this.leaderValue !== undefined) this.leaderValue.announce();
    else this.replicaValue?.hello();
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
    const leader = this.leaderValue;
    if (leader !== undefined) await leader.db.flush().catch(() => {});
    leader?.stepDown('the tab closed');
    this.replicaValue?.close();
    this.replicaValue = undefined;
    this.emitStatus();
  }

  private route(call: TabCall): void {
    const leader = this.leaderValue;
    if (leader === undefined) {
      this.replicaValue?.forward(call);
      return;
    }
    const ordered = leader.order(call);
    if (ordered.kind === 'failed') this.pending.fail(call.client, call.callId, ordered.name, ordered.message);
    if (ordered.kind === 'duplicate') {
      const { last } = ordered;
      const { client, callId } = call;
      const result: TabCallResult = last.outcome.ok ? { ok: true, seq: last.seq } : { ...last.outcome, seq: last.seq };
      // The answer is in the log, maybe not durable yet: once it is (and was shown to the pending calls, which
      // only a leader still leading does), an earlier call still unanswered never ran. Otherwise the next role answers.
      leader.db.flush().then(() => {
        if (leader.stoppedBecause !== undefined) return;
        if (last.callId === callId) this.pending.answer(client, callId, result);
        else this.pending.fail(client, callId, 'ReducerError', `Call ${callId} of client ${client} was not applied and never will be: a later call of the same client was applied first`);
      }, () => {});
    }
    // 'entry' is answered when durable; 'refused' stays pending for the next leader.
  }

  private resubmit(): void {
    for (const call of this.pending.list()) this.route(call);
  }

  private async becomeReplica(): Promise<void> {
    const { options } = this;
    const replica = await Replica.open(options.module, {
      id: options.id,
      storage: await options.openStorage(),
      transport: options.transport,
      identity: options.identity,
      ...(options.log === undefined ? {} : { log: options.log }),
      onEntry: (entry) => {
        this.events.onApplied?.(entry, DURABLE_ELSEWHERE);
        this.observe(entry);
      },
      onLeader: () => this.resubmit(),
      onDiverged: (divergence) => {
        for (const fn of this.divergenceListeners) fn(divergence);
      },
      onResynced: (engine, ledger) => {
        this.events.onEngine?.(engine);
        this.pending.observeLedger(ledger);
        this.observedSeq = Math.max(this.observedSeq, this.replicaValue?.seq ?? 0);
      },
      onCallFailed: (m) => this.pending.fail(m.client, m.callId, m.name, m.message),
      onProgress: () => this.emitStatus(),
    });
    if (this.closed || this.leaderValue !== undefined) {
      replica.close();
      return;
    }
    this.replicaValue = replica;
    this.events.onEngine?.(replica.engine);
    // Loading from storage replays entries silently: show pending calls the ones they may be waiting for.
    if (this.pending.size === 0) this.observedSeq = Math.max(this.observedSeq, replica.seq);
    else await this.observeStored(replica.storage, replica.ledger);
    this.emitStatus();
    this.resubmit();
  }

  private requestLock(steal: boolean): void {
    if (this.closed || (!steal && this.lockQueued)) return;
    if (!steal) this.lockQueued = true;
    this.options.locks
      .request(this.options.lockName ?? 'lockstep:leader', steal ? { steal: true } : {}, () => {
        this.lockQueued = false;
        return this.lead();
      })
      .catch((error: unknown) => {
        // Stolen (AbortError): whatever this tab still does as leader is fenced by the new epoch.
        if (this.leaderValue !== undefined) this.leaderValue.stepDown(`the lock was taken: ${error instanceof Error ? error.message : String(error)}`);
        else {
          this.failureValue = error instanceof Error ? error : new Error(String(error));
          this.options.log?.({ level: 'error', reducer: '', message: `Tab ${this.options.id} could not lead: ${this.failureValue.message}` });
          this.emitStatus(true);
        }
      });
  }

  /** Runs while this tab holds the lock; resolving releases it. */
  private async lead(): Promise<void> {
    if (this.closed || this.leaderValue !== undefined) return;
    const { options } = this;
    const storage = await options.openStorage();
    const room = await options.room?.prepare(storage, () => this.emitStatus());
    let detach: (() => void) | undefined;
    const leader = await Leader.start(options.module, {
      ...(room?.upstream === undefined ? {} : { upstream: room.upstream }),
      storage,
      id: options.id,
      transport: options.transport,
      identity: options.identity,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.seeds === undefined ? {} : { seeds: options.seeds }),
      ...(options.log === undefined ? {} : { log: options.log }),
      ...(options.keepEntries === undefined ? {} : { keepEntries: options.keepEntries }),
      ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
      ...(options.onSchemaMismatch === undefined ? {} : { onSchemaMismatch: options.onSchemaMismatch }),
      onLogged: (entry, durable) => this.events.onApplied?.(entry, durable),
      onCallFailed: (client, callId, name, message) => this.pending.fail(client, callId, name, message),
      onDurable: (entries) => {
        for (const entry of entries) this.observe(entry);
        this.emitStatus(); // the seq moved (the host paces what it sends)
      },
      onStepDown: (reason) => {
        detach?.();
        this.stepDown(leader, reason);
      },
    });
    const ended = new Promise<void>((resolve) => (this.endLeadership = resolve));
    if (this.closed) {
      leader.stepDown('the tab closed');
      return ended;
    }
    const replica = this.replicaValue;
    replica?.close();
    this.replicaValue = undefined;
    this.leaderValue = leader;
    this.events.onEngine?.(leader.db.engine);
    if (leader.stoppedBecause === undefined) detach = room?.attach(leader);
    // Own calls whose entries became durable after what this tab replayed: answer them from the log first.
    await this.observeStored(storage, leader.db.ledger);
    if (this.leaderValue === leader) this.resubmit();
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

  /** Shows the pending calls the durable entries after the last one they saw (or the ledger, when those were pruned). */
  private async observeStored(storage: Storage, ledger: ReadonlyMap<string, LedgerEntry>): Promise<void> {
    this.held = [];
    let tail: Awaited<ReturnType<typeof readDurableTail>> = { entries: [], complete: true };
    try {
      tail = await readDurableTail(storage, this.observedSeq);
    } finally {
      const held = this.held;
      this.held = undefined;
      if (!tail.complete) this.pending.observeLedger(ledger);
      for (const entry of [...tail.entries, ...held]) this.observe(entry);
    }
  }

  private stepDown(leader: Leader, reason: string): void {
    if (this.leaderValue !== leader) {
      // Stopped before it was installed (closed while starting): just release the lock.
      this.endLeadership?.();
      return;
    }
    this.options.log?.({ level: 'warn', reducer: '', message: `Tab ${this.options.id} stops leading: ${reason}` });
    this.leaderValue = undefined;
    const end = this.endLeadership;
    this.endLeadership = undefined;
    end?.();
    leader.db.close().catch(() => {});
    this.emitStatus();
    if (this.closed) return;
    this.becomeReplica().then(
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

