/**
 * Types a literal against the column it is compared with, at bind time: the
 * value becomes exactly what the column stores (`bigint` for 64-bit and wider
 * integers, `number` below, lowercase hex text for identities, a `Uint8Array`
 * for bytes), checked against the column's range.
 */
import { QueryError } from '../errors';
import { INTEGER_BOUNDS, isBigintKind, isIntegerKind, typeName, type TypeDesc } from '../schema/type-desc';
import type { Literal } from './ast';
import type { BoundColumn, BoundValue } from './bound';

/** Kinds a literal can be compared with. */
const SCALAR_KINDS = new Set(['bool', 'string', 'i8', 'i16', 'i32', 'u8', 'u16', 'u32', 'f32', 'f64', 'i64', 'i128', 'i256', 'u64', 'u128', 'u256', 'timestamp', 'timeDuration', 'bytes', 'identity', 'connectionId', 'uuid']);

const HEX_KINDS: Record<string, { digits: number; what: string }> = {
  identity: { digits: 64, what: 'an identity (64 hex digits)' },
  connectionId: { digits: 32, what: 'a connection id (32 hex digits)' },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `t.col` for messages. */
export function columnLabel(col: BoundColumn): string {
  return `${col.table.alias}.${col.column.name}`;
}

/** True when values of this type can be compared in WHERE (scalars, and options of scalars). */
export function isComparable(type: TypeDesc): boolean {
  return SCALAR_KINDS.has(type.kind);
}

/**
 * The value of `literal` for comparison with `col`. Throws {@link QueryError}
 * at `pos` on a type mismatch, an integer out of the column's range, or a
 * fraction for an integer column. `NULL` is handled by the caller.
 */
export function typeLiteral(literal: Literal, col: BoundColumn, pos: number): BoundValue {
  const kind = col.type.kind;
  const mismatch = (): never => {
    throw new QueryError(`Type mismatch at ${pos}: ${columnLabel(col)} is ${typeName(col.column.type)} but ${describeLiteral(literal)} is ${literalKind(literal)}`, {
      position: pos,
      table: col.table.schema.name,
      column: col.column.name,
    });
  };
  switch (literal.type) {
    case 'int':
      return integer(literal.value, literal.text, col, pos) ?? mismatch();
    case 'float':
      if (kind === 'f64' || kind === 'f32') return { kind: 'value', value: kind === 'f32' ? Math.fround(literal.value) : literal.value, sql: literal.text };
      if (isIntegerKind(kind) || kind === 'timestamp' || kind === 'timeDuration') {
        if (!Number.isSafeInteger(literal.value)) {
          throw new QueryError(`${columnLabel(col)} is ${kind}, an integer type, but ${literal.text} at ${pos} is not a whole number`, { position: pos, table: col.table.schema.name, column: col.column.name });
        }
        return integer(BigInt(literal.value), String(literal.value), col, pos)!;
      }
      return mismatch();
    case 'string': {
      if (kind === 'string') return { kind: 'value', value: literal.value, sql: quote(literal.value) };
      const hex = HEX_KINDS[kind];
      if (hex !== undefined) return hexValue(literal.value.replace(/^0x/i, '').toLowerCase(), hex.digits, hex.what, col, pos);
      if (kind === 'uuid') {
        const value = literal.value.toLowerCase();
        if (!UUID.test(value)) throw new QueryError(`${columnLabel(col)} is a uuid but ${quote(literal.value)} at ${pos} is not one (like '123e4567-e89b-12d3-a456-426614174000')`, { position: pos, column: col.column.name });
        return { kind: 'value', value, sql: quote(value) };
      }
      return mismatch();
    }
    case 'bool':
      return kind === 'bool' ? { kind: 'value', value: literal.value, sql: literal.value ? 'true' : 'false' } : mismatch();
    case 'hex': {
      const hex = HEX_KINDS[kind];
      if (hex !== undefined) return hexValue(literal.digits, hex.digits, hex.what, col, pos);
      if (kind === 'bytes') {
        if (literal.digits.length % 2 !== 0) throw new QueryError(`Bytes literal 0x${literal.digits} at ${pos} has an odd number of hex digits`, { position: pos, column: col.column.name });
        const bytes = new Uint8Array(literal.digits.length / 2);
        for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(literal.digits.slice(2 * i, 2 * i + 2), 16);
        return { kind: 'value', value: bytes, sql: `0x${literal.digits}` };
      }
      if (kind === 'uuid' && literal.digits.length === 32) {
        const d = literal.digits;
        const value = `${d.slice(0, 8)}-${d.slice(8, 12)}-${d.slice(12, 16)}-${d.slice(16, 20)}-${d.slice(20)}`;
        return { kind: 'value', value, sql: quote(value) };
      }
      return integer(BigInt(`0x${literal.digits}`), `0x${literal.digits}`, col, pos) ?? mismatch();
    }
    case 'null':
      return mismatch();
  }
}

/** The SQL spelling of a literal as written, for messages. */
export function describeLiteral(literal: Literal): string {
  switch (literal.type) {
    case 'int':
    case 'float':
      return literal.text;
    case 'string':
      return quote(literal.value);
    case 'bool':
      return literal.value ? 'true' : 'false';
    case 'null':
      return 'NULL';
    case 'hex':
      return `0x${literal.digits}`;
  }
}

function literalKind(literal: Literal): string {
  return { int: 'an integer', float: 'a number', string: 'a string', bool: 'a boolean', null: 'NULL', hex: 'a hex literal' }[literal.type];
}

/** `'text'` with quotes doubled. */
export function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function integer(value: bigint, text: string, col: BoundColumn, pos: number): BoundValue | undefined {
  const kind = col.type.kind;
  if (kind === 'f64' || kind === 'f32') return { kind: 'value', value: kind === 'f32' ? Math.fround(Number(value)) : Number(value), sql: text };
  const bounds = kind === 'timestamp' || kind === 'timeDuration' ? INTEGER_BOUNDS.i64 : isIntegerKind(kind) ? INTEGER_BOUNDS[kind as keyof typeof INTEGER_BOUNDS] : undefined;
  if (bounds === undefined) return undefined;
  if (value < bounds[0] || value > bounds[1]) {
    throw new QueryError(`Integer ${text} at ${pos} is out of range for ${columnLabel(col)} (${kind}: ${bounds[0]}..${bounds[1]})`, {
      position: pos,
      table: col.table.schema.name,
      column: col.column.name,
      value: text,
    });
  }
  return { kind: 'value', value: isBigintKind(kind) ? value : Number(value), sql: String(value) };
}

function hexValue(digits: string, expected: number, what: string, col: BoundColumn, pos: number): BoundValue {
  if (digits.length !== expected || !/^[0-9a-f]*$/.test(digits)) {
    throw new QueryError(`${columnLabel(col)} is ${what} but the literal at ${pos} has ${digits.length} ${/^[0-9a-f]*$/.test(digits) ? 'hex digits' : 'characters, not all hex digits'}`, {
      position: pos,
      table: col.table.schema.name,
      column: col.column.name,
    });
  }
  return { kind: 'value', value: digits, sql: `0x${digits}` };
}
