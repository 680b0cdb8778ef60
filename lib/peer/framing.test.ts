import { describe, expect, it } from 'vitest';
import { DecodeError, ValueError } from '../errors';
import { FRAME_HEADER_BYTES, MAX_CHUNK_BYTES, Reassembler, frameMessage, type PeerData } from './framing';

function bytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Feeds frames in order; returns every completed message. */
function feed(reassembler: Reassembler, from: string, frames: readonly Uint8Array[]): PeerData[] {
  const out: PeerData[] = [];
  for (const frame of frames) {
    const message = reassembler.push(from, frame);
    if (message !== undefined) out.push(message);
  }
  return out;
}

/** `toEqual` walks big arrays element by element (seconds per MiB); this compares them at once. */
function expectSameBytes(actual: PeerData | undefined, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(Buffer.compare(actual as Uint8Array, expected)).toBe(0);
}

/** A frame with a hand-made header. */
function frame(header: { version?: number; kind?: number; id?: number; index?: number; count?: number }, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, header.version ?? 1);
  view.setUint8(1, header.kind ?? 0);
  view.setUint32(2, header.id ?? 0);
  view.setUint32(6, header.index ?? 0);
  view.setUint32(10, header.count ?? 1);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

describe('frameMessage and Reassembler', () => {
  it('sends a small message as one frame and gets it back', () => {
    const frames = frameMessage(1, bytes(100));
    expect(frames).toHaveLength(1);
    expect(feed(new Reassembler(), 'alice', frames)).toEqual([bytes(100)]);
  });

  it('splits a 3 MiB message into 64 KiB chunks and reassembles it byte for byte', () => {
    const message = bytes(3 * 1024 * 1024 + 17, 9);
    const frames = frameMessage(42, message);
    expect(frames).toHaveLength(Math.ceil(message.length / MAX_CHUNK_BYTES));
    for (const f of frames) expect(f.length).toBeLessThanOrEqual(FRAME_HEADER_BYTES + MAX_CHUNK_BYTES);
    const reassembler = new Reassembler();
    const out = feed(reassembler, 'alice', frames);
    expect(out).toHaveLength(1);
    expectSameBytes(out[0], message);
    expect(reassembler.pending).toBe(0);
  });

  it('keeps strings strings, multi-byte characters split across chunks included', () => {
    const text = 'héllo wörld ✓ 🎲 '.repeat(2000);
    const frames = frameMessage(3, text, 1000);
    expect(frames.length).toBeGreaterThan(10);
    expect(feed(new Reassembler(), 'bob', frames)).toEqual([text]);
  });

  it('delivers empty strings and empty byte arrays', () => {
    const reassembler = new Reassembler();
    expect(feed(reassembler, 'a', frameMessage(1, ''))).toEqual(['']);
    expect(feed(reassembler, 'a', frameMessage(2, new Uint8Array(0)))).toEqual([new Uint8Array(0)]);
  });

  it('splits a message of exactly one chunk size into one frame and one byte more into two', () => {
    expect(frameMessage(1, bytes(MAX_CHUNK_BYTES))).toHaveLength(1);
    expect(frameMessage(1, bytes(MAX_CHUNK_BYTES + 1))).toHaveLength(2);
  });

  it('hands out plain Uint8Arrays that own their bytes, even for Buffer-like input views', () => {
    const [only] = frameMessage(1, bytes(10));
    // A view into a larger buffer, as a data channel library may hand over.
    const big = new Uint8Array(only!.length + 8);
    big.set(only!, 4);
    const message = new Reassembler().push('a', big.subarray(4, 4 + only!.length));
    expect(message).toBeInstanceOf(Uint8Array);
    expect(message).toEqual(bytes(10));
    expect((message as Uint8Array).buffer.byteLength).toBe(10);
  });

  it('reassembles interleaved messages from two senders that use the same message ids', () => {
    const fromAlice = frameMessage(5, bytes(200_000, 1));
    const fromBob = frameMessage(5, bytes(150_000, 2));
    const textFromBob = frameMessage(6, 'hi from bob');
    const reassembler = new Reassembler();
    const out: [string, PeerData][] = [];
    const take = (from: string, f: Uint8Array): void => {
      const message = reassembler.push(from, f);
      if (message !== undefined) out.push([from, message]);
    };
    for (let i = 0; i < Math.max(fromAlice.length, fromBob.length); i++) {
      if (fromAlice[i]) take('alice', fromAlice[i]!);
      if (fromBob[i]) take('bob', fromBob[i]!);
      if (i === 1) take('bob', textFromBob[0]!); // a second message from bob, between the chunks of his first
    }
    expect(out.map(([from, message]) => [from, typeof message === 'string' ? message : message.length])).toEqual([
      ['bob', 'hi from bob'],
      ['bob', 150_000],
      ['alice', 200_000],
    ]);
    expectSameBytes(out[1]?.[1], bytes(150_000, 2));
    expectSameBytes(out[2]?.[1], bytes(200_000, 1));
    expect(reassembler.pending).toBe(0);
  });

  it('drops a sender’s unfinished messages on forget, leaving the other senders’', () => {
    const reassembler = new Reassembler();
    const alice = frameMessage(1, bytes(100_000, 1));
    const bob = frameMessage(1, bytes(100_000, 2));
    reassembler.push('alice', alice[0]!);
    reassembler.push('bob', bob[0]!);
    reassembler.forget('alice');
    expect(reassembler.pending).toBe(1);
    expect(() => reassembler.push('alice', alice[1]!)).toThrow(/chunk 1 of message 1 arrived without the chunks before it/);
    expectSameBytes(reassembler.push('bob', bob[1]!), bytes(100_000, 2));
  });

  describe('rejects malformed frames with a DecodeError naming the sender', () => {
    const cases: [string, PeerData, RegExp][] = [
      ['a text frame', 'hello', /peer "mallory" sent a malformed frame: a text frame/],
      ['a frame shorter than the header', new Uint8Array(5), /5 bytes, shorter than the 14-byte header/],
      ['another format version', frame({ version: 2 }), /format version 2, expected 1/],
      ['an unknown kind', frame({ kind: 7 }), /unknown kind 7/],
      ['a chunk count of 0', frame({ count: 0 }), /chunk count of 0/],
      ['a chunk index past the count', frame({ index: 3, count: 3 }), /chunk 3 of message 0, which has only 3/],
      ['a later chunk without the first', frame({ id: 9, index: 2, count: 4 }, bytes(4)), /chunk 2 of message 9 arrived without the chunks before it/],
      ['a string that is not UTF-8', frame({ kind: 1 }, new Uint8Array([0xff, 0xfe])), /not valid UTF-8/],
    ];
    for (const [what, input, message] of cases) {
      it(`such as ${what}`, () => {
        const error = (() => {
          try {
            new Reassembler().push('mallory', input);
          } catch (e) {
            return e;
          }
          throw new Error('push accepted a malformed frame');
        })();
        expect(error).toBeInstanceOf(DecodeError);
        expect((error as DecodeError).code).toBe('MALFORMED_DATA');
        expect((error as DecodeError).message).toMatch(message);
      });
    }

    it('such as a chunk out of order, and drops that message', () => {
      const reassembler = new Reassembler();
      const frames = frameMessage(4, bytes(300_000));
      reassembler.push('mallory', frames[0]!);
      expect(() => reassembler.push('mallory', frames[2]!)).toThrow(/chunk 2 of message 4 arrived where chunk 1 was due/);
      expect(reassembler.pending).toBe(0);
      // The sender can start over with a fresh copy of the message.
      const again = feed(reassembler, 'mallory', frames);
      expect(again).toHaveLength(1);
      expectSameBytes(again[0], bytes(300_000));
    });

    it('such as a chunk that disagrees with the first about the count', () => {
      const reassembler = new Reassembler();
      reassembler.push('mallory', frame({ id: 1, index: 0, count: 3 }, bytes(10)));
      expect(() => reassembler.push('mallory', frame({ id: 1, index: 1, count: 4 }, bytes(10)))).toThrow(/disagrees with chunk 0/);
    });

    it('such as a message restarted before it finished', () => {
      const reassembler = new Reassembler();
      reassembler.push('mallory', frame({ id: 1, index: 0, count: 3 }, bytes(10)));
      expect(() => reassembler.push('mallory', frame({ id: 1, index: 0, count: 3 }, bytes(10)))).toThrow(/message 1 started again after 1 of its 3 chunks/);
    });

    it('such as a message over the size limit', () => {
      const reassembler = new Reassembler({ maxMessageBytes: 100_000 });
      const frames = frameMessage(2, bytes(150_000));
      reassembler.push('mallory', frames[0]!);
      expect(() => reassembler.push('mallory', frames[1]!)).toThrow(/message 2 is over the 100000-byte limit/);
      expect(reassembler.pending).toBe(0);
    });
  });

  it('refuses to frame something that is neither a string nor bytes', () => {
    expect(() => frameMessage(1, [1, 2, 3] as unknown as Uint8Array)).toThrow(ValueError);
    expect(() => frameMessage(-1, 'x')).toThrow(/a message id must be a u32/);
  });
});
