import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, SchemaError } from '../errors';
import type { TypeDesc } from '../schema/type-desc';
import { typeName } from '../schema/type-desc';
import { Reader, Writer } from './buffer';
import { codecFor, decodeValue, encodeValue } from './codec';
import { SAMPLE_TYPES, T, arbitraryFor, expectedDecode } from './test-util';

const hexOf = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

/** Encodes, checks the bytes decode back to the value, and returns the decoded value. */
function roundTrip(type: TypeDesc, value: unknown): unknown {
  codecFor(type).validate(value, 'value');
  const bytes = encodeValue(type, value);
  const back = decodeValue(type, bytes);
  expect(encodeValue(type, back)).toEqual(bytes);
  return back;
}

describe('codecFor', () => {
  it('compiles each TypeDesc object once', () => {
    const type = T.array(T.prim('u8'));
    expect(codecFor(type)).toBe(codecFor(type));
    expect(codecFor(type).type).toBe(type);
  });

  it('refuses an enum with more variants than a u8 index can name', () => {
    const variants = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`V${i}`, T.unit()]));
    expect(() => codecFor(T.enum('Huge', variants))).toThrow(SchemaError);
  });
});

describe('round trips', () => {
  for (const type of SAMPLE_TYPES) {
    it(`decodes every valid ${typeName(type)} back to the same value and the same bytes`, () => {
      fc.assert(
        fc.property(arbitraryFor(type), (value) => {
          const back = roundTrip(type, value);
          expect(back).toEqual(expectedDecode(type, value));
        }),
        { numRuns: 200 },
      );
    }, 30_000);
  }

  it('keeps the extremes of every bigint kind', () => {
    const cases: [TypeDesc, bigint][] = [
      [T.prim('i64'), -(2n ** 63n)],
      [T.prim('i64'), 2n ** 63n - 1n],
      [T.prim('u64'), 2n ** 64n - 1n],
      [T.prim('u128'), 2n ** 128n - 1n],
      [T.prim('i128'), -(2n ** 127n)],
      [T.prim('i128'), 2n ** 127n - 1n],
      [T.prim('i128'), -1n],
      [T.prim('timestamp'), -(2n ** 63n)],
      [T.prim('timeDuration'), 2n ** 63n - 1n],
    ];
    for (const [type, value] of cases) expect(roundTrip(type, value)).toBe(value);
  });

  it('keeps the extremes of every number kind', () => {
    const cases: [TypeDesc, number][] = [
      [T.prim('i8'), -128],
      [T.prim('u8'), 255],
      [T.prim('i16'), -32768],
      [T.prim('u16'), 65535],
      [T.prim('i32'), -2147483648],
      [T.prim('u32'), 4294967295],
      [T.prim('f64'), Number.MAX_VALUE],
      [T.prim('f64'), Number.MIN_VALUE],
      [T.prim('f64'), -Infinity],
      [T.prim('f32'), 3.4028234663852886e38],
    ];
    for (const [type, value] of cases) expect(roundTrip(type, value)).toBe(value);
  });

  it('encodes NaNs with different payloads to identical bytes', () => {
    const payloads = [
      NaN,
      new Float64Array(new Uint32Array([1, 0x7ff00000]).buffer)[0]!,
      new Float64Array(new Uint32Array([0xdeadbeef, 0xfff12345]).buffer)[0]!,
    ];
    for (const kind of ['f32', 'f64'] as const) {
      const encodings = payloads.map((v) => hexOf(encodeValue(T.prim(kind), v)));
      expect(new Set(encodings).size).toBe(1);
      expect(decodeValue(T.prim(kind), encodeValue(T.prim(kind), payloads[1]))).toBeNaN();
    }
    expect(hexOf(encodeValue(T.prim('f64'), NaN))).toBe('00 00 00 00 00 00 f8 7f');
  });

  it('keeps -0 distinct from 0 for floats', () => {
    for (const kind of ['f32', 'f64'] as const) {
      const type = T.prim(kind);
      expect(encodeValue(type, -0)).not.toEqual(encodeValue(type, 0));
      expect(Object.is(decodeValue(type, encodeValue(type, -0)), -0)).toBe(true);
      expect(Object.is(decodeValue(type, encodeValue(type, 0)), 0)).toBe(true);
    }
  });

  it('writes -0 as 0 for integer kinds, since integers have no negative zero', () => {
    expect(encodeValue(T.prim('i32'), -0)).toEqual(encodeValue(T.prim('i32'), 0));
  });

  it('keeps unicode text: emoji, surrogate pairs, CJK, combining marks, long and short', () => {
    const texts = [
      '😀',
      'a😀b',
      '👩‍👩‍👧‍👦',
      '𝄞 clef',
      '日本語のテキスト',
      'e\u0301',
      '\u0000nul',
      '\uffff',
      'ü'.repeat(100),
      'x'.repeat(31) + '😀',
    ];
    for (const text of texts) expect(roundTrip(T.prim('string'), text)).toBe(text);
  });

  it('keeps empty strings, arrays and bytes', () => {
    expect(roundTrip(T.prim('string'), '')).toBe('');
    expect(roundTrip(T.array(T.prim('u8')), [])).toEqual([]);
    expect(roundTrip(T.prim('bytes'), new Uint8Array(0))).toEqual(new Uint8Array(0));
    expect(hexOf(encodeValue(T.prim('string'), ''))).toBe('00 00 00 00');
  });

  it('nests options: none, some(none) collapses to none, some(some(x))', () => {
    const type = T.option(T.option(T.prim('u8')));
    expect(hexOf(encodeValue(type, undefined))).toBe('00');
    expect(hexOf(encodeValue(type, 7))).toBe('01 01 07');
    expect(roundTrip(type, 7)).toBe(7);
    // JS has one undefined, so the inner none decodes to the outer one.
    expect(decodeValue(type, new Uint8Array([1, 0]))).toBeUndefined();
  });

  it('keeps arrays of objects and enums with object payloads', () => {
    const vec = T.object('Vec', { x: T.prim('i32'), y: T.prim('i32') });
    const points = [
      { x: 1, y: -1 },
      { x: 0, y: 2147483647 },
    ];
    expect(roundTrip(T.array(vec), points)).toEqual(points);
    const shape = T.enum('Shape', { Point: vec, Label: T.prim('string'), Empty: T.unit() });
    expect(roundTrip(shape, { tag: 'Point', value: { x: 3, y: 4 } })).toEqual({ tag: 'Point', value: { x: 3, y: 4 } });
    expect(roundTrip(shape, { tag: 'Label', value: 'hi' })).toEqual({ tag: 'Label', value: 'hi' });
    expect(roundTrip(shape, { tag: 'Empty', value: {} })).toEqual({ tag: 'Empty', value: {} });
  });

  it('accepts a payload-less variant without a value and decodes it with an empty one', () => {
    const shape = T.enum('Shape', { Circle: T.prim('u8'), Empty: T.unit() });
    expect(hexOf(encodeValue(shape, { tag: 'Empty' }))).toBe('01');
    expect(roundTrip(shape, { tag: 'Empty' })).toEqual({ tag: 'Empty', value: {} });
  });

  it('decodes objects with their fields in declared order', () => {
    const type = T.object('P', { b: T.prim('u8'), a: T.prim('u8') });
    const back = roundTrip(type, { a: 1, b: 2 }) as object;
    expect(Object.keys(back)).toEqual(['b', 'a']);
  });
});

describe('format', () => {
  it('pins the bytes of a small object', () => {
    const type = T.object('Player', {
      id: T.prim('u32'),
      name: T.prim('string'),
      alive: T.prim('bool'),
      score: T.option(T.prim('i16')),
      tags: T.array(T.prim('u8')),
      state: T.enum('State', { Idle: T.unit(), Moving: T.prim('f32') }),
    });
    const bytes = encodeValue(type, {
      id: 258,
      name: 'Ab',
      alive: true,
      score: -2,
      tags: [9],
      state: { tag: 'Moving', value: 1.5 },
    });
    expect(hexOf(bytes)).toBe(
      '02 01 00 00 ' + // id u32
        '02 00 00 00 41 62 ' + // name: length, "Ab"
        '01 ' + // alive
        '01 fe ff ' + // score: some, -2
        '01 00 00 00 09 ' + // tags: count, 9
        '01 00 00 c0 3f', // state: variant 1, f32 1.5
    );
  });

  it('writes identity, connectionId and uuid as their raw bytes', () => {
    const identity = '00112233445566778899aabbccddeeff'.repeat(2);
    expect(hexOf(encodeValue(T.prim('identity'), identity))).toBe(
      '00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff',
    );
    expect(encodeValue(T.prim('connectionId'), 'ff'.repeat(16))).toEqual(new Uint8Array(16).fill(255));
    const uuid = '123e4567-e89b-12d3-a456-426614174000';
    expect(hexOf(encodeValue(T.prim('uuid'), uuid))).toBe('12 3e 45 67 e8 9b 12 d3 a4 56 42 66 14 17 40 00');
    expect(decodeValue(T.prim('uuid'), encodeValue(T.prim('uuid'), uuid))).toBe(uuid);
    expect(decodeValue(T.prim('identity'), encodeValue(T.prim('identity'), identity))).toBe(identity);
  });

  it('writes scheduleAt as a tag byte and an i64', () => {
    expect(hexOf(encodeValue(T.prim('scheduleAt'), { tag: 'Interval', value: 1n }))).toBe('00 01 00 00 00 00 00 00 00');
    expect(hexOf(encodeValue(T.prim('scheduleAt'), { tag: 'Time', value: -1n }))).toBe('01 ff ff ff ff ff ff ff ff');
  });

  it('gives the same bytes every time, whatever the key order of the object', () => {
    const type = T.object('P', { a: T.prim('u8'), b: T.prim('string') });
    const first = encodeValue(type, { a: 1, b: 'x' });
    expect(encodeValue(type, { a: 1, b: 'x' })).toEqual(first);
    expect(encodeValue(type, { b: 'x', a: 1 })).toEqual(first);
  });

  it('encodes into a caller-owned writer that can be reused', () => {
    const codec = codecFor<number>(T.prim('u16'));
    const w = new Writer();
    codec.encode(w, 1);
    w.reset();
    codec.encode(w, 2);
    expect([...w.view()]).toEqual([2, 0]);
    expect(codec.decode(new Reader(w.view()))).toBe(2);
  });
});

describe('malformed input', () => {
  for (const type of SAMPLE_TYPES) {
    it(`throws DecodeError for every truncation of a ${typeName(type)}`, () => {
      fc.assert(
        fc.property(arbitraryFor(type), (value) => {
          const bytes = encodeValue(type, value);
          for (let n = 0; n < bytes.length; n++) {
            expect(() => decodeValue(type, bytes.subarray(0, n))).toThrow(DecodeError);
            expect(() => decodeValue(type, bytes.subarray(0, n))).toThrow(/truncated at byte \d+/);
          }
        }),
        { numRuns: 30 },
      );
    }, 30_000);
  }

  it('throws DecodeError for trailing bytes', () => {
    expect(() => decodeValue(T.prim('u8'), new Uint8Array([1, 2]))).toThrow(
      'Malformed data: 1 trailing byte(s) after a u8 value at byte 1',
    );
  });

  it('throws DecodeError for a bad option, enum, bool or scheduleAt tag', () => {
    expect(() => decodeValue(T.option(T.prim('u8')), new Uint8Array([2, 0]))).toThrow(
      'Malformed data: option tag 2 at byte 0 (expected 0 or 1)',
    );
    const shape = T.enum('Shape', { A: T.unit(), B: T.unit() });
    expect(() => decodeValue(shape, new Uint8Array([2]))).toThrow(
      'Malformed data: Shape variant index 2 at byte 0 (it has 2 variants)',
    );
    expect(() => decodeValue(T.prim('bool'), new Uint8Array([3]))).toThrow(DecodeError);
    expect(() => decodeValue(T.prim('scheduleAt'), new Uint8Array(9).fill(2))).toThrow(
      'Malformed data: scheduleAt tag 2 at byte 0 (expected 0 Interval or 1 Time)',
    );
  });

  it('refuses an array count the remaining bytes cannot hold, before allocating', () => {
    const bytes = new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2]);
    expect(() => decodeValue(T.array(T.prim('u32')), bytes)).toThrow(
      /array<u32> at byte 0 claims 4294967295 elements of at least 4 byte\(s\) but only 2 byte\(s\) remain/,
    );
  });

  it('replaces malformed UTF-8 in a string instead of failing', () => {
    expect(decodeValue(T.prim('string'), new Uint8Array([1, 0, 0, 0, 0xff]))).toBe('\ufffd');
  });
});
