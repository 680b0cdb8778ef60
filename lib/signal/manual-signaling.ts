/**
 * {@link Signaling} by copy and paste, for when there is no relay: the signals
 * for one remote peer are packed into a single text blob that the user sends
 * over any channel (chat, mail, QR code), and the other side accepts it.
 *
 * With simple-peer and `trickle: false` each side emits exactly one signal
 * (the offer, then the answer, ICE candidates included), so two blobs connect:
 * 1. Bob knows Alice's id (`peers: ['alice']`), so `join` returns it and Bob
 *    starts the connection; `blobFor('alice')` gives the offer blob.
 * 2. Alice accepts it: `joined` bob, then `signal` with the offer; her answer
 *    goes into `blobFor('bob')`, which Bob accepts. Connected.
 */
import { ClosedError, ValueError, describeValue } from '../errors';
import { SIGNALING_ERROR_CODES, SignalListeners, SignalingError, checkSignalName, type Signaling } from './signaling';

/** Options of {@link manualSignaling}. */
export interface ManualSignalingOptions {
  /** Peers known to be in the room already (agreed out of band); `join` returns them. */
  readonly peers?: readonly string[];
}

/** {@link Signaling} plus the two copy-paste steps. */
export interface ManualSignaling extends Signaling {
  /**
   * Resolves, once at least one signal for `to` has been sent, with a blob of
   * every signal sent to `to` since the previous blob (base64url text, safe to
   * paste anywhere). Show it to the user to pass on.
   */
  blobFor(to: string): Promise<string>;
  /**
   * Feeds in a blob from the other side: emits `joined` the first time its
   * sender is seen, then one `signal` event per signal in it. Returns the
   * sender's id. Throws a `ValueError` for text that is not a blob, or a blob
   * for another room or peer.
   */
  accept(blob: string): string;
}

/** What a blob holds, before base64url. */
export interface SignalBlob {
  /** Format version. */
  readonly v: 1;
  readonly room: string;
  readonly from: string;
  readonly to: string;
  /** The signals, in the order they were sent. */
  readonly signals: readonly unknown[];
}

/**
 * Copy-paste signaling for two peers without any server.
 * @example
 * // Bob's tab (starts the connection)
 * const bob = manualSignaling({ peers: ['alice'] });
 * await bob.join('chess', 'bob'); // ['alice'] → create an initiator peer, trickle: false
 * offerBox.value = await bob.blobFor('alice');
 * // Alice's tab
 * const alice = manualSignaling();
 * await alice.join('chess', 'alice');
 * alice.accept(offerBox.value); // joined bob + his offer → answer with a non-initiator peer
 * answerBox.value = await alice.blobFor('bob');
 * // Bob's tab
 * bob.accept(answerBox.value);
 */
export function manualSignaling(options: ManualSignalingOptions = {}): ManualSignaling {
  const listeners = new SignalListeners();
  const peers = new Set<string>();
  const outgoing = new Map<string, unknown[]>();
  const waiting = new Map<string, { promise: Promise<string>; wake(): void; fail(error: Error): void }>();
  let state: 'new' | 'joined' | 'closed' = 'new';
  let room = '';
  let me = '';

  function checkJoined(action: string): void {
    if (state === 'closed') throw new ClosedError(`cannot ${action}: the signaling is closed`);
    if (state !== 'joined') throw new SignalingError(`join a room before you ${action}`, SIGNALING_ERROR_CODES.misuse);
  }

  function drain(to: string): string {
    const signals = outgoing.get(to) ?? [];
    outgoing.delete(to);
    return encodeSignalBlob({ v: 1, room, from: me, to, signals });
  }

  return {
    async join(joinRoom, peer) {
      checkSignalName('room name', joinRoom);
      checkSignalName('peer id', peer);
      if (state === 'closed') throw new ClosedError('this signaling is closed; create a new one to join');
      if (state !== 'new') throw new SignalingError('join was already called: one room per signaling instance', SIGNALING_ERROR_CODES.misuse);
      for (const other of options.peers ?? []) checkSignalName('peer id', other);
      state = 'joined';
      room = joinRoom;
      me = peer;
      for (const other of options.peers ?? []) if (other !== peer) peers.add(other);
      return [...peers];
    },
    send(to, data) {
      checkJoined('send signals');
      checkSignalName('peer id', to);
      try {
        if (JSON.stringify(data) === undefined) throw new TypeError(`${describeValue(data)} has no JSON form`);
      } catch (cause) {
        throw new ValueError(`signal data must be a JSON value: ${(cause as Error).message}`, { cause });
      }
      const queue = outgoing.get(to) ?? [];
      queue.push(data);
      outgoing.set(to, queue);
      waiting.get(to)?.wake();
    },
    blobFor(to) {
      try {
        checkJoined('make a blob');
        checkSignalName('peer id', to);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      const existing = waiting.get(to);
      if (existing !== undefined) return existing.promise;
      let wake = (): void => undefined;
      let fail = (_error: Error): void => undefined;
      const promise = new Promise<string>((resolve, reject) => {
        let woken = false;
        wake = () => {
          if (woken) return;
          woken = true;
          // One task later, so signals sent together (a burst of candidates) share the blob.
          setTimeout(() => {
            waiting.delete(to);
            if (state === 'closed') reject(new ClosedError('the signaling was closed before the blob was ready'));
            else resolve(drain(to));
          }, 0);
        };
        fail = reject;
      });
      waiting.set(to, { promise, wake, fail });
      if ((outgoing.get(to)?.length ?? 0) > 0) wake();
      return promise;
    },
    accept(text) {
      checkJoined('accept a blob');
      const blob = decodeSignalBlob(text);
      if (blob.room !== room) throw new ValueError(`this blob is for room ${JSON.stringify(blob.room)}, but this side joined ${JSON.stringify(room)}`);
      if (blob.from === me) throw new ValueError("this is this side's own blob; paste the one the other side made");
      if (blob.to !== me) throw new ValueError(`this blob is for peer ${JSON.stringify(blob.to)}, but this side is ${JSON.stringify(me)}`);
      if (!peers.has(blob.from)) {
        peers.add(blob.from);
        listeners.emit({ type: 'joined', peer: blob.from });
      }
      for (const data of blob.signals) listeners.emit({ type: 'signal', from: blob.from, data });
      return blob.from;
    },
    onMessage: (fn) => listeners.add(fn),
    close() {
      if (state === 'closed') return;
      state = 'closed';
      for (const wait of waiting.values()) wait.fail(new ClosedError('the signaling was closed before the blob was ready'));
      waiting.clear();
      outgoing.clear();
      peers.clear();
      listeners.clear();
    },
  };
}

/**
 * Packs a {@link SignalBlob} as base64url JSON: one line of `[A-Za-z0-9_-]`.
 * @example
 * const text = encodeSignalBlob({ v: 1, room: 'chess', from: 'bob', to: 'alice', signals: [offer] });
 */
export function encodeSignalBlob(blob: SignalBlob): string {
  const bytes = new TextEncoder().encode(JSON.stringify(blob));
  let binary = '';
  // Chunked: String.fromCharCode(...bytes) overflows the stack for long SDPs.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/**
 * Unpacks {@link encodeSignalBlob}'s text; whitespace (line breaks added while
 * pasting) is ignored. Throws a `ValueError` for anything else.
 * @example
 * const { from, signals } = decodeSignalBlob(pastedText);
 */
export function decodeSignalBlob(text: string): SignalBlob {
  const compact = text.replace(/\s+/g, '');
  const notABlob = (why: string, cause?: unknown): ValueError =>
    new ValueError(`this is not a Lockstep signaling blob (${why}); copy the whole text the other side shows`, {
      value: describeValue(compact),
      ...(cause === undefined ? {} : { cause }),
    });
  if (!/^[A-Za-z0-9_-]+$/.test(compact)) throw notABlob('it should be one run of letters, digits, "-" and "_"');
  let value: unknown;
  try {
    const binary = atob(compact.replaceAll('-', '+').replaceAll('_', '/'));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw notABlob('it does not decode; is part of it missing?', cause);
  }
  const blob = value as Partial<Record<keyof SignalBlob, unknown>> | null;
  if (typeof blob !== 'object' || blob === null || blob.v !== 1) throw notABlob('no version 1 header');
  if (typeof blob.room !== 'string' || typeof blob.from !== 'string' || typeof blob.to !== 'string' || !Array.isArray(blob.signals)) {
    throw notABlob('room, from, to or signals missing');
  }
  return { v: 1, room: blob.room, from: blob.from, to: blob.to, signals: blob.signals as unknown[] };
}
