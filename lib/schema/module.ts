import { SchemaError } from '../errors';
import type { ReducerContext } from './handles';
import { isReducerDef, REDUCER, Schema, type ReducerKind } from './schema';
import type { AnyTableDef, TableSchema } from './table';
import type { FieldDesc } from './type-desc';

/** A reducer of a loaded module, named by its export. */
export interface ModuleReducer {
  readonly name: string;
  readonly kind: ReducerKind;
  readonly params: readonly FieldDesc[];
  readonly fn: (ctx: ReducerContext<any>, args: any) => unknown;
  /** For scheduled reducers: the schedule table's name. */
  readonly scheduleTable: string | undefined;
}

/** A module ready to run: its tables (schedule bindings resolved) and its reducers by name. */
export interface ModuleDef {
  readonly tables: readonly TableSchema[];
  readonly reducers: ReadonlyMap<string, ModuleReducer>;
  readonly init: ModuleReducer | undefined;
  readonly clientConnected: ModuleReducer | undefined;
  readonly clientDisconnected: ModuleReducer | undefined;
}

const LIFECYCLE = ['init', 'clientConnected', 'clientDisconnected'] as const;

/**
 * Loads a module namespace (`import * as m from './x.module'`): finds its schema
 * (the default export, or the one exported `Schema`), names each reducer by its
 * export, binds schedule tables, and checks the whole for mistakes.
 */
export function loadModule(namespace: Readonly<Record<string, unknown>>): ModuleDef {
  const schemas = new Set(Object.values(namespace).filter((v): v is Schema<any> => v instanceof Schema));
  if (schemas.size === 0) throw new SchemaError('The module exports no schema: add `export default schema({ ...tables })`');
  if (schemas.size > 1) throw new SchemaError('The module exports more than one schema; export exactly one');
  const [schema] = schemas as unknown as [Schema<any>];

  const reducers = new Map<string, ModuleReducer>();
  const lifecycle: Partial<Record<(typeof LIFECYCLE)[number], ModuleReducer>> = {};
  const exportedAs = new Map<unknown, string>();
  const scheduleBindings = new Map<string, string>();
  const bySchedulesOption = tablesScheduling(schema);
  for (const name of Object.keys(namespace).sort()) {
    const value = namespace[name];
    if (!isReducerDef(value)) continue;
    const info = value[REDUCER];
    if (info.schema !== schema) throw new SchemaError(`Reducer "${name}" was defined with another schema than the module's`, { reducer: name });
    const first = exportedAs.get(value);
    if (first !== undefined) throw new SchemaError(`The same reducer is exported twice, as "${first}" and "${name}"; export it once`, { reducer: name });
    exportedAs.set(value, name);
    let scheduleTable: string | undefined;
    const scheduleTableDef = info.scheduleTable ?? bySchedulesOption.get(value);
    if (scheduleTableDef !== undefined && info.kind !== 'reducer' && info.kind !== 'scheduled') {
      throw new SchemaError(`Reducer "${name}" is the ${info.kind} lifecycle reducer and cannot be scheduled by a table`, { reducer: name });
    }
    if (scheduleTableDef !== undefined) {
      const index = Object.values(schema.tableDefs).indexOf(scheduleTableDef);
      const table = schema.tables[index];
      if (table === undefined) throw new SchemaError(`Reducer "${name}": its onSchedule table is not in the schema`, { reducer: name });
      scheduleTable = table.name;
      // The engine calls it with `{ arg: row }`; anything else would fail every run, so refuse it here.
      const [param, ...more] = info.params;
      if (param?.name !== 'arg' || more.length > 0 || param.type.kind !== 'object' || JSON.stringify(param.type.fields) !== JSON.stringify(table.rowType.fields)) {
        throw new SchemaError(`Scheduled reducer "${name}" must take the row of "${table.name}" as its one parameter: { arg: ${table.name}.rowType }`, { table: table.name, reducer: name });
      }
      const bound = scheduleBindings.get(table.name);
      if (bound !== undefined) throw new SchemaError(`Table "${table.name}" schedules two reducers, "${bound}" and "${name}"`, { table: table.name, reducer: name });
      scheduleBindings.set(table.name, name);
    }
    const reducer: ModuleReducer = { name, kind: scheduleTable === undefined ? info.kind : 'scheduled', params: info.params, fn: info.fn, scheduleTable };
    if (info.kind === 'init' || info.kind === 'clientConnected' || info.kind === 'clientDisconnected') {
      const other = lifecycle[info.kind];
      if (other !== undefined) throw new SchemaError(`The module defines ${info.kind} twice ("${other.name}" and "${name}")`, { reducer: name });
      lifecycle[info.kind] = reducer;
    }
    reducers.set(name, reducer);
  }

  for (const [target, def] of bySchedulesOption) {
    if (!exportedAs.has(target)) {
      const table = schema.tables[Object.values(schema.tableDefs).indexOf(def)]!.name;
      throw new SchemaError(`Table "${table}" is scheduled ({ scheduled: () => reducer }), but that reducer is not exported from the module`, { table });
    }
  }

  const tables = schema.tables.map((table): TableSchema => {
    const reducer = scheduleBindings.get(table.name);
    if (reducer === undefined) return table;
    const at = table.columns.filter((c) => c.type.kind === 'scheduleAt');
    if (at.length !== 1 || at[0] === undefined) throw new SchemaError(`Schedule table "${table.name}" needs exactly one t.scheduleAt() column (it has ${at.length})`, { table: table.name });
    if (table.primaryKey === undefined) throw new SchemaError(`Schedule table "${table.name}" needs a primary key (e.g. scheduledId: t.u64().primaryKey().autoInc())`, { table: table.name });
    return { ...table, scheduled: { reducer, atColumn: at[0].position } };
  });
  return { tables, reducers, init: lifecycle.init, clientConnected: lifecycle.clientConnected, clientDisconnected: lifecycle.clientDisconnected };
}

/** The reducers tables name with `scheduled: () => reducer`, each with its table. */
function tablesScheduling(schema: Schema<any>): Map<unknown, AnyTableDef> {
  const out = new Map<unknown, AnyTableDef>();
  Object.entries(schema.tableDefs as Record<string, AnyTableDef>).forEach(([key, def], i) => {
    const thunk = def.options.scheduled;
    if (thunk === undefined) return;
    const name = schema.tables[i]?.name ?? key;
    const target: unknown = thunk();
    if (!isReducerDef(target)) throw new SchemaError(`Table "${name}": scheduled must return a reducer of this module, got ${typeof target}`, { table: name });
    if (out.has(target)) throw new SchemaError(`Table "${name}": its scheduled reducer is already scheduled by another table`, { table: name });
    out.set(target, def);
  });
  return out;
}
