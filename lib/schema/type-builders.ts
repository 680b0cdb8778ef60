import type { FieldDesc, TypeDesc } from './type-desc';
import type { ConnectionId } from '../values/connection-id';
import type { Identity } from '../values/identity';
import { TimeDuration, Timestamp } from '../values/time';
import type { Uuid } from '../values/uuid';

/** Type-level facts about a column, set by the modifiers. */
export interface ColumnFlags {
  readonly primaryKey?: true;
  readonly unique?: true;
  readonly indexed?: true;
  /** The column may be left out of `insert` (it is optional, has a default, or is autoInc). */
  readonly omittable?: true;
}

/** Index algorithms a column or table index may name. `hash` is served by a B-tree. */
export type IndexAlgorithm = 'btree' | 'hash';

/** Runtime facts about a column, set by the modifiers. */
export interface ColumnMeta {
  readonly primaryKey: boolean;
  readonly unique: boolean;
  readonly autoInc: boolean;
  readonly index: IndexAlgorithm | undefined;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
}

const PLAIN: ColumnMeta = {
  primaryKey: false,
  unique: false,
  autoInc: false,
  index: undefined,
  hasDefault: false,
  defaultValue: undefined,
};

/**
 * A type, usable as a column (with modifiers) or as a reducer argument. Builders
 * are immutable: every modifier returns a new builder.
 * @typeParam T - the JS type of values
 * @typeParam F - the column flags set so far
 */
export class TypeBuilder<T, F extends ColumnFlags = {}> {
  /** Phantom: the JS value type. */
  declare readonly __value: T;
  /** Phantom: the column flags. */
  declare readonly __flags: F;

  constructor(
    /** The runtime description of the type. */
    readonly desc: TypeDesc,
    /** Column modifiers set so far. */
    readonly meta: ColumnMeta = PLAIN,
  ) {}

  /** The table's primary key: unique, indexed, and the key of `update`. At most one per table. */
  primaryKey(): TypeBuilder<T, F & { primaryKey: true; unique: true; indexed: true }> {
    return new TypeBuilder(this.desc, { ...this.meta, primaryKey: true, unique: true });
  }

  /** No two rows may share this value; gives the column `find`, `delete` by value. */
  unique(): TypeBuilder<T, F & { unique: true; indexed: true }> {
    return new TypeBuilder(this.desc, { ...this.meta, unique: true });
  }

  /** Inserting `0` / `0n` takes the next value of the column's sequence. Integer columns only. */
  autoInc(): TypeBuilder<T, F & { omittable: true }> {
    return new TypeBuilder(this.desc, { ...this.meta, autoInc: true });
  }

  /** A B-tree index on this column: `filter` by value or range. `'hash'` is accepted and served by a B-tree. */
  index(algorithm: IndexAlgorithm = 'btree'): TypeBuilder<T, F & { indexed: true }> {
    return new TypeBuilder(this.desc, { ...this.meta, index: algorithm });
  }

  /** The value used when an insert leaves the column out, and for existing rows when the column is added later. */
  default(value: T): TypeBuilder<T, F & { omittable: true }> {
    return new TypeBuilder(this.desc, { ...this.meta, hasDefault: true, defaultValue: value });
  }

  /** The value may be `undefined` (an `option` type); an insert may leave it out. */
  optional(): TypeBuilder<T | undefined, F & { omittable: true }> {
    return new TypeBuilder({ kind: 'option', inner: this.desc }, this.meta);
  }
}

/** Any builder. */
export type AnyTypeBuilder = TypeBuilder<any, ColumnFlags>;
/** The JS type of a builder's values. */
export type Infer<B> = B extends TypeBuilder<infer T, any> ? T : never;

/** Builders keyed by field name (object fields, reducer parameters, table columns). */
export type BuilderMap = Record<string, AnyTypeBuilder>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The object type described by a map of builders: `{ name: string; age: number }`. */
export type InferObject<M extends BuilderMap> = Simplify<{ -readonly [K in keyof M]: Infer<M[K]> }>;

/** The payload of a variant that carries nothing: `t.unit()`. */
export type Unit = Record<string, never>;

type IsUnit<B> = [Infer<B>] extends [Unit] ? ([Unit] extends [Infer<B>] ? true : false) : false;

/**
 * The value of an `enum` type: one variant, `{ tag, value }`, or `{ tag }` for a variant without
 * payload (`t.unit()`), as in SpacetimeDB. Writing `{ tag, value: {} }` for one is accepted too.
 */
export type InferEnum<M extends BuilderMap> = {
  [K in keyof M & string]: IsUnit<M[K]> extends true ? { readonly tag: K } : { readonly tag: K; readonly value: Infer<M[K]> };
}[keyof M & string];

/** A `Result` value: `{ ok }` or `{ err }`. */
export type InferResult<Ok, Err> = { readonly ok: Ok } | { readonly err: Err };

/** The type name that marks an enum of `ok` / `err` as a `t.result(...)`: its values are `{ ok }` or `{ err }`. */
export const RESULT_TYPE_NAME = 'Result';

function enumOf(name: string, variants: BuilderMap | readonly string[]): TypeBuilder<any> {
  if (Array.isArray(variants)) {
    const units: BuilderMap = {};
    for (const variant of variants) {
      if (typeof variant !== 'string') throw new TypeError(`t.enum('${name}', [...]): variants must be strings, got ${typeof variant}`);
      units[variant] = t.unit();
    }
    return enumOf(name, units);
  }
  for (const [variant, builder] of Object.entries(variants)) {
    if (!(builder instanceof TypeBuilder)) throw new TypeError(`t.enum('${name}', ...): variant "${variant}" is not a type builder (use t.*, or t.unit() for none)`);
  }
  return new TypeBuilder({ kind: 'enum', name, variants: fieldsOf(variants as BuilderMap) });
}

/** `t.enum`: named sums by object of variants, or by array of variant names (all without payload). */
interface EnumBuilder {
  <M extends BuilderMap>(name: string, variants: M): TypeBuilder<InferEnum<M>>;
  <const V extends readonly string[]>(name: string, variants: V): TypeBuilder<{ readonly tag: V[number] }>;
}

/** Field descriptors of a builder map, in declaration order. */
export function fieldsOf(map: BuilderMap): FieldDesc[] {
  return Object.entries(map).map(([name, builder]) => ({ name, type: builder.desc }));
}

const prim = <T>(kind: TypeDesc['kind']) => (): TypeBuilder<T> => new TypeBuilder<T>({ kind } as TypeDesc);

/**
 * Type builders for columns and reducer arguments. 64-bit and wider integers,
 * timestamps and durations are `bigint`; everything narrower is `number`.
 * @example
 * const player = table({ name: 'player' }, {
 *   id: t.u64().primaryKey().autoInc(),
 *   name: t.string(),
 *   health: t.u32().default(100),
 * });
 */
export const t = {
  bool: prim<boolean>('bool'),
  string: prim<string>('string'),
  i8: prim<number>('i8'),
  i16: prim<number>('i16'),
  i32: prim<number>('i32'),
  i64: prim<bigint>('i64'),
  i128: prim<bigint>('i128'),
  u8: prim<number>('u8'),
  u16: prim<number>('u16'),
  u32: prim<number>('u32'),
  u64: prim<bigint>('u64'),
  u128: prim<bigint>('u128'),
  i256: prim<bigint>('i256'),
  u256: prim<bigint>('u256'),
  f32: prim<number>('f32'),
  f64: prim<number>('f64'),
  /** Raw bytes as a `Uint8Array`. */
  bytes: prim<Uint8Array>('bytes'),
  /** A caller's identity, as an {@link Identity}. */
  identity: prim<Identity>('identity'),
  /** A connection id, as a {@link ConnectionId}. */
  connectionId: prim<ConnectionId>('connectionId'),
  /** A point in time (microseconds since the Unix epoch), as a {@link Timestamp}. */
  timestamp: prim<Timestamp>('timestamp'),
  /** A span of time in microseconds, as a {@link TimeDuration}. */
  timeDuration: prim<TimeDuration>('timeDuration'),
  /** When a scheduled reducer runs; see {@link ScheduleAt}. */
  scheduleAt: prim<ScheduleAt>('scheduleAt'),
  /** A UUID, as a {@link Uuid}. */
  uuid: prim<Uuid>('uuid'),
  /** The inner value or `undefined`. */
  option: <B extends AnyTypeBuilder>(inner: B): TypeBuilder<Infer<B> | undefined> =>
    new TypeBuilder({ kind: 'option', inner: inner.desc }),
  /** An array of the element type. */
  array: <B extends AnyTypeBuilder>(element: B): TypeBuilder<Infer<B>[]> =>
    new TypeBuilder({ kind: 'array', element: element.desc }),
  /** A named product type with exactly these fields. */
  object: <M extends BuilderMap>(name: string, fields: M): TypeBuilder<InferObject<M>> =>
    new TypeBuilder({ kind: 'object', name, fields: fieldsOf(fields) }),
  /**
   * A named sum type; values are `{ tag, value }`, or `{ tag }` for a variant without payload
   * (`t.unit()`). `t.enum('Phase', ['Active', 'Results'])` declares variants without payload by name.
   */
  enum: ((name: string, variants: BuilderMap | readonly string[]) => enumOf(name, variants)) as EnumBuilder,
  /** A row (product) type, optionally named: `t.row({ x: t.i32() })` or `t.row('Point', { ... })`. */
  row: (<M extends BuilderMap>(nameOrFields: string | M, fields?: M): TypeBuilder<InferObject<M>> =>
    typeof nameOrFields === 'string'
      ? new TypeBuilder({ kind: 'object', name: nameOrFields, fields: fieldsOf(fields ?? {}) })
      : new TypeBuilder({ kind: 'object', name: 'row', fields: fieldsOf(nameOrFields) })) as {
    <M extends BuilderMap>(fields: M): TypeBuilder<InferObject<M>>;
    <M extends BuilderMap>(name: string, fields: M): TypeBuilder<InferObject<M>>;
  },
  /** Raw bytes as a `Uint8Array`: the same as {@link t.bytes}, by SpacetimeDB's name. */
  byteArray: prim<Uint8Array>('bytes'),
  /** A success or a failure: values are `{ ok: value }` or `{ err: error }`. */
  result: <Ok extends AnyTypeBuilder, Err extends AnyTypeBuilder>(ok: Ok, err: Err): TypeBuilder<InferResult<Infer<Ok>, Infer<Err>>> =>
    new TypeBuilder({ kind: 'enum', name: RESULT_TYPE_NAME, variants: [{ name: 'ok', type: ok.desc }, { name: 'err', type: err.desc }] }),
  /** The empty object: the payload of an enum variant that carries nothing. */
  unit: (): TypeBuilder<Record<string, never>> => new TypeBuilder({ kind: 'object', name: 'unit', fields: [] }),
} as const;

/** When a scheduled reducer runs: every `Interval`, or once at a `Time`. */
export type ScheduleAt = { readonly tag: 'Interval'; readonly value: TimeDuration } | { readonly tag: 'Time'; readonly value: Timestamp };

/** Values for {@link t.scheduleAt} columns. */
export const ScheduleAt = {
  /** Run repeatedly, every `micros` microseconds. */
  interval: (micros: bigint): ScheduleAt => ({ tag: 'Interval', value: new TimeDuration(micros) }),
  /** Run once, at `micros` microseconds since the Unix epoch. */
  time: (micros: bigint): ScheduleAt => ({ tag: 'Time', value: new Timestamp(micros) }),
} as const;
