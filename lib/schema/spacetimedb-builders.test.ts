import { describe, expect, it } from 'vitest';
import { ReducerError, SchemaError, ValueError } from '../errors';
import { createTestDatabase } from '../testing/test-database';
import { loadModule } from './module';
import { schema } from './schema';
import { table } from './table';
import { ScheduleAt, t } from './type-builders';

// A round of a game: an array-form enum phase, a scheduled table naming its reducer with
// `scheduled: () => …`, a result column, a unique constraint, wide integers and bytes.
const round = table({ name: 'round', public: true, constraints: [{ name: 'round_word', constraint: 'unique', columns: ['word'] }] }, {
  id: t.u32().primaryKey(),
  word: t.string(),
  phase: t.enum('Phase', ['Active', 'Results']),
  outcome: t.option(t.result(t.string(), t.u32())),
  big: t.u256(),
  signed: t.i256(),
  blob: t.byteArray(),
  at: t.row('At', { x: t.i32(), y: t.i32() }),
});
const roundEnd = table({ name: 'round_end', scheduled: (): any => endRound }, {
  scheduledId: t.u64().primaryKey().autoInc(),
  scheduledAt: t.scheduleAt(),
  roundId: t.u32(),
});
const spacetimedb = schema({ round, roundEnd });

export const startRound = spacetimedb.reducer({ id: t.u32(), word: t.string() }, (ctx, { id, word }) => {
  ctx.db.round.insert({ id, word, phase: { tag: 'Active' }, outcome: undefined, big: 2n ** 255n, signed: -(2n ** 200n), blob: new Uint8Array([1, 2]), at: { x: 1, y: -1 } });
  ctx.db.roundEnd.insert({ scheduledId: 0n, scheduledAt: ScheduleAt.time(ctx.timestamp.microsSinceUnixEpoch + 1_000_000n), roundId: id });
});

export const endRound = spacetimedb.reducer({ arg: roundEnd.rowType }, (ctx, { arg }) => {
  const row = ctx.db.round.id.find(arg.roundId);
  if (row === null) return;
  ctx.db.round.id.update({ ...row, phase: { tag: 'Results' }, outcome: row.word.length > 3 ? { ok: row.word } : { err: row.word.length } });
});

const module = { default: spacetimedb, startRound, endRound };

describe('SpacetimeDB 2.x builders and table options', () => {
  it("runs a table's scheduled: () => reducer, with array-form enums read as { tag } and results as { ok } / { err }", async () => {
    const test = createTestDatabase(module);
    await test.reducers.startRound({ id: 1, word: 'lock' });
    await test.reducers.startRound({ id: 2, word: 'ab' });
    expect(test.db.round.id.find(1)?.phase).toEqual({ tag: 'Active' });
    expect(await test.advanceTime(1_000_000n)).toBe(2);
    expect(test.db.round.id.find(1)).toMatchObject({ phase: { tag: 'Results' }, outcome: { ok: 'lock' }, big: 2n ** 255n, signed: -(2n ** 200n), blob: new Uint8Array([1, 2]), at: { x: 1, y: -1 } });
    expect(test.db.round.id.find(2)?.outcome).toEqual({ err: 2 });
    expect(test.db.roundEnd.count()).toBe(0);
  });

  it('refuses client calls to the reducer a table schedules', async () => {
    const test = createTestDatabase(module);
    const error = await test.call('endRound' as never, { arg: { scheduledId: 1n, scheduledAt: ScheduleAt.interval(1n), roundId: 1 } } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReducerError);
    expect((error as Error).message).toBe('Reducer "endRound" cannot be called by clients: it is scheduled by table "round_end"');
  });

  it('makes a constraints: [{ constraint: "unique" }] column unique, with find', async () => {
    const test = createTestDatabase(module);
    await test.reducers.startRound({ id: 1, word: 'lock' });
    await expect(test.reducers.startRound({ id: 2, word: 'lock' })).rejects.toThrow(/word/);
    expect(test.db.round.word.find('lock')?.id).toBe(1);
  });

  it('refuses an i256 out of range and an unknown enum tag, naming the column', async () => {
    const bad = spacetimedb.reducer({ v: t.u256() }, (ctx, { v }) => {
      ctx.db.round.insert({ id: 9, word: 'x', phase: { tag: 'Over' } as never, outcome: undefined, big: v, signed: 0n, blob: new Uint8Array(), at: { x: 0, y: 0 } });
    });
    const test = createTestDatabase({ ...module, bad });
    await expect(test.reducers.bad({ v: 2n ** 256n })).rejects.toThrow(/v.*u256/);
    await expect(test.reducers.bad({ v: 1n })).rejects.toBeInstanceOf(ValueError);
  });

  it('refuses event tables, and a scheduled reducer that is not exported', () => {
    expect(() => table({ name: 'e', event: true }, { id: t.u32() })).toThrow(SchemaError);
    expect(() => table({ name: 'e', event: true }, { id: t.u32() })).toThrow('table("e"): event tables are not supported yet');
    expect(() => loadModule({ default: spacetimedb, startRound })).toThrow('Table "round_end" is scheduled ({ scheduled: () => reducer }), but that reducer is not exported from the module');
  });
});
