import { TimeDuration, Timestamp } from '../values/time';
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../errors';
import { Range } from './range';
import { isReducerDef, REDUCER, schema } from './schema';
import { table, type AnyTableDef } from './table';
import { ScheduleAt, t, TypeBuilder } from './type-builders';
import { schemaError } from './schema-error.test-util';


/** The facts of a SchemaError that a caller relies on. */
function facts(error: SchemaError) {
  return { message: error.message, table: error.table, column: error.column, reducer: error.reducer, code: error.code, name: error.name };
}

const schemaOf = (columns: Record<string, unknown>, options: Record<string, unknown> = { name: 'thing' }) =>
  schema({ thing: table(options as never, columns as never) as AnyTableDef });

const expected = (message: string, table?: string, column?: string) => ({ message, table, column, reducer: undefined, code: 'INVALID_SCHEMA', name: 'SchemaError' });

describe('schema({...}) refuses invalid tables, naming table and column', () => {
  it('refuses a second primary key, naming both columns', () => {
    const error = schemaError(() => schemaOf({ a: t.u32().primaryKey(), b: t.u64(), c: t.string().primaryKey() }));
    expect(facts(error)).toEqual(expected('Table "thing", column "c": has a second primary key; "a" is already the primary key', 'thing', 'c'));
  });

  it.each([
    ['string', t.string()],
    ['f64', t.f64()],
    ['f32', t.f32()],
    ['bool', t.bool()],
    ['timestamp', t.timestamp()],
    ['option<u32>', t.u32().optional()],
  ])('refuses autoInc on a %s column', (type, builder) => {
    const error = schemaError(() => schemaOf({ id: (builder as TypeBuilder<unknown>).autoInc() }));
    expect(facts(error)).toEqual(expected(`Table "thing", column "id": autoInc needs an integer column, not ${type}`, 'thing', 'id'));
  });

  it.each([
    ['i8', t.i8()],
    ['u32', t.u32()],
    ['i64', t.i64()],
    ['u128', t.u128()],
  ])('accepts autoInc on a %s column', (_type, builder) => {
    const db = schemaOf({ id: (builder as TypeBuilder<unknown>).primaryKey().autoInc() });
    expect(db.tables[0]?.columns[0]?.autoInc).toBe(true);
  });

  it.each([
    ['.index() on an f64', t.f64().index(), 'f64'],
    ['.index("hash") on an f32', t.f32().index('hash'), 'f32'],
    ['.unique() on an f32', t.f32().unique(), 'f32'],
    ['.primaryKey() on an f64', t.f64().primaryKey(), 'f64'],
    ['.index() on an option<f64>', t.f64().optional().index(), 'option<f64>'],
    ['.index() on an object with a float field', t.object('Point', { x: t.f32(), y: t.i32() }).index(), 'Point'],
    ['.unique() on an array of floats', t.array(t.f64()).unique(), 'array<f64>'],
  ])('refuses %s', (_what, builder, type) => {
    const error = schemaError(() => schemaOf({ id: t.u32(), score: builder }));
    expect(facts(error)).toEqual(
      expected(`Table "thing", column "score": cannot be indexed: ${type} contains a float (NaN and -0 make equality unreliable)`, 'thing', 'score'),
    );
  });

  it('refuses a multi-column index that includes an f32 column, naming the column and the index', () => {
    const error = schemaError(() =>
      schemaOf({ game: t.u32(), x: t.f32() }, { name: 'thing', indexes: [{ accessor: 'by_game_x', columns: ['game', 'x'] }] }),
    );
    expect(facts(error)).toEqual(expected('Table "thing", column "x": cannot be indexed by "by_game_x": f32 contains a float', 'thing', 'x'));
  });

  it('lets float columns exist when they are not indexed', () => {
    const db = schemaOf({ id: t.u32().primaryKey(), x: t.f32(), y: t.f64() });
    expect(db.tables[0]?.indexes.map((i) => i.accessor)).toEqual(['id']);
  });

  it('refuses two tables named alike through the name option', () => {
    const a = table({ name: 'user' }, { id: t.u32() });
    const b = table({ name: 'user' }, { id: t.u32() });
    const error = schemaError(() => schema({ a, b }));
    expect(facts(error)).toEqual(expected('Two tables are named "user" (keys "a" and "b")', 'user'));
  });

  it('refuses a name option that equals another table’s key', () => {
    const error = schemaError(() => schema({ user: table({}, { id: t.u32() }), Player: table({ name: 'user' }, { id: t.u32() }) }));
    expect(facts(error)).toEqual(expected('Two tables are named "user" (keys "user" and "Player")', 'user'));
  });

  it('refuses a multi-column index that names an unknown column', () => {
    const error = schemaError(() => schemaOf({ a: t.u32(), b: t.u32() }, { name: 'thing', indexes: [{ accessor: 'by_a_c', columns: ['a', 'c'] }] }));
    expect(facts(error)).toEqual(expected('Table "thing": index "by_a_c" names unknown column "c"', 'thing'));
  });

  it('refuses a multi-column index with no columns', () => {
    const error = schemaError(() => schemaOf({ a: t.u32() }, { name: 'thing', indexes: [{ accessor: 'empty', columns: [] }] }));
    expect(facts(error)).toEqual(expected('Table "thing": index "empty" names no columns', 'thing'));
  });

  it('refuses an index accessor used twice by two multi-column indexes', () => {
    const indexes = [
      { accessor: 'by_ab', columns: ['a', 'b'] },
      { accessor: 'by_ab', columns: ['b', 'a'] },
    ];
    const error = schemaError(() => schemaOf({ a: t.u32(), b: t.u32() }, { name: 'thing', indexes }));
    expect(facts(error)).toEqual(expected('Table "thing": index accessor "by_ab" is used twice', 'thing'));
  });

  it('refuses a multi-column index accessor that is already an indexed column', () => {
    const error = schemaError(() => schemaOf({ a: t.u32().index(), b: t.u32() }, { name: 'thing', indexes: [{ accessor: 'a', columns: ['a', 'b'] }] }));
    expect(facts(error)).toEqual(expected('Table "thing": index accessor "a" is used twice', 'thing'));
  });

  it.each([
    ['insert', t.u32().index()],
    ['delete', t.u32().unique()],
    ['iter', t.u32().primaryKey()],
    ['count', t.u32().index('hash')],
  ])('refuses an indexed column named %s, which would hide the table method', (name, builder) => {
    const error = schemaError(() => schemaOf({ id: t.u64(), [name]: builder }));
    expect(facts(error)).toEqual(
      expected(`Table "thing", column "${name}": an indexed column cannot be named "${name}": it would hide the table's ${name}() method`, 'thing', name),
    );
  });

  it('refuses a multi-column index accessor named like a table method', () => {
    const error = schemaError(() => schemaOf({ a: t.u32(), b: t.u32() }, { name: 'thing', indexes: [{ accessor: 'count', columns: ['a', 'b'] }] }));
    expect(facts(error)).toEqual(expected(`Table "thing": index accessor "count" would hide the table's count() method`, 'thing'));
  });

  it('accepts plain (unindexed) columns named like table methods', () => {
    const db = schemaOf({ insert: t.u32(), delete: t.bool(), iter: t.string(), count: t.u64() });
    expect(db.tables[0]?.columns.map((c) => c.name)).toEqual(['insert', 'delete', 'iter', 'count']);
    expect(db.tables[0]?.indexes).toEqual([]);
  });

  it('refuses a table with no columns', () => {
    const error = schemaError(() => schema({ empty: table({}, {}) }));
    expect(facts(error)).toEqual(expected('Table "empty": has no columns', 'empty'));
  });

  it.each([
    ['a number', 5],
    ['a string', 'u32'],
    ['undefined', undefined],
    ['a bare type description', { kind: 'u32' }],
    ['an unbuilt builder factory', t.u32],
  ])('refuses %s as a column', (_what, value) => {
    const error = schemaError(() => schemaOf({ id: t.u32(), bad: value }));
    expect(facts(error)).toEqual(expected('Table "thing", column "bad": is not a type builder (use t.*)', 'thing', 'bad'));
  });

  it('refuses a schema entry that is not a table', () => {
    const error = schemaError(() => schema({ user: { id: t.u32() } as never }));
    expect(facts(error)).toEqual(expected('schema({...}): "user" is not a table (use table(...))', 'user'));
  });

  it('refuses a table name that is not an identifier', () => {
    const error = schemaError(() => schema({ a: table({ name: 'my table' }, { id: t.u32() }) }));
    expect(facts(error)).toEqual(expected('Table "my table": table names must be identifiers (letters, digits, _)', 'my table'));
  });

  it('refuses a column name that is not an identifier', () => {
    const error = schemaError(() => schemaOf({ 'first name': t.string() }));
    expect(facts(error)).toEqual(expected('Table "thing", column "first name": column names must be identifiers', 'thing', 'first name'));
  });
});

describe('schema({...}) resolves valid tables', () => {
  const player = table(
    { name: 'player', public: true, indexes: [{ accessor: 'by_team_score', algorithm: 'btree', columns: ['team', 'score'] }] },
    {
      id: t.u64().primaryKey().autoInc(),
      owner: t.identity().unique(),
      team: t.u32().index('hash'),
      score: t.i64(),
      nick: t.string().optional(),
      level: t.u8().default(1),
    },
  );
  const db = schema({ Player: player, audit: table({}, { at: t.timestamp() }) });

  it('names each table by its name option, else by its key, in declaration order', () => {
    expect(db.tables.map((x) => x.name)).toEqual(['player', 'audit']);
  });

  it('keeps columns in declaration order with their positions and modifiers', () => {
    const columns = db.tables[0]!.columns;
    expect(columns.map((c) => [c.name, c.position, c.type])).toEqual([
      ['id', 0, { kind: 'u64' }],
      ['owner', 1, { kind: 'identity' }],
      ['team', 2, { kind: 'u32' }],
      ['score', 3, { kind: 'i64' }],
      ['nick', 4, { kind: 'option', inner: { kind: 'string' } }],
      ['level', 5, { kind: 'u8' }],
    ]);
    expect(columns[0]).toMatchObject({ primaryKey: true, unique: true, autoInc: true, hasDefault: false });
    expect(columns[1]).toMatchObject({ primaryKey: false, unique: true, autoInc: false });
    expect(columns[5]).toMatchObject({ hasDefault: true, defaultValue: 1 });
  });

  it('records the primary key, one index per indexed column, and the multi-column indexes after them', () => {
    const resolved = db.tables[0]!;
    expect(resolved.primaryKey).toBe(0);
    expect(resolved.indexes).toEqual([
      { accessor: 'id', columns: [0], unique: true, primary: true },
      { accessor: 'owner', columns: [1], unique: true, primary: false },
      { accessor: 'team', columns: [2], unique: false, primary: false },
      { accessor: 'by_team_score', columns: [2, 3], unique: false, primary: false },
    ]);
  });

  it('makes tables private unless public: true, and leaves them unscheduled', () => {
    expect(db.tables.map((x) => [x.name, x.public, x.scheduled])).toEqual([
      ['player', true, undefined],
      ['audit', false, undefined],
    ]);
  });

  it('describes the row as an object type named after the table', () => {
    expect(db.tables[1]!.rowType).toEqual({ kind: 'object', name: 'audit', fields: [{ name: 'at', type: { kind: 'timestamp' } }] });
    expect(db.tables[1]!.primaryKey).toBeUndefined();
  });

  it('gives a table definition a row type for scheduled reducer parameters', () => {
    expect(player.rowType).toBeInstanceOf(TypeBuilder);
    expect(player.rowType.desc).toEqual({
      kind: 'object',
      name: 'player',
      fields: [
        { name: 'id', type: { kind: 'u64' } },
        { name: 'owner', type: { kind: 'identity' } },
        { name: 'team', type: { kind: 'u32' } },
        { name: 'score', type: { kind: 'i64' } },
        { name: 'nick', type: { kind: 'option', inner: { kind: 'string' } } },
        { name: 'level', type: { kind: 'u8' } },
      ],
    });
  });
});

describe('type builders', () => {
  it('are immutable: a modifier returns a new builder and leaves the original plain', () => {
    const base = t.u32();
    const keyed = base.primaryKey();
    expect(keyed).not.toBe(base);
    expect(base.meta).toMatchObject({ primaryKey: false, unique: false, autoInc: false, index: undefined, hasDefault: false });
    expect(keyed.meta).toMatchObject({ primaryKey: true, unique: true });
  });

  it('index() defaults to btree and keeps hash as written', () => {
    expect(t.u32().index().meta.index).toBe('btree');
    expect(t.u32().index('hash').meta.index).toBe('hash');
  });

  it('optional() wraps the type in an option and keeps the modifiers', () => {
    const b = t.u32().index().optional();
    expect(b.desc).toEqual({ kind: 'option', inner: { kind: 'u32' } });
    expect(b.meta.index).toBe('btree');
  });

  it('describes composite types', () => {
    expect(t.option(t.string()).desc).toEqual({ kind: 'option', inner: { kind: 'string' } });
    expect(t.array(t.u8()).desc).toEqual({ kind: 'array', element: { kind: 'u8' } });
    expect(t.object('Point', { x: t.i32(), y: t.i32() }).desc).toEqual({
      kind: 'object',
      name: 'Point',
      fields: [
        { name: 'x', type: { kind: 'i32' } },
        { name: 'y', type: { kind: 'i32' } },
      ],
    });
    expect(t.enum('Shape', { circle: t.f64(), none: t.unit() }).desc).toEqual({
      kind: 'enum',
      name: 'Shape',
      variants: [
        { name: 'circle', type: { kind: 'f64' } },
        { name: 'none', type: { kind: 'object', name: 'unit', fields: [] } },
      ],
    });
  });
});

describe('reducer definitions', () => {
  const thing = table({ name: 'thing' }, { id: t.u32().primaryKey() });
  const db = schema({ thing });

  it('records kind, parameters and schema, and stays callable as a plain function', () => {
    const calls: unknown[] = [];
    const add = db.reducer({ id: t.u32(), label: t.string() }, (_ctx, args) => void calls.push(args));
    expect(isReducerDef(add)).toBe(true);
    expect(add[REDUCER]).toMatchObject({ kind: 'reducer', schema: db, scheduleTable: undefined });
    expect(add[REDUCER].params).toEqual([
      { name: 'id', type: { kind: 'u32' } },
      { name: 'label', type: { kind: 'string' } },
    ]);
    add({} as never, { id: 1, label: 'x' });
    expect(calls).toEqual([{ id: 1, label: 'x' }]);
  });

  it('takes a reducer without parameters as a bare function', () => {
    const tick = db.reducer(() => {});
    expect(tick[REDUCER]).toMatchObject({ kind: 'reducer', params: [] });
  });

  it('records lifecycle kinds', () => {
    expect(db.init(() => {})[REDUCER].kind).toBe('init');
    expect(db.clientConnected(() => {})[REDUCER].kind).toBe('clientConnected');
    expect(db.clientDisconnected(() => {})[REDUCER].kind).toBe('clientDisconnected');
  });

  it('binds a scheduled reducer to its table', () => {
    const job = table({ name: 'job' }, { id: t.u64().primaryKey().autoInc(), at: t.scheduleAt() });
    const jobs = schema({ job });
    const run = jobs.reducer({ onSchedule: job }, { arg: job.rowType }, () => {});
    expect(run[REDUCER]).toMatchObject({ kind: 'scheduled', scheduleTable: job });
    expect(run[REDUCER].params.map((p) => p.name)).toEqual(['arg']);
  });

  it('refuses onSchedule with a table of another schema', () => {
    const job = table({ name: 'job' }, { id: t.u64().primaryKey().autoInc(), at: t.scheduleAt() });
    const error = schemaError(() => db.reducer({ onSchedule: job }, { arg: job.rowType }, () => {}));
    expect(facts(error)).toEqual(expected('reducer({ onSchedule }): onSchedule must be a table of this schema'));
  });

  it('refuses a definition without a function', () => {
    expect(facts(schemaError(() => db.reducer({ id: t.u32() }, undefined as never)))).toEqual(expected('A reducer definition needs a function'));
    expect(schemaError(() => db.init(42 as never)).message).toBe('A init definition needs a function');
  });

  it('does not take ordinary functions for reducers', () => {
    expect(isReducerDef(() => {})).toBe(false);
    expect(isReducerDef({ [REDUCER]: {} })).toBe(false);
  });
});

describe('Range helpers', () => {
  it('between includes both ends', () => {
    expect(Range.between(10n, 20n)).toEqual(new Range({ tag: 'included', value: 10n }, { tag: 'included', value: 20n }));
  });

  it('from includes the lower end unless exclusive, and leaves the upper end unbounded', () => {
    const inclusive = Range.from(5);
    expect([inclusive.from, inclusive.to]).toEqual([{ tag: 'included', value: 5 }, { tag: 'unbounded' }]);
    const exclusive = Range.from(5, true);
    expect([exclusive.from, exclusive.to]).toEqual([{ tag: 'excluded', value: 5 }, { tag: 'unbounded' }]);
  });

  it('to includes the upper end unless exclusive, and leaves the lower end unbounded', () => {
    const inclusive = Range.to('m');
    expect([inclusive.from, inclusive.to]).toEqual([{ tag: 'unbounded' }, { tag: 'included', value: 'm' }]);
    const exclusive = Range.to('m', true);
    expect([exclusive.from, exclusive.to]).toEqual([{ tag: 'unbounded' }, { tag: 'excluded', value: 'm' }]);
  });

  it('is unbounded on both ends when constructed without bounds', () => {
    const all = new Range<number>();
    expect([all.from, all.to]).toEqual([{ tag: 'unbounded' }, { tag: 'unbounded' }]);
  });
});

describe('ScheduleAt helpers', () => {
  it('interval repeats every so many microseconds', () => {
    expect(ScheduleAt.interval(100_000n)).toEqual({ tag: 'Interval', value: new TimeDuration(100_000n) });
  });

  it('time runs once at microseconds since the Unix epoch', () => {
    expect(ScheduleAt.time(1_767_225_600_000_000n)).toEqual({ tag: 'Time', value: new Timestamp(1_767_225_600_000_000n) });
  });
});
