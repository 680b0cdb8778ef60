/**
 * The relay between the main thread, where WebRTC lives, and the worker, where
 * the database lives: {@link bridgeRoom} forwards a room over a `MessagePort`,
 * {@link portLink} is the room's other end inside the worker, a `Link` of raw
 * peer data. Relay only: what the messages mean is the business of the parts
 * above (room/signed-link).
 *
 * Binary messages are transferred, not copied (a multi-megabyte snapshot moves
 * in microseconds): the sender must not touch a `Uint8Array`'s bytes after
 * handing it over, unless it turned `transfer` off.
 */
import { ClosedError, DecodeError, describeValue } from '../errors';
import type { PeerData, PeerEvent } from './framing';
import type { Link } from '../replication/link';
import { Listeners } from './listeners';

/** Main thread → worker. */
export type RoomPortEvent =
  /** A peer's message. */
  | { readonly type: 'message'; readonly from: string; readonly data: PeerData }
  /** A peer connected or disconnected (on bridging, one `connected` per peer already there). */
  | { readonly type: 'peer'; readonly event: PeerEvent }
  /** The room was joined: the peers already in it (sent once, when `bridgeRoom` got `joined`). */
  | { readonly type: 'joined'; readonly peers: readonly string[] };

/** Worker → main thread. */
export type RoomPortRequest =
  /** Send `data` to `to`, or to every connected peer without `to`. */
  | { readonly type: 'send'; readonly to?: string; readonly data: PeerData }
  /** The worker is done: the bridge stops (the room stays open). */
  | { readonly type: 'close' };

/** The part of a `Room` the bridge needs (so this module needs no WebRTC types and loads in workers). */
export interface BridgeableRoom {
  peers(): readonly string[];
  send(to: string, data: PeerData): void;
  broadcast(data: PeerData): void;
  onMessage(fn: (from: string, data: PeerData) => void): () => void;
  onPeer(fn: (event: PeerEvent) => void): () => void;
}

/** The part of `MessagePort` this module uses (so Node tests can pass their own). */
export interface PortLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  start(): void;
  close(): void;
}

/** Options of {@link bridgeRoom} and {@link portLink}. */
export interface PortRelayOptions {
  /**
   * Transfer the buffers of binary messages instead of copying them. Default
   * true. A transferred `Uint8Array` is empty afterwards on the sending side.
   */
  readonly transfer?: boolean;
}

/** Options of {@link bridgeRoom}. */
export interface BridgeOptions extends PortRelayOptions {
  /** The room's join: when it resolves, the worker's {@link PortLink.joined} resolves with the same peers. */
  readonly joined?: Promise<readonly string[]>;
}

/**
 * Main thread: relays `room` over `port` until the returned function is called
 * or the worker closes its end. Reports the peers already connected first.
 * With `transfer` on, other listeners of the room must not keep binary
 * messages past their `onMessage` call (their buffers move to the worker).
 * @example
 * const room = joinRoom({ room: 'chess', peerId, signaling: websocketSignaling() });
 * const channel = new MessageChannel();
 * const unbridge = bridgeRoom(room, channel.port1);
 * worker.postMessage({ type: 'room', port: channel.port2 }, [channel.port2]);
 */
export function bridgeRoom(room: BridgeableRoom, port: PortLike, options: BridgeOptions = {}): () => void {
  const transfer = options.transfer ?? true;
  const post = (event: RoomPortEvent, data?: PeerData): void => port.postMessage(event, data === undefined ? [] : transferList(data, transfer));
  const listener = (event: { readonly data: unknown }): void => {
    const request = event.data as RoomPortRequest;
    switch (request.type) {
      case 'send':
        try {
          if (request.to === undefined) room.broadcast(request.data);
          else room.send(request.to, request.data);
        } catch (error) {
          // The peer disconnected after the worker last heard of it: its 'disconnected' event is on the way,
          // and delivery is best effort (like every Transport). Anything else is a bug to surface.
          if (!(error instanceof ClosedError)) throw error;
        }
        return;
      case 'close':
        return unbridge();
      default:
        throw new DecodeError(`the room port got a message it does not know: ${describeValue(event.data)}`);
    }
  };
  for (const peer of room.peers()) post({ type: 'peer', event: { type: 'connected', peer } });
  const offMessage = room.onMessage((from, data) => {
    const owned = transfer ? ownBuffer(data) : data;
    post({ type: 'message', from, data: owned }, owned);
  });
  const offPeer = room.onPeer((event) => post({ type: 'peer', event }));
  port.addEventListener('message', listener);
  port.start();
  let bridged = true;
  options.joined?.then(
    (peers) => bridged && post({ type: 'joined', peers }),
    () => {},
  );
  function unbridge(): void {
    if (!bridged) return;
    bridged = false;
    offMessage();
    offPeer();
    port.removeEventListener('message', listener);
    port.close();
  }
  return unbridge;
}

/** The worker's view of a room, relayed by {@link bridgeRoom}: a link of raw peer data. */
export interface PortLink extends Link<PeerData> {
  /**
   * Sends one message to the connected peer `to`, or without it to every connected peer;
   * throws a `ClosedError` when `to` is not connected (as far as the worker knows).
   */
  send(data: PeerData, to?: string): void;
  /** Resolves with the peers already in the room when it was joined (when the bridge was given its join). */
  readonly joined: Promise<readonly string[]>;
}

/**
 * Worker: the room at the other end of `port` (given to {@link bridgeRoom} on the main thread).
 * @example
 * addEventListener('message', (event) => {
 *   const link = portLink(event.data.port);
 *   link.onMessage((data, from) => link.send(data, from)); // echo
 * });
 */
export function portLink(port: PortLike, options: PortRelayOptions = {}): PortLink {
  const transfer = options.transfer ?? true;
  const connected = new Set<string>();
  const messageListeners = new Listeners<[PeerData, string]>();
  const peerListeners = new Listeners<[PeerEvent]>();
  let closed = false;
  let resolveJoined: (peers: readonly string[]) => void;
  const joined = new Promise<readonly string[]>((resolve) => (resolveJoined = resolve));

  const listener = (message: { readonly data: unknown }): void => {
    const event = message.data as RoomPortEvent;
    switch (event.type) {
      case 'joined':
        return resolveJoined(event.peers);
      case 'message':
        return messageListeners.emit(event.data, event.from);
      case 'peer':
        if (event.event.type === 'connected') connected.add(event.event.peer);
        else connected.delete(event.event.peer);
        return peerListeners.emit(event.event);
      default:
        throw new DecodeError(`the port link got a message it does not know: ${describeValue(message.data)}`);
    }
  };
  port.addEventListener('message', listener);
  port.start();

  function request(to: string | undefined, data: PeerData): void {
    if (closed) throw new ClosedError('cannot send: this port link is closed');
    const owned = transfer ? ownBuffer(data) : data;
    const message: RoomPortRequest = to === undefined ? { type: 'send', data: owned } : { type: 'send', to, data: owned };
    port.postMessage(message, transferList(owned, transfer));
  }

  return {
    send(data, to) {
      if (to !== undefined && !closed && !connected.has(to)) {
        throw new ClosedError(`cannot send to peer ${JSON.stringify(to)}: it is not connected; wait for its 'connected' event`, { value: to });
      }
      request(to, data);
    },
    onMessage: (fn) => messageListeners.add(fn),
    onPeer: (fn) => peerListeners.add(fn),
    peers: () => [...connected],
    joined,
    close() {
      if (closed) return;
      closed = true;
      port.postMessage({ type: 'close' } satisfies RoomPortRequest, []);
      port.removeEventListener('message', listener);
      port.close();
      messageListeners.clear();
      peerListeners.clear();
      connected.clear();
    },
  };
}

/**
 * `data` with a buffer of its own: a view into a larger (or shared) buffer is
 * copied, since transferring would take the rest of that buffer along.
 */
function ownBuffer(data: PeerData): PeerData {
  if (typeof data === 'string') return data;
  const whole = data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  return whole ? data : data.slice();
}

function transferList(data: PeerData, transfer: boolean): Transferable[] {
  return transfer && typeof data !== 'string' && data.buffer instanceof ArrayBuffer ? [data.buffer] : [];
}
