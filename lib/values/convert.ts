/**
 * Rows and arguments cross between two forms. Modules and apps see value classes
 * (`Identity`, `ConnectionId`, `Timestamp`, `TimeDuration`, `Uuid`, a `ScheduleAt`
 * holding one of them); the store, codec, log and wire keep plain values (hex text,
 * bigint microseconds, UUID text), which are cheap to compare, hash and clone.
 * Converters are compiled once per type; `undefined` means the value passes unchanged.
 */
import { Range, type Bound } from '../schema/range';
import { RESULT_TYPE_NAME } from '../schema/type-builders';
import { isBigintKind, type TypeDesc } from '../schema/type-desc';
import { ConnectionId } from './connection-id';
import { Identity } from './identity';
import { TimeDuration, Timestamp } from './time';
import { Uuid } from './uuid';

/** A conversion of one value. */
export type Convert = (value: unknown) => unknown;

const same = (v: unknown): unknown => v;
const safeInt = (v: unknown): unknown => (typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v);

/**
 * The conversion of values an app or module writes (class instances, `{ tag }` for a unit enum
 * variant, and with `ints` safe JS integers for 64- and 128-bit kinds: reducer arguments) to the
 * stored form; anything else passes unchanged for the codec to check and refuse with a clear error.
 */
export function storedConverter(type: TypeDesc, ints = false): Convert | undefined {
  const int = ints ? safeInt : same;
  switch (type.kind) {
    case 'identity':
      return (v) => (v instanceof Identity ? v.toHexString() : v);
    case 'connectionId':
      return (v) => (v instanceof ConnectionId ? v.toHexString() : v);
    case 'uuid':
      return (v) => (v instanceof Uuid ? v.toString() : v);
    case 'timestamp':
      return (v) => (v instanceof Timestamp ? v.microsSinceUnixEpoch : int(v));
    case 'timeDuration':
      return (v) => (v instanceof TimeDuration ? v.micros : int(v));
    case 'scheduleAt':
      return (v) => {
        if (v === null || typeof v !== 'object') return v;
        const { tag, value } = v as { tag: unknown; value: unknown };
        const micros = value instanceof Timestamp ? value.microsSinceUnixEpoch : value instanceof TimeDuration ? value.micros : int(value);
        return micros === value ? v : { tag, value: micros };
      };
    case 'option': {
      const inner = storedConverter(type.inner, ints);
      return inner && ((v) => (v === undefined ? v : inner(v)));
    }
    case 'array': {
      const element = storedConverter(type.element, ints);
      return element && ((v) => (Array.isArray(v) ? mapSame(v, element) : v));
    }
    case 'object':
      return objectConverter(type.fields.map((f) => [f.name, storedConverter(f.type, ints)] as const), false);
    case 'enum': {
      const variants = new Map(type.variants.map((v) => [v.name, { convert: storedConverter(v.type, ints), unit: isUnit(v.type) }]));
      if (isResult(type)) {
        const ok = variants.get('ok')!.convert ?? same;
        const err = variants.get('err')!.convert ?? same;
        return (v) => (v === null || typeof v !== 'object' ? v : 'ok' in v ? { tag: 'ok', value: ok(v.ok) } : 'err' in v ? { tag: 'err', value: err(v.err) } : v);
      }
      return (v) => {
        if (v === null || typeof v !== 'object') return v;
        const { tag, value } = v as { tag: unknown; value?: unknown };
        const variant = typeof tag === 'string' ? variants.get(tag) : undefined;
        if (variant === undefined) return v;
        if (variant.unit && !('value' in v)) return { tag, value: {} };
        const next = variant.convert === undefined ? value : variant.convert(value);
        return next === value ? v : { tag, value: next };
      };
    }
    default:
      return ints && isBigintKind(type.kind) ? safeInt : undefined;
  }
}

/**
 * The conversion of stored values to what modules and apps see: value classes. A value not in the
 * stored form (a partial row a tool built) passes unchanged rather than failing a read.
 */
export function apiConverter(type: TypeDesc): Convert | undefined {
  switch (type.kind) {
    case 'identity':
      return (v) => (typeof v === 'string' ? new Identity(v) : v);
    case 'connectionId':
      return (v) => (typeof v === 'string' ? new ConnectionId(v) : v);
    case 'uuid':
      return (v) => (typeof v === 'string' ? Uuid.parse(v) : v);
    case 'timestamp':
      return (v) => (typeof v === 'bigint' ? new Timestamp(v) : v);
    case 'timeDuration':
      return (v) => (typeof v === 'bigint' ? new TimeDuration(v) : v);
    case 'scheduleAt':
      return (v) => {
        const { tag, value } = v as { tag: 'Interval' | 'Time'; value: unknown };
        if (typeof value !== 'bigint') return v;
        return { tag, value: tag === 'Time' ? new Timestamp(value) : new TimeDuration(value) };
      };
    case 'option': {
      const inner = apiConverter(type.inner);
      return inner && ((v) => (v === undefined ? v : inner(v)));
    }
    case 'array': {
      const element = apiConverter(type.element);
      return element && ((v) => (v as unknown[]).map(element));
    }
    case 'object':
      return objectConverter(type.fields.map((f) => [f.name, apiConverter(f.type)] as const), true);
    case 'enum': {
      const variants = new Map(type.variants.map((v) => [v.name, isUnit(v.type) ? UNIT : apiConverter(v.type)]));
      if (isResult(type)) {
        const ok = variants.get('ok') ?? same;
        const err = variants.get('err') ?? same;
        return (v) => {
          const { tag, value } = v as { tag: string; value: unknown };
          return tag === 'ok' ? { ok: ok === UNIT ? value : ok(value) } : { err: err === UNIT ? value : err(value) };
        };
      }
      if ([...variants.values()].every((c) => c === undefined)) return undefined;
      return (v) => {
        const { tag, value } = v as { tag: string; value: unknown };
        const convert = variants.get(tag);
        // A variant without payload reads as `{ tag }`, as in SpacetimeDB.
        return convert === undefined ? v : convert === UNIT ? { tag } : { tag, value: convert(value) };
      };
    }
    default:
      return undefined;
  }
}

/**
 * The conversion of an index key: one column's value, a {@link Range} of it, or a tuple of values
 * (a prefix of a multi-column index, whose last part may be a range).
 */
export function keyConverter(columns: readonly TypeDesc[]): Convert | undefined {
  const converts = columns.map((c) => storedConverter(c));
  if (converts.every((c) => c === undefined)) return undefined;
  const one = (convert: Convert | undefined, v: unknown): unknown => {
    if (convert === undefined) return v;
    if (!(v instanceof Range)) return convert(v);
    const bound = (b: Bound<unknown>): Bound<unknown> => (b.tag === 'unbounded' ? b : { tag: b.tag, value: convert(b.value) });
    return new Range(bound(v.from), bound(v.to));
  };
  if (columns.length === 1) return (v) => one(converts[0], v);
  return (v) => (Array.isArray(v) ? v.map((part, i) => one(converts[i], part)) : one(converts[0], v));
}

/** Marks a variant without payload among an enum's converters. */
const UNIT: Convert = (v) => v;

const isUnit = (type: TypeDesc): boolean => type.kind === 'object' && type.fields.length === 0;

/** `t.result(ok, err)`: an enum of `ok` and `err` under the reserved name, whose values are `{ ok }` / `{ err }`. */
const isResult = (type: TypeDesc & { kind: 'enum' }): boolean =>
  type.name === RESULT_TYPE_NAME && type.variants.length === 2 && type.variants[0]?.name === 'ok' && type.variants[1]?.name === 'err';

function objectConverter(fields: readonly (readonly [string, Convert | undefined])[], alwaysCopy: boolean): Convert | undefined {
  const active = fields.filter((f): f is readonly [string, Convert] => f[1] !== undefined);
  if (active.length === 0) return undefined;
  return (v) => {
    if (v === null || typeof v !== 'object') return v;
    const source = v as Record<string, unknown>;
    let out: Record<string, unknown> | undefined = alwaysCopy ? { ...source } : undefined;
    for (const [name, convert] of active) {
      const before = source[name];
      const after = convert(before);
      if (after === before) continue;
      (out ??= { ...source })[name] = after;
    }
    return out ?? v;
  };
}

function mapSame(values: readonly unknown[], convert: Convert): readonly unknown[] {
  let out: unknown[] | undefined;
  values.forEach((v, i) => {
    const next = convert(v);
    if (next !== v) (out ??= [...values])[i] = next;
  });
  return out ?? values;
}
