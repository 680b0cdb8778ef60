/**
 * Runtime descriptions of column and argument types. The `t.*` builders produce
 * these; the codec, the store and the query layer consume them. Plain data, so a
 * schema can be hashed, stored and compared across versions.
 */

/** Kinds whose JS value is a `number`. */
export const NUMBER_KINDS = ['i8', 'i16', 'i32', 'u8', 'u16', 'u32', 'f32', 'f64'] as const;
/** Kinds whose JS value is a `bigint`. `timestamp` and `timeDuration` are microseconds. */
export const BIGINT_KINDS = ['i64', 'i128', 'i256', 'u64', 'u128', 'u256', 'timestamp', 'timeDuration'] as const;
/** Integer kinds, in both representations; only these may be `autoInc`. */
export const INTEGER_KINDS = ['i8', 'i16', 'i32', 'u8', 'u16', 'u32', 'i64', 'i128', 'i256', 'u64', 'u128', 'u256'] as const;
/** Floating-point kinds; these cannot be indexed (NaN and -0 make equality unreliable). */
export const FLOAT_KINDS = ['f32', 'f64'] as const;

/** Every kind that has no type parameters. */
export const PRIMITIVE_KINDS = [
  'bool',
  'string',
  ...NUMBER_KINDS,
  ...BIGINT_KINDS,
  'bytes',
  'identity',
  'connectionId',
  'scheduleAt',
  'uuid',
] as const;

/** A kind with no type parameters. */
export type PrimitiveKind = (typeof PRIMITIVE_KINDS)[number];
/** A kind represented by a JS `number`. */
export type NumberKind = (typeof NUMBER_KINDS)[number];
/** A kind represented by a JS `bigint`. */
export type BigintKind = (typeof BIGINT_KINDS)[number];

/** A field of an object type, or a column of a row. */
export interface FieldDesc {
  readonly name: string;
  readonly type: TypeDesc;
}

/** A variant of an enum type; `type` is the payload (an empty object for none). */
export interface VariantDesc {
  readonly name: string;
  readonly type: TypeDesc;
}

/**
 * The type of a value.
 * - `bool` → boolean; `string` → string; number kinds → number; bigint kinds → bigint
 * - `bytes` → Uint8Array
 * - `identity` → {@link Identity} (64 lowercase hex digits), `connectionId` → {@link ConnectionId}
 *   (32 hex digits), `uuid` → canonical lowercase UUID string
 * - `scheduleAt` → `{ tag: 'Interval' | 'Time', value: bigint }` (microseconds)
 * - `option` → the inner value or `undefined`; `array` → an array
 * - `object` → a plain object with exactly the declared fields
 * - `enum` → `{ tag: variantName, value: payload }`
 */
export type TypeDesc =
  | { readonly kind: PrimitiveKind }
  | { readonly kind: 'option'; readonly inner: TypeDesc }
  | { readonly kind: 'array'; readonly element: TypeDesc }
  | { readonly kind: 'object'; readonly name: string; readonly fields: readonly FieldDesc[] }
  | { readonly kind: 'enum'; readonly name: string; readonly variants: readonly VariantDesc[] };

/** Any kind, primitive or composite. */
export type TypeKind = TypeDesc['kind'];

/** Inclusive bounds of the integer kinds, as bigints. */
export const INTEGER_BOUNDS: Readonly<Record<(typeof INTEGER_KINDS)[number], readonly [bigint, bigint]>> = {
  i8: [-(2n ** 7n), 2n ** 7n - 1n],
  i16: [-(2n ** 15n), 2n ** 15n - 1n],
  i32: [-(2n ** 31n), 2n ** 31n - 1n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
  i128: [-(2n ** 127n), 2n ** 127n - 1n],
  i256: [-(2n ** 255n), 2n ** 255n - 1n],
  u8: [0n, 2n ** 8n - 1n],
  u16: [0n, 2n ** 16n - 1n],
  u32: [0n, 2n ** 32n - 1n],
  u64: [0n, 2n ** 64n - 1n],
  u128: [0n, 2n ** 128n - 1n],
  u256: [0n, 2n ** 256n - 1n],
};

/** True when values of this kind are JS numbers. */
export function isNumberKind(kind: TypeKind): kind is NumberKind {
  return (NUMBER_KINDS as readonly string[]).includes(kind);
}

/** True when values of this kind are JS bigints. */
export function isBigintKind(kind: TypeKind): kind is BigintKind {
  return (BIGINT_KINDS as readonly string[]).includes(kind);
}

/** True for the integer kinds (number- or bigint-valued). */
export function isIntegerKind(kind: TypeKind): boolean {
  return (INTEGER_KINDS as readonly string[]).includes(kind);
}

/** True when a value of this type contains a float anywhere (and so cannot be indexed). */
export function containsFloat(type: TypeDesc): boolean {
  switch (type.kind) {
    case 'f32':
    case 'f64':
      return true;
    case 'option':
      return containsFloat(type.inner);
    case 'array':
      return containsFloat(type.element);
    case 'object':
      return type.fields.some((f) => containsFloat(f.type));
    case 'enum':
      return type.variants.some((v) => containsFloat(v.type));
    default:
      return false;
  }
}

/** A short human-readable spelling of a type, for error messages: `option<u32>`, `array<string>`. */
export function typeName(type: TypeDesc): string {
  switch (type.kind) {
    case 'option':
      return `option<${typeName(type.inner)}>`;
    case 'array':
      return `array<${typeName(type.element)}>`;
    case 'object':
    case 'enum':
      return type.name;
    default:
      return type.kind;
  }
}

/** A 256-bit identity: 64 lowercase hex digits, derived from a public key. */
export type Identity = string & { readonly __brand: 'Identity' };
/** A 128-bit connection id: 32 lowercase hex digits. */
export type ConnectionId = string & { readonly __brand: 'ConnectionId' };
/** When a scheduled reducer runs: once at a time, or repeatedly at an interval (microseconds). */
export type ScheduleAt = { readonly tag: 'Interval'; readonly value: bigint } | { readonly tag: 'Time'; readonly value: bigint };
