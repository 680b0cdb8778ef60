import { describe, expect, it } from 'vitest';
import { DecodeError } from '../errors';
import { Reader, Writer } from './buffer';

describe('Writer', () => {
  it('writes every width little-endian', () => {
    const w = new Writer();
    w.u8(0xab);
    w.u16(0x0102);
    w.u32(0x01020304);
    w.i8(-1);
    w.i16(-2);
    w.i32(-3);
    expect([...w.finish()]).toEqual([
      0xab, 0x02, 0x01, 0x04, 0x03, 0x02, 0x01, 0xff, 0xfe, 0xff, 0xfd, 0xff, 0xff, 0xff,
    ]);
  });

  it('writes 64- and 128-bit integers from bigints in two\'s complement', () => {
    const w = new Writer();
    w.u64(0x0102030405060708n);
    w.i64(-1n);
    w.u128((1n << 128n) - 1n);
    w.i128(-(1n << 127n));
    const bytes = [...w.finish()];
    expect(bytes.slice(0, 8)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(bytes.slice(8, 16)).toEqual(Array(8).fill(0xff));
    expect(bytes.slice(16, 32)).toEqual(Array(16).fill(0xff));
    expect(bytes.slice(32, 48)).toEqual([...Array(15).fill(0), 0x80]);
  });

  it('writes every NaN as one canonical bit pattern', () => {
    const payloadNaN = new Float64Array(new Uint32Array([1, 0x7ff00000]).buffer)[0]!;
    const negativeNaN = new Float64Array(new Uint32Array([0, 0xfff80000]).buffer)[0]!;
    expect(payloadNaN).toBeNaN();
    const bytesOf = (v: number, f32: boolean): number[] => {
      const w = new Writer();
      if (f32) w.f32(v);
      else w.f64(v);
      return [...w.finish()];
    };
    const canonical64 = [0, 0, 0, 0, 0, 0, 0xf8, 0x7f];
    expect(bytesOf(NaN, false)).toEqual(canonical64);
    expect(bytesOf(payloadNaN, false)).toEqual(canonical64);
    expect(bytesOf(negativeNaN, false)).toEqual(canonical64);
    expect(bytesOf(payloadNaN, true)).toEqual([0, 0, 0xc0, 0x7f]);
  });

  it('keeps -0 distinct from 0', () => {
    const w = new Writer();
    w.f64(-0);
    w.f64(0);
    const bytes = [...w.finish()];
    expect(bytes.slice(0, 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0x80]);
    expect(bytes.slice(8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('prefixes strings with their UTF-8 byte length, on the ASCII and the non-ASCII path', () => {
    const w = new Writer();
    w.string('hi');
    w.string('é😀');
    w.string('x'.repeat(40) + '日本');
    const bytes = w.finish();
    expect([...bytes.subarray(0, 6)]).toEqual([2, 0, 0, 0, 0x68, 0x69]);
    expect([...bytes.subarray(6, 16)]).toEqual([6, 0, 0, 0, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]);
    expect(new DataView(bytes.buffer).getUint32(16, true)).toBe(46);
    expect(bytes.length).toBe(16 + 4 + 46);
  });

  it('grows past its initial capacity without losing bytes', () => {
    const w = new Writer(16);
    for (let i = 0; i < 1000; i++) w.u32(i);
    w.string('y'.repeat(5000));
    const r = new Reader(w.finish());
    for (let i = 0; i < 1000; i++) expect(r.u32()).toBe(i);
    expect(r.string()).toBe('y'.repeat(5000));
    expect(r.done()).toBe(true);
  });

  it('starts over after reset, reusing its buffer', () => {
    const w = new Writer();
    w.u32(1);
    const first = w.view();
    w.reset();
    expect(w.length).toBe(0);
    w.u8(9);
    expect([...w.finish()]).toEqual([9]);
    expect(first.buffer).toBe(w.view().buffer);
  });

  it('returns a copy from finish and a live view from view', () => {
    const w = new Writer();
    w.u8(1);
    const copy = w.finish();
    const view = w.view();
    w.reset();
    w.u8(2);
    expect([...copy]).toEqual([1]);
    expect([...view]).toEqual([2]);
  });

  it('writes bytes with and without a length prefix', () => {
    const w = new Writer();
    w.bytes(new Uint8Array([7, 8]));
    w.rawBytes(new Uint8Array([9]));
    expect([...w.finish()]).toEqual([2, 0, 0, 0, 7, 8, 9]);
  });
});

describe('Reader', () => {
  it('reads back everything the writer wrote', () => {
    const w = new Writer();
    w.bool(true);
    w.u8(255);
    w.i8(-128);
    w.u16(65535);
    w.i16(-32768);
    w.u32(4294967295);
    w.i32(-2147483648);
    w.f32(1.5);
    w.f64(-Math.PI);
    w.u64((1n << 64n) - 1n);
    w.i64(-(1n << 63n));
    w.u128((1n << 128n) - 1n);
    w.i128(-(1n << 127n));
    w.i128((1n << 127n) - 1n);
    w.bytes(new Uint8Array([1, 2, 3]));
    w.string('héllo 😀');
    const r = new Reader(w.finish());
    expect(r.bool()).toBe(true);
    expect(r.u8()).toBe(255);
    expect(r.i8()).toBe(-128);
    expect(r.u16()).toBe(65535);
    expect(r.i16()).toBe(-32768);
    expect(r.u32()).toBe(4294967295);
    expect(r.i32()).toBe(-2147483648);
    expect(r.f32()).toBe(1.5);
    expect(r.f64()).toBe(-Math.PI);
    expect(r.u64()).toBe((1n << 64n) - 1n);
    expect(r.i64()).toBe(-(1n << 63n));
    expect(r.u128()).toBe((1n << 128n) - 1n);
    expect(r.i128()).toBe(-(1n << 127n));
    expect(r.i128()).toBe((1n << 127n) - 1n);
    expect([...r.bytes()]).toEqual([1, 2, 3]);
    expect(r.string()).toBe('héllo 😀');
    expect(r.done()).toBe(true);
    expect(r.remaining).toBe(0);
  });

  it('honours the byteOffset of a subarray', () => {
    const backing = new Uint8Array([0xff, 0xff, 5, 0, 0, 0, 0xff]);
    const r = new Reader(backing.subarray(2, 6));
    expect(r.u32()).toBe(5);
    expect(r.done()).toBe(true);
  });

  it('tracks offset and remaining', () => {
    const r = new Reader(new Uint8Array(10));
    r.u16();
    expect(r.offset).toBe(2);
    expect(r.remaining).toBe(8);
    expect(r.done()).toBe(false);
  });

  it('throws a DecodeError naming the byte offset when the input is truncated', () => {
    const r = new Reader(new Uint8Array([1, 2, 3, 4, 5]));
    r.u8();
    expect(() => r.u64()).toThrow(DecodeError);
    expect(() => r.u64()).toThrow('input truncated at byte 1: needed 8 more byte(s) but only 4 remain');
  });

  it('refuses a string whose length runs past the end', () => {
    const r = new Reader(new Uint8Array([10, 0, 0, 0, 0x61]));
    expect(() => r.string()).toThrow(/truncated at byte 4/);
  });

  it('refuses a bool byte other than 0 or 1', () => {
    expect(() => new Reader(new Uint8Array([2])).bool()).toThrow('expected a bool (0 or 1) at byte 0, found 2');
  });

  it('copies bytes so decoded values do not alias the input', () => {
    const input = new Uint8Array([1, 0, 0, 0, 42]);
    const out = new Reader(input).bytes();
    input[4] = 0;
    expect([...out]).toEqual([42]);
  });

  it('replaces malformed UTF-8 rather than failing', () => {
    expect(new Reader(new Uint8Array([2, 0, 0, 0, 0xc3, 0x28])).string()).toBe('\ufffd(');
  });

  it('can be reset onto new bytes', () => {
    const r = new Reader(new Uint8Array([1]));
    r.u8();
    r.reset(new Uint8Array([2, 3]));
    expect(r.offset).toBe(0);
    expect(r.u8()).toBe(2);
  });
});
