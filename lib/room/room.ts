/**
 * The room roles (DESIGN §3, §7): in each browser the leader tab speaks for the
 * whole browser. In the authority's browser it is a {@link RoomAuthority}: it
 * orders every peer's verified calls with its own and sends each durable batch
 * of entries, signed, to every replica. In every other browser it is a
 * {@link RoomFollower}: its {@link Leader} orders nothing (it forwards calls,
 * signed) and logs the authority's entries after checking the signature against
 * the pinned authority identity and re-running each one, so its IndexedDB and
 * its other tabs hold the same log.
 */
import { DecodeError, IncompatiblePeerError, SignatureError, toLockstepError, type LockstepErrorName } from '../errors';
import type { LogRecord } from '../engine/engine';
import { decodeEntries, encodeEntries, GENESIS } from '../log/entry';
import type { ConnectionId, Identity } from '../schema/type-desc';
import { readDurableTail } from '../replication/durable-log';
import { checkHandshake, type ModuleFingerprint } from './handshake';
import { lifecycleCall, lifecycleClient } from '../host/host-session';
import type { Leader } from '../replication/leader';
import type { TabCall } from '../replication/pending-calls';
import { decodeRoomMessage, encodeRoomMessage, frameChunks, unframeChunks, type RoomHelloMessage, type RoomMessage } from './room-protocol';
import { decodeSignedBatch, decodeSignedCall, encodeSignedBatch, encodeSignedCall, signBatch, signCall, signHello, verifyBatch, verifyCall, verifyHello, type SignedBatch, type SignedCall, type SigningKeys } from './signed';

/** The worker's view of the room's data channels (relayed from the main thread). */
export interface PeerLink {
  send(to: string, data: string | Uint8Array): void;
  onMessage(fn: (from: string, data: string | Uint8Array) => void): () => void;
  onPeer(fn: (event: { readonly type: 'connected' | 'disconnected'; readonly peer: string }) => void): () => void;
  peers(): readonly string[];
}

/** What both roles need. */
export interface RoomOptions {
  readonly room: string;
  readonly link: PeerLink;
  readonly keys: SigningKeys;
  readonly identity: Identity;
  /** The connection that stands for this browser in the room. */
  readonly connectionId: ConnectionId;
  readonly fingerprint: ModuleFingerprint;
  readonly log?: (record: LogRecord) => void;
  /**
   * Authority: how long a replica browser that left may take to come back (a
   * network blip, a relay drop, going offline) before its connections'
   * `clientDisconnected` run, in ms. Back in time (a hello under the same
   * identity), its connections go on as if it never left. Default 15000; 0 at once.
   */
  readonly awayMs?: number;
}

/** Entries per signed batch in a catch-up. */
const CATCH_UP_BATCH = 1000;

/** Runs `work` after everything queued before it, in order; a failure is logged and does not stop the queue. */
class Serial {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly onError: (error: unknown) => void) {}
  run(work: () => Promise<void> | void): void {
    this.tail = this.tail.then(work).catch(this.onError);
  }
}

abstract class RoomRole {
  protected readonly offs: (() => void)[] = [];
  protected closed = false;
  /** Messages of each peer are handled in arrival order (signature checks are async). */
  private readonly inbound = new Map<string, Serial>();
  /** The challenge this side sent each peer, and the one each peer sent: see {@link RoomHelloMessage}. */
  private readonly nonces = new Map<string, { ours: string; theirs?: string }>();

  constructor(protected readonly options: RoomOptions) {
    this.offs.push(
      options.link.onMessage((from, data) => {
        // Decoded and its signature check started on arrival, so the checks of a burst run side by side;
        // handled in arrival order.
        const early = this.early(data);
        this.inboundFrom(from).run(() => this.handle(from, early));
      }),
    );
    this.offs.push(
      options.link.onPeer((event) => {
        if (event.type === 'connected') return this.connected(event.peer);
        this.nonces.delete(event.peer);
        this.disconnected(event.peer);
      }),
    );
  }

  /** Stops speaking for this browser in the room. */
  close(): void {
    this.closed = true;
    for (const off of this.offs.splice(0)) off();
  }

  protected send(to: string, message: RoomMessage): void {
    if (this.closed) return;
    try {
      this.options.link.send(to, encodeRoomMessage(message));
    } catch (error) {
      // The peer went away meanwhile: what it needs is sent again when it comes back (hello, catch-up, outbox).
      this.warn(`Room ${this.options.room}: could not send ${message.type} to peer ${to}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Says hello to `to`, with this side's challenge and, once heard, the proof over its own. */
  protected async hello(to: string, authority: boolean, seq: number): Promise<void> {
    const { fingerprint, identity, connectionId, keys, room } = this.options;
    const nonces = this.noncesOf(to);
    const proof = nonces.theirs === undefined ? undefined : await signHello(keys, room, nonces.theirs);
    this.send(to, { type: 'hello', fingerprint, identity, connectionId, authority, seq, nonce: nonces.ours, ...(proof === undefined ? {} : { proof }) });
  }

  /**
   * Notes a hello's challenge, and tells whether it proves the identity it claims
   * (over this side's challenge). A proof that does not hold is a `SignatureError`.
   */
  protected async proven(from: string, message: RoomHelloMessage): Promise<boolean> {
    const nonces = this.noncesOf(from);
    if (typeof message.nonce === 'string') nonces.theirs = message.nonce;
    if (message.proof === undefined) return false;
    const identity = await verifyHello(message.proof, this.options.room, nonces.ours);
    if (identity !== message.identity) throw new SignatureError(`Peer ${from} says hello as ${message.identity.slice(0, 12)}…, but proves ${identity.slice(0, 12)}…`);
    return true;
  }

  private noncesOf(peer: string): { ours: string; theirs?: string } {
    let nonces = this.nonces.get(peer);
    if (nonces === undefined) {
      nonces = { ours: crypto.randomUUID() };
      this.nonces.set(peer, nonces);
    }
    return nonces;
  }

  protected warn(message: string): void {
    this.options.log?.({ level: 'warn', reducer: '', message });
  }

  /** Handles one message, in arrival order; `checked` is what {@link RoomRole.check} started for it. */
  protected abstract receive(from: string, message: RoomMessage, checked?: Promise<unknown>): Promise<void> | void;
  protected abstract connected(peer: string): void;
  protected abstract disconnected(peer: string): void;

  private inboundFrom(peer: string): Serial {
    let serial = this.inbound.get(peer);
    if (serial === undefined) {
      serial = new Serial((error) => this.warn(`Room ${this.options.room}: a message from peer ${peer} was rejected, nothing changed: ${error instanceof Error ? error.message : String(error)}`));
      this.inbound.set(peer, serial);
    }
    return serial;
  }

  /**
   * A message's signature check, started as it arrives (see the constructor);
   * its outcome is awaited in turn by {@link RoomRole.receive}. Undefined: nothing to check early.
   */
  protected check(_message: RoomMessage): Promise<unknown> | undefined {
    return undefined;
  }

  private early(data: string | Uint8Array): { readonly message?: RoomMessage; readonly checked?: Promise<unknown>; readonly error?: unknown } {
    if (this.closed) return {};
    try {
      const message = decodeRoomMessage(data);
      const checked = this.check(message);
      checked?.catch(() => {}); // awaited (and reported) in turn
      return checked === undefined ? { message } : { message, checked };
    } catch (error) {
      return { error };
    }
  }

  private handle(from: string, early: ReturnType<RoomRole['early']>): Promise<void> | void {
    if (this.closed || early.message === undefined) {
      if (!this.closed && early.error !== undefined) throw early.error;
      return;
    }
    return this.receive(from, early.message, early.checked);
  }
}

/** The room's authority: orders the replicas' verified calls and feeds them signed batches. */
export class RoomAuthority extends RoomRole {
  private readonly replicas = new Map<string, { readonly identity: Identity }>();
  /** The connections each replica browser announced (their `clientConnected`), until they disconnect. */
  private readonly connections = new Map<string, Map<ConnectionId, Identity>>();
  /** The connections of browsers that left, by identity, until they come back or their time is up. */
  private readonly away = new Map<Identity, { readonly connections: Map<ConnectionId, Identity>; readonly timer: ReturnType<typeof setTimeout> }>();
  private readonly outbound: Serial;

  constructor(
    options: RoomOptions,
    private readonly leader: Leader,
  ) {
    super(options);
    this.outbound = new Serial((error) => this.warn(`Room ${options.room}: sending entries failed: ${String(error)}`));
    this.offs.push(leader.onDurable((entries) => this.broadcast(entries)));
    for (const peer of options.link.peers()) this.connected(peer);
  }

  /** The peers whose hello was accepted. */
  get replicaPeers(): readonly string[] {
    return [...this.replicas.keys()];
  }

  protected connected(peer: string): void {
    void this.hello(peer, true, this.leader.durableSeq);
  }

  /**
   * A replica browser left: unless it comes back within `awayMs`, its connections'
   * `clientDisconnected` run here (the ledger keeps each once, so the browser's own later one is a duplicate).
   */
  protected disconnected(peer: string): void {
    const identity = this.replicas.get(peer)?.identity;
    this.replicas.delete(peer);
    const connections = this.connections.get(peer);
    this.connections.delete(peer);
    if (connections === undefined || connections.size === 0) return;
    const awayMs = this.options.awayMs ?? 15_000;
    if (identity === undefined || awayMs <= 0) return this.disconnectAll(connections);
    this.comeBack(identity); // a second peer of the same browser that left: one wait for all
    const timer = setTimeout(() => {
      this.away.delete(identity);
      if (!this.closed) this.disconnectAll(connections);
    }, awayMs);
    this.away.set(identity, { connections, timer });
  }

  private disconnectAll(connections: ReadonlyMap<ConnectionId, Identity>): void {
    const disconnected = this.leader.db.engine.module.clientDisconnected;
    if (disconnected === undefined) return;
    for (const [connectionId, identity] of connections) this.leader.order(lifecycleCall(connectionId, identity, disconnected.name, 2));
  }

  /** The connections that `identity`'s browser left with, taken back (their timer stopped). */
  private comeBack(identity: Identity): Map<ConnectionId, Identity> | undefined {
    const away = this.away.get(identity);
    if (away === undefined) return undefined;
    clearTimeout(away.timer);
    this.away.delete(identity);
    return away.connections;
  }

  override close(): void {
    for (const { timer } of this.away.values()) clearTimeout(timer);
    this.away.clear();
    super.close();
  }

  protected async receive(from: string, message: RoomMessage, checked?: Promise<unknown>): Promise<void> {
    switch (message.type) {
      case 'hello': {
        const proven = await this.proven(from, message);
        // Answer every hello (with the proof over its challenge): the replica may have missed this one's.
        if (!message.authority) await this.hello(from, true, this.leader.durableSeq);
        if (message.authority) return this.refuse(from, new IncompatiblePeerError(`Peer ${from} claims to be the authority of room ${this.options.room}, but this peer (${this.options.identity.slice(0, 12)}…) is`));
        try {
          checkHandshake(this.options.fingerprint, message.fingerprint, { remote: 'the replica' });
        } catch (error) {
          return this.refuse(from, error);
        }
        // Taken once it proves its identity: its next hello answers this side's challenge.
        if (!proven) return;
        this.replicas.set(from, { identity: message.identity });
        const back = this.comeBack(message.identity);
        if (back !== undefined) this.connections.set(from, new Map([...(this.connections.get(from) ?? []), ...back]));
        return;
      }
      case 'catch-up':
        if (this.replicas.has(from)) await this.catchUp(from, message.fromSeq, message.snapshot === true);
        return;
      case 'calls': {
        if (!this.replicas.has(from)) throw new DecodeError(`Calls from peer ${from}, which has not proven its identity (hello), are refused`);
        const verified = (await checked) as PromiseSettledResult<VerifiedCall>[];
        for (const [i, { connectionId }] of message.calls.entries()) {
          const result = verified[i]!;
          try {
            if (result.status === 'rejected') throw result.reason;
            await this.call(from, result.value, connectionId);
          } catch (error) {
            this.warn(`Room ${this.options.room}: a call from peer ${from} was rejected, nothing changed: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        return;
      }
      default:
        return;
    }
  }

  private refuse(peer: string, error: unknown): void {
    const e = toLockstepError(error);
    this.warn(`Room ${this.options.room}: refused peer ${peer}: ${e.message}`);
    this.send(peer, { type: 'refused', name: e.name, message: e.message });
  }

  /** Every call's signature checked side by side; one that fails does not stop the others. */
  protected override check(message: RoomMessage): Promise<PromiseSettledResult<VerifiedCall>[]> | undefined {
    if (message.type !== 'calls') return undefined;
    if (!Array.isArray(message.calls)) return Promise.reject(new DecodeError('A calls message must carry an array of calls'));
    const room = this.options.room;
    return Promise.allSettled(
      message.calls.map(async ({ call }) => {
        const signed = decodeSignedCall(call);
        return { signed, sender: await verifyCall(signed, room) };
      }),
    );
  }

  private async call(from: string, { signed, sender }: VerifiedCall, connectionId: ConnectionId | null): Promise<void> {
    const fail = (name: LockstepErrorName, message: string): void => this.send(from, { type: 'call-failed', client: signed.client, callId: signed.callId, name, message });
    const refuse = (message: string): never => {
      // Signed, so its signer asked for it: answer it (nothing ran), and log it.
      fail('DecodeError', message);
      throw new DecodeError(message);
    };
    // A connection's clientConnected (call 1) and clientDisconnected (call 2), numbered under its own lifecycle client.
    const lifecycle = lifecycleClient(signed.client);
    const module = this.leader.db.engine.module;
    if (lifecycle !== undefined) {
      const expected = signed.callId === 1 ? module.clientConnected?.name : signed.callId === 2 ? module.clientDisconnected?.name : undefined;
      if (lifecycle.sender !== sender || signed.reducer !== expected) refuse(`Call ${signed.callId} of lifecycle client "${signed.client}" (${signed.reducer}) is not its signer's own connection event`);
      const connections = this.connections.get(from) ?? new Map<ConnectionId, Identity>();
      this.connections.set(from, connections);
      if (signed.callId === 1) connections.set(lifecycle.connectionId, sender);
      else connections.delete(lifecycle.connectionId);
      this.leader.order(lifecycleCall(lifecycle.connectionId, sender, signed.reducer, signed.callId as 1 | 2));
      return;
    }
    // The client name is the caller's own, but it must be under its identity: no one can burn another's call ids.
    if (!signed.client.startsWith(`${sender}/`)) refuse(`Call ${signed.callId} names client "${signed.client}", which is not under its signer's identity ${sender}`);
    let args: Readonly<Record<string, unknown>>;
    try {
      args = this.leader.db.engine.decodeArgs(signed.reducer, signed.args) as Readonly<Record<string, unknown>>;
    } catch (error) {
      const e = toLockstepError(error);
      return fail(e.name, e.message);
    }
    const call: TabCall = { client: signed.client, callId: signed.callId, reducer: signed.reducer, args, sender, connectionId };
    const ordered = this.leader.order(call);
    if (ordered.kind === 'failed') fail(ordered.name, ordered.message);
    // An entry or a duplicate is answered by the log; a refusal (stepping down) waits for the replica to resubmit.
  }

  private async catchUp(to: string, fromSeq: number, wantSnapshot: boolean): Promise<void> {
    const tail = wantSnapshot ? undefined : await readDurableTail(this.leader.db.storage, fromSeq, this.leader.durableSeq);
    if (tail !== undefined && tail.complete) {
      for (let i = 0; i < tail.entries.length; i += CATCH_UP_BATCH) {
        const entries = tail.entries.slice(i, i + CATCH_UP_BATCH);
        this.send(to, { type: 'entries', batch: await this.sign(entries[0]!.seq, entries.at(-1)!.seq, encodeEntries(entries)), target: this.leader.durableSeq });
      }
      return;
    }
    const snapshot = await this.leader.durableSnapshot();
    if (snapshot === undefined) return;
    this.send(to, { type: 'snapshot', batch: await this.sign(snapshot.seq, snapshot.seq, frameChunks(snapshot.chunks)), target: this.leader.durableSeq });
  }

  private broadcast(entries: readonly import('../log/entry').LogEntry[]): void {
    if (this.replicas.size === 0) return;
    const bytes = encodeEntries(entries);
    const [first, last] = [entries[0]!.seq, entries.at(-1)!.seq];
    this.outbound.run(async () => {
      const batch = await this.sign(first, last, bytes);
      for (const peer of this.replicas.keys()) this.send(peer, { type: 'entries', batch, target: last });
    });
  }

  private async sign(firstSeq: number, lastSeq: number, bytes: Uint8Array): Promise<Uint8Array> {
    return encodeSignedBatch(await signBatch(this.options.keys, this.options.room, { epoch: this.leader.epoch, firstSeq, lastSeq, bytes }));
  }
}

/** Where a follower stands with the room's authority. */
export type RoomState = 'offline' | 'connected' | 'refused';

/** What a {@link RoomFollower} tells its browser. */
export interface RoomFollowerEvents {
  /** The authority identity to pin, the first time one is met (persist it). */
  readonly onPin?: (authority: Identity) => void;
  /** The calls forwarded but not yet seen in the log, whenever the authority is lost (persist them). */
  readonly onOutbox?: (calls: readonly TabCall[]) => void;
  /** The authority sent its whole state (this log was too far behind or diverged): load it, then lead again. */
  readonly onSnapshot?: (seq: number, chunks: Uint8Array[]) => void;
  /** State, progress or error changed. */
  readonly onProgress?: () => void;
}

/**
 * A replica browser's voice in the room. Give its {@link RoomFollower.upstream}
 * to the leader (`Leader.start({ upstream })`), then {@link RoomFollower.attach}
 * the leader. Calls wait in an outbox until the authority's log shows them, and
 * are sent again whenever the authority comes (back); the ledger makes that
 * exactly-once.
 */
export class RoomFollower extends RoomRole {
  private leader: Leader | undefined;
  private authorityPeer: string | undefined;
  private pinnedValue: Identity | undefined;
  private stateValue: RoomState = 'offline';
  private errorValue: Error | undefined;
  private targetValue = 0;
  private fetchedValue = 0;
  private askedFrom = -1;
  private readonly outbox = new Map<string, TabCall>();
  private readonly outbound: Serial;
  /** Calls being signed, to go out together once signed. */
  private readonly signing: { readonly signed: Promise<SignedCall>; readonly call: TabCall }[] = [];
  /** Forwarded calls of a client, to the leader: hand it to `Leader.start`. */
  readonly upstream = { forward: (call: TabCall): void => this.forward(call) };

  constructor(
    options: RoomOptions,
    private readonly events: RoomFollowerEvents & { readonly pinned?: Identity | undefined; readonly outbox?: readonly TabCall[] } = {},
  ) {
    super(options);
    this.pinnedValue = events.pinned;
    for (const call of events.outbox ?? []) this.outbox.set(keyOf(call), call);
    this.outbound = new Serial((error) => this.warn(`Room ${options.room}: sending a call failed: ${String(error)}`));
  }

  /** Starts following with the leader that was given {@link upstream}. */
  attach(leader: Leader): void {
    this.leader = leader;
    for (const peer of this.options.link.peers()) this.connected(peer);
  }

  get state(): RoomState {
    return this.stateValue;
  }

  /** Why the authority refused this browser (a module version mismatch), when it did. */
  get error(): Error | undefined {
    return this.errorValue;
  }

  get pinned(): Identity | undefined {
    return this.pinnedValue;
  }

  /** The authority's last seq as last heard: with the leader's seq, how far a catch-up has come. */
  get target(): number {
    return this.targetValue;
  }

  /** Entries received from the authority and logged here since this follower started (a reload fetches only what it lacks). */
  get fetched(): number {
    return this.fetchedValue;
  }

  /** Calls forwarded and not yet in the log. */
  get waiting(): readonly TabCall[] {
    return [...this.outbox.values()];
  }

  protected connected(peer: string): void {
    if (this.leader !== undefined) void this.hello(peer, false, this.leader.db.seq);
  }

  /**
   * Repeats what a lost message may have dropped: hello while no authority is
   * known, else its hello again, a catch-up from this log's seq and every waiting call (the log
   * answers duplicates). Data channels are reliable, so this is for transports
   * that are not, and for a timer now and then.
   */
  nudge(): void {
    const leader = this.leader;
    if (leader === undefined || this.closed) return;
    if (this.authorityPeer === undefined) {
      for (const peer of this.options.link.peers()) void this.hello(peer, false, leader.db.seq);
      return;
    }
    // The hello first (the authority takes catch-ups and calls only from a replica whose hello it has), then the rest.
    const authority = this.authorityPeer;
    this.outbound.run(async () => {
      await this.hello(authority, false, leader.db.seq);
      if (this.authorityPeer !== authority) return;
      this.askedFrom = -1;
      this.catchUp(leader.db.seq);
      for (const call of this.outbox.values()) this.sendCall(call);
    });
  }

  protected disconnected(peer: string): void {
    if (peer !== this.authorityPeer) return;
    this.authorityPeer = undefined;
    this.stateValue = 'offline';
    this.events.onOutbox?.(this.waiting);
    this.events.onProgress?.();
  }

  protected async receive(from: string, message: RoomMessage, checked?: Promise<unknown>): Promise<void> {
    const leader = this.leader;
    if (leader === undefined) return;
    switch (message.type) {
      case 'hello': {
        if (!message.authority) return; // replicas do not talk to each other
        if (this.pinnedValue !== undefined && message.identity !== this.pinnedValue) {
          throw new DecodeError(`Peer ${from} claims to be the authority of room ${this.options.room} as ${message.identity.slice(0, 12)}…, but the pinned authority is ${this.pinnedValue.slice(0, 12)}…`);
        }
        const proven = await this.proven(from, message);
        try {
          checkHandshake(this.options.fingerprint, message.fingerprint, { remote: "the room's authority" });
        } catch (error) {
          this.refused(toLockstepError(error));
          this.send(from, { type: 'refused', name: toLockstepError(error).name, message: toLockstepError(error).message });
          return;
        }
        // Not proven yet: answer with this side's challenge (and proof); the authority's answer proves it.
        if (!proven) return this.hello(from, false, leader.db.seq);
        if (this.pinnedValue === undefined) {
          this.pinnedValue = message.identity;
          this.events.onPin?.(message.identity);
        }
        const known = this.authorityPeer === from;
        this.authorityPeer = from;
        this.stateValue = 'connected';
        this.errorValue = undefined;
        this.targetValue = Math.max(this.targetValue, message.seq);
        if (known) return;
        await this.hello(from, false, leader.db.seq);
        this.askedFrom = -1;
        this.catchUp(leader.db.seq);
        for (const call of this.outbox.values()) this.sendCall(call);
        this.events.onProgress?.();
        return;
      }
      case 'refused':
        // This side's own reason, when it has one, says it from this side's view.
        if (this.stateValue !== 'refused') this.refused(new IncompatiblePeerError(message.message));
        return;
      case 'call-failed':
        if (from !== this.authorityPeer) return;
        this.outbox.delete(`${message.client}\u0000${message.callId}`);
        leader.failForwarded(message.client, message.callId, message.name, message.message);
        return;
      case 'entries':
        if (from !== this.authorityPeer) throw new DecodeError(`Entries from peer ${from}, which is not the room's proven authority, are refused`);
        await this.entries(leader, await this.verified(message.batch, checked), message.target);
        return;
      case 'snapshot': {
        if (from !== this.authorityPeer) throw new DecodeError(`A snapshot from peer ${from}, which is not the room's proven authority, is refused`);
        const signed = await this.verified(message.batch, checked);
        this.targetValue = Math.max(this.targetValue, message.target);
        this.events.onSnapshot?.(signed.lastSeq, unframeChunks(signed.bytes));
        return;
      }
      default:
        return;
    }
  }

  private refused(error: Error): void {
    this.stateValue = 'refused';
    this.errorValue = error;
    this.warn(`Room ${this.options.room}: ${error.message}`);
    this.events.onProgress?.();
  }

  protected override check(message: RoomMessage): Promise<VerifiedBatch> | undefined {
    // Before the authority is pinned (its hello may be just ahead in the queue), the check waits for its turn.
    return (message.type === 'entries' || message.type === 'snapshot') && this.pinnedValue !== undefined ? this.verify(message.batch) : undefined;
  }

  /** A batch checked against the pinned authority (undefined until pinned: then nothing verifies). */
  private async verify(bytes: Uint8Array): Promise<VerifiedBatch> {
    const pinned = this.pinnedValue;
    const signed = decodeSignedBatch(bytes);
    if (pinned === undefined) throw new DecodeError(`A batch of room ${this.options.room} arrived before its authority was known`);
    await verifyBatch(signed, this.options.room, pinned);
    return { signed, pinned };
  }

  /** The batch, checked early when the pinned authority has not changed since, else now. */
  private async verified(bytes: Uint8Array, checked: Promise<unknown> | undefined): Promise<SignedBatch> {
    const early = checked === undefined ? undefined : ((await checked) as VerifiedBatch);
    return early !== undefined && early.pinned === this.pinnedValue ? early.signed : (await this.verify(bytes)).signed;
  }

  private async entries(leader: Leader, signed: SignedBatch, target: number): Promise<void> {
    this.targetValue = Math.max(this.targetValue, target, signed.lastSeq);
    if (signed.lastSeq <= leader.db.seq) return;
    if (signed.firstSeq > leader.db.seq + 1) {
      this.catchUp(leader.db.seq); // a gap: batches crossed a catch-up, or one was lost
      return;
    }
    const { entries, error } = decodeEntries(signed.bytes, GENESIS);
    if (error !== undefined) throw new DecodeError(`Entries ${signed.firstSeq}..${signed.lastSeq} from the authority do not decode: ${error}`);
    const before = leader.db.seq;
    try {
      leader.acceptOrdered(entries.map((e) => e.entry));
    } catch (failure) {
      this.fetchedValue += leader.db.seq - before;
      // This log disagrees with the authority's: take its whole state instead.
      this.warn(`Room ${this.options.room}: ${failure instanceof Error ? failure.message : String(failure)}; asking the authority for its state`);
      this.send(this.authorityPeer!, { type: 'catch-up', fromSeq: leader.db.seq, snapshot: true });
      return;
    }
    this.fetchedValue += leader.db.seq - before;
    for (const [key, call] of this.outbox) {
      const last = leader.db.ledger.get(call.client);
      if (last === undefined || last.callId < call.callId) continue;
      this.outbox.delete(key);
      // Answered by its own entry already, unless a later call of its client got there first: then it never runs.
      leader.failForwarded(call.client, call.callId, 'ReducerError', `Call ${call.callId} of client "${call.client}" (${call.reducer}) was not applied: a later call of its client reached the room's authority first`);
    }
    this.events.onProgress?.();
  }

  private catchUp(fromSeq: number): void {
    if (this.authorityPeer === undefined || this.askedFrom === fromSeq) return;
    this.askedFrom = fromSeq;
    this.send(this.authorityPeer, { type: 'catch-up', fromSeq });
  }

  private forward(call: TabCall): void {
    this.outbox.set(keyOf(call), call);
    if (this.authorityPeer !== undefined) return this.sendCall(call);
    this.events.onOutbox?.(this.waiting);
    this.events.onProgress?.();
  }

  private sendCall(call: TabCall): void {
    const leader = this.leader;
    if (leader === undefined) return;
    const args = leader.db.engine.encodeArgs(call.reducer, call.args);
    // Signed at once (the signatures of a burst run side by side); sent in order, those ready together in one message.
    const signed = signCall(this.options.keys, this.options.room, { client: call.client, callId: call.callId, reducer: call.reducer, args });
    signed.catch(() => {});
    this.signing.push({ signed, call });
    if (this.signing.length === 1) this.outbound.run(() => this.sendSigned());
  }

  private async sendSigned(): Promise<void> {
    const batch = this.signing.splice(0);
    const results = await Promise.allSettled(batch.map((b) => b.signed));
    const calls: { call: Uint8Array; connectionId: ConnectionId | null }[] = [];
    for (const [i, result] of results.entries()) {
      const { call } = batch[i]!;
      if (result.status === 'fulfilled') calls.push({ call: encodeSignedCall(result.value), connectionId: call.connectionId });
      else this.warn(`Room ${this.options.room}: call ${call.callId} of client "${call.client}" (${call.reducer}) could not be signed: ${String(result.reason)}`);
    }
    if (this.authorityPeer !== undefined && calls.length > 0) this.send(this.authorityPeer, { type: 'calls', calls });
  }
}

/** A call whose signature held, with its signer. */
interface VerifiedCall {
  readonly signed: SignedCall;
  readonly sender: Identity;
}

/** A batch whose signature held, against the authority pinned when it was checked. */
interface VerifiedBatch {
  readonly signed: SignedBatch;
  readonly pinned: Identity;
}

const keyOf = (call: TabCall): string => `${call.client}\u0000${call.callId}`;
