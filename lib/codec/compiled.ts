/**
 * The internal shape every compiled codec shares, and the helpers its
 * validators use to build error messages. Validation is split in two so that
 * the common case allocates nothing: `check` is a fast yes/no that never builds
 * a path string, and `explain` runs only after `check` said no, walking the
 * value again with paths to throw the precise {@link ValueError}.
 */

import { ValueError, describeValue } from '../errors';
import type { TypeDesc } from '../schema/type-desc';
import { typeName } from '../schema/type-desc';
import type { Reader, Writer } from './buffer';

/** Where a value sits, beyond its path text; copied into the error's details. */
export interface Where {
  readonly table?: string;
  readonly column?: string;
}

/** No extra location: the path text says it all. */
export const NOWHERE: Where = {};

/** The closures a type compiles to. */
export interface CodecParts {
  encode(w: Writer, value: unknown): void;
  decode(r: Reader): unknown;
  /** True when the value is valid; allocates nothing. */
  check(value: unknown): boolean;
  /** Throws the {@link ValueError} describing why `value` is invalid; returns when it is valid. */
  explain(value: unknown, path: string, where: Where): void;
  /** The fewest bytes any value of the type encodes to; bounds array counts when decoding. */
  readonly minSize: number;
}

/** Throws a {@link ValueError} `path: problem`, carrying the value. */
export function invalid(path: string, problem: string, value: unknown, where: Where): never {
  throw new ValueError(`${path}: ${problem}`, { ...where, value: describeValue(value) });
}

/**
 * The value as an error message shows it after "got": its JS type and then its
 * text (`number 5`, `string "5"`, `array [1,2]`), or just `undefined` / `null`.
 */
export function got(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (value instanceof Uint8Array) return describeValue(value);
  const kind = Array.isArray(value) ? 'array' : typeof value;
  return `${kind} ${describeValue(value)}`;
}

/** True for `{}`-style objects: not null, not an array, not a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Throws a {@link ValueError} when `value` is not a plain object. */
export function explainNotPlainObject(value: unknown, expected: string, path: string, where: Where): void {
  if (isPlainObject(value)) return;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)) {
    const ctor: unknown = (value as { constructor?: unknown }).constructor;
    const ctorName = typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'a class';
    invalid(path, `expected ${expected} as a plain object, got an instance of ${ctorName}`, value, where);
  }
  invalid(path, `expected ${expected}, got ${got(value)}`, value, where);
}

/** Throws a {@link ValueError} naming the first key of `value` that is not in `known`. */
export function explainUnknownKey(
  value: Record<string, unknown>,
  known: ReadonlySet<string>,
  noun: string,
  path: string,
  where: Where,
): void {
  for (const key in value) {
    if (!known.has(key)) invalid(path, `unknown ${noun} ${JSON.stringify(key)}`, value, where);
  }
}

/** Counts the enumerable string keys of an object without allocating. */
export function countKeys(value: object): number {
  let n = 0;
  for (const _ in value) n++;
  return n;
}

/** Runs `explain` and, should it wrongly accept what `check` refused, throws a generic error. */
export function explainOrThrow(parts: CodecParts, type: TypeDesc, value: unknown, path: string, where: Where): never {
  parts.explain(value, path, where);
  return invalid(path, `expected ${typeName(type)}, got ${got(value)}`, value, where);
}
