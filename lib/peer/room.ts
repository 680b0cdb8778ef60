/**
 * A room of WebRTC peers: one data channel to every other peer, set up through
 * a {@link Signaling}. Main thread only (WebRTC does not exist in workers);
 * `port-link.ts` relays a room to the worker that holds the database.
 *
 * Who starts a connection: the newcomer, to every peer `join` returned, so
 * exactly one side of each pair makes the offer. The same side makes it again
 * when the connection breaks while both are still in the room. Each connection
 * has a random id carried with its signals, so signals still in flight for a
 * replaced connection cannot disturb the new one.
 */
/// <reference path="./simple-peer.d.ts" />
// (The reference brings the bundle's types along into every program that reaches this
// module, worker builds included: the main barrel is imported by workers too.)
import SimplePeer, { type SimplePeerInstance } from 'simple-peer/simplepeer.min.js';
import { ClosedError, DecodeError, describeValue } from '../errors';
import { checkSignalName, type Signaling } from '../signal/signaling';
import { Reassembler, frameMessage, type PeerData, type PeerEvent } from './framing';
import { candidatesIn, linkFailure, type RoomProblem } from './link-failure';
import { Listeners } from './listeners';

export type { PeerData, PeerEvent };

/** Options of {@link joinRoom}. */
export interface JoinRoomOptions {
  /** The room's name (what the signaling groups peers by). */
  readonly room: string;
  /** This side's id in the room; unique among its peers. */
  readonly peerId: string;
  /** How peers find each other. The room owns it from now on: {@link Room.close} closes it. */
  readonly signaling: Signaling;
  /** Passed to `RTCPeerConnection`. Default `{ iceServers: [] }`: host candidates only (same machine or LAN). */
  readonly rtcConfig?: PeerConnectionConfig;
  /** How long to wait before offering again after a connection broke while the peer is still in the room, in ms. Default 1000. */
  readonly reconnectMs?: number;
  /** A connection not open after this long is dropped (and retried, as above), in ms. Default 20000. */
  readonly connectTimeoutMs?: number;
  /** Trickle ICE candidates. Default true, except for manual (copy-paste) signaling, which needs one blob per side. */
  readonly trickle?: boolean;
  /** Largest message accepted from a peer, in bytes. Default 256 MiB. */
  readonly maxMessageBytes?: number;
  /**
   * Hears failures outside any call: the join was refused, the signaling
   * failed, a peer sent a malformed frame (that message is dropped). Default:
   * `reportError` (the console, and the global `error` event).
   */
  readonly onError?: (error: Error) => void;
  /** Hears a connection to a peer that closed before it ever opened, with the likely reason (`conn.status.room.reason`). */
  readonly onLinkFailed?: (problem: RoomProblem) => void;
}

/**
 * What `new RTCPeerConnection` takes: the DOM's `RTCConfiguration` (any value
 * of that type fits), restated here because worker builds, which reach this
 * module through the main barrel, have no DOM types.
 */
export interface PeerConnectionConfig {
  /** STUN and TURN servers; none means host candidates only. */
  readonly iceServers?: readonly { readonly urls: string | readonly string[]; readonly username?: string; readonly credential?: string }[];
  readonly iceTransportPolicy?: 'all' | 'relay';
  readonly bundlePolicy?: 'balanced' | 'max-bundle' | 'max-compat';
  readonly iceCandidatePoolSize?: number;
}

/** The peers of one room; see {@link joinRoom}. */
export interface Room {
  /** This side's id. */
  readonly peerId: string;
  /** Resolves with the peers already in the room once joined; rejects (and the room closes) when the join fails. */
  readonly joined: Promise<readonly string[]>;
  /** The peers with an open data channel, right now. */
  peers(): readonly string[];
  /**
   * Sends one message to `to`; any size (big ones travel in chunks). Messages
   * to one peer arrive in the order sent. Throws a `ClosedError` naming the
   * peer when it is not connected.
   */
  send(to: string, data: PeerData): void;
  /** Sends one message to every connected peer. */
  broadcast(data: PeerData): void;
  /** Calls `fn` for every message; binary ones arrive as plain `Uint8Array`s. Returns a remover. */
  onMessage(fn: (from: string, data: PeerData) => void): () => void;
  /** Calls `fn` whenever a peer connects or disconnects. Returns a remover. */
  onPeer(fn: (event: PeerEvent) => void): () => void;
  /** Leaves the room: closes every connection and the signaling. No events follow. */
  close(): void;
}

/**
 * Joins `room` and keeps a data channel open to every other peer in it.
 * @example
 * const room = joinRoom({ room: 'chess', peerId: crypto.randomUUID(), signaling: websocketSignaling() });
 * room.onPeer((event) => console.log(event.peer, event.type));
 * room.onMessage((from, data) => console.log(from, data));
 * room.onPeer((event) => { if (event.type === 'connected') room.send(event.peer, 'hello'); });
 * // later
 * room.broadcast(new Uint8Array(5_000_000)); // chunked under the data channel size limit
 * room.close();
 */
export function joinRoom(options: JoinRoomOptions): Room {
  const { room: roomName, peerId, signaling } = options;
  checkSignalName('room name', roomName);
  checkSignalName('peer id', peerId);
  const rtcConfig = options.rtcConfig ?? { iceServers: [] };
  const reconnectMs = options.reconnectMs ?? 1000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
  const trickle = options.trickle ?? !isManualSignaling(signaling);
  const onError = options.onError ?? reportError;
  const reassembler = new Reassembler(options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes });
  const messageListeners = new Listeners<[string, PeerData]>();
  const peerListeners = new Listeners<[PeerEvent]>();
  /** Peers the signaling lists in the room, each with whether this side makes the offer. */
  const members = new Map<string, { initiator: boolean }>();
  const links = new Map<string, Link>();
  const retries = new Map<string, ReturnType<typeof setTimeout>>();
  let nextMessageId = 0;
  let closed = false;

  function open(peer: string, initiator: boolean, id: string): Link {
    const connection = new SimplePeer({ initiator, trickle, config: rtcConfig, objectMode: true });
    const link: Link = { id, peer, connection, connected: false, reason: undefined, timer: undefined, sent: 0, received: 0 };
    const current = (): boolean => links.get(peer) === link;
    links.set(peer, link);
    link.timer = setTimeout(() => {
      if (current() && !link.connected) connection.destroy(new Error(`no connection after ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    connection.on('signal', (signal) => {
      if (!current()) return;
      link.sent += candidatesIn(signal);
      try {
        signaling.send(peer, { link: id, signal } satisfies Envelope);
      } catch (error) {
        onError(error as Error);
      }
    });
    connection.on('connect', () => {
      if (!current()) return;
      clearTimeout(link.timer);
      link.connected = true;
      peerListeners.emit({ type: 'connected', peer });
    });
    connection.on('data', (frame) => {
      if (!current()) return;
      let message: PeerData | undefined;
      try {
        message = reassembler.push(peer, frame);
      } catch (error) {
        return onError(error as Error);
      }
      if (message !== undefined) messageListeners.emit(peer, message);
    });
    // simple-peer reports every end of a connection as 'close', after 'error' when there was one.
    connection.on('error', (error) => void (link.reason = error.message));
    connection.on('close', () => {
      if (!current()) return;
      if (!link.connected) options.onLinkFailed?.(linkFailure(peer, link.sent, link.received, link.reason ?? 'the connection closed'));
      lost(link, link.reason ?? 'the connection closed');
    });
    return link;
  }

  /** Forgets `peer`'s connection (closing it); `disconnected` if it was open. */
  function drop(peer: string, reason: string): void {
    const link = links.get(peer);
    if (link === undefined) return;
    lost(link, reason);
    link.connection.destroy();
  }

  function lost(link: Link, reason: string): void {
    links.delete(link.peer);
    clearTimeout(link.timer);
    reassembler.forget(link.peer);
    if (link.connected) peerListeners.emit({ type: 'disconnected', peer: link.peer, reason });
    if (closed || members.get(link.peer)?.initiator !== true) return;
    // Still in the room and ours to offer: try again (the other side waits for our offer).
    clearTimeout(retries.get(link.peer));
    retries.set(
      link.peer,
      setTimeout(() => {
        retries.delete(link.peer);
        if (!closed && members.get(link.peer)?.initiator === true && !links.has(link.peer)) open(link.peer, true, newLinkId());
      }, reconnectMs),
    );
  }

  function forgetMember(peer: string): void {
    members.delete(peer);
    clearTimeout(retries.get(peer));
    retries.delete(peer);
  }

  function receiveSignal(from: string, data: unknown): void {
    if (!isEnvelope(data)) {
      return onError(new DecodeError(`peer ${JSON.stringify(from)} sent a signal that is not a Lockstep room signal: ${describeValue(data)}`));
    }
    const link = links.get(from);
    if (link?.id === data.link) {
      link.received += candidatesIn(data.signal);
      return link.connection.signal(data.signal);
    }
    if (!isOffer(data.signal)) return; // for a connection already replaced: nothing to do
    if (link !== undefined && members.get(from)?.initiator === true && !link.connected && peerId < from) {
      return; // both offered at once: the smaller id keeps offering, the other side answers
    }
    if (link !== undefined) drop(from, 'the peer started a new connection');
    forgetMember(from);
    members.set(from, { initiator: false });
    const answering = open(from, false, data.link);
    answering.received += candidatesIn(data.signal);
    answering.connection.signal(data.signal);
  }

  const offSignal = signaling.onMessage((event) => {
    if (closed) return;
    switch (event.type) {
      case 'joined':
        if (event.peer === peerId) return;
        // A newcomer under a known id is a new incarnation: its old connection is stale.
        drop(event.peer, 'the peer joined again');
        forgetMember(event.peer);
        members.set(event.peer, { initiator: false });
        return;
      case 'left':
        forgetMember(event.peer);
        return drop(event.peer, 'the peer left the room');
      case 'signal':
        return receiveSignal(event.from, event.data);
      case 'error':
        return onError(event.error);
    }
  });

  const joined = signaling.join(roomName, peerId).then((peers) => {
    if (!closed) {
      for (const peer of peers) {
        if (peer === peerId || members.has(peer)) continue;
        members.set(peer, { initiator: true });
        open(peer, true, newLinkId());
      }
    }
    return peers;
  });
  joined.catch((error: unknown) => {
    if (closed) return;
    room.close();
    onError(error as Error);
  });

  function linkTo(peer: string): Link {
    const link = links.get(peer);
    if (link?.connected !== true) {
      const now = [...links.values()].filter((l) => l.connected).map((l) => l.peer);
      throw new ClosedError(
        closed
          ? `cannot send to peer ${JSON.stringify(peer)}: this room is closed`
          : `cannot send to peer ${JSON.stringify(peer)}: it is not connected (connected: ${now.length === 0 ? 'none' : now.map((p) => JSON.stringify(p)).join(', ')}); wait for its 'connected' event`,
        { value: peer },
      );
    }
    return link;
  }

  function write(targets: readonly Link[], data: PeerData): void {
    if (targets.length === 0) return;
    const frames = frameMessage(nextMessageId, data);
    nextMessageId = (nextMessageId + 1) >>> 0;
    // write(), not send(): the stream queues frames while the channel's buffer is full.
    for (const link of targets) for (const frame of frames) link.connection.write(frame);
  }

  const room: Room = {
    peerId,
    joined,
    peers: () => [...links.values()].filter((link) => link.connected).map((link) => link.peer),
    send: (to, data) => write([linkTo(to)], data),
    broadcast: (data) => write([...links.values()].filter((link) => link.connected), data),
    onMessage: (fn) => messageListeners.add(fn),
    onPeer: (fn) => peerListeners.add(fn),
    close() {
      if (closed) return;
      closed = true;
      offSignal();
      for (const timer of retries.values()) clearTimeout(timer);
      retries.clear();
      for (const link of links.values()) {
        clearTimeout(link.timer);
        link.connection.destroy();
      }
      links.clear();
      members.clear();
      messageListeners.clear();
      peerListeners.clear();
      signaling.close();
    },
  };
  return room;
}

/** One connection attempt to one peer. */
interface Link {
  readonly id: string;
  readonly peer: string;
  readonly connection: SimplePeerInstance;
  connected: boolean;
  /** The error that ended it, if one did. */
  reason: string | undefined;
  /** The connect timeout. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** ICE candidates sent to the peer and received from it (see ./link-failure). */
  sent: number;
  received: number;
}

/** What travels through the signaling: a simple-peer signal tagged with its connection. */
interface Envelope {
  readonly link: string;
  readonly signal: unknown;
}

function isEnvelope(data: unknown): data is Envelope {
  return typeof data === 'object' && data !== null && typeof (data as { link?: unknown }).link === 'string' && 'signal' in data;
}

function isOffer(signal: unknown): boolean {
  return typeof signal === 'object' && signal !== null && (signal as { type?: unknown }).type === 'offer';
}

function newLinkId(): string {
  return crypto.randomUUID();
}

/** Manual signaling passes blobs by hand: each side must fit its signals into one, so no trickle. */
function isManualSignaling(signaling: Signaling): boolean {
  return 'blobFor' in signaling && 'accept' in signaling;
}

function reportError(error: Error): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
  if (report !== undefined) return report(error);
  queueMicrotask(() => {
    throw error;
  });
}
