/** Test page for lib/peer: one peer of a WebRTC room, driven by e2e/room.spec.ts through `window.roomPage`. */
import { bridgeRoom } from '../../lib/peer/port-link';
import { joinRoom, type PeerEvent, type Room } from '../../lib/peer/room';
import { websocketSignaling } from '../../lib/signal/websocket-signaling';

/** A received message, as the test sees it. */
export interface Received {
  readonly from: string;
  readonly kind: 'string' | 'binary';
  readonly length: number;
  /** The text, for strings. */
  readonly text?: string;
  /** SHA-256 of the bytes (of the UTF-8 text for strings), hex. */
  readonly sha256: string;
  /** Whether a binary message came as a plain Uint8Array (not a subclass, not an ArrayBuffer). */
  readonly plainUint8Array: boolean;
}

/** What the page offers the test. */
export interface RoomPage {
  /** Joins `room` as `peerId` through the relay at `relayUrl`; resolves with the peers already there. */
  join(relayUrl: string, room: string, peerId: string): Promise<readonly string[]>;
  /** The peers connected now, sorted. */
  peers(): string[];
  /** Every peer event so far. */
  events(): PeerEvent[];
  /** Every message received so far, in order of arrival. */
  received(): Promise<Received[]>;
  /** Sends text to `to`, or to everyone without it. */
  sendText(to: string | null, text: string): void;
  /** Sends `size` pseudo-random bytes from `seed`; returns their SHA-256. */
  sendBytes(to: string | null, size: number, seed: number): Promise<string>;
  /** Tries to send to `to`; returns the error's name, code and message, or null if it did not throw. */
  sendError(to: string): { name: string; code: string; message: string } | null;
  /** Relays the room to a worker that echoes every message back (see room-worker.ts). */
  startEchoWorker(): Promise<void>;
  /** Closes every data channel this page opened or accepted, as a network failure would; returns how many. */
  breakChannels(): number;
  /** Failures the room reported through `onError`, as messages. */
  errors(): string[];
  /** Leaves the room. */
  close(): void;
}

declare global {
  interface Window {
    roomPage: RoomPage;
  }
}

/** Every data channel of this page, so a test can break them (simple-peer reads the global constructor when it connects). */
const channels: RTCDataChannel[] = [];
class RecordingPeerConnection extends RTCPeerConnection {
  constructor(config?: RTCConfiguration) {
    super(config);
    this.addEventListener('datachannel', (event) => channels.push(event.channel));
  }

  override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
    const channel = super.createDataChannel(label, init);
    channels.push(channel);
    return channel;
  }
}
window.RTCPeerConnection = RecordingPeerConnection;

let room: Room | undefined;
const events: PeerEvent[] = [];
const received: Promise<Received>[] = [];
const errors: string[] = [];

function current(): Room {
  if (room === undefined) throw new Error('join first');
  return room;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.slice()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function pseudoRandomBytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function describe(from: string, data: Uint8Array | string): Promise<Received> {
  if (typeof data === 'string') {
    const bytes = new TextEncoder().encode(data);
    return { from, kind: 'string', length: data.length, text: data, sha256: await sha256(bytes), plainUint8Array: false };
  }
  const plainUint8Array = Object.getPrototypeOf(data) === Uint8Array.prototype;
  // Copied now: a bridge to a worker may transfer (empty) the buffer right after this listener.
  return { from, kind: 'binary', length: data.length, sha256: await sha256(data.slice()), plainUint8Array };
}

window.roomPage = {
  async join(relayUrl, roomName, peerId) {
    room = joinRoom({ room: roomName, peerId, signaling: websocketSignaling(relayUrl), onError: (error) => errors.push(error.message) });
    room.onPeer((event) => events.push(event));
    room.onMessage((from, data) => received.push(describe(from, data)));
    return room.joined;
  },
  peers: () => [...current().peers()].sort(),
  events: () => [...events],
  received: () => Promise.all(received),
  sendText(to, text) {
    if (to === null) current().broadcast(text);
    else current().send(to, text);
  },
  async sendBytes(to, size, seed) {
    const bytes = pseudoRandomBytes(size, seed);
    const hash = await sha256(bytes);
    if (to === null) current().broadcast(bytes);
    else current().send(to, bytes);
    return hash;
  },
  sendError(to) {
    try {
      current().send(to, 'x');
      return null;
    } catch (error) {
      const e = error as Error & { code?: string };
      return { name: e.name, code: e.code ?? '', message: e.message };
    }
  },
  async startEchoWorker() {
    const worker = new Worker(new URL('./room-worker.ts', import.meta.url), { type: 'module' });
    const channel = new MessageChannel();
    const ready = new Promise<void>((resolve, reject) => {
      worker.addEventListener('message', () => resolve(), { once: true });
      worker.addEventListener('error', (event) => reject(new Error(`the echo worker failed: ${event.message || 'did not load'}`)));
    });
    bridgeRoom(current(), channel.port1);
    worker.postMessage({ port: channel.port2 }, [channel.port2]);
    await ready;
  },
  breakChannels() {
    const open = channels.filter((channel) => channel.readyState === 'open');
    for (const channel of open) channel.close();
    return open.length;
  },
  errors: () => [...errors],
  close: () => current().close(),
};

document.querySelector('#status')!.textContent = 'ready';
