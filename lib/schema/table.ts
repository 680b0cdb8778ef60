import { codecFor } from '../codec/codec';
import type { ReducerDef } from './schema';
import { SchemaError } from '../errors';
import { containsFloat, isIntegerKind, typeName, type FieldDesc, type TypeDesc } from './type-desc';
import { TypeBuilder, type AnyTypeBuilder, type BuilderMap, type ColumnFlags, type IndexAlgorithm, type Infer, type InferObject } from './type-builders';

/** A multi-column (or explicitly named) index declared in the table options. */
export interface IndexOption<C extends string = string> {
  /** The name of the index handle: `ctx.db.<table>.<accessor>`. */
  readonly accessor: string;
  /** Accepted for compatibility; a B-tree serves every index. */
  readonly algorithm?: IndexAlgorithm;
  /** Indexed columns, most significant first. */
  readonly columns: readonly C[];
  /** Optional SQL-side name; defaults to the accessor. */
  readonly name?: string;
}

/** A constraint declared in the table options: SpacetimeDB's single-column `unique`. */
export interface ConstraintOption<C extends string = string> {
  /** Optional name of the constraint. */
  readonly name?: string;
  readonly constraint: 'unique';
  /** The one column that must be unique. */
  readonly columns: readonly [C];
}

/** Options of {@link table}. */
export interface TableOptions<C extends string = string> {
  /** The table's name in SQL; defaults to its key in `schema({...})`, which is always its accessor in `ctx.db` and `conn.db`. */
  readonly name?: string;
  /** Public tables can be subscribed to by clients; private ones only read by reducers. Default false. */
  readonly public?: boolean;
  /** Multi-column indexes. */
  readonly indexes?: readonly IndexOption<C>[];
  /** Unique constraints: the same as `.unique()` on the column. */
  readonly constraints?: readonly ConstraintOption<C>[];
  /**
   * The reducer this schedule table runs (SpacetimeDB's older form of `reducer({ onSchedule })`):
   * `scheduled: () => sendReminder`, where the reducer takes `{ arg: thisTable.rowType }`.
   */
  readonly scheduled?: () => ReducerDef<any, any>;
  /** Event tables (rows delivered to subscribers, none kept) are not supported yet: `true` is refused. */
  readonly event?: boolean;
}

/** One column of a resolved table. */
export interface ColumnSchema extends FieldDesc {
  /** Position in the row. */
  readonly position: number;
  readonly primaryKey: boolean;
  readonly unique: boolean;
  readonly autoInc: boolean;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
}

/** One index of a resolved table. Unique indexes back primary keys and unique columns. */
export interface IndexSchema {
  readonly accessor: string;
  /** Column positions, most significant first. */
  readonly columns: readonly number[];
  readonly unique: boolean;
  readonly primary: boolean;
}

/** A table as the engine sees it: plain data. */
export interface TableSchema {
  /** The SQL name: the `name` option, else the key in `schema({...})`. */
  readonly name: string;
  /** The key in `schema({...})`: the table's property in `ctx.db` and `conn.db`. */
  readonly accessor: string;
  readonly public: boolean;
  readonly columns: readonly ColumnSchema[];
  /** Position of the primary-key column, if any. */
  readonly primaryKey: number | undefined;
  readonly indexes: readonly IndexSchema[];
  /** The row as an object type. */
  readonly rowType: TypeDesc & { readonly kind: 'object' };
  /** Set when a reducer is bound to this table with `onSchedule`. */
  readonly scheduled: { readonly reducer: string; readonly atColumn: number } | undefined;
}

/** Method names of a table handle; index accessors must not shadow them. */
export const RESERVED_ACCESSORS = ['insert', 'delete', 'iter', 'count', 'onInsert', 'onUpdate', 'onDelete', 'removeOnInsert', 'removeOnUpdate', 'removeOnDelete'] as const;

/**
 * A table definition made by {@link table}. Pass it to `schema({...})`.
 * @typeParam N - the table name (a literal when given in the options)
 * @typeParam C - the column builders
 * @typeParam I - the multi-column index options
 */
export class TableDef<N extends string | undefined, C extends BuilderMap, I extends readonly IndexOption[]> {
  /** Phantom: the row type. */
  declare readonly __row: InferObject<C>;

  constructor(
    readonly options: TableOptions & { readonly name?: N; readonly indexes?: I },
    readonly columns: C,
  ) {}

  /** The row as a type, for scheduled reducer parameters: `{ arg: reminder.rowType }`. */
  get rowType(): TypeBuilder<InferObject<C>> {
    return new TypeBuilder({ kind: 'object', name: this.options.name ?? 'row', fields: Object.entries(this.columns).map(([name, b]) => ({ name, type: b.desc })) });
  }
}

/** Any table definition. */
export type AnyTableDef = TableDef<string | undefined, BuilderMap, readonly IndexOption[]>;

/**
 * Declares a table.
 * @example
 * const message = table({ name: 'message', public: true }, {
 *   id: t.u64().primaryKey().autoInc(),
 *   sender: t.identity().index('btree'),
 *   text: t.string(),
 *   sent: t.timestamp(),
 * });
 */
export function table<
  const N extends string | undefined,
  C extends BuilderMap,
  const I extends readonly IndexOption<keyof C & string>[] = [],
  const K extends readonly ConstraintOption<keyof C & string>[] = [],
>(options: TableOptions<keyof C & string> & { readonly name?: N; readonly indexes?: I; readonly constraints?: K }, columns: C): TableDef<N, WithUnique<C, K[number]['columns'][0]>, I> {
  const where = `table(${options.name === undefined ? '' : `"${options.name}"`})`;
  if (options.event === true) throw new SchemaError(`${where}: event tables are not supported yet; use a table whose rows a scheduled reducer deletes`);
  if (options.scheduled !== undefined && typeof options.scheduled !== 'function') throw new SchemaError(`${where}: scheduled must be a function returning the reducer: scheduled: () => myReducer`);
  let withConstraints: BuilderMap = columns;
  for (const c of options.constraints ?? []) {
    const [column] = c.columns;
    const builder = column === undefined ? undefined : columns[column];
    if (c.constraint !== 'unique' || c.columns.length !== 1 || builder === undefined) {
      throw new SchemaError(`${where}: constraint ${JSON.stringify(c)} must be { constraint: 'unique', columns: [oneColumnOfTheTable] }`, column === undefined ? {} : { column });
    }
    withConstraints = { ...withConstraints, [column!]: builder.unique() };
  }
  return new TableDef(options, withConstraints) as never;
}

/** Columns `U` made unique, as `constraints: [{ constraint: 'unique', columns: [U] }]` does. */
export type WithUnique<C extends BuilderMap, U> = [U] extends [never]
  ? C
  : string extends U
    ? C
    : { [P in keyof C]: P extends U ? (C[P] extends TypeBuilder<infer T, infer F> ? TypeBuilder<T, F & { unique: true; indexed: true }> : C[P]) : C[P] };

/**
 * Resolves and validates a table definition; throws {@link SchemaError} naming the table and column.
 * @param accessor - the table's key in `schema({...})`; the SQL name is `def.options.name` or the key
 */
export function resolveTable(accessor: string, def: AnyTableDef): TableSchema {
  const name = def.options.name ?? accessor;
  const fail = (message: string, column?: string): never => {
    throw new SchemaError(`Table "${name}"${column === undefined ? '' : `, column "${column}"`}: ${message}`, column === undefined ? { table: name } : { table: name, column });
  };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail('table names must be identifiers (letters, digits, _)');
  const columns: ColumnSchema[] = [];
  const indexes: IndexSchema[] = [];
  let primaryKey: number | undefined;
  Object.entries(def.columns).forEach(([col, builder], position) => {
    if (!(builder instanceof TypeBuilder)) fail('is not a type builder (use t.*)', col);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(col)) fail('column names must be identifiers', col);
    const { meta, desc } = builder as AnyTypeBuilder;
    if (meta.primaryKey) {
      if (primaryKey !== undefined) fail(`has a second primary key; "${columns[primaryKey]?.name}" is already the primary key`, col);
      primaryKey = position;
    }
    if (meta.autoInc && !isIntegerKind(desc.kind)) fail(`autoInc needs an integer column, not ${typeName(desc)}`, col);
    const indexed = meta.unique || meta.index !== undefined;
    if (indexed && containsFloat(desc)) fail(`cannot be indexed: ${typeName(desc)} contains a float (NaN and -0 make equality unreliable)`, col);
    if (indexed && (RESERVED_ACCESSORS as readonly string[]).includes(col)) fail(`an indexed column cannot be named "${col}": it would hide the table's ${col}() method`, col);
    if (meta.hasDefault) {
      try {
        codecFor(desc).validate(meta.defaultValue, `${name}.${col} default`);
      } catch (error) {
        fail(`its default does not fit the column: ${error instanceof Error ? error.message : String(error)}`, col);
      }
    }
    columns.push({ name: col, type: desc, position, primaryKey: meta.primaryKey, unique: meta.unique, autoInc: meta.autoInc, hasDefault: meta.hasDefault, defaultValue: meta.defaultValue });
    if (indexed) indexes.push({ accessor: col, columns: [position], unique: meta.unique, primary: meta.primaryKey });
  });
  if (columns.length === 0) fail('has no columns');
  for (const option of def.options.indexes ?? []) {
    if (indexes.some((i) => i.accessor === option.accessor)) fail(`index accessor "${option.accessor}" is used twice`);
    if ((RESERVED_ACCESSORS as readonly string[]).includes(option.accessor)) fail(`index accessor "${option.accessor}" would hide the table's ${option.accessor}() method`);
    if (option.columns.length === 0) fail(`index "${option.accessor}" names no columns`);
    const positions = option.columns.map((c) => {
      const column = columns.find((x) => x.name === c);
      if (column === undefined) return fail(`index "${option.accessor}" names unknown column "${c}"`);
      if (containsFloat(column.type)) fail(`cannot be indexed by "${option.accessor}": ${typeName(column.type)} contains a float`, c);
      return column.position;
    });
    indexes.push({ accessor: option.accessor, columns: positions, unique: false, primary: false });
  }
  const rowType = { kind: 'object' as const, name, fields: columns.map(({ name: n, type }) => ({ name: n, type })) };
  return { name, accessor, public: def.options.public ?? false, columns, primaryKey, indexes, rowType, scheduled: undefined };
}

type Flags<B> = B extends TypeBuilder<any, infer F> ? F : never;
type KeysWhere<C extends BuilderMap, Flag extends keyof ColumnFlags> = { [K in keyof C]: Flags<C[K]> extends { [P in Flag]: true } ? K : never }[keyof C] & string;

/** A full row of the table. */
export type RowOf<C extends BuilderMap> = InferObject<C>;
/** What `insert` accepts: omittable columns (optional, default, autoInc) may be left out. */
export type InsertOf<C extends BuilderMap> = RowOf<Omit<C, KeysWhere<C, 'omittable'>>> & Partial<RowOf<Pick<C, KeysWhere<C, 'omittable'>>>>;
/** Columns with `find` / `delete(value)`: the primary key and unique columns. */
export type UniqueColumns<C extends BuilderMap> = KeysWhere<C, 'unique'>;
/** The primary-key column, if any. */
export type PrimaryKeyColumn<C extends BuilderMap> = KeysWhere<C, 'primaryKey'>;
/** Single indexed columns that are not unique: `filter` by value or range. */
export type IndexedColumns<C extends BuilderMap> = Exclude<KeysWhere<C, 'indexed'>, UniqueColumns<C>>;
/** The value type of column K. */
export type ColumnValue<C extends BuilderMap, K extends keyof C> = Infer<C[K]>;
