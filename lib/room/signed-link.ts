/**
 * The room's trust (DESIGN §7): a {@link Link} of replication messages over a
 * room's raw data channels that signs what changes state and checks what
 * arrives. It proves each peer's identity in a handshake (and refuses a peer
 * running another module version), pins the room's authority, lets a member
 * hear the log only from the proven authority and the authority take calls
 * only from proven members, signs each call with its caller's key and each entry
 * batch and snapshot with the authority's, and checks that every call is its
 * signer's own to make. It knows nothing about ordering: the replication parts
 * above it do not know it signs.
 */
import { DecodeError, IncompatiblePeerError, SignatureError, toLockstepError, type LockstepErrorName } from '../errors';
import type { LogRecord } from '../engine/engine';
import { lifecycleCall, lifecycleClient } from '../lifecycle/calls';
import type { Link, LinkPeerEvent } from '../replication/link';
import type { Call, ReplicationMessage } from '../replication/messages';
import type { ConnectionId, Identity } from '../schema/type-desc';
import { checkHandshake, type ModuleFingerprint } from './handshake';
import { decodeRoomMessage, encodeRoomMessage, frameChunks, unframeChunks, type HandshakeMessage, type RoomMessage, type SignedCallsMessage } from './room-protocol';
import * as signatures from './signed';
import { decodeSignedBatch, decodeSignedCall, encodeSignedBatch, encodeSignedCall, type SignedCall, type SigningKeys } from './signed';

/** The signatures a signed link makes and checks (./signed); a simulation passes cheap deterministic ones. */
export type RoomCrypto = Pick<typeof signatures, 'signCall' | 'verifyCall' | 'signBatch' | 'verifyBatch' | 'signHello' | 'verifyHello'>;

/** A room's data channels as the worker sees them: text or binary messages per peer. */
export type RawLink = Link<string | Uint8Array>;

/** How a reducer's arguments are encoded for a signature (the engine's codecs). */
export interface ArgsCodec {
  encode(reducer: string, args: Readonly<Record<string, unknown>>): Uint8Array;
  decode(reducer: string, bytes: Uint8Array): Readonly<Record<string, unknown>>;
}

/** Options of {@link signedLink}. */
export interface SignedLinkOptions {
  readonly room: string;
  readonly raw: RawLink;
  readonly keys: SigningKeys;
  readonly identity: Identity;
  /** The connection that stands for this browser in the room. */
  readonly connectionId: ConnectionId;
  readonly fingerprint: ModuleFingerprint;
  /** The room's authority when known (stored, named by the app, or this browser); a member pins the first proven one otherwise. */
  readonly authority: Identity | undefined;
  readonly args: ArgsCodec;
  /** The module's lifecycle reducers: a member may send its own connections' events, and nothing else, as internal calls. */
  readonly lifecycle: { readonly connected?: string | undefined; readonly disconnected?: string | undefined };
  /** The authority was pinned (persist it). */
  readonly onPin?: (authority: Identity) => void;
  readonly log?: (record: LogRecord) => void;
  /** Default: ECDSA P-256 (./signed). */
  readonly crypto?: RoomCrypto;
}

/** A {@link Link} that signs and checks (see the module comment). */
export interface SignedLink extends Link<ReplicationMessage> {
  /** The identity a peer proved (while connected, and to the listeners of its disconnect). */
  identityOf(peer: string): Identity | undefined;
  /** The room's authority, once known. */
  readonly authority: Identity | undefined;
}

/** What this side knows of one raw peer. */
interface PeerState {
  /** This side's challenge to the peer. */
  readonly ours: string;
  /** The peer's challenge to this side, once heard. */
  theirs?: string;
  /** Set once the peer proved it (over `ours`). */
  identity?: Identity;
  /** This side refused the peer (its own wording then stands over the peer's). */
  refused?: boolean;
}

/** Runs `work` after everything queued before it, in order; a failure is reported and does not stop the queue. */
class Serial {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly onError: (error: unknown) => void) {}
  run(work: () => Promise<void> | void): void {
    this.tail = this.tail.then(work).catch(this.onError);
  }
}

/** Makes the room's {@link SignedLink} over its raw data channels. */
export function signedLink(options: SignedLinkOptions): SignedLink {
  const { room, raw, keys, identity } = options;
  const { signCall, verifyCall, signBatch, verifyBatch, signHello, verifyHello } = options.crypto ?? signatures;
  let authority = options.authority;
  const self = authority === identity;
  const peers = new Map<string, PeerState>();
  /** Proven peers: for the authority its members, for a member the authority. */
  const proven = new Set<string>();
  const messageListeners = new Set<(message: ReplicationMessage, from: string) => void>();
  const peerListeners = new Set<(event: LinkPeerEvent) => void>();
  const inbound = new Map<string, Serial>();
  let closed = false;

  const warn = (message: string): void => options.log?.({ level: 'warn', reducer: '', message: `Room ${room}: ${message}` });
  const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  const outbound = new Serial((error) => warn(`sending failed: ${errorText(error)}`));
  const deliver = (message: ReplicationMessage, from: string): void => {
    for (const fn of [...messageListeners]) fn(message, from);
  };
  const emitPeer = (event: LinkPeerEvent): void => {
    for (const fn of [...peerListeners]) fn(event);
  };
  const stateOf = (peer: string): PeerState => {
    let state = peers.get(peer);
    if (state === undefined) peers.set(peer, (state = { ours: crypto.randomUUID() }));
    return state;
  };

  const sendRaw = (to: string, message: RoomMessage): void => {
    if (closed) return;
    try {
      raw.send(encodeRoomMessage(message), to);
    } catch (error) {
      // The peer went away meanwhile: what it needs is sent again when it comes back.
      warn(`could not send ${message.type} to peer ${to}: ${errorText(error)}`);
    }
  };

  /** Sends this side's handshake to `to`, with the proof over its challenge once heard. */
  const handshake = (to: string): void => {
    const state = stateOf(to);
    const theirs = state.theirs;
    const proof = theirs === undefined ? undefined : signHello(keys, room, theirs);
    const proven = state.identity !== undefined;
    outbound.run(async () => {
      const signed = proof === undefined ? undefined : await proof;
      sendRaw(to, { type: 'handshake', fingerprint: options.fingerprint, identity, connectionId: options.connectionId, authority: self, nonce: state.ours, proven, ...(signed === undefined ? {} : { proof: signed }) });
    });
  };

  const refuse = (peer: string, error: unknown): void => {
    const e = toLockstepError(error);
    stateOf(peer).refused = true;
    warn(`refused peer ${peer}: ${e.message}`);
    outbound.run(() => sendRaw(peer, { type: 'refused', name: e.name, message: e.message }));
    deliver({ type: 'refused', name: e.name, message: e.message }, peer);
  };

  async function receiveHandshake(from: string, message: HandshakeMessage): Promise<void> {
    const state = stateOf(from);
    if (!self && authority !== undefined && message.authority && message.identity !== authority) {
      throw new DecodeError(`Peer ${from} claims to be the authority of room ${room} as ${short(message.identity)}…, but the pinned authority is ${short(authority)}…`);
    }
    if (typeof message.nonce === 'string') state.theirs = message.nonce;
    let provedNow = false;
    if (message.proof !== undefined && state.identity === undefined) {
      const proved = await verifyHello(message.proof, room, state.ours);
      if (proved !== message.identity) throw new SignatureError(`Peer ${from} says hello as ${short(message.identity)}…, but proves ${short(proved)}…`);
      provedNow = true;
    }
    try {
      checkHandshake(options.fingerprint, message.fingerprint, { remote: self ? 'the member' : "the room's authority" });
      if (self && message.authority) throw new IncompatiblePeerError(`Peer ${from} claims to be the authority of room ${room}, but this peer (${short(identity)}…) is`);
    } catch (error) {
      return refuse(from, error);
    }
    if (!self && !message.authority) return; // members do not talk to each other
    // Answer while the peer lacks this side's proof: once both hold the other's, the handshake is over.
    if (message.proven !== true) handshake(from);
    if (!provedNow) return;
    if (!self && authority === undefined) {
      authority = message.identity;
      options.onPin?.(authority);
    }
    state.identity = message.identity;
    proven.add(from);
    emitPeer({ type: 'connected', peer: from });
  }

  /** A member's signed calls, checked: each one its signer's own to make, with its arguments decoded. */
  async function receiveCalls(from: string, message: SignedCallsMessage, checked: Promise<PromiseSettledResult<VerifiedCall>[]> | undefined): Promise<void> {
    const verified = await (checked ?? checkCalls(message));
    const calls: Call[] = [];
    for (const [i, { connectionId }] of message.calls.entries()) {
      const result = verified[i]!;
      try {
        if (result.status === 'rejected') throw result.reason;
        calls.push(authorize(from, result.value, connectionId));
      } catch (error) {
        warn(`a call from peer ${from} was rejected, nothing changed: ${errorText(error)}`);
      }
    }
    if (calls.length > 0) deliver({ type: 'calls', epoch: message.epoch, calls }, from);
  }

  function checkCalls(message: RoomMessage): Promise<PromiseSettledResult<VerifiedCall>[]> {
    if (message.type !== 'calls' || !Array.isArray(message.calls)) return Promise.reject(new DecodeError('A calls message must carry an array of calls'));
    return Promise.allSettled(
      message.calls.map(async ({ call }) => {
        const signed = decodeSignedCall(call);
        return { signed, sender: await verifyCall(signed, room) };
      }),
    );
  }

  /** The call a verified signed call stands for; refused (and answered) when it is not its signer's to make. */
  function authorize(from: string, { signed, sender }: VerifiedCall, connectionId: ConnectionId | null): Call {
    const fail = (name: LockstepErrorName, message: string): never => {
      // Signed, so its signer asked for it: answer it (nothing ran), and log it.
      outbound.run(() => sendRaw(from, { type: 'call-failed', client: signed.client, callId: signed.callId, name, message }));
      throw new DecodeError(message);
    };
    // A connection's clientConnected (call 1) and clientDisconnected (call 2), numbered under its own lifecycle client.
    const lifecycle = lifecycleClient(signed.client);
    if (lifecycle !== undefined) {
      const expected = signed.callId === 1 ? options.lifecycle.connected : signed.callId === 2 ? options.lifecycle.disconnected : undefined;
      if (lifecycle.sender !== sender || signed.reducer !== expected) fail('DecodeError', `Call ${signed.callId} of lifecycle client "${signed.client}" (${signed.reducer}) is not its signer's own connection event`);
      return lifecycleCall(lifecycle.connectionId, sender, signed.reducer, signed.callId as 1 | 2);
    }
    // The client name is the caller's own, but it must be under its identity: no one can burn another's call ids.
    if (!signed.client.startsWith(`${sender}/`)) fail('DecodeError', `Call ${signed.callId} names client "${signed.client}", which is not under its signer's identity ${sender}`);
    let args: Readonly<Record<string, unknown>> = {};
    try {
      args = options.args.decode(signed.reducer, signed.args);
    } catch (error) {
      const e = toLockstepError(error);
      fail(e.name, e.message);
    }
    return { client: signed.client, callId: signed.callId, reducer: signed.reducer, args, sender, connectionId };
  }

  /** A batch from the authority, checked against the pinned identity. */
  async function verified(bytes: Uint8Array) {
    const signed = decodeSignedBatch(bytes);
    if (authority === undefined) throw new DecodeError(`A batch of room ${room} arrived before its authority was known`);
    await verifyBatch(signed, room, authority);
    return signed;
  }

  /** Started as a message arrives, so the checks of a burst run side by side; awaited in arrival order. */
  function early(message: RoomMessage): Promise<unknown> | undefined {
    if (message.type === 'calls' && self) return checkCalls(message);
    if ((message.type === 'entries' || message.type === 'snapshot') && !self && authority !== undefined) return verified(message.batch);
    return undefined;
  }

  async function receive(from: string, message: RoomMessage, checked: Promise<unknown> | undefined): Promise<void> {
    if (message.type === 'handshake') return receiveHandshake(from, message);
    if (message.type === 'refused') {
      // This side's own refusal, when it made one, is worded from its view: it stands.
      if (!self && stateOf(from).refused !== true) deliver(message, from);
      return;
    }
    if (!proven.has(from)) {
      // Not proven (or its proof was lost): refuse, and offer the handshake again.
      handshake(from);
      throw new DecodeError(`Peer ${from} has not proven its identity: its ${message.type} message is refused`);
    }
    if (self) {
      if (message.type === 'calls') return receiveCalls(from, message, checked as Promise<PromiseSettledResult<VerifiedCall>[]> | undefined);
      if (message.type === 'hello') deliver(message, from);
      return;
    }
    switch (message.type) {
      case 'entries': {
        const signed = checked === undefined ? await verified(message.batch) : ((await checked) as Awaited<ReturnType<typeof verified>>);
        return deliver({ type: 'entries', epoch: signed.epoch, firstSeq: signed.firstSeq, lastSeq: signed.lastSeq, bytes: signed.bytes, target: message.target }, from);
      }
      case 'snapshot': {
        const signed = checked === undefined ? await verified(message.batch) : ((await checked) as Awaited<ReturnType<typeof verified>>);
        return deliver({ type: 'snapshot', epoch: signed.epoch, seq: signed.lastSeq, chunks: unframeChunks(signed.bytes), target: message.target }, from);
      }
      case 'announce':
      case 'call-failed':
      case 'call-refused':
        return deliver(message, from);
      default:
        return;
    }
  }

  /** Queues a replication message for `targets`, signed as the wire wants it (signing starts now, sending keeps the order). */
  function sendSigned(message: ReplicationMessage, targets: readonly string[]): void {
    let wire: Promise<RoomMessage | undefined>;
    switch (message.type) {
      case 'entries': {
        const batch = signBatch(keys, room, { epoch: message.epoch, firstSeq: message.firstSeq, lastSeq: message.lastSeq, bytes: message.bytes });
        wire = batch.then((signed) => ({ type: 'entries', batch: encodeSignedBatch(signed), target: message.target }));
        break;
      }
      case 'snapshot': {
        const batch = signBatch(keys, room, { epoch: message.epoch, firstSeq: message.seq, lastSeq: message.seq, bytes: frameChunks(message.chunks) });
        wire = batch.then((signed) => ({ type: 'snapshot', batch: encodeSignedBatch(signed), target: message.target }));
        break;
      }
      case 'calls':
        wire = signCalls(message.calls).then((calls) => (calls.length === 0 ? undefined : { type: 'calls', epoch: message.epoch, calls }));
        break;
      default:
        wire = Promise.resolve(message);
    }
    wire.catch(() => {}); // awaited (and reported) in turn
    outbound.run(async () => {
      const out = await wire;
      if (out !== undefined) for (const to of targets) sendRaw(to, out);
    });
  }

  async function signCalls(calls: readonly Call[]): Promise<SignedCallsMessage['calls']> {
    const signed = await Promise.allSettled(calls.map((call) => signCall(keys, room, { client: call.client, callId: call.callId, reducer: call.reducer, args: options.args.encode(call.reducer, call.args) })));
    const out: { call: Uint8Array; connectionId: ConnectionId | null }[] = [];
    for (const [i, result] of signed.entries()) {
      const call = calls[i]!;
      if (result.status === 'fulfilled') out.push({ call: encodeSignedCall(result.value), connectionId: call.connectionId });
      else warn(`call ${call.callId} of client "${call.client}" (${call.reducer}) could not be signed: ${String(result.reason)}`);
    }
    return out;
  }

  const offs = [
    raw.onMessage((data, from) => {
      if (closed) return;
      let decoded: { message?: RoomMessage; checked?: Promise<unknown>; error?: unknown };
      try {
        const message = decodeRoomMessage(data);
        const checked = early(message);
        checked?.catch(() => {}); // awaited (and reported) in turn
        decoded = checked === undefined ? { message } : { message, checked };
      } catch (error) {
        decoded = { error };
      }
      let serial = inbound.get(from);
      if (serial === undefined) inbound.set(from, (serial = new Serial((error) => warn(`a message from peer ${from} was rejected, nothing changed: ${errorText(error)}`))));
      serial.run(() => {
        if (closed) return;
        if (decoded.message === undefined) throw decoded.error;
        return receive(from, decoded.message, decoded.checked);
      });
    }),
    raw.onPeer((event) => {
      if (event.type === 'connected') return handshake(event.peer);
      inbound.delete(event.peer);
      // Listeners may still ask who it was (identityOf) while they hear it left.
      if (proven.delete(event.peer)) emitPeer({ type: 'disconnected', peer: event.peer });
      peers.delete(event.peer);
    }),
  ];
  for (const peer of raw.peers()) handshake(peer);

  return {
    get authority() {
      return authority;
    },
    identityOf: (peer) => peers.get(peer)?.identity,
    send(message, to) {
      if (closed) return;
      if (to !== undefined && !proven.has(to)) return handshake(to);
      if (to === undefined && proven.size === 0) {
        // Nobody to hear it yet: offer the handshake again to every peer (its answer, once proven, brings them).
        for (const peer of raw.peers()) handshake(peer);
        return;
      }
      sendSigned(message, to === undefined ? [...proven] : [to]);
    },
    onMessage(fn) {
      messageListeners.add(fn);
      return () => messageListeners.delete(fn);
    },
    peers: () => [...proven],
    onPeer(fn) {
      peerListeners.add(fn);
      return () => peerListeners.delete(fn);
    },
    close() {
      closed = true;
      for (const off of offs.splice(0)) off();
      messageListeners.clear();
      peerListeners.clear();
    },
  };
}

/** A call whose signature held, with its signer. */
interface VerifiedCall {
  readonly signed: SignedCall;
  readonly sender: Identity;
}

const short = (identity: string): string => identity.slice(0, 12);
