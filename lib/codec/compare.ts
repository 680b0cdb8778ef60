/**
 * A deterministic total order on the values of each type, for indexes and
 * sorted iteration. Two valid values compare equal exactly when they encode to
 * the same bytes, so an index keyed by this order agrees with row identity.
 */

import type { FieldDesc, TypeDesc, VariantDesc } from '../schema/type-desc';

/** A total order: negative when `a` sorts first, positive when `b` does, 0 when equal. */
export type Compare<T = unknown> = (a: T, b: T) => number;

/** Sorts below every value at its position in a key tuple: `[prefix..., MIN_KEY]` starts a prefix range. */
export const MIN_KEY: unique symbol = Symbol.for('lockstep.MIN_KEY');
/** Sorts above every value at its position in a key tuple: `[prefix..., MAX_KEY]` ends a prefix range. */
export const MAX_KEY: unique symbol = Symbol.for('lockstep.MAX_KEY');
/** Either range sentinel. */
export type KeyBound = typeof MIN_KEY | typeof MAX_KEY;

/**
 * The order of a type, compiled on first use and cached per TypeDesc object.
 * - numbers: numeric; `-0` before `+0` (not equal); every NaN equal, after everything
 *   (`f32` compares values rounded to f32, as they are stored)
 * - bigints numeric; strings by UTF-16 code units; `false` before `true`
 * - bytes lexicographic, a proper prefix first; identity / connectionId / uuid as their hex text
 * - option: `undefined` first; array: element by element, then the shorter first
 * - object: field by field in declared order; enum: variant index, then payload;
 *   scheduleAt: `Interval` before `Time`, then the value
 * @example
 * const cmp = compareFor({ kind: 'f64' });
 * [NaN, 1, -0, 0, -Infinity].sort(cmp); // [-Infinity, -0, 0, 1, NaN]
 */
export function compareFor<T = unknown>(type: TypeDesc): Compare<T> {
  let cmp = cache.get(type);
  if (cmp === undefined) {
    cmp = build(type);
    cache.set(type, cmp);
  }
  return cmp as Compare<T>;
}

/**
 * The order of composite keys: tuples compared position by position with one
 * comparator each. {@link MIN_KEY} / {@link MAX_KEY} sort below / above every
 * value at their position, and a tuple that ends sorts after `MIN_KEY` and
 * before any value, so with `[p, MIN_KEY] .. [p, MAX_KEY]` a range scan visits
 * exactly the keys that start with `p`.
 * @example
 * const cmp = compareTuples([compareFor(t.u32), compareFor(t.string)]);
 * cmp([1, 'a'], [1, MAX_KEY]); // -1
 */
export function compareTuples(comparators: readonly Compare[]): Compare<readonly unknown[]> {
  const cmps = comparators.slice();
  const n = cmps.length;
  const general: Compare<readonly unknown[]> = (a, b) => {
    const la = a.length;
    const lb = b.length;
    const common = la < lb ? la : lb;
    for (let i = 0; i < common; i++) {
      const x = a[i];
      const y = b[i];
      let c: number;
      if (typeof x === 'symbol' || typeof y === 'symbol') c = rank(x) - rank(y);
      else if (i < n) c = cmps[i]!(x, y);
      else c = 0;
      if (c !== 0) return c;
    }
    if (la === lb) return 0;
    // The tuple that ended stands for an END mark ranked between MIN_KEY and values.
    return la < lb ? RANK_END - rank(b[la]) : rank(a[lb]) - RANK_END;
  };
  if (n !== 2) return general;
  // The common index key, [value, primaryKey]: compare directly when both are plain pairs.
  const c0 = cmps[0]!;
  const c1 = cmps[1]!;
  return (a, b) => {
    if (a.length === 2 && b.length === 2) {
      const x = a[0];
      const y = b[0];
      if (typeof x !== 'symbol' && typeof y !== 'symbol') {
        const c = c0(x, y);
        if (c !== 0) return c;
        const u = a[1];
        const v = b[1];
        if (typeof u !== 'symbol' && typeof v !== 'symbol') return c1(u, v);
      }
    }
    return general(a, b);
  };
}

/**
 * Extends a single-value order with {@link MIN_KEY} and {@link MAX_KEY}, for
 * unbounded range scans over a one-column index.
 */
export function compareWithBounds<T>(compare: Compare<T>): Compare<T | KeyBound> {
  return (a, b) => {
    if (typeof a === 'symbol' || typeof b === 'symbol') return rank(a) - rank(b);
    return compare(a, b);
  };
}

/** Lexicographic order of two byte arrays; a proper prefix sorts first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** IEEE doubles in a total order: -0 before +0, every NaN equal and last. */
export function compareF64(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) {
    if (a !== 0) return 0;
    const sa = Object.is(a, -0);
    return sa === Object.is(b, -0) ? 0 : sa ? -1 : 1;
  }
  const aNaN = a !== a;
  return aNaN === (b !== b) ? 0 : aNaN ? 1 : -1;
}

const RANK_MIN = 0;
const RANK_END = 1;
const RANK_VALUE = 2;
const RANK_MAX = 3;

function rank(v: unknown): number {
  return v === MIN_KEY ? RANK_MIN : v === MAX_KEY ? RANK_MAX : RANK_VALUE;
}

const cache = new WeakMap<TypeDesc, Compare>();

// Separate closures per JS type keep each call site monomorphic.
const compareNumber: Compare = (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
const compareBigint: Compare = (a, b) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0);
const compareString: Compare = (a, b) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0);
const compareBool: Compare = (a, b) => (a === b ? 0 : a === true ? 1 : -1);
const compareFloat64: Compare = (a, b) => compareF64(a as number, b as number);
const compareFloat32: Compare = (a, b) => compareF64(Math.fround(a as number), Math.fround(b as number));
const compareByteArrays: Compare = (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);

interface Tagged {
  readonly tag: string;
  readonly value: unknown;
}

const compareScheduleAt: Compare = (a, b) => {
  const x = a as Tagged;
  const y = b as Tagged;
  if (x.tag !== y.tag) return x.tag === 'Interval' ? -1 : 1;
  return compareBigint(x.value, y.value);
};

function build(type: TypeDesc): Compare {
  switch (type.kind) {
    case 'i8':
    case 'i16':
    case 'i32':
    case 'u8':
    case 'u16':
    case 'u32':
      return compareNumber;
    case 'f32':
      return compareFloat32;
    case 'f64':
      return compareFloat64;
    case 'i64':
    case 'i128':
    case 'u64':
    case 'u128':
    case 'i256':
    case 'u256':
    case 'timestamp':
    case 'timeDuration':
      return compareBigint;
    case 'string':
    case 'identity':
    case 'connectionId':
    case 'uuid':
      return compareString;
    case 'bool':
      return compareBool;
    case 'bytes':
      return compareByteArrays;
    case 'scheduleAt':
      return compareScheduleAt;
    case 'option':
      return optionCompare(compareFor(type.inner));
    case 'array':
      return arrayCompare(compareFor(type.element));
    case 'object':
      return objectCompare(type.fields);
    case 'enum':
      return enumCompare(type.variants);
  }
}

function optionCompare(inner: Compare): Compare {
  return (a, b) => (a === undefined ? (b === undefined ? 0 : -1) : b === undefined ? 1 : inner(a, b));
}

function arrayCompare(element: Compare): Compare {
  return (a, b) => {
    const x = a as readonly unknown[];
    const y = b as readonly unknown[];
    const n = x.length < y.length ? x.length : y.length;
    for (let i = 0; i < n; i++) {
      const c = element(x[i], y[i]);
      if (c !== 0) return c;
    }
    return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
  };
}

function objectCompare(fields: readonly FieldDesc[]): Compare {
  const n = fields.length;
  const names = fields.map((f) => f.name);
  const cmps = fields.map((f) => compareFor(f.type));
  if (n === 1) {
    const name = names[0]!;
    const cmp = cmps[0]!;
    return (a, b) => cmp((a as Record<string, unknown>)[name], (b as Record<string, unknown>)[name]);
  }
  return (a, b) => {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    for (let i = 0; i < n; i++) {
      const name = names[i]!;
      const c = cmps[i]!(x[name], y[name]);
      if (c !== 0) return c;
    }
    return 0;
  };
}

function enumCompare(variants: readonly VariantDesc[]): Compare {
  const index = new Map(variants.map((v, i) => [v.name, i]));
  const cmps = variants.map((v) => compareFor(v.type));
  return (a, b) => {
    const x = a as Tagged;
    const y = b as Tagged;
    if (x.tag !== y.tag) return index.get(x.tag)! < index.get(y.tag)! ? -1 : 1;
    return cmps[index.get(x.tag)!]!(x.value, y.value);
  };
}
