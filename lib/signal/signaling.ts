/**
 * Signaling: how two browsers that want a WebRTC connection exchange their
 * offers, answers and ICE candidates before the connection exists. One
 * interface, several ways: a WebSocket relay, BroadcastChannel (same browser)
 * and copy-paste. The payloads are opaque here (simple-peer's `signal` events).
 */
import { ValueError, describeValue } from '../errors';
import { MAX_NAME_LENGTH } from './protocol';

/**
 * Something that happened in the room.
 * @example
 * signaling.onMessage((event) => {
 *   switch (event.type) {
 *     case 'joined': break; // wait for its offer
 *     case 'signal': peers.get(event.from)?.signal(event.data); break;
 *     case 'left': peers.get(event.peer)?.destroy(); break;
 *     case 'error': console.warn(event.error.message); break;
 *   }
 * });
 */
export type SignalEvent =
  /** `peer` entered the room after this side joined: it will usually start the connection. */
  | { readonly type: 'joined'; readonly peer: string }
  /** `peer` left the room, or this side lost the way to reach it. */
  | { readonly type: 'left'; readonly peer: string }
  /** `from` sent `data` (pass it to that peer's `SimplePeer#signal`). */
  | { readonly type: 'signal'; readonly from: string; readonly data: unknown }
  /**
   * Something failed outside any call: the relay refused a `send`
   * ({@link SignalingError}) or the connection to it was lost (`ClosedError`,
   * followed by `left` for every peer).
   */
  | { readonly type: 'error'; readonly error: Error };

/**
 * A way for the peers of a room to reach each other before WebRTC connects.
 * Convention: whoever joins later starts the connection to each peer `join`
 * returned; peers reported by `joined` wait for that peer's offer.
 * @example
 * const signaling = websocketSignaling('ws://127.0.0.1:8787/lockstep-signal');
 * signaling.onMessage((m) => {
 *   if (m.type === 'signal') peerFor(m.from).signal(m.data);
 *   if (m.type === 'left') peerFor(m.peer).destroy();
 * });
 * for (const other of await signaling.join('chess', myId)) {
 *   const peer = new SimplePeer({ initiator: true });
 *   peer.on('signal', (data) => signaling.send(other, data));
 * }
 */
export interface Signaling {
  /** Enters `room` as `peer`; resolves with the peers already there. Only one join per instance. */
  join(room: string, peer: string): Promise<readonly string[]>;
  /** Sends `data` (JSON or structured-cloneable, by implementation) to the peer `to` in the room. */
  send(to: string, data: unknown): void;
  /** Calls `fn` for every event; returns a function that stops it. */
  onMessage(fn: (event: SignalEvent) => void): () => void;
  /** Leaves the room; the others get `left`. Nothing more is sent or received. */
  close(): void;
}

/** Stable codes of {@link SignalingError}. */
export const SIGNALING_ERROR_CODES = {
  /** The relay or another peer refused a message (a taken peer id, an unknown recipient). */
  refused: 'SIGNALING_REFUSED',
  /** A call came in the wrong order (send before join, join twice). */
  misuse: 'SIGNALING_MISUSE',
} as const;

/** Code of a {@link SignalingError}. */
export type SignalingErrorCode = (typeof SIGNALING_ERROR_CODES)[keyof typeof SIGNALING_ERROR_CODES];

/**
 * Signaling failed for a reason other than a closed connection (that is a
 * `ClosedError`) or a malformed argument (a `ValueError`).
 * @example
 * try { await signaling.join('chess', 'alice'); }
 * catch (e) { if (e instanceof SignalingError && e.code === 'SIGNALING_REFUSED') askForAnotherName(); }
 */
export class SignalingError extends Error {
  override readonly name = 'SignalingError';

  constructor(
    message: string,
    /** Which kind of failure. */
    readonly code: SignalingErrorCode,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Throws a `ValueError` unless `value` is a usable room name or peer id: a
 * non-empty string of at most 128 characters (what the relay accepts).
 * @example
 * checkSignalName('peer id', id); // before asking a relay
 */
export function checkSignalName(what: 'room name' | 'peer id', value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME_LENGTH) {
    throw new ValueError(`a ${what} must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, got ${describeValue(value)}`, {
      value: describeValue(value),
    });
  }
}

/**
 * @internal The listener set every implementation needs: `onMessage` registration and
 * delivery that survives a listener unsubscribing (or throwing) mid-loop.
 */
export class SignalListeners {
  private readonly listeners = new Set<(event: SignalEvent) => void>();

  /** Adds `fn`; returns its remover. */
  add(fn: (event: SignalEvent) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  /** Delivers `event` to every listener; one that throws is reported without stopping the rest. */
  emit(event: SignalEvent): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(event);
      } catch (error) {
        // A listener's bug must not stop the others from hearing the event; surface it on its own stack.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Drops every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
