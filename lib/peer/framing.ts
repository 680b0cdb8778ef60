/**
 * Message framing for data channels. A data channel refuses messages past a
 * size limit (about 256 KiB in Chromium), so a message is cut into chunks of at
 * most {@link MAX_CHUNK_BYTES} and each chunk travels as one binary frame:
 *
 * ```text
 * byte 0      format version (1)
 * byte 1      kind: 0 binary, 1 string (UTF-8)
 * bytes 2–5   message id (u32, big-endian), unique per sender while in flight
 * bytes 6–9   chunk index (u32)
 * bytes 10–13 chunk count (u32, ≥ 1)
 * bytes 14–   payload
 * ```
 *
 * Every frame is binary, strings included, so one path handles both kinds. A
 * data channel is reliable and ordered, so the chunks of a message arrive in
 * order; frames from different senders interleave freely.
 */
import { DecodeError, ValueError, describeValue } from '../errors';

/** Largest payload of one frame: messages bigger than this (64 KiB) are split. */
export const MAX_CHUNK_BYTES = 64 * 1024;

/** Size of the header in front of every frame's payload. */
export const FRAME_HEADER_BYTES = 14;

/** Default largest message {@link Reassembler} accepts (256 MiB): a bound on what a peer can make it buffer. */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/** What a peer sends or receives: text, or bytes (always a plain `Uint8Array` on arrival). */
export type PeerData = Uint8Array | string;

/**
 * A peer connected or disconnected; `reason` says why a connection ended.
 * (Here rather than in `room.ts` so the worker side can name it without WebRTC types.)
 */
export type PeerEvent =
  | { readonly type: 'connected'; readonly peer: string }
  | { readonly type: 'disconnected'; readonly peer: string; readonly reason?: string };

const VERSION = 1;
const KIND = { binary: 0, string: 1 } as const;

/**
 * Cuts one message into frames, each at most `FRAME_HEADER_BYTES + chunkBytes`
 * long. An empty message is one frame with an empty payload.
 * @param id The message id (u32); the sender must not reuse it while an earlier message with it could still be in flight.
 * @example
 * const frames = frameMessage(7, new Uint8Array(200_000)); // 4 frames
 * for (const frame of frames) channel.send(frame);
 */
export function frameMessage(id: number, data: PeerData, chunkBytes = MAX_CHUNK_BYTES): Uint8Array[] {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) throw new ValueError(`a message id must be a u32, got ${describeValue(id)}`);
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new ValueError(`chunkBytes must be a positive integer, got ${describeValue(chunkBytes)}`);
  let bytes: Uint8Array;
  let kind: number;
  if (typeof data === 'string') {
    bytes = new TextEncoder().encode(data);
    kind = KIND.string;
  } else if (data instanceof Uint8Array) {
    bytes = data;
    kind = KIND.binary;
  } else {
    throw new ValueError(`a peer message must be a string or a Uint8Array, got ${describeValue(data)}`, { value: describeValue(data) });
  }
  const count = Math.max(1, Math.ceil(bytes.length / chunkBytes));
  const frames: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const payload = bytes.subarray(index * chunkBytes, (index + 1) * chunkBytes);
    const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
    const view = new DataView(frame.buffer);
    view.setUint8(0, VERSION);
    view.setUint8(1, kind);
    view.setUint32(2, id);
    view.setUint32(6, index);
    view.setUint32(10, count);
    frame.set(payload, FRAME_HEADER_BYTES);
    frames.push(frame);
  }
  return frames;
}

/** Options of {@link Reassembler}. */
export interface ReassemblerOptions {
  /** Largest message accepted, in bytes; a bigger one is dropped with a `DecodeError`. Default 256 MiB. */
  readonly maxMessageBytes?: number;
}

/**
 * Joins frames back into messages, per sender. `push` returns the message
 * once its last chunk is in, `undefined` before. A malformed frame throws a
 * `DecodeError` naming the sender and drops that message's chunks so far;
 * other messages are unaffected.
 * @example
 * const reassembler = new Reassembler();
 * channel.onmessage = (event) => {
 *   const message = reassembler.push('alice', new Uint8Array(event.data));
 *   if (message !== undefined) handle(message);
 * };
 */
export class Reassembler {
  private readonly maxMessageBytes: number;
  /** sender → message id → chunks received so far. */
  private readonly partial = new Map<string, Map<number, Partial>>();

  constructor(options: ReassemblerOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Takes one frame from `from`; returns the whole message when this frame completes it. */
  push(from: string, frame: PeerData): PeerData | undefined {
    const bad = (why: string, cause?: unknown): DecodeError =>
      new DecodeError(`peer ${JSON.stringify(from)} sent a malformed frame: ${why}`, cause === undefined ? {} : { cause });
    if (typeof frame === 'string') throw bad('a text frame, where every frame is binary (is the peer running another version?)');
    // A plain view: data channel libraries hand out Buffer-like subclasses whose slice() does not copy.
    const bytes = new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
    if (bytes.length < FRAME_HEADER_BYTES) throw bad(`${bytes.length} bytes, shorter than the ${FRAME_HEADER_BYTES}-byte header`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const version = view.getUint8(0);
    const kind = view.getUint8(1);
    const id = view.getUint32(2);
    const index = view.getUint32(6);
    const count = view.getUint32(10);
    if (version !== VERSION) throw bad(`format version ${version}, expected ${VERSION} (is the peer running another version?)`);
    if (kind !== KIND.binary && kind !== KIND.string) throw bad(`unknown kind ${kind}`);
    if (count === 0) throw bad(`message ${id} has a chunk count of 0`);
    if (index >= count) throw bad(`chunk ${index} of message ${id}, which has only ${count}`);
    const payload = bytes.subarray(FRAME_HEADER_BYTES);

    const messages = this.partial.get(from) ?? new Map<number, Partial>();
    const current = messages.get(id);
    if (index === 0) {
      if (current !== undefined) {
        this.drop(from, id);
        throw bad(`message ${id} started again after ${current.chunks.length} of its ${current.count} chunks`);
      }
      if (count === 1) {
        if (payload.length > this.maxMessageBytes) throw bad(`message ${id} is over the ${this.maxMessageBytes}-byte limit`);
        return decode(kind, payload.slice(), bad);
      }
      if (payload.length === 0) throw bad(`chunk 0 of message ${id} is empty, but only the last chunk may be`);
      if (count > this.maxMessageBytes) throw bad(`message ${id} has ${count} chunks, more than the ${this.maxMessageBytes}-byte limit allows`);
      messages.set(id, { kind, count, chunks: [payload.slice()], bytes: payload.length });
      this.partial.set(from, messages);
      return undefined;
    }
    if (current === undefined) throw bad(`chunk ${index} of message ${id} arrived without the chunks before it`);
    const fail = (why: string): DecodeError => {
      this.drop(from, id);
      return bad(why);
    };
    if (index !== current.chunks.length) throw fail(`chunk ${index} of message ${id} arrived where chunk ${current.chunks.length} was due`);
    if (count !== current.count || kind !== current.kind) throw fail(`chunk ${index} of message ${id} disagrees with chunk 0 about the chunk count or kind`);
    if (payload.length === 0 && index < count - 1) throw fail(`chunk ${index} of message ${id} is empty, but only the last chunk may be`);
    current.bytes += payload.length;
    if (current.bytes > this.maxMessageBytes) throw fail(`message ${id} is over the ${this.maxMessageBytes}-byte limit`);
    current.chunks.push(payload.slice());
    if (current.chunks.length < count) return undefined;
    this.drop(from, id);
    const whole = new Uint8Array(current.bytes);
    let at = 0;
    for (const chunk of current.chunks) {
      whole.set(chunk, at);
      at += chunk.length;
    }
    return decode(kind, whole, bad);
  }

  /** Forgets every unfinished message from `from` (its connection is gone). */
  forget(from: string): void {
    this.partial.delete(from);
  }

  /** How many messages are waiting for more chunks, over all senders (for tests and diagnostics). */
  get pending(): number {
    let total = 0;
    for (const messages of this.partial.values()) total += messages.size;
    return total;
  }

  private drop(from: string, id: number): void {
    const messages = this.partial.get(from);
    messages?.delete(id);
    if (messages?.size === 0) this.partial.delete(from);
  }
}

interface Partial {
  readonly kind: number;
  readonly count: number;
  readonly chunks: Uint8Array[];
  bytes: number;
}

function decode(kind: number, bytes: Uint8Array, bad: (why: string, cause?: unknown) => DecodeError): PeerData {
  if (kind === KIND.binary) return bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw bad('a string message that is not valid UTF-8', cause);
  }
}
