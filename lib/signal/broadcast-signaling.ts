/**
 * {@link Signaling} over a `BroadcastChannel`: every tab (and worker) of one
 * origin in one browser profile. For trying peers out in one browser and for
 * tests; there is no server. A joining peer announces itself and waits a short
 * while for the members to answer; those that do are "already there".
 */
import { ClosedError, ValueError } from '../errors';
import { SIGNALING_ERROR_CODES, SignalListeners, SignalingError, checkSignalName, type SignalEvent, type Signaling } from './signaling';

/** The part of `BroadcastChannel` this module uses (Node and browsers both have it). */
export interface SignalChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  close(): void;
}

/** Options of {@link broadcastSignaling}. */
export interface BroadcastSignalingOptions {
  /**
   * How long `join` waits for the members' answers, in ms. Default 100 (a
   * round trip between tabs takes well under 2 ms). A member answering later is
   * reported as `joined` instead, so keep it generous.
   */
  readonly settleMs?: number;
  /** Opens the channel; default `new BroadcastChannel(name)`. */
  readonly open?: (name: string) => SignalChannelLike;
}

/**
 * Signaling between the tabs of one browser over `BroadcastChannel(channelName)`.
 * Peers with the same id in the same room are refused (`SignalingError`);
 * `close()` (or the page going away) tells the others `left`. A tab that
 * crashes says nothing: its peers notice through WebRTC instead. When two
 * peers join at the same moment, the smaller id counts as already there.
 * @example
 * const signaling = broadcastSignaling();
 * signaling.onMessage((m) => console.log(m));
 * const others = await signaling.join('chess', 'tab-' + Math.random().toString(36).slice(2));
 */
export function broadcastSignaling(channelName = 'lockstep-signal', options: BroadcastSignalingOptions = {}): Signaling {
  const settleMs = options.settleMs ?? 100;
  const open = options.open ?? ((name: string): SignalChannelLike => new BroadcastChannel(name));
  const instance = randomId();
  const listeners = new SignalListeners();
  const peers = new Set<string>();
  let state: 'new' | 'joining' | 'joined' | 'closed' = 'new';
  let channel: SignalChannelLike | undefined;
  let room = '';
  let me = '';
  /** Events that arrive while joining, delivered once `join` has resolved. */
  let early: SignalEvent[] = [];
  let refused: SignalingError | undefined;
  let stopPageHide: (() => void) | undefined;

  function post(message: Envelope): void {
    channel?.postMessage(message);
  }

  function emit(event: SignalEvent): void {
    if (state === 'joining') early.push(event);
    else if (state === 'joined') listeners.emit(event);
  }

  function receive(data: unknown): void {
    if (!isEnvelope(data) || data.room !== room || state === 'new' || state === 'closed') return;
    switch (data.kind) {
      case 'hello':
        if (data.peer === me) return post({ ...header(), kind: 'taken', to: data.instance });
        // Two peers joining at once: the smaller id counts as already there.
        if (state === 'joined' || me < data.peer) {
          post({ ...header(), kind: 'here', to: data.instance });
          if (!peers.has(data.peer)) {
            peers.add(data.peer);
            emit({ type: 'joined', peer: data.peer });
          }
        } else {
          // The other counts as already there, so it must answer us, but our hello
          // may have gone out before its channel opened: say hello again.
          post({ ...header(), kind: 'hello' });
        }
        return;
      case 'here':
        if (data.to !== instance) return;
        if (state === 'joining') peers.add(data.peer);
        else if (!peers.has(data.peer)) {
          peers.add(data.peer);
          emit({ type: 'joined', peer: data.peer });
        }
        return;
      case 'taken':
        if (data.to === instance && state === 'joining') {
          refused ??= new SignalingError(`peer id ${JSON.stringify(me)} is already taken in room ${JSON.stringify(room)}; join with another id`, SIGNALING_ERROR_CODES.refused);
        }
        return;
      case 'signal':
        if (data.to === me) emit({ type: 'signal', from: data.peer, data: data.data });
        return;
      case 'bye':
        if (peers.delete(data.peer)) emit({ type: 'left', peer: data.peer });
        return;
    }
  }

  function header(): { readonly lockstepSignal: 1; readonly room: string; readonly peer: string; readonly instance: string } {
    return { lockstepSignal: 1, room, peer: me, instance };
  }

  function shutDown(): void {
    state = 'closed';
    stopPageHide?.();
    channel?.close();
    channel = undefined;
    peers.clear();
    early = [];
  }

  const signaling: Signaling = {
    async join(joinRoom, peer) {
      checkSignalName('room name', joinRoom);
      checkSignalName('peer id', peer);
      if (state === 'closed') throw new ClosedError('this signaling is closed; create a new one to join');
      if (state !== 'new') throw new SignalingError('join was already called: one room per signaling instance', SIGNALING_ERROR_CODES.misuse);
      state = 'joining';
      room = joinRoom;
      me = peer;
      channel = open(channelName);
      channel.addEventListener('message', (event) => receive(event.data));
      stopPageHide = onPageHide(() => signaling.close());
      post({ ...header(), kind: 'hello' });
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      if ((state as string) === 'closed') throw new ClosedError('the signaling was closed before the join finished');
      if (refused !== undefined) {
        const error = refused;
        shutDown();
        throw error;
      }
      state = 'joined';
      const held = early;
      early = [];
      // After the caller's `await join(...)` has run, so it can subscribe first.
      if (held.length > 0) setTimeout(() => held.forEach((event) => emit(event)), 0);
      return [...peers].filter((other) => !held.some((event) => event.type === 'joined' && event.peer === other));
    },
    send(to, data) {
      if (state === 'closed') throw new ClosedError('cannot send: the signaling is closed');
      if (state !== 'joined') throw new SignalingError('join a room (and wait for it) before sending signals', SIGNALING_ERROR_CODES.misuse);
      checkSignalName('peer id', to);
      try {
        post({ ...header(), kind: 'signal', to, data });
      } catch (cause) {
        throw new ValueError(`signal data must be structured-cloneable: ${(cause as Error).message}`, { cause });
      }
    },
    onMessage: (fn) => listeners.add(fn),
    close() {
      if (state === 'closed') return;
      if (state === 'joined' || state === 'joining') post({ ...header(), kind: 'bye' });
      shutDown();
      listeners.clear();
    },
  };
  return signaling;
}

/** What goes over the channel; `lockstepSignal` keeps other traffic on the same name apart. */
type Envelope = { readonly lockstepSignal: 1; readonly room: string; readonly peer: string; readonly instance: string } & (
  | { readonly kind: 'hello' | 'bye' }
  | { readonly kind: 'here' | 'taken'; readonly to: string }
  | { readonly kind: 'signal'; readonly to: string; readonly data: unknown }
);

function isEnvelope(data: unknown): data is Envelope {
  const fields = data as Partial<Record<string, unknown>> | null;
  return typeof fields === 'object' && fields !== null && fields['lockstepSignal'] === 1 && typeof fields['room'] === 'string' && typeof fields['peer'] === 'string';
}

/** Tells the other tabs when this page goes away (no-op outside a page). */
function onPageHide(fn: () => void): () => void {
  const target = globalThis as { addEventListener?: (type: string, fn: () => void) => void; removeEventListener?: (type: string, fn: () => void) => void };
  if (typeof target.addEventListener !== 'function' || typeof target.removeEventListener !== 'function') return () => undefined;
  target.addEventListener('pagehide', fn);
  return () => target.removeEventListener?.('pagehide', fn);
}

function randomId(): string {
  // crypto.randomUUID needs a secure context; uniqueness among a few tabs is all that matters here.
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
