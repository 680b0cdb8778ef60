/// <reference types="node" />
/**
 * The server side of RFC 6455 WebSockets, just enough for the signaling relay:
 * the upgrade handshake, text and binary messages (fragmented or not), ping /
 * pong and the closing handshake. No extensions (no compression) and no
 * subprotocols. Node only.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** Close codes of RFC 6455 §7.4.1 that the relay uses. */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  /** Not sent on the wire: the connection ended without a close frame. */
  abnormal: 1006,
  invalidPayload: 1007,
  messageTooBig: 1009,
  internalError: 1011,
} as const;

/** What a {@link WebSocketConnection} reports to its owner. */
export interface WebSocketHandlers {
  /** A complete text message (fragments already joined, UTF-8 checked). */
  text(text: string): void;
  /** A complete binary message. */
  binary(data: Buffer): void;
  /** The socket is gone; called once. `code` is 1006 when no close frame was exchanged. */
  closed(code: number, reason: string): void;
}

/**
 * Answers a WebSocket upgrade request; returns the connection (call
 * {@link WebSocketConnection.start} to read from it), or undefined after
 * refusing the request with an HTTP error.
 */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  maxMessageBytes: number,
  handlers: WebSocketHandlers,
): WebSocketConnection | undefined {
  const problem = handshakeProblem(req);
  if (problem !== undefined) {
    refuseUpgrade(socket, problem.status, problem.text, problem.headers);
    return undefined;
  }
  const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}${HANDSHAKE_GUID}`).digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' + `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  return new WebSocketConnection(socket, head, maxMessageBytes, handlers);
}

/** Ends an upgrade request with a plain HTTP error response. */
export function refuseUpgrade(socket: Duplex, status: number, text: string, headers: Readonly<Record<string, string>> = {}): void {
  const body = `${text}\n`;
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.on('error', ignoreSocketError);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${extra.join('')}\r\n${body}`,
  );
}

/** One accepted WebSocket: parses client frames, writes server frames. */
export class WebSocketConnection {
  private pending: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] | undefined;
  private fragmentsText = false;
  private fragmentBytes = 0;
  private state: 'open' | 'closing' | 'closed' = 'open';
  /** False after a protocol error: nothing more is read. */
  private reading = true;
  private closeCode: number = CLOSE_CODES.abnormal;
  private closeReason = '';
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Whether a pong (or any frame) came since the last {@link heartbeat}. */
  private alive = true;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(
    private readonly socket: Duplex,
    private readonly head: Buffer,
    private readonly maxMessageBytes: number,
    private readonly handlers: WebSocketHandlers,
  ) {}

  /** Starts reading (separate from the constructor so the owner can keep the connection before the first message). */
  start(): void {
    const socket = this.socket;
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') (socket.setNoDelay as (on: boolean) => void)(true);
    // The 'close' event follows every socket error; that is where the loss is reported.
    socket.on('error', ignoreSocketError);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => socket.end());
    socket.on('close', () => this.finish());
    if (this.head.length > 0) this.receive(this.head);
  }

  /** Whether messages can still be sent. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Sends one text message; does nothing once closing. */
  sendText(text: string): void {
    if (this.state === 'open') this.socket.write(encodeFrame(OPCODES.text, Buffer.from(text, 'utf8')));
  }

  /**
   * Starts the closing handshake: sends a close frame, then waits (at most
   * `timeoutMs`) for the client's close frame before dropping the socket.
   */
  close(code: number, reason = '', timeoutMs = 1000): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.closeCode = code;
    this.closeReason = reason;
    const reasonBytes = Buffer.from(reason, 'utf8').subarray(0, 123);
    const payload = Buffer.alloc(2 + reasonBytes.length);
    payload.writeUInt16BE(code, 0);
    reasonBytes.copy(payload, 2);
    this.socket.write(encodeFrame(OPCODES.close, payload));
    this.closeTimer = setTimeout(() => this.socket.destroy(), timeoutMs);
    this.closeTimer.unref?.();
  }

  /** Drops the socket without a closing handshake. */
  terminate(): void {
    this.socket.destroy();
  }

  /**
   * Keep-alive: returns false when nothing arrived since the previous call (the
   * client is gone without closing), otherwise sends a ping and returns true.
   */
  heartbeat(): boolean {
    if (!this.alive) return false;
    this.alive = false;
    if (this.state === 'open') this.socket.write(encodeFrame(OPCODES.ping, Buffer.alloc(0)));
    return true;
  }

  private receive(chunk: Buffer): void {
    this.alive = true;
    if (!this.reading) return;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.reading && this.readFrame());
  }

  /** Reads one frame from `pending`; false when more bytes are needed or reading stopped. */
  private readFrame(): boolean {
    const buf = this.pending;
    if (buf.length < 2) return false;
    const b0 = buf[0] as number;
    const b1 = buf[1] as number;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    const isControl = opcode >= 8;
    let length = b1 & 0x7f;
    let offset = 2;
    if ((b0 & 0x70) !== 0) return this.fail(CLOSE_CODES.protocolError, 'reserved bits set but no extension was negotiated');
    if ((b1 & 0x80) === 0) return this.fail(CLOSE_CODES.protocolError, 'client frames must be masked');
    if (length === 126) {
      if (buf.length < 4) return false;
      length = buf.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buf.length < 10) return false;
      const high = buf.readUInt32BE(2);
      // Anything over 2^53 can only be too big; treat it as such without losing precision.
      length = high > 0x1fffff ? Number.MAX_SAFE_INTEGER : high * 2 ** 32 + buf.readUInt32BE(6);
      offset = 10;
    }
    if (isControl) {
      if (!fin) return this.fail(CLOSE_CODES.protocolError, 'control frames must not be fragmented');
      if (length > 125) return this.fail(CLOSE_CODES.protocolError, 'control frames carry at most 125 bytes');
      if (opcode !== OPCODES.close && opcode !== OPCODES.ping && opcode !== OPCODES.pong) {
        return this.fail(CLOSE_CODES.protocolError, `unknown opcode ${opcode}`);
      }
    } else {
      if (opcode !== OPCODES.continuation && opcode !== OPCODES.text && opcode !== OPCODES.binary) {
        return this.fail(CLOSE_CODES.protocolError, `unknown opcode ${opcode}`);
      }
      if (opcode === OPCODES.continuation && this.fragments === undefined) {
        return this.fail(CLOSE_CODES.protocolError, 'continuation frame without a message to continue');
      }
      if (opcode !== OPCODES.continuation && this.fragments !== undefined) {
        return this.fail(CLOSE_CODES.protocolError, 'new message started before the fragmented one finished');
      }
      // Checked before the payload arrives, so an oversized message is never buffered.
      if (this.fragmentBytes + length > this.maxMessageBytes) {
        return this.fail(CLOSE_CODES.messageTooBig, `message larger than ${this.maxMessageBytes} bytes`);
      }
    }
    const end = offset + 4 + length;
    if (buf.length < end) return false;
    const payload = Buffer.from(buf.subarray(offset + 4, end));
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (buf[offset + (i & 3)] as number);
    this.pending = buf.subarray(end);
    if (isControl) this.control(opcode, payload);
    else this.data(opcode, fin, payload);
    return true;
  }

  private data(opcode: number, fin: boolean, payload: Buffer): void {
    if (this.state !== 'open') return; // closing: the client's close frame is all that matters now
    if (opcode !== OPCODES.continuation) {
      this.fragments = [];
      this.fragmentsText = opcode === OPCODES.text;
    }
    const fragments = this.fragments ?? [];
    fragments.push(payload);
    this.fragmentBytes += payload.length;
    if (!fin) return;
    const message = fragments.length === 1 ? payload : Buffer.concat(fragments);
    const isText = this.fragmentsText;
    this.fragments = undefined;
    this.fragmentBytes = 0;
    if (!isText) return this.handlers.binary(message);
    let text: string;
    try {
      text = this.decoder.decode(message);
    } catch {
      this.fail(CLOSE_CODES.invalidPayload, 'text message is not valid UTF-8');
      return;
    }
    this.handlers.text(text);
  }

  private control(opcode: number, payload: Buffer): void {
    if (opcode === OPCODES.ping) {
      if (this.state === 'open') this.socket.write(encodeFrame(OPCODES.pong, payload));
      return;
    }
    if (opcode === OPCODES.pong) return; // receive() already marked the connection alive
    // A close frame: echo it (unless we started the handshake), then end the TCP connection.
    this.reading = false;
    let code: number = CLOSE_CODES.normal;
    let reason = '';
    if (payload.length === 1) return void this.fail(CLOSE_CODES.protocolError, 'close frame with a 1-byte payload');
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!isValidCloseCode(code)) return void this.fail(CLOSE_CODES.protocolError, `invalid close code ${code}`);
      try {
        reason = this.decoder.decode(payload.subarray(2));
      } catch {
        return void this.fail(CLOSE_CODES.invalidPayload, 'close reason is not valid UTF-8');
      }
    }
    if (this.state === 'open') {
      this.closeCode = code;
      this.closeReason = reason;
      this.state = 'closing';
      this.socket.write(encodeFrame(OPCODES.close, payload.length >= 2 ? payload.subarray(0, 2) : Buffer.alloc(0)));
    }
    this.socket.end();
  }

  /** Closes for a protocol violation and stops reading. Returns false to end the read loop. */
  private fail(code: number, reason: string): false {
    this.reading = false;
    this.fragments = undefined;
    this.pending = Buffer.alloc(0);
    this.close(code, reason);
    return false;
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.handlers.closed(this.closeCode, this.closeReason);
  }
}

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const OPCODES = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  426: 'Upgrade Required',
  503: 'Service Unavailable',
};

interface HandshakeProblem {
  readonly status: number;
  readonly text: string;
  readonly headers?: Readonly<Record<string, string>>;
}

function handshakeProblem(req: IncomingMessage): HandshakeProblem | undefined {
  const header = (name: string): string => String(req.headers[name] ?? '').toLowerCase();
  if (req.method !== 'GET') return { status: 400, text: `a WebSocket handshake is a GET request, got ${req.method ?? '?'}` };
  if (!header('upgrade').split(',').some((token) => token.trim() === 'websocket')) {
    return { status: 400, text: 'expected "Upgrade: websocket"' };
  }
  if (!header('connection').split(',').some((token) => token.trim() === 'upgrade')) {
    return { status: 400, text: 'expected "Connection: Upgrade"' };
  }
  if (header('sec-websocket-version') !== '13') {
    return { status: 426, text: 'only WebSocket version 13 is supported', headers: { 'Sec-WebSocket-Version': '13' } };
  }
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !/^[A-Za-z0-9+/]{21}[AQgw]==$/.test(key)) {
    return { status: 400, text: 'Sec-WebSocket-Key must be 16 random bytes in base64' };
  }
  return undefined;
}

function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x80 | opcode;
  if (headerLength === 2) frame[1] = length;
  else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}

function ignoreSocketError(): void {
  // The socket's 'close' event follows; the owner learns of the loss there.
}
