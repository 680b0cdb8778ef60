import { describe, expect, it } from 'vitest';
import { ReducerError, SenderError } from '../errors';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { ScheduleAt, t } from '../schema/type-builders';
import { createTestDatabase } from '../testing/test-database';
import type { Timestamp } from '../values/time';

const config = table({ name: 'config' }, { key: t.string().primaryKey(), value: t.string() });
const tick = table({ name: 'tick_schedule' }, {
  scheduled_id: t.u64().primaryKey().autoInc(),
  scheduled_at: t.scheduleAt(),
});
const reminder = table({ name: 'reminder' }, {
  scheduled_id: t.u64().primaryKey().autoInc(),
  scheduled_at: t.scheduleAt(),
  message: t.string(),
});
const event = table({ name: 'event' }, { id: t.u64().primaryKey().autoInc(), what: t.string(), at: t.timestamp() });
const banned = table({ name: 'banned' }, { who: t.identity().primaryKey() });
const db = schema({ config, tick, reminder, event, banned });

const m = {
  default: db,
  init: db.init((ctx) => {
    if (ctx.db.config.count() === 0) ctx.db.config.insert({ key: 'version', value: '1.0.0' });
    ctx.db.event.insert({ id: 0n, what: 'init', at: ctx.timestamp });
  }),
  connected: db.clientConnected((ctx) => {
    if (ctx.db.banned.who.find(ctx.sender) !== null) throw new SenderError('You are banned');
    ctx.db.event.insert({ id: 0n, what: `connected ${ctx.sender.toHexString().slice(0, 4)}`, at: ctx.timestamp });
  }),
  disconnected: db.clientDisconnected((ctx) => {
    ctx.db.event.insert({ id: 0n, what: `disconnected ${ctx.sender.toHexString().slice(0, 4)}`, at: ctx.timestamp });
  }),
  ban: db.reducer({ who: t.identity() }, (ctx, { who }) => {
    ctx.db.banned.insert({ who });
  }),
  start_game_loop: db.reducer((ctx) => {
    ctx.db.tick.insert({ scheduled_id: 0n, scheduled_at: ScheduleAt.interval(100_000n) });
  }),
  stop_game_loop: db.reducer((ctx) => {
    for (const row of ctx.db.tick) ctx.db.tick.delete(row);
  }),
  game_tick: db.reducer({ onSchedule: tick }, { arg: tick.rowType }, (ctx, { arg }) => {
    ctx.db.event.insert({ id: 0n, what: `tick ${arg.scheduled_id}`, at: ctx.timestamp });
  }),
  schedule_reminder: db.reducer({ delay: t.u64(), message: t.string() }, (ctx, { delay, message }) => {
    ctx.db.reminder.insert({ scheduled_id: 0n, scheduled_at: ScheduleAt.time(ctx.timestamp.microsSinceUnixEpoch + delay), message });
  }),
  send_reminder: db.reducer({ onSchedule: reminder }, { arg: reminder.rowType }, (ctx, { arg }) => {
    if (arg.message === 'fail') throw new SenderError('reminder failed');
    ctx.db.event.insert({ id: 0n, what: arg.message, at: ctx.timestamp });
  }),
};

const events = (test: ReturnType<typeof createTestDatabase<typeof m>>) => test.rows('event').map((r) => r.what);

describe('lifecycle reducers', () => {
  it('runs init once, when the database is created', async () => {
    const test = createTestDatabase(m);
    expect(test.rows('config')).toEqual([{ key: 'version', value: '1.0.0' }]);
    await test.reducers.start_game_loop();
    expect(events(test).filter((e) => e === 'init')).toHaveLength(1);
  });

  it('runs clientConnected and clientDisconnected, and a throwing clientConnected rejects the client', async () => {
    const test = createTestDatabase(m);
    const alice = test.identity('alice');
    const mallory = test.identity('mallory');
    await test.connect({ sender: alice });
    await test.reducers.ban({ who: mallory });
    await expect(test.connect({ sender: mallory })).rejects.toThrow('You are banned');
    await test.disconnect({ sender: alice });
    expect(events(test)).toEqual(['init', `connected ${alice.toHexString().slice(0, 4)}`, `disconnected ${alice.toHexString().slice(0, 4)}`]);
  });

  it('refuses client calls to lifecycle and scheduled reducers', async () => {
    const test = createTestDatabase(m);
    const call = (name: string) => test.call(name as never, {} as never).catch((e: unknown) => e);
    const init = await call('init');
    expect(init).toBeInstanceOf(ReducerError);
    expect((init as Error).message).toBe('Reducer "init" cannot be called by clients: it is the init lifecycle reducer');
    const tickError = await test.call('game_tick' as never, { arg: { scheduled_id: 1n, scheduled_at: ScheduleAt.interval(1n) } } as never).catch((e: unknown) => e);
    expect((tickError as Error).message).toBe('Reducer "game_tick" cannot be called by clients: it is scheduled by table "tick_schedule"');
  });
});

describe('scheduled reducers', () => {
  it('repeats an interval schedule until its row is deleted', async () => {
    const test = createTestDatabase(m);
    const start = test.now.microsSinceUnixEpoch;
    await test.reducers.start_game_loop();
    expect(test.engine.nextDue()).toBe(start + 100_000n);
    expect(await test.advanceTime(99_999n)).toBe(0);
    expect(await test.advanceTime(1n)).toBe(1);
    expect(await test.advanceTime(350_000n)).toBe(3);
    const ticks = test.rows('event').filter((r) => r.what === 'tick 1');
    expect(ticks.map((r) => (r.at as Timestamp).microsSinceUnixEpoch)).toEqual([1n, 2n, 3n, 4n].map((k) => start + k * 100_000n));
    await test.reducers.stop_game_loop();
    expect(test.engine.nextDue()).toBeUndefined();
    expect(await test.advanceTime(1_000_000n)).toBe(0);
  });

  it('runs a one-time schedule once at its time and deletes its row', async () => {
    const test = createTestDatabase(m);
    await test.reducers.schedule_reminder({ delay: 5_000_000n, message: "Time's up!" });
    await test.reducers.schedule_reminder({ delay: 1_000_000n, message: 'first' });
    expect(test.db.reminder.count()).toBe(2);
    expect(await test.advanceTime(10_000_000n)).toBe(2);
    expect(events(test)).toEqual(['init', 'first', "Time's up!"]);
    expect(test.db.reminder.count()).toBe(0);
    expect(await test.advanceTime(10_000_000n)).toBe(0);
  });

  it('does not retry a failed one-time schedule forever, and logs the failure', async () => {
    const test = createTestDatabase(m);
    await test.reducers.schedule_reminder({ delay: 10n, message: 'fail' });
    expect(await test.advanceTime(100n)).toBe(1);
    expect(await test.advanceTime(100n)).toBe(0);
    expect(test.logs.some((l) => l.message === 'scheduled run failed: reminder failed')).toBe(true);
  });
});
