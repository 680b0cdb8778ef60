/**
 * Codec closures for the kinds without type parameters. Each kind compiles
 * once per process (the parts are shared by every TypeDesc of that kind), and
 * each check is written out per kind so that it stays a handful of machine
 * instructions.
 */

import { DecodeError, describeValue } from '../errors';
import type { BigintKind, NumberKind, PrimitiveKind } from '../schema/type-desc';
import { INTEGER_BOUNDS } from '../schema/type-desc';
import type { Reader, Writer } from './buffer';
import type { CodecParts, Where } from './compiled';
import { countKeys, explainNotPlainObject, explainUnknownKey, got, invalid, isPlainObject } from './compiled';
import type { HexLayout } from './hex';
import { UUID_LAYOUT, plainHexLayout, readHex, writeHex } from './hex';

/** The shared codec parts of a primitive kind. */
export function primitiveParts(kind: PrimitiveKind): CodecParts {
  let parts = cache.get(kind);
  if (parts === undefined) {
    parts = build(kind);
    cache.set(kind, parts);
  }
  return parts;
}

const cache = new Map<PrimitiveKind, CodecParts>();

function build(kind: PrimitiveKind): CodecParts {
  switch (kind) {
    case 'bool':
      return BOOL;
    case 'string':
      return STRING;
    case 'bytes':
      return BYTES;
    case 'i8':
      return intParts(kind, 1, (v) => typeof v === 'number' && (v << 24) >> 24 === v, (w, v) => w.i8(v), (r) => r.i8());
    case 'u8':
      return intParts(kind, 1, (v) => typeof v === 'number' && (v & 0xff) === v, (w, v) => w.u8(v), (r) => r.u8());
    case 'i16':
      return intParts(kind, 2, (v) => typeof v === 'number' && (v << 16) >> 16 === v, (w, v) => w.i16(v), (r) => r.i16());
    case 'u16':
      return intParts(kind, 2, (v) => typeof v === 'number' && (v & 0xffff) === v, (w, v) => w.u16(v), (r) => r.u16());
    case 'i32':
      return intParts(kind, 4, (v) => typeof v === 'number' && (v | 0) === v, (w, v) => w.i32(v), (r) => r.i32());
    case 'u32':
      return intParts(kind, 4, (v) => typeof v === 'number' && v >>> 0 === v, (w, v) => w.u32(v), (r) => r.u32());
    case 'f32':
      return floatParts(kind, 4, (w, v) => w.f32(v), (r) => r.f32());
    case 'f64':
      return floatParts(kind, 8, (w, v) => w.f64(v), (r) => r.f64());
    case 'i64':
      return bigintParts(kind, 'i64', 8, (w, v) => w.i64(v), (r) => r.i64());
    case 'u64':
      return bigintParts(kind, 'u64', 8, (w, v) => w.u64(v), (r) => r.u64());
    case 'i128':
      return bigintParts(kind, 'i128', 16, (w, v) => w.i128(v), (r) => r.i128());
    case 'u128':
      return bigintParts(kind, 'u128', 16, (w, v) => w.u128(v), (r) => r.u128());
    case 'i256':
      return bigintParts(kind, 'i256', 32, (w, v) => w.u256(v), (r) => r.i256());
    case 'u256':
      return bigintParts(kind, 'u256', 32, (w, v) => w.u256(v), (r) => r.u256());
    case 'timestamp':
    case 'timeDuration':
      return bigintParts(kind, 'i64', 8, (w, v) => w.i64(v), (r) => r.i64());
    case 'identity':
      return hexParts('identity (64 lowercase hex digits)', plainHexLayout(32), /^[0-9a-f]{64}$/, /^[0-9a-f]{64}$/i);
    case 'connectionId':
      return hexParts('connectionId (32 lowercase hex digits)', plainHexLayout(16), /^[0-9a-f]{32}$/, /^[0-9a-f]{32}$/i);
    case 'uuid':
      return hexParts(
        'uuid (lowercase 8-4-4-4-12 hex digits, like "123e4567-e89b-12d3-a456-426614174000")',
        UUID_LAYOUT,
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
      );
    case 'scheduleAt':
      return SCHEDULE_AT;
  }
}

const BOOL: CodecParts = {
  minSize: 1,
  encode: (w, v) => w.u8(v === true ? 1 : 0),
  decode: (r) => r.bool(),
  check: (v) => typeof v === 'boolean',
  explain(v, path, where) {
    if (typeof v !== 'boolean') invalid(path, `expected bool, got ${got(v)}`, v, where);
  },
};

type IsWellFormed = (this: string) => boolean;
const nativeIsWellFormed = (String.prototype as { isWellFormed?: IsWellFormed }).isWellFormed;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * A lone surrogate would be written as U+FFFD, so two different strings would
 * encode alike and compare unequal; refuse them instead.
 */
const isWellFormed: (s: string) => boolean =
  nativeIsWellFormed === undefined ? (s) => !LONE_SURROGATE.test(s) : (s) => nativeIsWellFormed.call(s);

const STRING: CodecParts = {
  minSize: 4,
  encode: (w, v) => w.string(v as string),
  decode: (r) => r.string(),
  check: (v) => typeof v === 'string' && isWellFormed(v),
  explain(v, path, where) {
    if (typeof v !== 'string') invalid(path, `expected string, got ${got(v)}`, v, where);
    const lone = LONE_SURROGATE.exec(v);
    if (lone !== null) {
      invalid(
        path,
        `expected well-formed text, got ${describeValue(v)} (lone surrogate at index ${lone.index} cannot be encoded as UTF-8)`,
        v,
        where,
      );
    }
  },
};

const BYTES: CodecParts = {
  minSize: 4,
  encode: (w, v) => w.bytes(v as Uint8Array),
  decode: (r) => r.bytes(),
  check: (v) => v instanceof Uint8Array,
  explain(v, path, where) {
    if (!(v instanceof Uint8Array)) invalid(path, `expected bytes (a Uint8Array), got ${got(v)}`, v, where);
  },
};

type SmallIntKind = Exclude<NumberKind, 'f32' | 'f64'>;

function intParts(
  kind: SmallIntKind,
  minSize: number,
  check: (v: unknown) => boolean,
  encode: (w: Writer, v: number) => void,
  decode: (r: Reader) => number,
): CodecParts {
  const [lo, hi] = INTEGER_BOUNDS[kind];
  const expected = `expected ${kind} (${lo} to ${hi})`;
  return {
    minSize,
    encode: encode as CodecParts['encode'],
    decode,
    check,
    explain(v, path, where) {
      if (check(v)) return;
      if (typeof v === 'number') invalid(path, `${expected}, got ${describeValue(v)}`, v, where);
      const hint = typeof v === 'bigint' && check(Number(v)) ? ` (write ${v})` : '';
      invalid(path, `expected number for ${kind}, got ${got(v)}${hint}`, v, where);
    },
  };
}

function floatParts(
  kind: 'f32' | 'f64',
  minSize: number,
  encode: (w: Writer, v: number) => void,
  decode: (r: Reader) => number,
): CodecParts {
  return {
    minSize,
    encode: encode as CodecParts['encode'],
    decode,
    check: (v) => typeof v === 'number',
    explain(v, path, where) {
      if (typeof v === 'number') return;
      const hint = typeof v === 'bigint' ? ` (write ${v})` : '';
      invalid(path, `expected number for ${kind}, got ${got(v)}${hint}`, v, where);
    },
  };
}

function bigintParts(
  kind: BigintKind,
  repr: 'i64' | 'u64' | 'i128' | 'u128' | 'i256' | 'u256',
  minSize: number,
  encode: (w: Writer, v: bigint) => void,
  decode: (r: Reader) => bigint,
): CodecParts {
  const [lo, hi] = INTEGER_BOUNDS[repr];
  const expected = kind === repr ? `expected ${kind} (${lo} to ${hi})` : `expected ${kind} (${repr} microseconds, ${lo} to ${hi})`;
  return {
    minSize,
    encode: encode as CodecParts['encode'],
    decode,
    check: (v) => typeof v === 'bigint' && v >= lo && v <= hi,
    explain(v, path, where) {
      if (typeof v === 'bigint') {
        if (v < lo || v > hi) invalid(path, `${expected}, got ${describeValue(v)}`, v, where);
        return;
      }
      const hint = typeof v === 'number' && Number.isSafeInteger(v) ? ` (write ${v}n)` : '';
      invalid(path, `expected bigint for ${kind}, got ${got(v)}${hint}`, v, where);
    },
  };
}

const NOTHING_VALID = Symbol('nothing valid yet');

function hexParts(expected: string, layout: HexLayout, exact: RegExp, anyCase: RegExp): CodecParts {
  // The same identity recurs (one sender, many rows); remembering the last
  // valid text skips the regex, which costs as much as encoding the row. It starts
  // as a private symbol: no input can equal it (an empty string once did).
  let lastValid: unknown = NOTHING_VALID;
  return {
    minSize: layout.bytes,
    encode: (w, v) => writeHex(w, v as string, layout),
    decode: (r) => readHex(r, layout),
    check(v) {
      if (v === lastValid) return true;
      if (typeof v !== 'string' || !exact.test(v)) return false;
      lastValid = v;
      return true;
    },
    explain(v, path, where) {
      if (typeof v !== 'string') invalid(path, `expected ${expected}, got ${got(v)}`, v, where);
      if (exact.test(v)) return;
      const hint = anyCase.test(v) ? ' (hex digits must be lowercase: use .toLowerCase())' : '';
      invalid(path, `expected ${expected}, got ${describeValue(v)}${hint}`, v, where);
    },
  };
}

const SCHEDULE_AT_KEYS: ReadonlySet<string> = new Set(['tag', 'value']);
const I64 = bigintParts('i64', 'i64', 8, (w, v) => w.i64(v), (r) => r.i64());
const [I64_MIN, I64_MAX] = INTEGER_BOUNDS.i64;

const SCHEDULE_AT: CodecParts = {
  minSize: 9,
  encode(w, v) {
    const s = v as { tag: string; value: bigint };
    w.u8(s.tag === 'Time' ? 1 : 0);
    w.i64(s.value);
  },
  decode(r) {
    const at = r.offset;
    const tag = r.u8();
    if (tag > 1) throw new DecodeError(`Malformed data: scheduleAt tag ${tag} at byte ${at} (expected 0 Interval or 1 Time)`);
    return { tag: tag === 0 ? 'Interval' : 'Time', value: r.i64() };
  },
  check(v) {
    if (!isPlainObject(v)) return false;
    const tag = v['tag'];
    const value = v['value'];
    return (
      (tag === 'Interval' || tag === 'Time') &&
      typeof value === 'bigint' &&
      value >= I64_MIN &&
      value <= I64_MAX &&
      countKeys(v) === 2
    );
  },
  explain(v, path, where: Where) {
    explainNotPlainObject(v, 'scheduleAt ({ tag: "Interval" | "Time", value: bigint })', path, where);
    const s = v as Record<string, unknown>;
    const tag = s['tag'];
    if (tag !== 'Interval' && tag !== 'Time') {
      invalid(`${path}.tag`, `expected "Interval" or "Time", got ${got(tag)}`, tag, where);
    }
    I64.explain(s['value'], `${path}.value`, where);
    explainUnknownKey(s, SCHEDULE_AT_KEYS, 'field', path, where);
  },
};
