import { describe, expect, it } from 'vitest';
import { ConstraintError, DeterminismError, InternalError, ReducerError, SchemaError, SenderError } from '../errors';
import { Range } from '../schema/range';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import { createTestDatabase } from '../testing/test-database';

const player = table({ name: 'player', public: true }, {
  id: t.u64().primaryKey().autoInc(),
  name: t.string().unique(),
  room: t.u32().index('btree'),
  score: t.i32(),
});
const tag = table({ name: 'tag' }, { label: t.string(), weight: t.u8() });
const score = table({ name: 'score', indexes: [{ accessor: 'by_player_level', algorithm: 'btree', columns: ['player_id', 'level'] }] }, {
  player_id: t.u32(),
  level: t.u32(),
  points: t.i64(),
});
const db = schema({ player, tag, score });

const m = {
  default: db,
  add: db.reducer({ name: t.string(), room: t.u32() }, (ctx, { name, room }) => {
    ctx.db.player.insert({ id: 0n, name, room, score: 0 });
  }),
  addThenFail: db.reducer({ names: t.array(t.string()), how: t.string() }, (ctx, { names, how }) => {
    for (const name of names) ctx.db.player.insert({ id: 0n, name, room: 1, score: 0 });
    const first = ctx.db.player.iter().next().value;
    if (first !== undefined) ctx.db.player.id.update({ ...first, score: 99 });
    ctx.db.tag.insert({ label: 'x', weight: 1 });
    if (how === 'sender') throw new SenderError('nope');
    if (how === 'bug') (undefined as unknown as { x: number }).x;
    if (how === 'dup') ctx.db.player.insert({ id: 0n, name: names[0]!, room: 2, score: 0 });
  }),
  recover: db.reducer({ name: t.string() }, (ctx, { name }) => {
    ctx.db.player.insert({ id: 0n, name, room: 1, score: 0 });
    try {
      ctx.db.player.insert({ id: 0n, name, room: 1, score: 0 });
    } catch (error) {
      if (!(error instanceof ConstraintError)) throw error;
    }
    ctx.db.player.insert({ id: 0n, name: `${name}-2`, room: 1, score: 0 });
  }),
  rename: db.reducer({ id: t.u64(), name: t.string() }, (ctx, { id, name }) => {
    const row = ctx.db.player.id.find(id);
    ctx.db.player.id.update({ id, name, room: row?.room ?? 0, score: row?.score ?? 0 });
  }),
  addTag: db.reducer({ label: t.string(), weight: t.u8() }, (ctx, args) => {
    ctx.db.tag.insert(args);
  }),
  addScores: db.reducer({ rows: t.array(t.object('s', { player_id: t.u32(), level: t.u32(), points: t.i64() })) }, (ctx, { rows }) => {
    for (const row of rows) ctx.db.score.insert(row);
  }),
  clearRoom: db.reducer({ room: t.u32() }, (ctx, { room }) => {
    ctx.db.player.room.delete(room);
  }),
  misuseIndex: db.reducer({ how: t.string() }, (ctx, { how }) => {
    const untyped = ctx.db as unknown as Record<string, Record<string, Record<string, (v: unknown) => unknown>>>;
    if (how === 'unindexed') untyped.tag!.label!.find!('x');
    if (how === 'not unique') untyped.player!.room!.find!(1);
  }),
  useApi: db.reducer({ api: t.string() }, (_ctx, { api }) => {
    const g = globalThis as Record<string, any>;
    if (api === 'Math.random') Math.random();
    if (api === 'Date.now') Date.now();
    if (api === 'new Date') new Date();
    if (api === 'performance.now') g.performance.now();
    if (api === 'crypto') g.crypto.getRandomValues(new Uint8Array(4));
    if (api === 'setTimeout') g.setTimeout(() => {}, 1);
    if (api === 'setInterval') g.setInterval(() => {}, 1);
    if (api === 'fetch') g.fetch('http://127.0.0.1/');
  }),
  asyncReducer: db.reducer((async (ctx: { db: { tag: { insert(r: object): void } } }) => {
    ctx.db.tag.insert({ label: 'async', weight: 1 });
  }) as never),
  randomness: db.reducer((ctx) => {
    ctx.log.info(ctx.random(), ctx.random.uint32(), ctx.random.integerInRange(1, 6), ctx.newUuidV4(), ctx.newUuidV7());
  }),
};

describe('transactions', () => {
  it('rolls back every insert, update, delete and sequence step when the reducer throws', async () => {
    const test = createTestDatabase(m);
    await test.reducers.add({ name: 'a', room: 1 });
    const before = test.stateHash();
    const rows = test.rows('player');
    for (const how of ['sender', 'bug', 'dup']) {
      await expect(test.reducers.addThenFail({ names: ['b', 'c'], how })).rejects.toThrow();
      expect(test.stateHash()).toBe(before);
      expect(test.rows('player')).toEqual(rows);
      expect(test.rows('tag')).toEqual([]);
    }
    await test.reducers.add({ name: 'd', room: 1 });
    expect(test.rows('player').map((r) => r.id)).toEqual([1n, 2n]);
  });

  it('reports a SenderError as such and any other throw as an internal error', async () => {
    const test = createTestDatabase(m);
    await expect(test.reducers.addThenFail({ names: [], how: 'sender' })).rejects.toBeInstanceOf(SenderError);
    const bug = await test.reducers.addThenFail({ names: [], how: 'bug' }).catch((e: unknown) => e);
    expect(bug).toBeInstanceOf(InternalError);
    expect((bug as InternalError).reducer).toBe('addThenFail');
    expect(test.logs.some((l) => l.level === 'error' && l.reducer === 'addThenFail')).toBe(true);
  });

  it('names table, column and value for a duplicate unique value', async () => {
    const test = createTestDatabase(m);
    await test.reducers.add({ name: 'ann', room: 1 });
    const error = await test.reducers.add({ name: 'ann', room: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConstraintError);
    expect(error).toMatchObject({ table: 'player', column: 'name', value: '"ann"', code: 'CONSTRAINT_VIOLATION' });
    expect((error as Error).message).toBe('player.name: a row with name = "ann" already exists');
  });

  it('undoes a failed write inside a reducer that catches the error and goes on, leaving no sequence gap', async () => {
    const test = createTestDatabase(m);
    await test.reducers.recover({ name: 'z' });
    expect(test.rows('player').map((r) => [r.id, r.name])).toEqual([[1n, 'z'], [2n, 'z-2']]);
  });

  it('refuses to update a row that is not there', async () => {
    const test = createTestDatabase(m);
    const error = await test.reducers.rename({ id: 5n, name: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConstraintError);
    expect((error as Error).message).toBe('player.id.update: no row has id = 5n');
  });

  it('treats a table without primary key as a set: an identical row is stored once', async () => {
    const test = createTestDatabase(m);
    await test.reducers.addTag({ label: 'x', weight: 1 });
    await test.reducers.addTag({ label: 'x', weight: 1 });
    await test.reducers.addTag({ label: 'x', weight: 2 });
    expect(test.db.tag.count()).toBe(2);
  });

  it('iterates in an order fixed by the contents, not by history', async () => {
    const a = createTestDatabase(m);
    const b = createTestDatabase(m);
    for (const w of [3, 1, 2]) await a.reducers.addTag({ label: `t${w}`, weight: w });
    for (const w of [2, 3, 1]) await b.reducers.addTag({ label: `t${w}`, weight: w });
    expect(a.rows('tag')).toEqual(b.rows('tag'));
    expect(a.stateHash()).toBe(b.stateHash());
    await a.reducers.addTag({ label: 't4', weight: 4 });
    expect(a.stateHash()).not.toBe(b.stateHash());
  });
});

describe('indexes', () => {
  async function scores() {
    const test = createTestDatabase(m);
    const rows = [];
    for (let p = 1; p <= 3; p++) for (let level = 1; level <= 12; level++) rows.push({ player_id: p, level, points: BigInt(p * 100 + level) });
    await test.reducers.addScores({ rows });
    return test;
  }

  it('filters a multi-column index by prefix, by full key and by prefix plus range', async () => {
    const test = await scores();
    const idx = test.db.score.by_player_level;
    expect([...idx.filter(2)].length).toBe(12);
    expect([...idx.filter([2, 5])].map((r) => r.points)).toEqual([205n]);
    expect([...idx.filter([2, Range.between(1, 10)])].map((r) => r.level)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([...idx.filter([2, new Range({ tag: 'excluded', value: 10 }, { tag: 'unbounded' })])].map((r) => r.level)).toEqual([11, 12]);
    expect([...idx.filter(Range.between(2, 3))].length).toBe(24);
  });

  it('filters single-column indexes by value and range and deletes through them', async () => {
    const test = createTestDatabase(m);
    for (const [name, room] of [['a', 3], ['b', 1], ['c', 3], ['d', 2]] as const) await test.reducers.add({ name, room });
    expect([...test.db.player.room.filter(3)].map((r) => r.name)).toEqual(['a', 'c']);
    expect([...test.db.player.room.filter(Range.from(2))].map((r) => r.name)).toEqual(['d', 'a', 'c']);
    expect([...test.db.player.name.filter(Range.to('b'))].map((r) => r.name)).toEqual(['a', 'b']);
    expect(test.db.player.name.find('c')?.room).toBe(3);
    expect(test.db.player.name.find('zz')).toBeNull();
    await test.reducers.clearRoom({ room: 3 });
    expect(test.rows('player').map((r) => r.name)).toEqual(['b', 'd']);
    expect([...test.db.player.room.filter(3)]).toEqual([]);
  });

  it('validates lookup values against the column type', () => {
    const test = createTestDatabase(m);
    expect(() => test.db.player.id.find(1 as never)).toThrow('player.id: expected bigint for u64, got number 1 (write 1n)');
  });

  it('refuses writes outside a reducer', () => {
    const test = createTestDatabase(m);
    expect(() => test.db.tag.insert({ label: 'x', weight: 1 })).toThrow('Tables can only be written while a reducer runs');
  });
});

describe('determinism', () => {
  const cases: [string, string][] = [
    ['Math.random', 'ctx.random()'],
    ['Date.now', 'ctx.timestamp'],
    ['new Date', 'ctx.timestamp'],
    ['performance.now', 'ctx.timestamp'],
    ['crypto', 'ctx.random.fill()'],
    ['setTimeout', 'scheduled reducer'],
    ['setInterval', 'scheduled reducer'],
    ['fetch', 'reducer arguments'],
  ];
  for (const [api, instead] of cases) {
    it(`refuses ${api} inside a reducer, names ${instead}, and restores it afterwards`, async () => {
      const test = createTestDatabase(m);
      const error = await test.reducers.useApi({ api }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeterminismError);
      expect((error as Error).message).toContain(instead);
      expect((error as Error).message).toMatch(/^Reducer "useApi": /);
      expect((error as DeterminismError).reducer).toBe('useApi');
      expect(typeof Math.random()).toBe('number');
      expect(typeof Date.now()).toBe('number');
      expect(new Date(0).getTime()).toBe(0);
      expect(new Date()).toBeInstanceOf(Date);
      expect(typeof performance.now()).toBe('number');
      expect(crypto.getRandomValues(new Uint8Array(2)).length).toBe(2);
      clearTimeout(setTimeout(() => {}, 0));
    });
  }

  it('refuses a reducer that returns a Promise and rolls it back', async () => {
    const test = createTestDatabase(m);
    const error = await test.reducers.asyncReducer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeterminismError);
    expect((error as Error).message).toBe('Reducer "asyncReducer" returned a Promise: reducers must be synchronous (no async/await)');
    expect(test.db.tag.count()).toBe(0);
  });

  it('gives the same random numbers and UUIDs for the same seed, and others for another', async () => {
    const run = async (seed: bigint) => {
      const test = createTestDatabase(m, { seed });
      await test.reducers.randomness();
      return test.logs[0]!.message;
    };
    const a = await run(1n);
    expect(await run(1n)).toBe(a);
    expect(await run(2n)).not.toBe(a);
    const [float, uint, die, v4, v7] = a.split(' ');
    expect(Number(float)).toBeGreaterThanOrEqual(0);
    expect(Number(float)).toBeLessThan(1);
    expect(Number.isInteger(Number(uint))).toBe(true);
    expect(Number(die)).toBeGreaterThanOrEqual(1);
    expect(Number(die)).toBeLessThanOrEqual(6);
    expect(v4).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(v7).toMatch(/^019b7[0-9a-f]{3}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('calls the engine refuses before running', () => {
  it('names an unknown reducer and lists the ones there are', async () => {
    const test = createTestDatabase(m);
    const error = await test.call('nope' as never, {} as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReducerError);
    expect((error as Error).message).toMatch(/^No reducer named "nope"; the module has: add, addScores/);
  });

  it('names an unknown reducer called through test.reducers', async () => {
    const test = createTestDatabase(m);
    const error = await (test.reducers as unknown as Record<string, () => Promise<void>>).nope!().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReducerError);
    expect((error as ReducerError).reducer).toBe('nope');
    expect((error as Error).message).toMatch(/^No reducer named "nope"; the module has: add, addScores/);
    expect((test.reducers as unknown as { then?: unknown }).then).toBeUndefined();
  });

  it('names the reducer once and the argument for missing, extra and mistyped arguments', async () => {
    const test = createTestDatabase(m);
    const error = async (args: unknown) => (await test.call('add', args as never).catch((e: unknown) => e)) as ReducerError;
    const missing = await error({ name: 'x' });
    expect(missing.message).toBe('Bad arguments for reducer "add": args: missing argument "room"');
    expect([missing.reducer, missing.column, missing.table]).toEqual(['add', 'room', undefined]);
    expect((await error({ name: 'x', room: 1, extra: 2 })).message).toBe('Bad arguments for reducer "add": args: unknown argument "extra"');
    const mistyped = await error({ name: 'x', room: -1 });
    expect(mistyped.message).toMatch(/^Bad arguments for reducer "add": args\.room: expected u32.*-1$/);
    expect([mistyped.column, mistyped.value]).toEqual(['room', '-1']);
    expect((await error(5)).message).toBe('Bad arguments for reducer "add": args: expected an object with arguments name, room, got number 5');
  });
});

describe('index methods a column does not have', () => {
  it('names the table and column for find() on a column without an index, and on a non-unique index', async () => {
    const test = createTestDatabase(m);
    const unindexed = await test.reducers.misuseIndex({ how: 'unindexed' }).catch((e: unknown) => e);
    expect(unindexed).toBeInstanceOf(SchemaError);
    expect((unindexed as SchemaError).message).toBe(`ctx.db.tag.label.find(): column "label" of table "tag" has no index. Declare it with .primaryKey(), .unique() or .index('btree'), or scan with ctx.db.tag.iter()`);
    expect([(unindexed as SchemaError).table, (unindexed as SchemaError).column, (unindexed as SchemaError).reducer]).toEqual(['tag', 'label', 'misuseIndex']);
    const notUnique = (await test.reducers.misuseIndex({ how: 'not unique' }).catch((e: unknown) => e)) as SchemaError;
    expect(notUnique.message).toBe('ctx.db.player.room.find(): the index on player.room is not unique, so it has no find(). Use filter(), or declare the column .unique() or .primaryKey()');
    expect([notUnique.table, notUnique.column]).toEqual(['player', 'room']);
  });
});
