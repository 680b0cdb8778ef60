/**
 * {@link Signaling} through the WebSocket relay (`lockstep-signal`, the Vite
 * plugin, or `createSignalRelay` on any Node server).
 */
import { ClosedError, ValueError } from '../errors';
import { DEFAULT_SIGNAL_PATH, type ClientMessage, type RelayMessage } from './protocol';
import { SIGNALING_ERROR_CODES, SignalListeners, SignalingError, checkSignalName, type Signaling } from './signaling';

/** The part of the browser's `WebSocket` this module uses. */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { readonly code: number; readonly reason: string }) => void): void;
}

/** Options of {@link websocketSignaling}. */
export interface WebSocketSignalingOptions {
  /** Opens the socket; default `new WebSocket(url)` (tests and Node pass their own). */
  readonly connect?: (url: string) => WebSocketLike;
}

/**
 * Signaling through a relay over one WebSocket. The socket opens on `join`.
 * If it closes on its own (relay stopped, network lost), listeners get an
 * `error` event with a `ClosedError`, then `left` for every peer; `send`
 * then throws. There is no reconnect: create a new instance to rejoin.
 * @param url The relay, e.g. `ws://127.0.0.1:8787/lockstep-signal`. Default:
 *   `/lockstep-signal` on the page's own host (the Vite plugin's address).
 * @example
 * const signaling = websocketSignaling();
 * const others = await signaling.join('chess', crypto.randomUUID());
 * signaling.onMessage((m) => console.log(m.type));
 * for (const peer of others) signaling.send(peer, { hello: true });
 */
export function websocketSignaling(url?: string | URL, options: WebSocketSignalingOptions = {}): Signaling {
  const target = url === undefined ? pageRelayUrl() : String(url);
  const connect = options.connect ?? ((address: string): WebSocketLike => new WebSocket(address));
  const listeners = new SignalListeners();
  const peers = new Set<string>();
  let state: 'new' | 'joining' | 'joined' | 'closed' = 'new';
  let socket: WebSocketLike | undefined;
  let pending: { resolve(peers: readonly string[]): void; reject(error: Error): void } | undefined;

  function write(message: ClientMessage): void {
    socket?.send(JSON.stringify(message));
  }

  function settle(outcome: readonly string[] | Error): void {
    const join = pending;
    pending = undefined;
    if (outcome instanceof Error) join?.reject(outcome);
    else join?.resolve(outcome);
  }

  function receive(raw: unknown): void {
    let message: RelayMessage;
    try {
      message = JSON.parse(String(raw)) as RelayMessage;
    } catch (cause) {
      listeners.emit({ type: 'error', error: new SignalingError(`the relay sent a message that is not JSON: ${String(raw).slice(0, 80)}`, SIGNALING_ERROR_CODES.refused, { cause }) });
      return;
    }
    switch (message.type) {
      case 'peers':
        state = 'joined';
        for (const peer of message.peers) peers.add(peer);
        return settle([...message.peers]);
      case 'error': {
        const error = new SignalingError(`the signaling relay refused: ${message.message}`, SIGNALING_ERROR_CODES.refused);
        if (pending === undefined) return listeners.emit({ type: 'error', error });
        // A refused join ends this instance: the room has no place for it under that id.
        shutDown();
        return settle(error);
      }
      case 'joined':
        peers.add(message.peer);
        return listeners.emit(message);
      case 'left':
        peers.delete(message.peer);
        return listeners.emit(message);
      case 'signal':
        return listeners.emit({ type: 'signal', from: message.from, data: message.data });
      default:
        listeners.emit({ type: 'error', error: new SignalingError(`the relay sent an unknown message: ${String(raw).slice(0, 80)}`, SIGNALING_ERROR_CODES.refused) });
    }
  }

  function lost(code: number, reason: string): void {
    if (state === 'closed') return;
    state = 'closed';
    const error = new ClosedError(
      `the connection to the signaling relay at ${target} closed (code ${code}${reason === '' ? '' : `: ${reason}`}); create a new signaling to rejoin`,
    );
    if (pending !== undefined) return settle(error);
    listeners.emit({ type: 'error', error });
    for (const peer of [...peers]) listeners.emit({ type: 'left', peer });
    peers.clear();
  }

  function shutDown(): void {
    state = 'closed';
    socket?.close(1000);
    peers.clear();
  }

  return {
    async join(room, peer) {
      checkSignalName('room name', room);
      checkSignalName('peer id', peer);
      if (state === 'closed') throw new ClosedError('this signaling is closed; create a new one to join');
      if (state !== 'new') throw new SignalingError('join was already called: one room per signaling instance', SIGNALING_ERROR_CODES.misuse);
      state = 'joining';
      const ws = connect(target);
      socket = ws;
      ws.addEventListener('open', () => write({ type: 'join', room, peer }));
      ws.addEventListener('message', (event) => receive(event.data));
      ws.addEventListener('close', (event) => lost(event.code, event.reason));
      // An 'error' event carries no detail and is always followed by 'close', which reports it.
      ws.addEventListener('error', () => undefined);
      return new Promise<readonly string[]>((resolve, reject) => (pending = { resolve, reject }));
    },
    send(to, data) {
      if (state === 'closed') throw new ClosedError('cannot send: the signaling is closed');
      if (state !== 'joined') throw new SignalingError('join a room (and wait for it) before sending signals', SIGNALING_ERROR_CODES.misuse);
      checkSignalName('peer id', to);
      if (data === undefined) throw new ValueError('signal data must be a JSON value, got undefined');
      let text: string;
      try {
        text = JSON.stringify({ type: 'signal', to, data } satisfies ClientMessage);
      } catch (cause) {
        throw new ValueError(`signal data must be a JSON value: ${(cause as Error).message}`, { cause });
      }
      socket?.send(text);
    },
    onMessage: (fn) => listeners.add(fn),
    close() {
      if (state === 'closed') return;
      shutDown();
      settle(new ClosedError('the signaling was closed before the join finished'));
      listeners.clear();
    },
  };
}

/** `ws(s)://<this page's host>/lockstep-signal`, where the Vite plugin serves the relay. */
function pageRelayUrl(): string {
  const location = (globalThis as { location?: { protocol: string; host: string } }).location;
  if (location === undefined || location.host === '') {
    throw new ValueError('websocketSignaling() needs the relay URL here (no page location to derive it from)');
  }
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${DEFAULT_SIGNAL_PATH}`;
}
