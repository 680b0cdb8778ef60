import type { IndexSchema, TableSchema } from '../schema/table';
import type { Row } from '../store/index-store';
import { apiConverter, keyConverter, storedConverter, type Convert } from './convert';

/** The conversions of one table's rows and index keys between the stored and the API form. */
export interface RowForms {
  /** Row as written by an app or module → stored row; `undefined` when rows pass unchanged. */
  readonly toStored: ((row: unknown) => unknown) | undefined;
  /** Stored row → row with value classes; `undefined` when rows pass unchanged. */
  readonly toApi: ((row: Row) => Row) | undefined;
  /** Index key (value, range or tuple) → stored key, per index; `undefined` when keys pass unchanged. */
  key(index: IndexSchema): Convert | undefined;
}

/**
 * Compiles the conversions of a table's rows.
 * @param freeze - freeze the rows `toApi` makes (the client cache hands out frozen rows)
 */
export function rowForms(schema: TableSchema, freeze = false): RowForms {
  const toApi = apiConverter(schema.rowType) as ((row: Row) => Row) | undefined;
  return {
    toStored: storedConverter(schema.rowType),
    toApi: toApi === undefined || !freeze ? toApi : (row) => Object.freeze(toApi(row)),
    key: (index) => keyConverter(index.columns.map((p) => schema.columns[p]!.type)),
  };
}

/** Maps an iterator through `convert`, lazily. */
export function* mapRows(rows: Iterable<Row>, convert: (row: Row) => Row): IterableIterator<Row> {
  for (const row of rows) yield convert(row);
}
