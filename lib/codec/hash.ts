/**
 * A fast non-cryptographic 64-bit hash of bytes, identical on every engine:
 * the first 64 bits of MurmurHash3 x86_128 (Austin Appleby's public-domain
 * design), done entirely in 32-bit integer operations. Its four 32-bit lanes
 * keep 128 bits of state even for short inputs, so collisions stay at the
 * 64-bit birthday bound. Used to fingerprint row diffs and schemas, never for
 * security.
 */

/** A 64-bit hash as 16 lowercase hex digits, most significant first. */
export type Hash = string & { readonly __brand: 'Hash' };

/**
 * Hashes `bytes[start, end)` into `out[0]` (low 32 bits) and `out[1]` (high 32
 * bits). Allocates nothing, except one DataView the first time an input of
 * 512 bytes or more comes from a new buffer.
 * @throws RangeError when the range is not inside `bytes`.
 * @example
 * const out = new Uint32Array(2);
 * hashInto(bytes, 0, bytes.length, out);
 * const key = hashToHex(out[0]!, out[1]!);
 */
export function hashInto(bytes: Uint8Array, start: number, end: number, out: Uint32Array, seed = 0): void {
  if (!(start >= 0 && start <= end && end <= bytes.length)) {
    throw new RangeError(`hashInto: range [${start}, ${end}) is outside bytes of length ${bytes.length}`);
  }
  const len = end - start;
  let h1 = seed | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  // Long inputs read words through a DataView, ~2.5x faster than assembling
  // bytes. Short ones avoid `bytes.buffer` and `new DataView`, which together
  // cost as much as hashing a few hundred bytes. The last array and view are
  // kept, so hashing the same array again costs neither.
  const long = len >= LONG_INPUT;
  let i = start;
  if (long) {
    if (bytes !== lastBytes) {
      const buffer = bytes.buffer;
      if (buffer !== lastBuffer) {
        lastView = new DataView(buffer);
        lastBuffer = buffer;
      }
      lastBytes = bytes;
      lastOffset = bytes.byteOffset;
    }
    i += lastOffset;
  }
  const dv = lastView;
  const blocksEnd = i + (len & ~15);
  while (i < blocksEnd) {
    let k1: number;
    let k2: number;
    let k3: number;
    let k4: number;
    if (long) {
      k1 = dv.getInt32(i, true);
      k2 = dv.getInt32(i + 4, true);
      k3 = dv.getInt32(i + 8, true);
      k4 = dv.getInt32(i + 12, true);
    } else {
      k1 = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
      k2 = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
      k3 = bytes[i + 8]! | (bytes[i + 9]! << 8) | (bytes[i + 10]! << 16) | (bytes[i + 11]! << 24);
      k4 = bytes[i + 12]! | (bytes[i + 13]! << 8) | (bytes[i + 14]! << 16) | (bytes[i + 15]! << 24);
    }
    i += 16;

    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (Math.imul(h1 + h2, 5) + 0x561ccd1b) | 0;

    k2 = Math.imul(k2, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (Math.imul(h2 + h3, 5) + 0x0bcaa747) | 0;

    k3 = Math.imul(k3, C3);
    k3 = (k3 << 17) | (k3 >>> 15);
    h3 ^= Math.imul(k3, C4);
    h3 = (h3 << 15) | (h3 >>> 17);
    h3 = (Math.imul(h3 + h4, 5) + 0x96cd1c35) | 0;

    k4 = Math.imul(k4, C4);
    k4 = (k4 << 18) | (k4 >>> 14);
    h4 ^= Math.imul(k4, C1);
    h4 = (h4 << 13) | (h4 >>> 19);
    h4 = (Math.imul(h4 + h1, 5) + 0x32ac3b17) | 0;
  }

  // The 0–15 tail bytes, as zero-padded little-endian words in each lane.
  const tail = len & 15;
  if (tail > 0) {
    const p = long ? i - lastOffset : i;
    if (tail > 12) {
      let k4 = leWord(bytes, p + 12, tail - 12);
      k4 = Math.imul(k4, C4);
      k4 = (k4 << 18) | (k4 >>> 14);
      h4 ^= Math.imul(k4, C1);
    }
    if (tail > 8) {
      let k3 = leWord(bytes, p + 8, tail - 8);
      k3 = Math.imul(k3, C3);
      k3 = (k3 << 17) | (k3 >>> 15);
      h3 ^= Math.imul(k3, C4);
    }
    if (tail > 4) {
      let k2 = leWord(bytes, p + 4, tail - 4);
      k2 = Math.imul(k2, C2);
      k2 = (k2 << 16) | (k2 >>> 16);
      h2 ^= Math.imul(k2, C3);
    }
    let k1 = leWord(bytes, p, tail);
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
  }

  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
}

/**
 * The 64-bit hash of all of `bytes`.
 * @example
 * hashBytes(new TextEncoder().encode('Hello')); // '5e6336c62360ae46'
 */
export function hashBytes(bytes: Uint8Array, seed = 0): Hash {
  hashInto(bytes, 0, bytes.length, scratch, seed);
  return hashToHex(scratch[0]!, scratch[1]!);
}

/** Spells a hash given as two 32-bit halves: 16 lowercase hex digits, `hi` first. */
export function hashToHex(lo: number, hi: number): Hash {
  return (hex8(hi) + hex8(lo)) as Hash;
}

const C1 = 0x239b961b;
const C2 = 0xab0e9789 | 0;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93 | 0;

/** Inputs at least this long are read through a DataView. */
const LONG_INPUT = 512;
const scratch = new Uint32Array(2);
let lastBytes: Uint8Array | undefined;
let lastOffset = 0;
let lastBuffer: ArrayBufferLike | undefined;
let lastView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The little-endian word of the `n` bytes at `at` (up to 4; missing high bytes are 0). */
function leWord(b: Uint8Array, at: number, n: number): number {
  if (n >= 4) return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
  let k = b[at]!;
  if (n > 1) k |= b[at + 1]! << 8;
  if (n > 2) k |= b[at + 2]! << 16;
  return k;
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
