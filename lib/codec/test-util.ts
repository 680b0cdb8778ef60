/**
 * Test helpers for the codec suites: terse TypeDesc builders and fast-check
 * arbitraries that generate valid values of any TypeDesc. Only tests import
 * this file.
 */

import fc from 'fast-check';
import type { PrimitiveKind, TypeDesc } from '../schema/type-desc';
import { INTEGER_BOUNDS } from '../schema/type-desc';

/** TypeDesc builders for tests. */
export const T = {
  prim: (kind: PrimitiveKind): TypeDesc => ({ kind }),
  option: (inner: TypeDesc): TypeDesc => ({ kind: 'option', inner }),
  array: (element: TypeDesc): TypeDesc => ({ kind: 'array', element }),
  object: (name: string, fields: Record<string, TypeDesc>): TypeDesc => ({
    kind: 'object',
    name,
    fields: Object.entries(fields).map(([n, type]) => ({ name: n, type })),
  }),
  enum: (name: string, variants: Record<string, TypeDesc>): TypeDesc => ({
    kind: 'enum',
    name,
    variants: Object.entries(variants).map(([n, type]) => ({ name: n, type })),
  }),
  unit: (): TypeDesc => ({ kind: 'object', name: 'Unit', fields: [] }),
};

const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * Any Unicode scalar value (no lone surrogates). fast-check's own `unit: 'binary'`
 * spends seconds building tables on first use.
 */
const CODE_POINT = fc
  .oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff }))
  .map((c) => String.fromCodePoint(c));

/** A few fixed values mixed into each arbitrary so that random pairs are often equal. */
function withCommon<V>(arb: fc.Arbitrary<V>, common: readonly V[]): fc.Arbitrary<V> {
  return common.length === 0 ? arb : fc.oneof(arb, fc.constantFrom(...common));
}

/** An arbitrary of valid values of `type`, biased towards edge cases and repeats. */
export function arbitraryFor(type: TypeDesc): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'bool':
      return fc.boolean();
    case 'i8':
    case 'i16':
    case 'i32':
    case 'u8':
    case 'u16':
    case 'u32': {
      const [min, max] = INTEGER_BOUNDS[type.kind];
      return withCommon(
        fc.bigInt({ min, max }).map(Number),
        [0, -0, 1, Number(min), Number(max)],
      );
    }
    case 'i64':
    case 'i128':
    case 'i256':
    case 'u64':
    case 'u128':
    case 'u256': {
      const [min, max] = INTEGER_BOUNDS[type.kind];
      return withCommon(fc.bigInt({ min, max }), [0n, 1n, min, max]);
    }
    case 'timestamp':
    case 'timeDuration': {
      const [min, max] = INTEGER_BOUNDS.i64;
      return withCommon(fc.bigInt({ min, max }), [0n, -1n, min, max]);
    }
    case 'f32':
      return withCommon(fc.float(), [0, -0, NaN, Infinity, -Infinity, 0.1, Math.fround(0.1)]);
    case 'f64':
      return withCommon(fc.double(), [0, -0, NaN, Infinity, -Infinity, 5e-324, -Number.MAX_VALUE]);
    case 'string':
      return withCommon(fc.oneof(fc.string({ maxLength: 4 }), fc.string({ unit: CODE_POINT, maxLength: 4 })), [
        '',
        'a',
        'B',
        'é',
        '😀',
        '\uffff',
        '日本',
      ]);
    case 'bytes':
      return withCommon(fc.uint8Array({ maxLength: 4 }), [new Uint8Array(0), new Uint8Array([0]), new Uint8Array([255])]);
    case 'identity':
      return withCommon(fc.uint8Array({ minLength: 32, maxLength: 32 }).map(hex), ['0'.repeat(64), 'f'.repeat(64)]);
    case 'connectionId':
      return withCommon(fc.uint8Array({ minLength: 16, maxLength: 16 }).map(hex), ['0'.repeat(32), 'a'.repeat(32)]);
    case 'uuid':
      return withCommon(fc.uuid(), ['00000000-0000-0000-0000-000000000000']);
    case 'scheduleAt':
      return fc.record({
        tag: fc.constantFrom('Interval' as const, 'Time' as const),
        value: withCommon(fc.bigInt(INTEGER_BOUNDS.i64[0], INTEGER_BOUNDS.i64[1]), [0n, 1n]),
      });
    case 'option':
      return fc.option(arbitraryFor(type.inner), { nil: undefined });
    case 'array':
      return fc.array(arbitraryFor(type.element), { maxLength: 3 });
    case 'object':
      return fc.record(Object.fromEntries(type.fields.map((f) => [f.name, arbitraryFor(f.type)])));
    case 'enum':
      return fc.oneof(
        ...type.variants.map((v) => arbitraryFor(v.type).map((value) => ({ tag: v.name, value }))),
      );
  }
}

/** One TypeDesc of every kind, including nested composites. */
export const SAMPLE_TYPES: readonly TypeDesc[] = [
  ...(
    [
      'bool',
      'string',
      'i8',
      'i16',
      'i32',
      'u8',
      'u16',
      'u32',
      'f32',
      'f64',
      'i64',
      'i128',
      'u64',
      'u128',
      'timestamp',
      'timeDuration',
      'bytes',
      'identity',
      'connectionId',
      'scheduleAt',
      'uuid',
    ] as const
  ).map(T.prim),
  T.option(T.option(T.prim('u8'))),
  T.array(T.object('Vec2', { x: T.prim('f32'), y: T.prim('f32') })),
  T.enum('Shape', {
    Circle: T.object('Circle', { radius: T.prim('u32'), label: T.option(T.prim('string')) }),
    Empty: T.unit(),
    Tags: T.array(T.prim('string')),
  }),
  T.object('Player', {
    id: T.prim('u64'),
    name: T.prim('string'),
    pos: T.object('Vec2', { x: T.prim('f32'), y: T.prim('f32') }),
    tags: T.array(T.prim('string')),
    owner: T.option(T.prim('identity')),
  }),
];

/**
 * What decoding an encoded value should give, computed independently of the
 * codec: f32s rounded to f32, integer -0 as 0, payload-less enum values with `{}`.
 */
export function expectedDecode(type: TypeDesc, value: unknown): unknown {
  switch (type.kind) {
    case 'i8':
    case 'i16':
    case 'i32':
    case 'u8':
    case 'u16':
    case 'u32':
      return (value as number) + 0;
    case 'f32':
      return Math.fround(value as number);
    case 'option':
      return value === undefined ? undefined : expectedDecode(type.inner, value);
    case 'array':
      return (value as unknown[]).map((v) => expectedDecode(type.element, v));
    case 'object': {
      const o = value as Record<string, unknown>;
      return Object.fromEntries(type.fields.map((f) => [f.name, expectedDecode(f.type, o[f.name])]));
    }
    case 'enum': {
      const e = value as { tag: string; value: unknown };
      const variant = type.variants.find((v) => v.name === e.tag)!;
      return { tag: e.tag, value: expectedDecode(variant.type, e.value ?? {}) };
    }
    default:
      return value;
  }
}
