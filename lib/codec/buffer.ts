/**
 * Little-endian byte buffers: a growable {@link Writer} that hot paths reuse
 * with `reset()`, and a bounds-checked {@link Reader}. Every multi-byte value is
 * little-endian and every float NaN is written as one canonical bit pattern, so
 * the same value gives the same bytes on every engine.
 */

import { DecodeError } from '../errors';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Strings up to this many UTF-16 units are encoded and decoded in JS; longer ones go to TextEncoder/TextDecoder. */
const SHORT_STRING = 32;
const TWO_64 = 1n << 64n;
const MASK_64 = TWO_64 - 1n;

/**
 * A growable little-endian byte buffer. Reuse one with {@link Writer.reset} so
 * that steady-state encoding allocates nothing.
 * @example
 * const w = new Writer();
 * w.u32(7);
 * w.string('hi');
 * const bytes = w.finish(); // Uint8Array [7, 0, 0, 0, 2, 0, 0, 0, 104, 105]
 */
export class Writer {
  private buf: Uint8Array;
  private dv: DataView;
  private pos = 0;

  /** @param initialCapacity bytes to allocate up front; the buffer doubles when full. */
  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.dv = new DataView(this.buf.buffer);
  }

  /** Number of bytes written since construction or the last {@link Writer.reset}. */
  get length(): number {
    return this.pos;
  }

  /** Forgets the written bytes but keeps the allocated buffer. */
  reset(): void {
    this.pos = 0;
  }

  /** A copy of the written bytes, safe to keep after the writer is reused. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** The written bytes without copying; valid only until the next write or reset. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Writes `0` or `1`. */
  bool(v: boolean): void {
    this.u8(v ? 1 : 0);
  }

  /** Writes the low 8 bits of `v`. */
  u8(v: number): void {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = v;
  }

  /** Writes the low 16 bits of `v`. */
  u16(v: number): void {
    if (this.pos + 2 > this.buf.length) this.grow(2);
    this.dv.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  /** Writes the low 32 bits of `v`. */
  u32(v: number): void {
    if (this.pos + 4 > this.buf.length) this.grow(4);
    this.dv.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  /** Writes `v` as a two's-complement byte. */
  i8(v: number): void {
    this.u8(v);
  }

  /** Writes `v` as a two's-complement 16-bit integer. */
  i16(v: number): void {
    if (this.pos + 2 > this.buf.length) this.grow(2);
    this.dv.setInt16(this.pos, v, true);
    this.pos += 2;
  }

  /** Writes `v` as a two's-complement 32-bit integer. */
  i32(v: number): void {
    if (this.pos + 4 > this.buf.length) this.grow(4);
    this.dv.setInt32(this.pos, v, true);
    this.pos += 4;
  }

  /** Writes an IEEE single; every NaN becomes `0x7fc00000`, `-0` stays `-0`. */
  f32(v: number): void {
    if (this.pos + 4 > this.buf.length) this.grow(4);
    // Engines may write any NaN payload; pin one so replicas hash alike.
    if (v !== v) this.dv.setUint32(this.pos, 0x7fc00000, true);
    else this.dv.setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  /** Writes an IEEE double; every NaN becomes `0x7ff8000000000000`, `-0` stays `-0`. */
  f64(v: number): void {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    if (v !== v) {
      this.dv.setUint32(this.pos, 0, true);
      this.dv.setUint32(this.pos + 4, 0x7ff80000, true);
    } else this.dv.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Writes the low 64 bits of `v`, unsigned. */
  u64(v: bigint): void {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    this.dv.setBigUint64(this.pos, v, true);
    this.pos += 8;
  }

  /** Writes `v` as a two's-complement 64-bit integer. */
  i64(v: bigint): void {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    this.dv.setBigInt64(this.pos, v, true);
    this.pos += 8;
  }

  /** Writes the low 128 bits of `v`, unsigned: low 64 bits first. */
  u128(v: bigint): void {
    if (this.pos + 16 > this.buf.length) this.grow(16);
    this.dv.setBigUint64(this.pos, v & MASK_64, true);
    this.dv.setBigUint64(this.pos + 8, (v >> 64n) & MASK_64, true);
    this.pos += 16;
  }

  /** Writes `v` as a two's-complement 128-bit integer: low 64 bits first. */
  i128(v: bigint): void {
    // `>>` on a negative bigint is arithmetic and `&` uses two's complement, so
    // the u128 path already yields the two's-complement bytes.
    this.u128(v);
  }

  /** Writes the low 256 bits of `v` (two's complement for a negative `v`): low 128 bits first. */
  u256(v: bigint): void {
    this.u128(v);
    this.u128(v >> 128n);
  }

  /** Writes a u32 length and then the bytes. */
  bytes(v: Uint8Array): void {
    this.u32(v.length);
    this.rawBytes(v);
  }

  /** Writes the bytes with no length prefix. */
  rawBytes(v: Uint8Array): void {
    const n = v.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    this.buf.set(v, this.pos);
    this.pos += n;
  }

  /** Writes a u32 byte length and then the UTF-8 bytes (lone surrogates become U+FFFD). */
  string(s: string): void {
    const n = s.length;
    // A UTF-16 unit takes at most 3 UTF-8 bytes.
    if (this.pos + 4 + n * 3 > this.buf.length) this.grow(4 + n * 3);
    const start = this.pos + 4;
    let p = start;
    if (n <= SHORT_STRING) {
      const buf = this.buf;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i < n) p += encoder.encodeInto(s.slice(i), buf.subarray(p)).written;
    } else {
      p += encoder.encodeInto(s, this.buf.subarray(start)).written;
    }
    this.dv.setUint32(this.pos, p - start, true);
    this.pos = p;
  }

  private grow(needed: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }
}

/**
 * Reads what a {@link Writer} wrote. Every read checks bounds and throws a
 * {@link DecodeError} naming the byte offset when the input is too short.
 * A reader is cheap to make and to {@link Reader.reset}: it keeps no DataView
 * of its input (making one costs more than decoding a small row), and reads
 * floats and 64-bit integers through a shared 16-byte scratch view instead.
 * @example
 * const r = new Reader(bytes);
 * const n = r.u32();
 * if (!r.done()) throw new Error('trailing bytes');
 */
export class Reader {
  private buf: Uint8Array;
  private pos = 0;

  /** Reads `bytes` from its first byte (which need not be the first of its buffer). */
  constructor(bytes: Uint8Array) {
    this.buf = bytes;
  }

  /** Starts reading other bytes from their first byte, reusing this reader. */
  reset(bytes: Uint8Array): void {
    this.buf = bytes;
    this.pos = 0;
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes not yet consumed. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** True when every byte has been consumed. */
  done(): boolean {
    return this.pos === this.buf.length;
  }

  /** Reads one byte, which must be `0` or `1`. */
  bool(): boolean {
    const at = this.pos;
    const b = this.u8();
    if (b > 1) throw new DecodeError(`Malformed data: expected a bool (0 or 1) at byte ${at}, found ${b}`);
    return b === 1;
  }

  /** Reads an unsigned byte. */
  u8(): number {
    if (this.pos + 1 > this.buf.length) this.truncated(1);
    return this.buf[this.pos++]!;
  }

  /** Reads an unsigned 16-bit integer. */
  u16(): number {
    const b = this.buf;
    const p = this.pos;
    if (p + 2 > b.length) this.truncated(2);
    this.pos = p + 2;
    return b[p]! | (b[p + 1]! << 8);
  }

  /** Reads an unsigned 32-bit integer. */
  u32(): number {
    const b = this.buf;
    const p = this.pos;
    if (p + 4 > b.length) this.truncated(4);
    this.pos = p + 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  /** Reads a signed byte. */
  i8(): number {
    if (this.pos + 1 > this.buf.length) this.truncated(1);
    return (this.buf[this.pos++]! << 24) >> 24;
  }

  /** Reads a signed 16-bit integer. */
  i16(): number {
    return (this.u16() << 16) >> 16;
  }

  /** Reads a signed 32-bit integer. */
  i32(): number {
    const b = this.buf;
    const p = this.pos;
    if (p + 4 > b.length) this.truncated(4);
    this.pos = p + 4;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }

  /** Reads an IEEE single. */
  f32(): number {
    this.toScratch(4);
    return scratchView.getFloat32(0, true);
  }

  /** Reads an IEEE double. */
  f64(): number {
    this.toScratch(8);
    return scratchView.getFloat64(0, true);
  }

  /** Reads an unsigned 64-bit integer. */
  u64(): bigint {
    this.toScratch(8);
    return scratchView.getBigUint64(0, true);
  }

  /** Reads a signed 64-bit integer. */
  i64(): bigint {
    this.toScratch(8);
    return scratchView.getBigInt64(0, true);
  }

  /** Reads an unsigned 128-bit integer. */
  u128(): bigint {
    this.toScratch(16);
    return (scratchView.getBigUint64(8, true) << 64n) | scratchView.getBigUint64(0, true);
  }

  /** Reads a signed 128-bit integer. */
  i128(): bigint {
    this.toScratch(16);
    return (scratchView.getBigInt64(8, true) << 64n) | scratchView.getBigUint64(0, true);
  }

  /** Reads an unsigned 256-bit integer. */
  u256(): bigint {
    const lo = this.u128();
    return (this.u128() << 128n) | lo;
  }

  /** Reads a signed 256-bit integer. */
  i256(): bigint {
    const lo = this.u128();
    return (this.i128() << 128n) | lo;
  }

  /** Reads a u32 length and then that many bytes, as a copy. */
  bytes(): Uint8Array {
    return this.rawBytes(this.u32()).slice();
  }

  /** Reads `n` bytes without copying: the result aliases the input. */
  rawBytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) this.truncated(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Reads a u32 byte length and then UTF-8 text (malformed sequences become U+FFFD). */
  string(): string {
    const n = this.u32();
    if (this.pos + n > this.buf.length) this.truncated(n);
    const buf = this.buf;
    const start = this.pos;
    const end = start + n;
    this.pos = end;
    if (n <= SHORT_STRING) {
      // Short ASCII is built in JS: TextDecoder's fixed cost dominates small inputs.
      let s = '';
      for (let i = start; i < end; i++) {
        const c = buf[i]!;
        if (c >= 0x80) return decoder.decode(buf.subarray(start, end));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return decoder.decode(buf.subarray(start, end));
  }

  /** Copies the next `n` (at most 16) bytes into the scratch view. */
  private toScratch(n: number): void {
    const b = this.buf;
    const p = this.pos;
    if (p + n > b.length) this.truncated(n);
    for (let i = 0; i < n; i++) scratchBytes[i] = b[p + i]!;
    this.pos = p + n;
  }

  private truncated(n: number): never {
    throw new DecodeError(
      `Malformed data: input truncated at byte ${this.pos}: needed ${n} more byte(s) but only ${this.remaining} remain`,
    );
  }
}

/** Where readers assemble floats and 64/128-bit integers; shared, as reads never interleave. */
const scratchBytes = new Uint8Array(16);
const scratchView = new DataView(scratchBytes.buffer);
