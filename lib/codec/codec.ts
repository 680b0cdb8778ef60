/**
 * Binary codecs for {@link TypeDesc}s. A type compiles once into closures
 * specialised for its shape, so encoding, decoding and validating a value never
 * switch on the kind. The format is deterministic: the same value gives the same
 * bytes on every engine, which is what lets replicas compare hashes of their
 * row diffs.
 *
 * Format, all little-endian: bool 1 byte; integers at their fixed width in two's
 * complement; floats IEEE with one canonical NaN; string and bytes a u32 byte
 * length then the bytes; identity / connectionId / uuid their 32 / 16 / 16 raw
 * bytes; timestamp and timeDuration an i64; scheduleAt a tag byte (0 Interval,
 * 1 Time) and an i64; option 0, or 1 and the value; array a u32 count and the
 * elements; object its fields in declared order; enum a u8 variant index and
 * the payload.
 */

import { DecodeError, SchemaError } from '../errors';
import type { FieldDesc, TypeDesc, VariantDesc } from '../schema/type-desc';
import { typeName } from '../schema/type-desc';
import { Reader, Writer } from './buffer';
import type { CodecParts, Where } from './compiled';
import {
  NOWHERE,
  countKeys,
  explainNotPlainObject,
  explainOrThrow,
  explainUnknownKey,
  got,
  invalid,
  isPlainObject,
} from './compiled';
import { primitiveParts } from './primitive-codecs';

/**
 * Encodes, decodes and validates values of one type.
 * @example
 * const codec = codecFor({ kind: 'u32' });
 * codec.validate(input, 'player.health'); // throws ValueError when it does not fit
 * codec.encode(writer, input);
 */
export interface Codec<T = unknown> {
  /** The type this codec was compiled from. */
  readonly type: TypeDesc;
  /** Appends the value's bytes. Trusts the value: {@link Codec.validate} untrusted input first. */
  encode(w: Writer, value: T): void;
  /** Reads one value; throws {@link DecodeError} on truncated or malformed bytes. */
  decode(r: Reader): T;
  /**
   * Throws a {@link ValueError} when the value does not fit the type. The message
   * starts with `path` (`player.health`, `argument name of reducer create_player`)
   * and nested values extend it (`player.pos.x`, `player.tags[3]`).
   */
  validate(value: unknown, path: string): void;
  /** True when the value fits the type; like {@link Codec.validate} but allocates nothing. */
  check(value: unknown): value is T;
}

/**
 * The codec of a type, compiled on first use and cached per TypeDesc object.
 * The type parameter is not checked: it only saves a cast at the call site.
 */
export function codecFor<T = unknown>(type: TypeDesc): Codec<T> {
  return compile(type) as unknown as Codec<T>;
}

/**
 * Encodes one value into a fresh byte array. Trusts the value, like
 * {@link Codec.encode}.
 * @example
 * encodeValue({ kind: 'u16' }, 258); // Uint8Array [2, 1]
 */
export function encodeValue(type: TypeDesc, value: unknown): Uint8Array {
  const codec = compile(type);
  scratch.reset();
  codec.encode(scratch, value);
  const bytes = scratch.finish();
  // Do not pin the memory of one huge value for the life of the page.
  if (bytes.length > SCRATCH_LIMIT) scratch = new Writer(1024);
  return bytes;
}

/** Decodes exactly one value; throws {@link DecodeError} when bytes are missing or left over. */
export function decodeValue(type: TypeDesc, bytes: Uint8Array): unknown {
  const r = new Reader(bytes);
  const value = compile(type).decode(r);
  if (!r.done()) {
    throw new DecodeError(
      `Malformed data: ${r.remaining} trailing byte(s) after a ${typeName(type)} value at byte ${r.offset}`,
    );
  }
  return value;
}

/** A compiled codec: the public {@link Codec} plus the internal parts composite codecs reuse. */
export class CompiledCodec implements CodecParts {
  readonly type: TypeDesc;
  readonly encode: CodecParts['encode'];
  readonly decode: CodecParts['decode'];
  readonly check: CodecParts['check'];
  readonly explain: CodecParts['explain'];
  readonly minSize: number;
  readonly validate: (value: unknown, path: string) => void;

  constructor(type: TypeDesc, parts: CodecParts) {
    this.type = type;
    this.encode = parts.encode;
    this.decode = parts.decode;
    this.check = parts.check;
    this.explain = parts.explain;
    this.minSize = parts.minSize;
    const check = parts.check;
    this.validate = (value, path) => {
      if (!check(value)) explainOrThrow(parts, type, value, path, NOWHERE);
    };
  }
}

/** The compiled codec of a type, with its internal parts (for the row codec). */
export function compile(type: TypeDesc): CompiledCodec {
  let codec = cache.get(type);
  if (codec === undefined) {
    codec = new CompiledCodec(type, build(type));
    cache.set(type, codec);
  }
  return codec;
}

const cache = new WeakMap<TypeDesc, CompiledCodec>();
const SCRATCH_LIMIT = 1 << 20;
let scratch = new Writer(1024);

function build(type: TypeDesc): CodecParts {
  switch (type.kind) {
    case 'option':
      return optionParts(type, compile(type.inner));
    case 'array':
      return arrayParts(type, compile(type.element));
    case 'object':
      return objectParts(type, type.fields);
    case 'enum':
      return enumParts(type, type.variants);
    default:
      return primitiveParts(type.kind);
  }
}

function optionParts(type: TypeDesc, inner: CodecParts): CodecParts {
  const { encode, decode, check } = inner;
  const name = typeName(type);
  return {
    minSize: 1,
    encode(w, v) {
      if (v === undefined) w.u8(0);
      else {
        w.u8(1);
        encode(w, v);
      }
    },
    decode(r) {
      const at = r.offset;
      const tag = r.u8();
      if (tag === 0) return undefined;
      if (tag !== 1) throw new DecodeError(`Malformed data: option tag ${tag} at byte ${at} (expected 0 or 1)`);
      return decode(r);
    },
    check: (v) => v === undefined || check(v),
    explain(v, path, where) {
      if (v === undefined) return;
      if (v === null) invalid(path, `expected ${name} (undefined for none), got null`, v, where);
      inner.explain(v, path, where);
    },
  };
}

function arrayParts(type: TypeDesc, element: CodecParts): CodecParts {
  const { encode, decode, check, minSize } = element;
  const name = typeName(type);
  return {
    minSize: 4,
    encode(w, v) {
      const a = v as readonly unknown[];
      const n = a.length;
      w.u32(n);
      for (let i = 0; i < n; i++) encode(w, a[i]);
    },
    decode(r) {
      const at = r.offset;
      const n = r.u32();
      // Refuse impossible counts before allocating for them.
      if (minSize > 0 && n > r.remaining / minSize) {
        throw new DecodeError(
          `Malformed data: input truncated at byte ${r.offset}: ${name} at byte ${at} claims ${n} elements of at least ${minSize} byte(s) but only ${r.remaining} byte(s) remain`,
        );
      }
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(decode(r));
      return out;
    },
    check(v) {
      if (!Array.isArray(v)) return false;
      const n = v.length;
      for (let i = 0; i < n; i++) if (!check(v[i])) return false;
      return true;
    },
    explain(v, path, where) {
      if (!Array.isArray(v)) invalid(path, `expected ${name}, got ${got(v)}`, v, where);
      const n = v.length;
      for (let i = 0; i < n; i++) {
        const x: unknown = v[i];
        if (!check(x)) element.explain(x, `${path}[${i}]`, where);
      }
    },
  };
}

/**
 * The parts of a record: an object type's fields, or a table's row (then `noun`
 * is "column" and errors also carry `table` and `column` in their details).
 */
export function recordParts(
  expected: string,
  fields: readonly FieldDesc[],
  noun: string,
  table: string | undefined,
): CodecParts {
  const n = fields.length;
  const names = fields.map((f) => f.name);
  const parts = fields.map((f) => compile(f.type));
  const encoders = parts.map((p) => p.encode);
  const decoders = parts.map((p) => p.decode);
  const checks = parts.map((p) => p.check);
  const known: ReadonlySet<string> = new Set(names);
  // Objects whose keys come in declared order (literals written that way, and
  // everything decode builds) take the fast paths below: inside `for...in`,
  // V8 reads `o[key]` by field index instead of a megamorphic keyed lookup.
  const template: Record<string, unknown> = {};
  for (const name of names) template[name] = undefined;
  const checkAnyOrder = (v: Record<string, unknown>): boolean => {
    for (let i = 0; i < n; i++) {
      const name = names[i]!;
      const x = v[name];
      // An option field may hold undefined, but its key must still be there.
      if (x === undefined && !(name in v)) return false;
      if (!checks[i]!(x)) return false;
    }
    return countKeys(v) === n;
  };
  const at = (where: Where, column: string): Where => (table === undefined ? where : { ...where, table, column });
  return {
    minSize: parts.reduce((sum, p) => sum + p.minSize, 0),
    encode(w, v) {
      const o = v as Record<string, unknown>;
      let i = 0;
      for (const key in o) {
        if (i === n || key !== names[i]) break;
        encoders[i]!(w, o[key]);
        i++;
      }
      for (; i < n; i++) encoders[i]!(w, o[names[i]!]);
    },
    decode(r) {
      const o: Record<string, unknown> = { ...template };
      for (let i = 0; i < n; i++) o[names[i]!] = decoders[i]!(r);
      return o;
    },
    check(v) {
      if (!isPlainObject(v)) return false;
      let i = 0;
      for (const key in v) {
        if (i === n || key !== names[i]) return checkAnyOrder(v);
        if (!checks[i]!(v[key])) return false;
        i++;
      }
      return i === n;
    },
    explain(v, path, where) {
      explainNotPlainObject(v, expected, path, table === undefined ? where : { ...where, table });
      const o = v as Record<string, unknown>;
      let unknownKey: string | undefined;
      for (const key in o) {
        if (!known.has(key)) {
          unknownKey = key;
          break;
        }
      }
      for (let i = 0; i < n; i++) {
        const name = names[i]!;
        if (!Object.hasOwn(o, name)) {
          const found = unknownKey === undefined ? '' : ` (found unknown ${noun} ${JSON.stringify(unknownKey)})`;
          const hint = unknownKey === undefined && parts[i]!.type.kind === 'option' ? ' (set it to undefined for none)' : '';
          invalid(path, `missing ${noun} ${JSON.stringify(name)}${found}${hint}`, o, at(where, name));
        }
        const x = o[name];
        if (!checks[i]!(x)) parts[i]!.explain(x, `${path}.${name}`, at(where, name));
      }
      if (unknownKey !== undefined) {
        invalid(path, `unknown ${noun} ${JSON.stringify(unknownKey)}`, o, at(where, unknownKey));
      }
    },
  };
}

function objectParts(type: TypeDesc, fields: readonly FieldDesc[]): CodecParts {
  const list = fields.length === 0 ? 'no fields' : `fields ${fields.map((f) => f.name).join(', ')}`;
  return recordParts(`${typeName(type)} (an object with ${list})`, fields, 'field', undefined);
}

const ENUM_KEYS: ReadonlySet<string> = new Set(['tag', 'value']);

function enumParts(type: TypeDesc, variants: readonly VariantDesc[]): CodecParts {
  const name = typeName(type);
  const n = variants.length;
  if (n > 256) throw new SchemaError(`Enum ${name} has ${n} variants; at most 256 are supported`);
  const names = variants.map((v) => v.name);
  const tags = new Map(names.map((tag, i) => [tag, i]));
  const parts = variants.map((v) => compile(v.type));
  const encoders = parts.map((p) => p.encode);
  const decoders = parts.map((p) => p.decode);
  const checks = parts.map((p) => p.check);
  // A variant without payload (an empty object) may leave `value` out.
  const unit = variants.map((v) => v.type.kind === 'object' && v.type.fields.length === 0);
  const shown = names.slice(0, 12).map((t) => JSON.stringify(t));
  const choices = shown.join(' | ') + (n > shown.length ? ' | …' : '');
  return {
    minSize: 1 + Math.min(...parts.map((p) => p.minSize)),
    encode(w, v) {
      const e = v as { tag: string; value: unknown };
      const i = tags.get(e.tag)!;
      w.u8(i);
      encoders[i]!(w, e.value);
    },
    decode(r) {
      const at = r.offset;
      const i = r.u8();
      if (i >= n) throw new DecodeError(`Malformed data: ${name} variant index ${i} at byte ${at} (it has ${n} variants)`);
      return { tag: names[i], value: decoders[i]!(r) };
    },
    check(v) {
      if (!isPlainObject(v)) return false;
      const i = tags.get(v['tag'] as string);
      if (i === undefined) return false;
      const value = v['value'];
      if (value === undefined && unit[i]) return countKeys(v) === ('value' in v ? 2 : 1);
      return checks[i]!(value) && countKeys(v) === 2;
    },
    explain(v, path, where) {
      explainNotPlainObject(v, `${name} ({ tag, value })`, path, where);
      const o = v as Record<string, unknown>;
      const tag = o['tag'];
      const i = typeof tag === 'string' ? tags.get(tag) : undefined;
      if (i === undefined) {
        const shownTag = typeof tag === 'string' ? JSON.stringify(tag) : got(tag);
        invalid(`${path}.tag`, `expected a variant of ${name} (${choices}), got ${shownTag}`, tag, where);
      }
      const value = o['value'];
      if (!(value === undefined && unit[i]) && !checks[i]!(value)) parts[i]!.explain(value, `${path}.value`, where);
      explainUnknownKey(o, ENUM_KEYS, 'field', path, where);
    },
  };
}
