/**
 * The codec of a table row: its columns in declared order, built from the
 * per-column codecs, with error messages that speak of columns.
 */

import type { FieldDesc } from '../schema/type-desc';
import type { Reader, Writer } from './buffer';
import { recordParts } from './codec';
import { NOWHERE, explainOrThrow } from './compiled';

/**
 * Encodes, decodes and validates the rows of one table.
 * @example
 * const rows = compileRow('player', [
 *   { name: 'id', type: { kind: 'u64' } },
 *   { name: 'health', type: { kind: 'u32' } },
 * ]);
 * rows.validate({ id: 1n, helth: 3 }); // ValueError: player: missing column "health" (found unknown column "helth")
 */
export interface RowCodec<Row = Record<string, unknown>> {
  /** The table's name, which starts every error path. */
  readonly table: string;
  /** The columns, in the order they are encoded. */
  readonly columns: readonly FieldDesc[];
  /** Appends the row's columns in declared order. Trusts the row: validate untrusted input first. */
  encode(w: Writer, row: Row): void;
  /** Reads a row as a plain object with its columns in declared order; throws DecodeError on bad bytes. */
  decode(r: Reader): Row;
  /**
   * Throws a ValueError when the row is not a plain object with exactly these
   * columns, each valid: `player: missing column "health"`,
   * `player: unknown column "helth"`, `player.health: expected u32 (0 to 4294967295), got -1`.
   * The error's `table` and `column` details are set.
   */
  validate(row: unknown): void;
  /** True when {@link RowCodec.validate} would accept the row; allocates nothing. */
  check(row: unknown): row is Row;
}

/** Compiles the row codec of a table; compile once per table and keep it. */
export function compileRow<Row = Record<string, unknown>>(
  tableName: string,
  columns: readonly FieldDesc[],
): RowCodec<Row> {
  const list = columns.length === 0 ? 'no columns' : `columns ${columns.map((c) => c.name).join(', ')}`;
  const parts = recordParts(`a row of ${tableName} (an object with ${list})`, columns, 'column', tableName);
  const check = parts.check;
  const where = { ...NOWHERE, table: tableName };
  return {
    table: tableName,
    columns,
    encode: parts.encode,
    decode: parts.decode as (r: Reader) => Row,
    check: check as (row: unknown) => row is Row,
    validate(row) {
      if (!check(row)) explainOrThrow(parts, { kind: 'object', name: tableName, fields: columns }, row, tableName, where);
    },
  };
}
