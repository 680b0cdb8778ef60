import { describe, expect, it } from 'vitest';
import { SchemaError } from '../errors';
import { createTestDatabase } from '../testing/test-database';
import { loadModule } from './module';
import { schema } from './schema';
import { table } from './table';
import { Range } from './range';
import { ScheduleAt, t } from './type-builders';
import { schemaError } from './schema-error.test-util';


const facts = (error: SchemaError) => ({ message: error.message, table: error.table, column: error.column, reducer: error.reducer, code: error.code });
const expected = (message: string, details: { table?: string; column?: string; reducer?: string } = {}) => ({
  message,
  table: details.table,
  column: details.column,
  reducer: details.reducer,
  code: 'INVALID_SCHEMA',
});

const note = table({ name: 'note', public: true }, { id: t.u64().primaryKey().autoInc(), text: t.string() });
const reminder = table({ name: 'reminder_schedule' }, {
  scheduled_id: t.u64().primaryKey().autoInc(),
  scheduled_at: t.scheduleAt(),
  text: t.string(),
});

describe('loadModule finds the schema', () => {
  it('takes the default export as the schema and its tables', () => {
    const db = schema({ note });
    const loaded = loadModule({ default: db });
    expect(loaded.tables).toEqual(db.tables);
    expect(loaded.tables.map((x) => x.name)).toEqual(['note']);
    expect([...loaded.reducers.keys()]).toEqual([]);
  });

  it('takes a schema exported under another name', () => {
    const db = schema({ note });
    expect(loadModule({ spacetimedb: db }).tables.map((x) => x.name)).toEqual(['note']);
  });

  it('accepts one schema exported under two names', () => {
    const db = schema({ note });
    const add = db.reducer({ text: t.string() }, () => {});
    expect([...loadModule({ default: db, db, add }).reducers.keys()]).toEqual(['add']);
  });

  it('refuses a module without a schema, saying what to export', () => {
    const error = schemaError(() => loadModule({ helper: () => 1, answer: 42 }));
    expect(facts(error)).toEqual(expected('The module exports no schema: add `export default schema({ ...tables })`'));
  });

  it('refuses a module with two schemas', () => {
    const error = schemaError(() => loadModule({ default: schema({ note }), other: schema({ reminder }) }));
    expect(facts(error)).toEqual(expected('The module exports more than one schema; export exactly one'));
  });
});

describe('loadModule names and checks the reducers', () => {
  const db = schema({ note, reminder });

  it('names reducers by their export names, snake_case and camelCase as written', () => {
    const loaded = loadModule({
      default: db,
      send_message: db.reducer({ text: t.string() }, () => {}),
      sendMessage: db.reducer({ text: t.string() }, () => {}),
      clearAll: db.reducer(() => {}),
    });
    expect([...loaded.reducers.keys()].sort()).toEqual(['clearAll', 'sendMessage', 'send_message']);
    const sendMessage = loaded.reducers.get('send_message')!;
    expect(sendMessage).toMatchObject({ name: 'send_message', kind: 'reducer', params: [{ name: 'text', type: { kind: 'string' } }], scheduleTable: undefined });
  });

  it('ignores exports that are not reducers', () => {
    const loaded = loadModule({ default: db, note, helper: (x: number) => x + 1, LIMIT: 10, add: db.reducer(() => {}) });
    expect([...loaded.reducers.keys()]).toEqual(['add']);
  });

  it('keeps the reducer function, so the engine runs what the module wrote', () => {
    const fn = () => {};
    const loaded = loadModule({ default: db, run: db.reducer(fn) });
    expect(loaded.reducers.get('run')?.fn).toBe(fn);
  });

  it('recognises the lifecycle reducers by kind, whatever their export names', () => {
    const loaded = loadModule({
      default: db,
      setup: db.init(() => {}),
      onConnect: db.clientConnected(() => {}),
      on_disconnect: db.clientDisconnected(() => {}),
      ping: db.reducer(() => {}),
    });
    expect(loaded.init).toMatchObject({ name: 'setup', kind: 'init' });
    expect(loaded.clientConnected).toMatchObject({ name: 'onConnect', kind: 'clientConnected' });
    expect(loaded.clientDisconnected).toMatchObject({ name: 'on_disconnect', kind: 'clientDisconnected' });
    expect([...loaded.reducers.values()].map((r) => [r.name, r.kind]).sort()).toEqual([
      ['onConnect', 'clientConnected'],
      ['on_disconnect', 'clientDisconnected'],
      ['ping', 'reducer'],
      ['setup', 'init'],
    ]);
  });

  it('leaves the lifecycle slots empty when the module has none', () => {
    const loaded = loadModule({ default: db });
    expect([loaded.init, loaded.clientConnected, loaded.clientDisconnected]).toEqual([undefined, undefined, undefined]);
  });

  it('refuses a reducer made with another schema, naming it', () => {
    const other = schema({ note });
    const error = schemaError(() => loadModule({ default: db, stray: other.reducer(() => {}) }));
    expect(facts(error)).toEqual(expected('Reducer "stray" was defined with another schema than the module\'s', { reducer: 'stray' }));
  });

  it('refuses the same reducer exported twice, naming both exports', () => {
    const add = db.reducer({ text: t.string() }, () => {});
    const error = schemaError(() => loadModule({ default: db, add, addNote: add }));
    expect(facts(error)).toEqual(expected('The same reducer is exported twice, as "add" and "addNote"; export it once', { reducer: 'addNote' }));
  });

  it.each(['init', 'clientConnected', 'clientDisconnected'] as const)('refuses two %s reducers, naming both', (kind) => {
    const error = schemaError(() => loadModule({ default: db, first: db[kind](() => {}), second: db[kind](() => {}) }));
    expect(facts(error)).toEqual(expected(`The module defines ${kind} twice ("first" and "second")`, { reducer: 'second' }));
  });
});

describe('loadModule binds schedule tables', () => {
  it('binds the schedule table to its reducer and finds the scheduleAt column', () => {
    const db = schema({ note, reminder });
    const loaded = loadModule({ default: db, send_reminder: db.reducer({ onSchedule: reminder }, { arg: reminder.rowType }, () => {}) });
    expect(loaded.reducers.get('send_reminder')).toMatchObject({ kind: 'scheduled', scheduleTable: 'reminder_schedule', params: [{ name: 'arg' }] });
    expect(loaded.tables.map((x) => [x.name, x.scheduled])).toEqual([
      ['note', undefined],
      ['reminder_schedule', { reducer: 'send_reminder', atColumn: 1 }],
    ]);
  });

  it('names the schedule table by its name option, not its key', () => {
    const db = schema({ Reminder: reminder });
    const loaded = loadModule({ default: db, run: db.reducer({ onSchedule: reminder }, { arg: reminder.rowType }, () => {}) });
    expect(loaded.reducers.get('run')?.scheduleTable).toBe('reminder_schedule');
  });

  it('refuses a schedule table without a scheduleAt column', () => {
    const job = table({ name: 'job' }, { id: t.u64().primaryKey().autoInc(), at: t.timestamp() });
    const db = schema({ job });
    const error = schemaError(() => loadModule({ default: db, run: db.reducer({ onSchedule: job }, { arg: job.rowType }, () => {}) }));
    expect(facts(error)).toEqual(expected('Schedule table "job" needs exactly one t.scheduleAt() column (it has 0)', { table: 'job' }));
  });

  it('refuses a schedule table with two scheduleAt columns', () => {
    const job = table({ name: 'job' }, { id: t.u64().primaryKey().autoInc(), at: t.scheduleAt(), again: t.scheduleAt() });
    const db = schema({ job });
    const error = schemaError(() => loadModule({ default: db, run: db.reducer({ onSchedule: job }, { arg: job.rowType }, () => {}) }));
    expect(facts(error)).toEqual(expected('Schedule table "job" needs exactly one t.scheduleAt() column (it has 2)', { table: 'job' }));
  });

  it('refuses a schedule table without a primary key', () => {
    const job = table({ name: 'job' }, { at: t.scheduleAt(), what: t.string() });
    const db = schema({ job });
    const error = schemaError(() => loadModule({ default: db, run: db.reducer({ onSchedule: job }, { arg: job.rowType }, () => {}) }));
    expect(facts(error)).toEqual(
      expected('Schedule table "job" needs a primary key (e.g. scheduledId: t.u64().primaryKey().autoInc())', { table: 'job' }),
    );
  });

  it('does not require scheduleAt or a primary key of tables that schedule nothing', () => {
    const job = table({ name: 'job' }, { what: t.string() });
    expect(loadModule({ default: schema({ job }) }).tables[0]?.scheduled).toBeUndefined();
  });

  it('refuses one table scheduling two reducers, naming both', () => {
    const db = schema({ reminder });
    const error = schemaError(() =>
      loadModule({
        default: db,
        first: db.reducer({ onSchedule: reminder }, { arg: reminder.rowType }, () => {}),
        second: db.reducer({ onSchedule: reminder }, { arg: reminder.rowType }, () => {}),
      }),
    );
    expect(facts(error)).toEqual(expected('Table "reminder_schedule" schedules two reducers, "first" and "second"', { table: 'reminder_schedule', reducer: 'second' }));
  });

  it('refuses a scheduled reducer whose parameters are not { arg: <the table row> }', () => {
    const db = schema({ reminder });
    const wrongName = schemaError(() => loadModule({ default: db, run: db.reducer({ onSchedule: reminder }, { row: reminder.rowType }, () => {}) }));
    const message = 'Scheduled reducer "run" must take the row of "reminder_schedule" as its one parameter: { arg: reminder_schedule.rowType }';
    expect(facts(wrongName)).toEqual(expected(message, { table: 'reminder_schedule', reducer: 'run' }));
    const wrongType = schemaError(() => loadModule({ default: db, run: db.reducer({ onSchedule: reminder }, { arg: note.rowType }, () => {}) }));
    expect(facts(wrongType)).toEqual(expected(message, { table: 'reminder_schedule', reducer: 'run' }));
    const extra = schemaError(() =>
      loadModule({ default: db, run: db.reducer({ onSchedule: reminder }, { arg: reminder.rowType, more: t.u32() }, () => {}) }),
    );
    expect(facts(extra)).toEqual(expected(message, { table: 'reminder_schedule', reducer: 'run' }));
  });

  it('accepts a scheduled reducer whose arg is an object type with the row’s fields', () => {
    const db = schema({ reminder });
    const row = t.object('Reminder', { scheduled_id: t.u64(), scheduled_at: t.scheduleAt(), text: t.string() });
    expect(loadModule({ default: db, run: db.reducer({ onSchedule: reminder }, { arg: row }, () => {}) }).reducers.get('run')?.kind).toBe('scheduled');
  });
});

describe('reducer parameters', () => {
  it('refuses a parameter that is not a type builder when the reducer is defined', () => {
    const db = schema({ note });
    const error = schemaError(() => db.reducer({ text: 'string' as never }, () => {}));
    expect(facts(error)).toEqual(expected('Reducer parameter "text" is not a type builder (use t.*)', { column: 'text' }));
  });

  it('refuses a schedule table passed without parameters', () => {
    const db = schema({ reminder });
    const error = schemaError(() => db.reducer({ onSchedule: reminder } as never, () => {}));
    expect(facts(error)).toEqual(expected('Reducer parameter "onSchedule" is not a type builder (use t.*)', { column: 'onSchedule' }));
  });
});

describe('table accessors in ctx.db', () => {
  // The SpacetimeDB quickstart and keynote-2 modules, reduced to their table declarations.
  const user = table({ name: 'User', public: true }, { identity: t.identity().primaryKey(), online: t.bool() });
  const db = schema({
    user,
    transferAudit: table({ name: 'transfer_audit' }, { id: t.u64().primaryKey().autoInc(), amount: t.i64() }),
    scores: table({}, { player: t.string().primaryKey(), points: t.u32().index() }),
  });
  const seen: string[][] = [];
  const m = {
    default: db,
    touch: db.reducer((ctx) => {
      seen.push(Object.keys(ctx.db).sort());
      ctx.db.user.insert({ identity: ctx.sender, online: true });
      ctx.db.transferAudit.insert({ id: 0n, amount: 5n });
      ctx.db.scores.insert({ player: 'ada', points: 3 });
    }),
  };

  it('reaches schema({ user: table({ name: "User" }) }) as ctx.db.user (its key), and only so', async () => {
    const test = createTestDatabase(m);
    await test.reducers.touch();
    expect(seen.at(-1)).toEqual(['scores', 'transferAudit', 'user']);
    expect(test.db.user.identity.find(test.identity('default'))).toEqual({ identity: test.identity('default'), online: true });
    expect('User' in test.db).toBe(false);
    expect(test.rows('User')).toHaveLength(1);
  });

  it('reaches schema({ transferAudit: table({ name: "transfer_audit" }) }) as ctx.db.transferAudit, SQL name transfer_audit', async () => {
    const test = createTestDatabase(m);
    await test.reducers.touch();
    expect([...test.db.transferAudit.iter()]).toEqual([{ id: 1n, amount: 5n }]);
    expect('transfer_audit' in test.db).toBe(false);
    expect(test.rows('transfer_audit')).toEqual([{ id: 1n, amount: 5n }]);
  });

  it('reaches a table without a name option by its key', async () => {
    const test = createTestDatabase(m);
    await test.reducers.touch();
    expect(test.db.scores.player.find('ada')).toEqual({ player: 'ada', points: 3 });
    expect([...test.db.scores.points.filter(3)]).toEqual([{ player: 'ada', points: 3 }]);
  });
});

describe('ScheduleAt values drive the schedule', () => {
  it('runs a Time row once, at its time, and an Interval row every interval', async () => {
    const ran: string[] = [];
    const db = schema({ reminder });
    const m = {
      default: db,
      plan: db.reducer((ctx) => {
        ctx.db.reminder.insert({ scheduled_id: 0n, scheduled_at: ScheduleAt.time(ctx.timestamp.microsSinceUnixEpoch + 1_000n), text: 'once' });
        ctx.db.reminder.insert({ scheduled_id: 0n, scheduled_at: ScheduleAt.interval(400n), text: 'every' });
      }),
      fire: db.reducer({ onSchedule: reminder }, { arg: reminder.rowType }, (_ctx, { arg }) => void ran.push(arg.text)),
    };
    const test = createTestDatabase(m);
    await test.reducers.plan();
    expect(await test.advanceTime(999n)).toBe(2);
    expect(ran).toEqual(['every', 'every']);
    expect(await test.advanceTime(1n)).toBe(1);
    expect(ran).toEqual(['every', 'every', 'once']);
    expect(test.rows('reminder_schedule').map((r) => r.text)).toEqual(['every']);
  });
});

describe('index handles accept what their types promise', () => {
  const entry = table({ name: 'entry', indexes: [{ accessor: 'by_game_points', columns: ['game', 'points'] }] }, {
    id: t.u32().primaryKey(),
    game: t.u32(),
    points: t.i64().index(),
  });
  const db = schema({ entry });
  const m = {
    default: db,
    fill: db.reducer((ctx) => {
      const rows: [number, number, bigint][] = [[1, 1, 10n], [2, 1, 20n], [3, 1, 30n], [4, 2, 10n], [5, 2, 40n]];
      for (const [id, game, points] of rows) ctx.db.entry.insert({ id, game, points });
    }),
  };
  const ids = (rows: Iterable<{ id: number }>) => [...rows].map((r) => r.id);

  it('filters a single-column index by value and by each kind of Range', async () => {
    const test = createTestDatabase(m);
    await test.reducers.fill();
    expect(ids(test.db.entry.points.filter(10n)).sort()).toEqual([1, 4]);
    expect(ids(test.db.entry.points.filter(Range.between(20n, 30n)))).toEqual([2, 3]);
    expect(ids(test.db.entry.points.filter(Range.from(30n)))).toEqual([3, 5]);
    expect(ids(test.db.entry.points.filter(Range.from(30n, true)))).toEqual([5]);
    expect(ids(test.db.entry.points.filter(Range.to(20n, true))).sort()).toEqual([1, 4]);
    expect(ids(test.db.entry.id.filter(Range.to(2)))).toEqual([1, 2]);
  });

  it('filters a multi-column index by a first-column value, a range, and tuple prefixes', async () => {
    const test = createTestDatabase(m);
    await test.reducers.fill();
    expect(ids(test.db.entry.by_game_points.filter(2))).toEqual([4, 5]);
    expect(ids(test.db.entry.by_game_points.filter(Range.from(2)))).toEqual([4, 5]);
    expect(ids(test.db.entry.by_game_points.filter([1]))).toEqual([1, 2, 3]);
    expect(ids(test.db.entry.by_game_points.filter([1, 20n]))).toEqual([2]);
    expect(ids(test.db.entry.by_game_points.filter([1, Range.from(20n)]))).toEqual([2, 3]);
  });
});
