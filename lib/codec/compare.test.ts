import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { typeName } from '../schema/type-desc';
import { encodeValue } from './codec';
import type { KeyBound } from './compare';
import { MAX_KEY, MIN_KEY, compareBytes, compareFor, compareTuples, compareWithBounds } from './compare';
import { SAMPLE_TYPES, T, arbitraryFor } from './test-util';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => compareBytes(a, b) === 0;

describe('compareFor', () => {
  it('is compiled once per TypeDesc object', () => {
    const type = T.array(T.prim('u8'));
    expect(compareFor(type)).toBe(compareFor(type));
  });

  it('orders f64 numerically with -0 before +0 and every NaN equal and last', () => {
    const cmp = compareFor<number>(T.prim('f64'));
    const otherNaN = new Float64Array(new Uint32Array([1, 0xfff00000]).buffer)[0]!;
    expect([NaN, 1, 0, -0, -Infinity, Infinity, -1].sort(cmp)).toEqual([-Infinity, -1, -0, 0, 1, Infinity, NaN]);
    expect(cmp(-0, 0)).toBe(-1);
    expect(cmp(0, -0)).toBe(1);
    expect(cmp(-0, -0)).toBe(0);
    expect(cmp(NaN, otherNaN)).toBe(0);
    expect(cmp(NaN, Infinity)).toBe(1);
    expect(cmp(Infinity, NaN)).toBe(-1);
  });

  it('compares f32 values as stored, rounded to single precision', () => {
    const cmp = compareFor<number>(T.prim('f32'));
    expect(cmp(0.1, Math.fround(0.1))).toBe(0);
    expect(cmp(1, 1 + 2 ** -30)).toBe(0);
    expect(cmp(1, 1 + 2 ** -20)).toBe(-1);
  });

  it('treats integer -0 as 0, as the bytes do', () => {
    expect(compareFor(T.prim('i32'))(-0, 0)).toBe(0);
  });

  it('orders bigints numerically', () => {
    const cmp = compareFor<bigint>(T.prim('i128'));
    expect([3n, -(2n ** 127n), 0n, 2n ** 100n].sort(cmp)).toEqual([-(2n ** 127n), 0n, 3n, 2n ** 100n]);
  });

  it('orders strings by UTF-16 code units', () => {
    const cmp = compareFor<string>(T.prim('string'));
    expect(['b', '\uffff', '😀', 'a', '', 'ab'].sort(cmp)).toEqual(['', 'a', 'ab', 'b', '😀', '\uffff']);
  });

  it('puts false before true', () => {
    expect([true, false].sort(compareFor(T.prim('bool')))).toEqual([false, true]);
  });

  it('orders bytes lexicographically with a proper prefix first', () => {
    const cmp = compareFor<Uint8Array>(T.prim('bytes'));
    const list = [[2], [1, 0], [], [1]].map((b) => new Uint8Array(b));
    expect(list.sort(cmp).map((b) => [...b])).toEqual([[], [1], [1, 0], [2]]);
  });

  it('puts none first for options', () => {
    const cmp = compareFor(T.option(T.prim('i8')));
    // Array.prototype.sort never passes undefined to a comparator, so compare directly.
    expect(cmp(undefined, -128)).toBe(-1);
    expect(cmp(-128, undefined)).toBe(1);
    expect(cmp(undefined, undefined)).toBe(0);
    expect(cmp(1, -1)).toBe(1);
  });

  it('orders arrays element by element, then shorter first', () => {
    const cmp = compareFor(T.array(T.prim('u8')));
    expect([[2], [1, 5], [1], []].sort(cmp)).toEqual([[], [1], [1, 5], [2]]);
  });

  it('orders objects field by field in declared order, not key order', () => {
    const cmp = compareFor(T.object('P', { b: T.prim('u8'), a: T.prim('u8') }));
    expect(cmp({ a: 9, b: 1 }, { a: 0, b: 2 })).toBe(-1);
    expect(cmp({ a: 1, b: 1 }, { b: 1, a: 1 })).toBe(0);
  });

  it('orders enums by variant index, then payload', () => {
    const cmp = compareFor(T.enum('E', { Zed: T.prim('u8'), Alpha: T.prim('u8'), Unit: T.unit() }));
    const values = [
      { tag: 'Unit' },
      { tag: 'Alpha', value: 0 },
      { tag: 'Zed', value: 5 },
      { tag: 'Zed', value: 1 },
    ];
    expect(values.sort(cmp)).toEqual([
      { tag: 'Zed', value: 1 },
      { tag: 'Zed', value: 5 },
      { tag: 'Alpha', value: 0 },
      { tag: 'Unit' },
    ]);
    expect(cmp({ tag: 'Unit' }, { tag: 'Unit', value: {} })).toBe(0);
  });

  it('orders scheduleAt by tag, Interval first, then value', () => {
    const cmp = compareFor(T.prim('scheduleAt'));
    expect(cmp({ tag: 'Time', value: 0n }, { tag: 'Interval', value: 9n })).toBe(1);
    expect(cmp({ tag: 'Time', value: 1n }, { tag: 'Time', value: 2n })).toBe(-1);
  });
});

describe('compareFor on random values', () => {
  for (const type of SAMPLE_TYPES) {
    const arb = arbitraryFor(type);
    // Half of the pairs are a value and its structured clone, so equal pairs are common.
    const pair = fc.oneof(
      fc.tuple(arb, arb),
      arb.map((v) => [v, structuredClone(v)] as const),
    );

    it(`says two ${typeName(type)} values are equal exactly when their bytes are`, () => {
      const cmp = compareFor(type);
      fc.assert(
        fc.property(pair, ([a, b]) => {
          const equalBytes = bytesEqual(encodeValue(type, a), encodeValue(type, b));
          expect(cmp(a, b) === 0).toBe(equalBytes);
        }),
        { numRuns: 300 },
      );
    }, 30_000);

    it(`is antisymmetric on ${typeName(type)}`, () => {
      const cmp = compareFor(type);
      fc.assert(
        fc.property(pair, ([a, b]) => {
          expect(sign(cmp(a, b)) + sign(cmp(b, a))).toBe(0);
          expect(cmp(a, a)).toBe(0);
        }),
        { numRuns: 200 },
      );
    }, 30_000);

    it(`sorts ${typeName(type)} samples into a consistent total order`, () => {
      const cmp = compareFor(type);
      fc.assert(
        fc.property(fc.array(arb, { minLength: 2, maxLength: 25 }), (values) => {
          // Boxed, because Array.prototype.sort moves undefined to the end without comparing.
          const sorted = values
            .map((v) => ({ v }))
            .sort((x, y) => cmp(x.v, y.v))
            .map((x) => x.v);
          for (let i = 0; i < sorted.length; i++) {
            for (let j = i + 1; j < sorted.length; j++) expect(cmp(sorted[i], sorted[j])).toBeLessThanOrEqual(0);
          }
        }),
        { numRuns: 40 },
      );
    }, 30_000);
  }
});

describe('compareTuples', () => {
  const cmp = compareTuples([compareFor(T.prim('u32')), compareFor(T.prim('string'))]);
  const keys: (readonly unknown[])[] = [
    [0, 'z'],
    [1, ''],
    [1, 'a'],
    [1, 'b'],
    [2, ''],
    [2, 'a'],
  ];
  const inRange = (lo: readonly unknown[], hi: readonly unknown[]): unknown[] =>
    keys.filter((k) => cmp(lo, k) <= 0 && cmp(k, hi) <= 0);

  it('compares position by position', () => {
    expect(sign(cmp([1, 'b'], [1, 'a']))).toBe(1);
    expect(sign(cmp([1, 'a'], [2, '']))).toBe(-1);
    expect(cmp([1, 'a'], [1, 'a'])).toBe(0);
  });

  it('selects exactly the keys with a prefix between [p, MIN_KEY] and [p, MAX_KEY]', () => {
    expect(inRange([1, MIN_KEY], [1, MAX_KEY])).toEqual([
      [1, ''],
      [1, 'a'],
      [1, 'b'],
    ]);
    expect(inRange([MIN_KEY], [MAX_KEY])).toEqual(keys);
    expect(inRange([1, 'a'], [2, MIN_KEY])).toEqual([
      [1, 'a'],
      [1, 'b'],
    ]);
  });

  it('puts MIN_KEY below and MAX_KEY above every value, and equal to itself', () => {
    for (const key of keys) {
      expect(sign(cmp([key[0], MIN_KEY], key))).toBe(-1);
      expect(sign(cmp(key, [key[0], MAX_KEY]))).toBe(-1);
    }
    expect(cmp([1, MIN_KEY], [1, MIN_KEY])).toBe(0);
    expect(sign(cmp([MIN_KEY], [MAX_KEY]))).toBe(-1);
  });

  it('sorts a tuple that ends after MIN_KEY and before any value at that position', () => {
    expect(sign(cmp([1], [1, MIN_KEY]))).toBe(1);
    expect(sign(cmp([1], [1, '']))).toBe(-1);
    expect(sign(cmp([1], [1, MAX_KEY]))).toBe(-1);
    expect(sign(cmp([1, 'a'], [1]))).toBe(1);
  });
});

describe('compareWithBounds', () => {
  it('extends a single-value order with MIN_KEY and MAX_KEY', () => {
    const cmp = compareWithBounds(compareFor<number>(T.prim('f64')));
    const list: (number | KeyBound)[] = [NaN, MAX_KEY, 1, MIN_KEY];
    expect(list.sort(cmp)).toEqual([MIN_KEY, 1, NaN, MAX_KEY]);
    expect(cmp(MIN_KEY, MIN_KEY)).toBe(0);
  });
});
