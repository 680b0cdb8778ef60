import { describe, expect, it } from 'vitest';
import { hashBytes, hashInto, hashToHex } from './hash';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A small deterministic PRNG (xorshift32), so the statistical tests never flake. */
function prng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function popcount32(n: number): number {
  let v = n >>> 0;
  let c = 0;
  while (v !== 0) {
    v &= v - 1;
    c++;
  }
  return c;
}

describe('hashBytes', () => {
  it('matches the first 64 bits of the MurmurHash3 x86_128 reference vectors', () => {
    // Reference values are h1 (low) and h2 (high) of MurmurHash3_x86_128.
    const vectors: [string, number, string][] = [
      ['', 0, '0000000000000000'],
      ['Hello', 0, '5e6336c62360ae46'],
      ['Hello World!', 0, 'eb1be4f56bee9883'],
      ['Hello World! Hello World!', 0, '245b8ee286163d2b'],
      ['Hello World! Hello World! Hello World!', 0, '59c7de4e0097c20b'],
      ['メロスは激怒した。必ず、かの邪智暴虐の王を除かなければならぬと決意した。', 0, '2d574e38e039433a'],
      ['', 0x7fffffff, '3e0227f3c129af26'],
    ];
    for (const [text, seed, expected] of vectors) expect(hashBytes(utf8(text), seed)).toBe(expected);
  });

  it('spells a hash as 16 lowercase hex digits', () => {
    expect(hashBytes(utf8('anything'))).toMatch(/^[0-9a-f]{16}$/);
    expect(hashToHex(1, 0xabcdef)).toBe('00abcdef00000001');
    expect(hashToHex(-1, -1)).toBe('ffffffffffffffff');
  });

  it('gives the same hash for the same bytes and a different one for another seed', () => {
    const bytes = utf8('lockstep');
    expect(hashBytes(bytes)).toBe(hashBytes(utf8('lockstep')));
    expect(hashBytes(bytes, 1)).not.toBe(hashBytes(bytes, 2));
  });
});

describe('hashInto', () => {
  it('hashes only the given range, wherever the view sits in its buffer', () => {
    const backing = new Uint8Array(200);
    for (let i = 0; i < backing.length; i++) backing[i] = i * 7;
    const out = new Uint32Array(2);
    for (const [offset, start, end] of [
      [0, 0, 200],
      [3, 5, 40],
      [1, 0, 17],
      [13, 2, 2],
      [5, 1, 150],
      [2, 3, 70],
    ] as const) {
      const view = backing.subarray(offset);
      hashInto(view, start, end, out);
      const copy = view.slice(start, end);
      expect(hashToHex(out[0]!, out[1]!)).toBe(hashBytes(copy));
    }
  });

  it('gives the same result across arrays and buffers, so its view cache cannot leak state', () => {
    const a = utf8('x'.repeat(200));
    const b = utf8('y'.repeat(200));
    const first = hashBytes(a);
    hashBytes(b);
    expect(hashBytes(a)).toBe(first);
    expect(hashBytes(a.slice())).toBe(first);
    const backing = new Uint8Array(300);
    backing.set(a, 7);
    backing.set(a, 50);
    expect(hashBytes(backing.subarray(7, 207))).toBe(first);
    expect(hashBytes(backing.subarray(50, 250))).toBe(first);
    const out = new Uint32Array(2);
    hashInto(backing, 50, 250, out);
    expect(hashToHex(out[0]!, out[1]!)).toBe(first);
  });

  it('refuses a range outside the bytes', () => {
    const out = new Uint32Array(2);
    expect(() => hashInto(new Uint8Array(4), 0, 5, out)).toThrow(RangeError);
    expect(() => hashInto(new Uint8Array(4), 3, 2, out)).toThrow('range [3, 2) is outside bytes of length 4');
  });
});

describe('hash quality', () => {
  it('flips about half of the output bits when any one input bit flips', () => {
    const next = prng(12345);
    const out = new Uint32Array(2);
    const flips = new Array<number>(64).fill(0);
    const samples = 2000;
    let total = 0;
    for (let s = 0; s < samples; s++) {
      const len = 1 + (next() % 64);
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) bytes[i] = next() & 0xff;
      hashInto(bytes, 0, len, out);
      const lo = out[0]!;
      const hi = out[1]!;
      const bit = next() % (len * 8);
      bytes[bit >> 3]! ^= 1 << (bit & 7);
      hashInto(bytes, 0, len, out);
      const dlo = lo ^ out[0]!;
      const dhi = hi ^ out[1]!;
      total += popcount32(dlo) + popcount32(dhi);
      for (let b = 0; b < 32; b++) {
        flips[b]! += (dlo >>> b) & 1;
        flips[32 + b]! += (dhi >>> b) & 1;
      }
    }
    const mean = total / samples;
    expect(mean).toBeGreaterThan(31);
    expect(mean).toBeLessThan(33);
    // Each output bit flips with probability ~1/2 (±5 standard deviations).
    for (const count of flips) {
      expect(count / samples).toBeGreaterThan(0.44);
      expect(count / samples).toBeLessThan(0.56);
    }
  });

  it('has no collisions across 200k distinct short inputs', () => {
    const seen = new Set<string>();
    const out = new Uint32Array(2);
    const buf = new Uint8Array(8);
    const view = new DataView(buf.buffer);
    let count = 0;
    // 100k decimal strings and 100k little-endian counters of mixed widths.
    for (let i = 0; i < 100_000; i++) {
      const text = utf8(String(i));
      hashInto(text, 0, text.length, out);
      seen.add(hashToHex(out[0]!, out[1]!));
      count++;
      view.setUint32(0, i, true);
      view.setUint32(4, i * 31, true);
      hashInto(buf, 0, 5 + (i % 4), out);
      seen.add(hashToHex(out[0]!, out[1]!));
      count++;
    }
    expect(count).toBe(200_000);
    expect(seen.size).toBe(count);
  }, 30_000);

  it('tells apart runs of zero bytes of different lengths', () => {
    const zeros = new Uint8Array(2048);
    const out = new Uint32Array(2);
    const seen = new Set<string>();
    for (let n = 0; n <= zeros.length; n++) {
      hashInto(zeros, 0, n, out);
      seen.add(hashToHex(out[0]!, out[1]!));
    }
    expect(seen.size).toBe(zeros.length + 1);
  });
});
