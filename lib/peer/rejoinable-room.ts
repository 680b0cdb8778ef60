/**
 * A room that outlives its connections: it can be left and joined again (going
 * offline and back), and it joins again by itself when the signaling drops or a
 * join fails. One bridge serves every incarnation, so the worker keeps its port
 * and sees what a network cut looks like: every peer `disconnected`, later
 * `connected` again.
 */
import { ClosedError } from '../errors';
import type { PeerData, PeerEvent } from './framing';
import { Listeners } from './listeners';
import type { BridgeableRoom } from './port-link';
import type { Room } from './room';

/** A room that can be left and joined again: see {@link rejoinableRoom}. */
export interface RejoinableRoom extends BridgeableRoom {
  /** Resolves with the peers already in the room at the first successful join. */
  readonly firstJoin: Promise<readonly string[]>;
  /** True while a room is joined or being joined (not paused, not closed). */
  readonly online: boolean;
  /** Leaves the room and stays out until {@link RejoinableRoom.resume}: every connected peer reports `disconnected`. */
  pause(): void;
  /** Joins again after {@link RejoinableRoom.pause}. */
  resume(): void;
  /** Leaves for good. */
  close(): void;
}

/** Options of {@link rejoinableRoom}. */
export interface RejoinableRoomOptions {
  /** Start paused (e.g. the browser is offline). Default false. */
  readonly paused?: boolean;
  /** The first wait before joining again after a failure, in ms; it doubles up to `maxRetryMs`. Default 1000. */
  readonly retryMs?: number;
  /** The longest wait between attempts, in ms. Default 30000. */
  readonly maxRetryMs?: number;
  /** Hears failures that are not a lost or refused join (those are retried): default the console. */
  readonly onError?: (error: Error) => void;
}

/**
 * A room joined through `open` (a fresh `joinRoom(...)` each time, with its own
 * signaling), joined again after a failure with a growing delay.
 * @example
 * const room = rejoinableRoom((onError) => joinRoom({ room: 'chess', peerId: crypto.randomUUID(), signaling: websocketSignaling(), onError }));
 * bridgeRoom(room, channel.port1);
 * addEventListener('offline', () => room.pause());
 * addEventListener('online', () => room.resume());
 */
export function rejoinableRoom(open: (onError: (error: Error) => void) => Room, options: RejoinableRoomOptions = {}): RejoinableRoom {
  const retryMs = options.retryMs ?? 1000;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  const report = options.onError ?? ((error: Error) => console.error(error));
  const messageListeners = new Listeners<[string, PeerData]>();
  const peerListeners = new Listeners<[PeerEvent]>();
  let current: { readonly room: Room; readonly offs: readonly (() => void)[] } | undefined;
  let paused = options.paused ?? false;
  let closed = false;
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let resolveFirst: (peers: readonly string[]) => void;
  const firstJoin = new Promise<readonly string[]>((resolve) => (resolveFirst = resolve));

  const emitPeer = (event: PeerEvent): void => peerListeners.emit(event);

  /** Leaves the current room, telling the listeners that its peers are gone. */
  const leave = (): void => {
    if (current === undefined) return;
    const { room, offs } = current;
    current = undefined;
    const peers = room.peers();
    for (const off of offs) off();
    room.close();
    for (const peer of peers) emitPeer({ type: 'disconnected', peer });
  };

  const join = (): void => {
    if (closed || paused || current !== undefined) return;
    let incarnation: { readonly room: Room; readonly offs: readonly (() => void)[] } | undefined;
    // A dropped relay or a failed join: leave this incarnation and try again later.
    const lost = (error: Error): void => {
      if (incarnation === undefined || current !== incarnation) return;
      leave();
      const wait = Math.min(maxRetryMs, retryMs * 2 ** failures++);
      retry = setTimeout(() => {
        retry = undefined;
        join();
      }, wait);
      if (!(error instanceof ClosedError) && error.name !== 'SignalingError') report(error);
    };
    const onError = (error: Error): void => (error instanceof ClosedError || error.name === 'SignalingError' ? lost(error) : report(error));
    const room = open(onError);
    incarnation = {
      room,
      offs: [
        room.onMessage((from, data) => messageListeners.emit(from, data)),
        room.onPeer(emitPeer),
      ],
    };
    current = incarnation;
    room.joined.then(
      (peers) => {
        if (current !== incarnation) return;
        failures = 0;
        resolveFirst(peers);
      },
      (error: unknown) => lost(error instanceof Error ? error : new Error(String(error))),
    );
  };

  const stopRetry = (): void => {
    if (retry !== undefined) clearTimeout(retry);
    retry = undefined;
  };

  join();
  return {
    firstJoin,
    get online() {
      return !closed && !paused;
    },
    peers: () => current?.room.peers() ?? [],
    send(to, data) {
      if (current === undefined) throw new ClosedError(`cannot send to peer ${JSON.stringify(to)}: this browser is out of the room`, { value: to });
      current.room.send(to, data);
    },
    broadcast: (data) => current?.room.broadcast(data),
    onMessage: (fn) => messageListeners.add(fn),
    onPeer: (fn) => peerListeners.add(fn),
    pause() {
      if (closed || paused) return;
      paused = true;
      stopRetry();
      leave();
    },
    resume() {
      if (closed || !paused) return;
      paused = false;
      failures = 0;
      join();
    },
    close() {
      if (closed) return;
      closed = true;
      stopRetry();
      leave();
      messageListeners.clear();
      peerListeners.clear();
    },
  };
}
