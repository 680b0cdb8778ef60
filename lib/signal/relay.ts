/// <reference types="node" />
/**
 * The signaling relay: browsers in a room exchange WebRTC offers, answers and
 * ICE candidates through it. It forwards only; the one thing it keeps is which
 * live socket is which peer in which room. Node only, no dependencies.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { describeValue } from '../errors';
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_SIGNAL_PATH, MAX_NAME_LENGTH, type RelayMessage } from './protocol';
import { CLOSE_CODES, acceptWebSocket, refuseUpgrade, type WebSocketConnection } from './websocket-server';

/** Options of {@link createSignalRelay}. */
export interface SignalRelayOptions {
  /** URL path the relay answers upgrades on. Default `/lockstep-signal`. */
  readonly path?: string;
  /** Largest message accepted, in bytes; a bigger one closes the socket with 1009. Default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** How often to ping idle sockets; one silent for a whole interval is dropped. 0 turns it off. Default 30 s. */
  readonly pingIntervalMs?: number;
}

/** A snapshot of the relay's live sockets and rooms. */
export interface SignalRelayStats {
  /** Open sockets, whether in a room or not. */
  readonly sockets: number;
  /** Every non-empty room with its peers, in joining order. */
  readonly rooms: readonly { readonly room: string; readonly peers: readonly string[] }[];
}

/** The listener shape of an HTTP server's `'upgrade'` event. */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Anything that emits `'upgrade'` like `http.Server` (also `https` and `http2` servers). */
export interface UpgradeEmitter {
  on(event: 'upgrade', listener: UpgradeListener): unknown;
  off(event: 'upgrade', listener: UpgradeListener): unknown;
}

/** A signaling relay not yet bound to a server; see {@link createSignalRelay}. */
export interface SignalRelay {
  /** The path it answers on (without a `path` argument to {@link SignalRelay.attach}). */
  readonly path: string;
  /**
   * Takes an upgrade request if its URL path is the relay's: returns true when
   * it took the socket (accepted or refused with an HTTP error), false when the
   * request is for someone else and the socket was left alone.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Serves upgrades of `path` on `server`, leaving every other upgrade to other listeners. Returns a detach function. */
  attach(server: UpgradeEmitter, path?: string): () => void;
  /** Closes every socket (close code 1001) and refuses new ones; resolves once all are gone. */
  close(): Promise<void>;
  /** Who is where, right now. */
  rooms(): SignalRelayStats;
}

/**
 * Creates a signaling relay to mount on an existing HTTP server.
 * @example
 * import { createServer } from 'node:http';
 * const server = createServer(app);
 * const relay = createSignalRelay();
 * relay.attach(server); // ws://host:port/lockstep-signal
 * server.listen(8787);
 */
export function createSignalRelay(options: SignalRelayOptions = {}): SignalRelay {
  const relayPath = options.path ?? DEFAULT_SIGNAL_PATH;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const pingIntervalMs = options.pingIntervalMs ?? 30_000;
  const clients = new Set<Client>();
  const rooms = new Map<string, Map<string, Client>>();
  const allClosed = new Set<() => void>();
  let closed = false;
  let pinger: ReturnType<typeof setInterval> | undefined;

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string): boolean {
    if (pathOf(req.url) !== path) return false;
    if (closed) {
      refuseUpgrade(socket, 503, 'the signaling relay is closed');
      return true;
    }
    const client: Client = { connection: undefined, room: undefined, peer: undefined };
    client.connection = acceptWebSocket(req, socket, head, maxMessageBytes, {
      text: (text) => receive(client, text),
      binary: () => reply(client, 'binary messages are not supported; send JSON text messages'),
      closed: () => {
        leave(client);
        clients.delete(client);
        if (clients.size === 0) {
          stopPinging();
          for (const resolve of allClosed) resolve();
          allClosed.clear();
        }
      },
    });
    if (client.connection !== undefined) {
      clients.add(client);
      startPinging();
      client.connection.start();
    }
    return true;
  }

  function receive(client: Client, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (error) {
      return reply(client, `message is not valid JSON (${(error as Error).message}); send one JSON object per text message`);
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return reply(client, `message must be a JSON object with a "type" field, got ${describeValue(message)}`);
    }
    const fields = message as Record<string, unknown>;
    switch (fields['type']) {
      case 'join':
        return join(client, fields['room'], fields['peer']);
      case 'signal':
        return forward(client, fields['to'], fields['data']);
      case 'leave':
        if (client.room === undefined) return reply(client, 'leave: this socket is not in a room');
        return leave(client);
      default:
        return reply(client, `unknown message type ${describeValue(fields['type'])}; expected "join", "signal" or "leave"`);
    }
  }

  function join(client: Client, room: unknown, peer: unknown): void {
    if (client.room !== undefined) {
      return reply(client, `already joined room ${JSON.stringify(client.room)} as ${JSON.stringify(client.peer)}; send {"type":"leave"} first (one room per socket)`);
    }
    if (!isName(room)) return reply(client, `join needs a room name (${NAME_RULE}), got ${describeValue(room)}`);
    if (!isName(peer)) return reply(client, `join needs a peer id (${NAME_RULE}), got ${describeValue(peer)}`);
    const members = rooms.get(room) ?? new Map<string, Client>();
    if (members.has(peer)) {
      return reply(client, `peer id ${JSON.stringify(peer)} is already taken in room ${JSON.stringify(room)}; join with another id`);
    }
    const others = [...members.values()];
    members.set(peer, client);
    rooms.set(room, members);
    client.room = room;
    client.peer = peer;
    // The joiner hears who is there before anyone can hear of (and signal) the joiner.
    send(client, { type: 'peers', room, peers: others.map((other) => other.peer as string) });
    for (const other of others) send(other, { type: 'joined', peer });
  }

  function forward(client: Client, to: unknown, data: unknown): void {
    if (client.room === undefined || client.peer === undefined) return reply(client, 'signal: join a room before sending signals');
    if (!isName(to)) return reply(client, `signal needs "to": the id of a peer in the room (${NAME_RULE}), got ${describeValue(to)}`);
    if (data === undefined) return reply(client, 'signal needs "data" (any JSON value) to forward');
    if (to === client.peer) return reply(client, `signal: cannot send a signal to yourself (${JSON.stringify(to)})`);
    const target = rooms.get(client.room)?.get(to);
    if (target === undefined) return reply(client, `signal: no peer ${JSON.stringify(to)} in room ${JSON.stringify(client.room)} (it may have left)`);
    send(target, { type: 'signal', from: client.peer, data });
  }

  function leave(client: Client): void {
    const { room, peer } = client;
    if (room === undefined || peer === undefined) return;
    client.room = undefined;
    client.peer = undefined;
    const members = rooms.get(room);
    if (members === undefined) return;
    members.delete(peer);
    if (members.size === 0) rooms.delete(room);
    for (const other of members.values()) send(other, { type: 'left', peer });
  }

  function startPinging(): void {
    if (pinger !== undefined || pingIntervalMs <= 0) return;
    pinger = setInterval(() => {
      for (const client of clients) if (client.connection?.heartbeat() === false) client.connection.terminate();
    }, pingIntervalMs);
    pinger.unref?.();
  }

  function stopPinging(): void {
    if (pinger !== undefined) clearInterval(pinger);
    pinger = undefined;
  }

  return {
    path: relayPath,
    handleUpgrade: (req, socket, head) => upgrade(req, socket, head, relayPath),
    attach(server, path = relayPath) {
      const listener: UpgradeListener = (req, socket, head) => void upgrade(req, socket, head, path);
      server.on('upgrade', listener);
      return () => void server.off('upgrade', listener);
    },
    close() {
      closed = true;
      if (clients.size === 0) return Promise.resolve();
      const done = new Promise<void>((resolve) => allClosed.add(resolve));
      for (const client of clients) client.connection?.close(CLOSE_CODES.goingAway, 'signaling relay closing');
      return done;
    },
    rooms() {
      return {
        sockets: clients.size,
        rooms: [...rooms].map(([room, members]) => ({ room, peers: [...members.keys()] })),
      };
    },
  };
}

/** Options of {@link startSignalRelay}. */
export interface StartSignalRelayOptions extends SignalRelayOptions {
  /** TCP port; 0 picks a free one. Default 8787. */
  readonly port?: number;
  /** Interface to listen on. Default `127.0.0.1` (this machine only). */
  readonly host?: string;
}

/** A running relay with its own HTTP server; see {@link startSignalRelay}. */
export interface RunningSignalRelay {
  /** The WebSocket URL to give to `websocketSignaling`, e.g. `ws://127.0.0.1:8787/lockstep-signal`. */
  readonly url: string;
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** The relay itself, for {@link SignalRelay.rooms}. */
  readonly relay: SignalRelay;
  /** Closes every socket, then the server. */
  close(): Promise<void>;
}

/**
 * Starts a stand-alone relay on its own HTTP server. A plain GET answers a short
 * text; upgrades of other paths get 404.
 * @example
 * const { url, close } = await startSignalRelay({ port: 0 });
 * const signaling = websocketSignaling(url); // in the browser
 * await close();
 */
export async function startSignalRelay(options: StartSignalRelayOptions = {}): Promise<RunningSignalRelay> {
  const host = options.host ?? '127.0.0.1';
  const relay = createSignalRelay(options);
  const server = createServer((req, res) => {
    const ok = req.method === 'GET' || req.method === 'HEAD';
    res.writeHead(ok ? 200 : 405, { 'Content-Type': 'text/plain; charset=utf-8', ...(ok ? {} : { Allow: 'GET, HEAD' }) });
    res.end(ok ? `Lockstep signaling relay: connect a WebSocket to ${relay.path}\n` : 'Lockstep signaling relay: only GET\n');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!relay.handleUpgrade(req, socket, head)) refuseUpgrade(socket, 404, `no WebSocket here; the relay is at ${relay.path}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    url: `ws://${hostInUrl}:${port}${relay.path}`,
    port,
    relay,
    async close() {
      await relay.close();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

interface Client {
  connection: WebSocketConnection | undefined;
  room: string | undefined;
  peer: string | undefined;
}

const NAME_RULE = `a non-empty string of at most ${MAX_NAME_LENGTH} characters`;

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME_LENGTH;
}

function pathOf(url: string | undefined): string {
  const end = url?.search(/[?#]/) ?? -1;
  return url === undefined ? '' : end === -1 ? url : url.slice(0, end);
}

function send(client: Client, message: RelayMessage): void {
  client.connection?.sendText(JSON.stringify(message));
}

function reply(client: Client, message: string): void {
  send(client, { type: 'error', message });
}
