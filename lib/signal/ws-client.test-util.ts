/**
 * A minimal WebSocket client for tests, written independently of the relay's
 * server code so the two check each other: it masks its frames as RFC 6455
 * requires of clients, can send raw and fragmented frames, and queues what it
 * receives so tests await messages instead of sleeping.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

/** What the test client received, in order. */
export type Received =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'binary'; readonly data: Buffer }
  | { readonly kind: 'ping'; readonly data: Buffer }
  | { readonly kind: 'pong'; readonly data: Buffer };

/** How the connection ended: the close frame's code and reason, or 1006 without one. */
export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** The result of an upgrade request the server refused. */
export interface Refused {
  readonly status: number;
  readonly body: string;
}

/** Opens a WebSocket to `url` (ws://); rejects if the handshake fails. */
export async function connectTestSocket(url: string): Promise<TestSocket> {
  const result = await upgradeRequest(url);
  if (!(result instanceof TestSocket)) throw new Error(`upgrade refused with ${result.status}: ${result.body}`);
  return result;
}

/**
 * Sends an upgrade request and returns the socket, or the HTTP status and body
 * when the server answers without upgrading. `headers` override the handshake's.
 */
export function upgradeRequest(url: string, headers: Readonly<Record<string, string>> = {}): Promise<TestSocket | Refused> {
  const target = new URL(url);
  const key = randomBytes(16).toString('base64');
  return new Promise((resolve, reject) => {
    const req = request({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': key,
        ...headers,
      },
    });
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      if (res.headers['sec-websocket-accept'] !== expected) {
        socket.destroy();
        reject(new Error(`bad Sec-WebSocket-Accept ${String(res.headers['sec-websocket-accept'])}`));
        return;
      }
      resolve(new TestSocket(socket, head));
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One client connection. */
export class TestSocket {
  /** Resolves when the TCP connection is gone. */
  readonly closed: Promise<Closed>;
  private pending = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentOpcode = 0;
  private readonly queue: Received[] = [];
  private readonly waiters: ((item: Received | undefined) => void)[] = [];
  private closeFrame: Closed | undefined;
  private sentClose = false;
  private ended = false;

  constructor(
    private readonly socket: Socket,
    head: Buffer,
  ) {
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.ended = true;
        for (const waiter of this.waiters.splice(0)) waiter(undefined);
        resolve(this.closeFrame ?? { code: 1006, reason: '' });
      });
    });
    socket.on('error', () => {
      // 'close' follows and resolves `closed`.
    });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    if (head.length > 0) this.receive(head);
  }

  /** Sends a text message in one frame. */
  sendText(text: string): void {
    this.sendFrame(1, Buffer.from(text, 'utf8'));
  }

  /** Sends `value` as JSON text. */
  sendJson(value: unknown): void {
    this.sendText(JSON.stringify(value));
  }

  /** Sends one frame; `mask: false` breaks the protocol on purpose. */
  sendFrame(opcode: number, payload: Buffer, options: { readonly fin?: boolean; readonly mask?: boolean } = {}): void {
    const fin = options.fin ?? true;
    const mask = options.mask ?? true;
    const length = payload.length;
    const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
    const header = Buffer.alloc(2 + lengthBytes + (mask ? 4 : 0));
    header[0] = (fin ? 0x80 : 0) | opcode;
    header[1] = (mask ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
    if (lengthBytes === 2) header.writeUInt16BE(length, 2);
    if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(length), 2);
    let body = payload;
    if (mask) {
      const key = randomBytes(4);
      key.copy(header, 2 + lengthBytes);
      body = Buffer.alloc(length);
      for (let i = 0; i < length; i++) body[i] = (payload[i] as number) ^ (key[i % 4] as number);
    }
    this.socket.write(Buffer.concat([header, body]));
  }

  /** Writes bytes as they are. */
  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a close frame; the server's reply ends the connection (see {@link closed}). */
  close(code = 1000, reason = ''): void {
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2, 'utf8');
    this.sentClose = true;
    this.sendFrame(8, payload);
  }

  /** Drops the TCP connection without a closing handshake. */
  destroy(): void {
    this.socket.destroy();
  }

  /** The next thing received; rejects if the connection ends first. */
  async next(): Promise<Received> {
    const item = this.queue.shift() ?? (this.ended ? undefined : await new Promise<Received | undefined>((resolve) => this.waiters.push(resolve)));
    if (item === undefined) throw new Error(`connection closed while waiting for a message (${JSON.stringify(this.closeFrame)})`);
    return item;
  }

  /** The next message, which must be JSON text. */
  async nextJson(): Promise<unknown> {
    const item = await this.next();
    if (item.kind !== 'text') throw new Error(`expected a text message, got ${item.kind}`);
    return JSON.parse(item.text) as unknown;
  }

  private push(item: Received): void {
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.queue.push(item);
    else waiter(item);
  }

  private receive(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      const buf = this.pending;
      if (buf.length < 2) return;
      const b0 = buf[0] as number;
      const b1 = buf[1] as number;
      if ((b1 & 0x80) !== 0) throw new Error('server frames must not be masked');
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buf.length < 4) return;
        length = buf.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buf.length < 10) return;
        length = Number(buf.readBigUInt64BE(2));
        offset = 10;
      }
      if (buf.length < offset + length) return;
      const payload = Buffer.from(buf.subarray(offset, offset + length));
      this.pending = buf.subarray(offset + length);
      this.frame((b0 & 0x80) !== 0, b0 & 0x0f, payload);
    }
  }

  private frame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === 8) {
      this.closeFrame = {
        code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005,
        reason: payload.subarray(2).toString('utf8'),
      };
      if (!this.sentClose) this.sendFrame(8, payload.subarray(0, 2));
      this.socket.end();
      return;
    }
    if (opcode === 9) return this.push({ kind: 'ping', data: payload });
    if (opcode === 10) return this.push({ kind: 'pong', data: payload });
    if (opcode !== 0) this.fragmentOpcode = opcode;
    this.fragments.push(payload);
    if (!fin) return;
    const data = Buffer.concat(this.fragments);
    this.fragments = [];
    this.push(this.fragmentOpcode === 1 ? { kind: 'text', text: data.toString('utf8') } : { kind: 'binary', data });
  }
}

type Listener = (event: never) => void;

/**
 * The test client behind the browser `WebSocket` event API (open / message /
 * close / error), for `websocketSignaling(url, { connect })` in Node 20, which
 * has no global WebSocket. Answers pings as a browser does.
 */
export class TestWebSocketAdapter {
  /** The underlying test socket, once connected. */
  socket: TestSocket | undefined;
  private readonly listeners = new Map<string, Listener[]>();
  private closeRequested = false;

  constructor(url: string) {
    connectTestSocket(url).then(
      (socket) => this.opened(socket),
      () => {
        this.dispatch('error', {});
        this.dispatch('close', { code: 1006, reason: '' });
      },
    );
  }

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    if (this.socket === undefined) throw new Error('InvalidStateError: still connecting');
    this.socket.sendText(data);
  }

  close(code = 1000, reason = ''): void {
    this.closeRequested = true;
    this.socket?.close(code, reason);
  }

  private opened(socket: TestSocket): void {
    this.socket = socket;
    if (this.closeRequested) socket.close();
    else this.dispatch('open', {});
    void socket.closed.then((closed) => this.dispatch('close', closed));
    void this.pump(socket);
  }

  private async pump(socket: TestSocket): Promise<void> {
    for (;;) {
      let item: Received;
      try {
        item = await socket.next();
      } catch {
        return; // closed: the 'close' dispatch above reports it
      }
      if (item.kind === 'text') this.dispatch('message', { data: item.text });
      if (item.kind === 'ping') socket.sendFrame(10, item.data);
    }
  }

  private dispatch(type: string, event: object): void {
    for (const listener of this.listeners.get(type) ?? []) (listener as (event: object) => void)(event);
  }
}
