import { describe, expectTypeOf, it } from 'vitest';
import { createTestDatabase } from '../testing/test-database';
import type { IndexHandle, PrimaryKeyHandle, ReducerContext, TableHandle, UniqueIndexHandle } from './handles';
import type { CallableReducerName, CallOptions, ReducerArgs } from './module-types';
import { Range } from './range';
import { schema, type ContextOf } from './schema';
import { table, type InsertOf, type RowOf } from './table';
import { ScheduleAt, t, type Infer, type TypeBuilder } from './type-builders';
import type { ConnectionId } from '../values/connection-id';
import type { Identity } from '../values/identity';
import type { TimeDuration, Timestamp } from '../values/time';
import type { Uuid } from '../values/uuid';

const score = table(
  { name: 'score', public: true, indexes: [{ accessor: 'by_game_points', algorithm: 'btree', columns: ['game', 'points'] }] },
  {
    id: t.u64().primaryKey().autoInc(),
    owner: t.identity().unique(),
    game: t.u32(),
    points: t.i64().index('btree'),
    tag: t.string().index('hash'),
    note: t.string().optional(),
    level: t.u8().default(1),
    plain: t.string(),
  },
);
const tick = table({ name: 'tick_schedule' }, { scheduled_id: t.u64().primaryKey().autoInc(), scheduled_at: t.scheduleAt() });
const db = schema({ score, tick });
type Ctx = ContextOf<typeof db>;
type Score = RowOf<typeof score.columns>;
declare const ctx: Ctx;
declare const owner: Identity;

const m = {
  default: db,
  add_score: db.reducer({ game: t.u32(), points: t.i64(), note: t.option(t.string()) }, (c, { game, points, note }) => {
    expectTypeOf(c).toEqualTypeOf<Ctx>();
    expectTypeOf(game).toEqualTypeOf<number>();
    expectTypeOf(points).toEqualTypeOf<bigint>();
    expectTypeOf(note).toEqualTypeOf<string | undefined>();
    c.db.score.insert({ owner: c.sender, game, points, tag: 'x', plain: 'y' });
  }),
  resetAll: db.reducer(() => {}),
  setup: db.init(() => {}),
  joined: db.clientConnected(() => {}),
  left: db.clientDisconnected(() => {}),
  on_tick: db.reducer({ onSchedule: tick }, { arg: tick.rowType }, (_c, { arg }) => {
    expectTypeOf(arg).toEqualTypeOf<{ scheduled_id: bigint; scheduled_at: ScheduleAt }>();
  }),
  helper: (x: number) => x,
};

describe('row types are inferred from the builders', () => {
  it('maps each primitive builder to its JS type', () => {
    expectTypeOf<Infer<ReturnType<typeof t.bool>>>().toEqualTypeOf<boolean>();
    expectTypeOf<Infer<ReturnType<typeof t.string>>>().toEqualTypeOf<string>();
    expectTypeOf<Infer<ReturnType<typeof t.u8>>>().toEqualTypeOf<number>();
    expectTypeOf<Infer<ReturnType<typeof t.i32>>>().toEqualTypeOf<number>();
    expectTypeOf<Infer<ReturnType<typeof t.u32>>>().toEqualTypeOf<number>();
    expectTypeOf<Infer<ReturnType<typeof t.f32>>>().toEqualTypeOf<number>();
    expectTypeOf<Infer<ReturnType<typeof t.f64>>>().toEqualTypeOf<number>();
    expectTypeOf<Infer<ReturnType<typeof t.u64>>>().toEqualTypeOf<bigint>();
    expectTypeOf<Infer<ReturnType<typeof t.i64>>>().toEqualTypeOf<bigint>();
    expectTypeOf<Infer<ReturnType<typeof t.u128>>>().toEqualTypeOf<bigint>();
    expectTypeOf<Infer<ReturnType<typeof t.i128>>>().toEqualTypeOf<bigint>();
    expectTypeOf<Infer<ReturnType<typeof t.timestamp>>>().toEqualTypeOf<Timestamp>();
    expectTypeOf<Infer<ReturnType<typeof t.timeDuration>>>().toEqualTypeOf<TimeDuration>();
    expectTypeOf<Infer<ReturnType<typeof t.bytes>>>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<Infer<ReturnType<typeof t.identity>>>().toEqualTypeOf<Identity>();
    expectTypeOf<Infer<ReturnType<typeof t.connectionId>>>().toEqualTypeOf<ConnectionId>();
    expectTypeOf<Infer<ReturnType<typeof t.scheduleAt>>>().toEqualTypeOf<ScheduleAt>();
    expectTypeOf<Infer<ReturnType<typeof t.uuid>>>().toEqualTypeOf<Uuid>();
  });

  it('keeps the value type through column modifiers', () => {
    expectTypeOf<Infer<ReturnType<ReturnType<ReturnType<typeof t.u64>['primaryKey']>['autoInc']>>>().toEqualTypeOf<bigint>();
    const indexed = t.u32().index('hash').unique();
    expectTypeOf<Infer<typeof indexed>>().toEqualTypeOf<number>();
  });

  it('maps option and optional to T | undefined, array to T[], object to its fields, enum to a { tag, value } union', () => {
    const option = t.option(t.u32());
    const optional = t.i64().optional();
    const list = t.array(t.string());
    const point = t.object('Point', { x: t.i32(), y: t.i32(), label: t.option(t.string()) });
    const shape = t.enum('Shape', { circle: t.f64(), square: t.u32(), none: t.unit() });
    expectTypeOf<Infer<typeof option>>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Infer<typeof optional>>().toEqualTypeOf<bigint | undefined>();
    expectTypeOf<Infer<typeof list>>().toEqualTypeOf<string[]>();
    expectTypeOf<Infer<typeof point>>().toEqualTypeOf<{ x: number; y: number; label: string | undefined }>();
    expectTypeOf<Infer<typeof shape>>().toEqualTypeOf<
      | { readonly tag: 'circle'; readonly value: number }
      | { readonly tag: 'square'; readonly value: number }
      | { readonly tag: 'none' }
    >();
  });

  it('types the SpacetimeDB builders: array-form enums, t.row, t.byteArray, t.result, t.i256 / t.u256', () => {
    const phase = t.enum('Phase', ['Active', 'Results']);
    expectTypeOf<Infer<typeof phase>>().toEqualTypeOf<{ readonly tag: 'Active' | 'Results' }>();
    expectTypeOf<Infer<ReturnType<typeof t.row<{ x: TypeBuilder<number> }>>>>().toEqualTypeOf<{ x: number }>();
    expectTypeOf<Infer<ReturnType<typeof t.byteArray>>>().toEqualTypeOf<Uint8Array>();
    const outcome = t.result(t.string(), t.u32());
    expectTypeOf<Infer<typeof outcome>>().toEqualTypeOf<{ readonly ok: string } | { readonly err: number }>();
    expectTypeOf<Infer<ReturnType<typeof t.i256>>>().toEqualTypeOf<bigint>();
    expectTypeOf<Infer<ReturnType<typeof t.u256>>>().toEqualTypeOf<bigint>();
  });

  it('gives a table its row type', () => {
    expectTypeOf<Score>().toEqualTypeOf<{
      id: bigint;
      owner: Identity;
      game: number;
      points: bigint;
      tag: string;
      note: string | undefined;
      level: number;
      plain: string;
    }>();
    for (const row of ctx.db.score) expectTypeOf(row).toEqualTypeOf<Score>();
    expectTypeOf(score.rowType).toEqualTypeOf<TypeBuilder<Score>>();
  });
});

describe('insert', () => {
  it('lets autoInc, default and optional columns be left out and requires the others', () => {
    expectTypeOf<InsertOf<typeof score.columns>>().toEqualTypeOf<
      { owner: Identity; game: number; points: bigint; tag: string; plain: string } & { id?: bigint; note?: string | undefined; level?: number }
    >();
    expectTypeOf(ctx.db.score.insert({ owner, game: 1, points: 2n, tag: 't', plain: 'p' })).toEqualTypeOf<Score>();
    ctx.db.score.insert({ id: 0n, owner, game: 1, points: 2n, tag: 't', plain: 'p', note: undefined, level: 3 });
    // @ts-expect-error plain is required
    ctx.db.score.insert({ owner, game: 1, points: 2n, tag: 't' });
    // @ts-expect-error owner is required
    ctx.db.score.insert({ game: 1, points: 2n, tag: 't', plain: 'p' });
  });

  it('refuses a wrong column name or value type', () => {
    // @ts-expect-error no column "color"
    ctx.db.score.insert({ owner, game: 1, points: 2n, tag: 't', plain: 'p', color: 'red' });
    // @ts-expect-error points is a bigint (i64), not a number
    ctx.db.score.insert({ owner, game: 1, points: 2, tag: 't', plain: 'p' });
    // @ts-expect-error game is a number (u32), not a bigint
    ctx.db.score.insert({ owner, game: 1n, points: 2n, tag: 't', plain: 'p' });
    // @ts-expect-error a plain string is not an Identity
    ctx.db.score.insert({ owner: 'abc', game: 1, points: 2n, tag: 't', plain: 'p' });
    // @ts-expect-error the id is a bigint (u64)
    ctx.db.score.insert({ id: 0, owner, game: 1, points: 2n, tag: 't', plain: 'p' });
  });
});

describe('index handles', () => {
  it('gives find only to the primary key and unique columns, returning Row | null', () => {
    expectTypeOf(ctx.db.score.id).toEqualTypeOf<PrimaryKeyHandle<Score, bigint>>();
    expectTypeOf(ctx.db.score.owner).toEqualTypeOf<UniqueIndexHandle<Score, Identity>>();
    expectTypeOf(ctx.db.score.id.find(1n)).toEqualTypeOf<Score | null>();
    expectTypeOf(ctx.db.score.owner.find(owner)).toEqualTypeOf<Score | null>();
    expectTypeOf(ctx.db.score.owner.delete(owner)).toEqualTypeOf<boolean>();
    // @ts-expect-error the key of id is a bigint
    ctx.db.score.id.find(1);
    // @ts-expect-error points is indexed but not unique: no find
    ctx.db.score.points.find(1n);
    // @ts-expect-error a multi-column index has no find
    ctx.db.score.by_game_points.find(1);
  });

  it('gives update only to the primary key, taking a whole row of the right types', () => {
    const row = ctx.db.score.id.find(1n)!;
    expectTypeOf(ctx.db.score.id.update({ ...row, game: 2 })).toEqualTypeOf<Score>();
    // @ts-expect-error owner is unique but not the primary key
    ctx.db.score.owner.update(row);
    // @ts-expect-error a non-unique index has no update
    ctx.db.score.points.update(row);
    // @ts-expect-error game is a number
    ctx.db.score.id.update({ ...row, game: 2n });
    // @ts-expect-error no column "color"
    ctx.db.score.id.update({ ...row, color: 'red' });
    // @ts-expect-error update takes a whole row
    ctx.db.score.id.update({ id: 1n, game: 2 });
  });

  it('gives filter to btree and hash indexed columns, by value or range', () => {
    expectTypeOf(ctx.db.score.points).toEqualTypeOf<IndexHandle<Score, bigint | Range<bigint>>>();
    expectTypeOf(ctx.db.score.points.filter(5n)).toEqualTypeOf<IterableIterator<Score>>();
    ctx.db.score.points.filter(Range.between(1n, 10n));
    ctx.db.score.tag.filter(Range.from('a'));
    expectTypeOf(ctx.db.score.points.delete(Range.to(0n, true))).toEqualTypeOf<number>();
    // @ts-expect-error points is a bigint
    ctx.db.score.points.filter(5);
    // @ts-expect-error a range of the wrong type
    ctx.db.score.points.filter(Range.between(1, 10));
    // unique columns filter too (value or range)
    ctx.db.score.id.filter(Range.from(10n));
  });

  it('gives filter to multi-column indexes: a value, a range, or a tuple prefix ending in a value or range', () => {
    type Key = Parameters<typeof ctx.db.score.by_game_points.filter>[0];
    expectTypeOf<Key>().toEqualTypeOf<
      number | Range<number> | readonly [number | Range<number>] | readonly [number, bigint | Range<bigint>]
    >();
    ctx.db.score.by_game_points.filter(1);
    ctx.db.score.by_game_points.filter(Range.between(1, 3));
    ctx.db.score.by_game_points.filter([1]);
    ctx.db.score.by_game_points.filter([1, 5n]);
    ctx.db.score.by_game_points.filter([1, Range.from(5n)]);
    // @ts-expect-error only the last element of a prefix may be a range
    ctx.db.score.by_game_points.filter([Range.from(1), 5n]);
    // @ts-expect-error the second column is a bigint
    ctx.db.score.by_game_points.filter([1, 5]);
    // @ts-expect-error longer than the index
    ctx.db.score.by_game_points.filter([1, 5n, 'x']);
  });

  it('gives plain columns no handle at all', () => {
    // @ts-expect-error game is not indexed
    ctx.db.score.game.filter(1);
    // @ts-expect-error plain is not indexed
    void ctx.db.score.plain;
    // @ts-expect-error no index named by_points
    void ctx.db.score.by_points;
  });

  it('gives every table the whole-table operations', () => {
    expectTypeOf(ctx.db.tick).toExtend<TableHandle<RowOf<typeof tick.columns>, InsertOf<typeof tick.columns>>>();
    expectTypeOf(ctx.db.score.count()).toEqualTypeOf<number>();
    expectTypeOf(ctx.db.score.delete).parameter(0).toEqualTypeOf<Score>();
  });
});

describe('table accessors', () => {
  it('reaches a table by its schema key, not its name option (the SQL name)', () => {
    const user = table({ name: 'User' }, { identity: t.identity().primaryKey() });
    const audit = table({ name: 'transfer_audit' }, { id: t.u64().primaryKey().autoInc() });
    const s = schema({ user, transferAudit: audit });
    type Db = ContextOf<typeof s>['db'];
    expectTypeOf<keyof Db>().toEqualTypeOf<'user' | 'transferAudit'>();
    expectTypeOf<Db['user']['identity']['find']>().returns.toEqualTypeOf<{ identity: Identity } | null>();
  });

  it('reaches a table without a name option by its key, and nothing else', () => {
    const s = schema({ things: table({}, { id: t.u32().primaryKey() }), other: table({ public: true }, { id: t.u32() }) });
    type Db = ContextOf<typeof s>['db'];
    expectTypeOf<keyof Db>().toEqualTypeOf<'things' | 'other'>();
    const c = {} as ContextOf<typeof s>;
    expectTypeOf(c.db.things.id.find(1)).toEqualTypeOf<{ id: number } | null>();
    // @ts-expect-error no table "whatever"
    void c.db.whatever;
  });

  it('gives a table declared inline in schema({...}) only the indexes it declares', () => {
    const s = schema({
      things: table({}, { id: t.u32().primaryKey(), a: t.u32() }),
      accounts: table({ name: 'accounts' }, { id: t.u32().primaryKey(), balance: t.i64() }),
      pairs: table({ indexes: [{ accessor: 'by_ab', columns: ['a', 'b'] }] }, { a: t.u32(), b: t.string() }),
    });
    type Db = ContextOf<typeof s>['db'];
    expectTypeOf<keyof Db['things']>().toEqualTypeOf<keyof TableHandle<unknown> | 'id'>();
    expectTypeOf<keyof Db['accounts']>().toEqualTypeOf<keyof TableHandle<unknown> | 'id'>();
    expectTypeOf<keyof Db['pairs']>().toEqualTypeOf<keyof TableHandle<unknown> | 'by_ab'>();
    const c = {} as ContextOf<typeof s>;
    c.db.pairs.by_ab.filter([1, 'x']);
    // @ts-expect-error a is not indexed on its own
    void c.db.things.a;
    // @ts-expect-error no index "balance"
    void c.db.accounts.balance;
  });

  it('refuses an index option naming an unknown column', () => {
    // @ts-expect-error no column "c"
    table({ indexes: [{ accessor: 'by_ac', columns: ['a', 'c'] }] }, { a: t.u32(), b: t.u32() });
  });

  it('types the test database the same way', () => {
    const user = table({ name: 'User' }, { identity: t.identity().primaryKey() });
    const s = schema({ user, scores: table({}, { points: t.u32().index() }) });
    const tdb = createTestDatabase({ default: s });
    expectTypeOf(tdb.db.user.identity.find(owner)).toEqualTypeOf<{ identity: Identity } | null>();
    expectTypeOf(tdb.db.scores.points.filter(1)).toEqualTypeOf<IterableIterator<{ points: number }>>();
    // @ts-expect-error the accessor is the key "user", not the SQL name "User"
    void tdb.db.User;
  });
});

describe('reducers', () => {
  it('refuses a wrong argument name or type inside the reducer', () => {
    db.reducer({ game: t.u32() }, (_c, args) => {
      expectTypeOf(args).toEqualTypeOf<{ game: number }>();
      // @ts-expect-error no argument "points"
      void args.points;
      // @ts-expect-error game is a number
      const wrong: bigint = args.game;
      void wrong;
    });
    db.reducer({ owner: t.identity() }, (c, { owner: who }) => {
      // @ts-expect-error a wrong column name in update
      c.db.score.owner.find(who) && c.db.score.id.update({ ...c.db.score.owner.find(who)!, colour: 1 });
    });
  });

  it('types tdb.reducers from typeof module: callable reducers only, by export name', () => {
    expectTypeOf<CallableReducerName<typeof m>>().toEqualTypeOf<'add_score' | 'resetAll'>();
    expectTypeOf<ReducerArgs<typeof m, 'add_score'>>().toEqualTypeOf<{ game: number; points: bigint; note: string | undefined }>();
    const tdb = createTestDatabase(m);
    type AddScore = (args: { game: number; points: bigint | number; note: string | undefined }, options?: CallOptions) => Promise<void>;
    expectTypeOf(tdb.reducers).toEqualTypeOf<{
      readonly add_score: AddScore;
      readonly resetAll: (args?: {}, options?: CallOptions) => Promise<void>;
    } & { readonly addScore: AddScore }>();
  });

  it('refuses wrong arguments to tdb.reducers and tdb.call', () => {
    const tdb = createTestDatabase(m);
    void tdb.reducers.add_score({ game: 1, points: 2n, note: undefined }, { sender: owner });
    void tdb.reducers.resetAll();
    // an i64 argument may be a safe JS integer
    void tdb.reducers.addScore({ game: 1, points: 2, note: undefined });
    // @ts-expect-error points is a bigint or a number
    void tdb.reducers.add_score({ game: 1, points: '2', note: undefined });
    // @ts-expect-error no argument "color"
    void tdb.reducers.add_score({ game: 1, points: 2n, note: undefined, color: 'red' });
    // @ts-expect-error game is required
    void tdb.reducers.add_score({ points: 2n, note: undefined });
    // @ts-expect-error the arguments are required
    void tdb.reducers.add_score();
    // @ts-expect-error a sender is an Identity
    void tdb.reducers.resetAll({}, { sender: 'someone' });
    void tdb.call('add_score', { game: 1, points: 2n, note: undefined });
    // @ts-expect-error game is a number
    void tdb.call('add_score', { game: 1n, points: 2n, note: undefined });
  });

  it('keeps lifecycle and scheduled reducers and other exports out of tdb.reducers', () => {
    const tdb = createTestDatabase(m);
    // @ts-expect-error init is not callable by clients
    void tdb.reducers.setup;
    // @ts-expect-error clientConnected is not callable by clients
    void tdb.reducers.joined;
    // @ts-expect-error clientDisconnected is not callable by clients
    void tdb.reducers.left;
    // @ts-expect-error a scheduled reducer is not callable by clients
    void tdb.reducers.on_tick;
    // @ts-expect-error not a reducer
    void tdb.reducers.helper;
    // @ts-expect-error not callable by name either
    void tdb.call('on_tick', {} as never);
  });

  it('lets one reducer call another with the same context', () => {
    db.reducer((c) => {
      m.add_score(c, { game: 1, points: 2n, note: undefined });
      // @ts-expect-error points is a bigint
      m.add_score(c, { game: 1, points: 2, note: undefined });
    });
  });
});

describe('reducers are synchronous', () => {
  it('refuses an async reducer and a reducer returning a Promise, and accepts any other return value', () => {
    // @ts-expect-error an async reducer returns a Promise
    db.reducer(async () => {});
    // @ts-expect-error so does an async reducer with arguments
    db.reducer({ n: t.u32() }, async (_ctx, { n }) => void n);
    // @ts-expect-error a returned Promise is refused too
    db.reducer(() => Promise.resolve());
    // @ts-expect-error and in lifecycle reducers
    db.init(async () => {});
    db.reducer((c) => c.db.score.insert({ id: 0n, owner, game: 1, points: 2n, tag: 'x', note: undefined, level: 1, plain: '' }));
    db.reducer((c) => c.db.score.id.delete(1n));
    db.reducer((c) => c.db.score.points.filter(1n));
  });
});

describe('ContextOf', () => {
  it('is the reducer context of the schema', () => {
    expectTypeOf<Ctx>().toExtend<ReducerContext>();
    expectTypeOf<Ctx['db']['score']['id']['find']>().returns.toEqualTypeOf<Score | null>();
    expectTypeOf<Ctx['sender']>().toEqualTypeOf<Identity>();
    expectTypeOf<Ctx['timestamp']>().toEqualTypeOf<Timestamp>();
    expectTypeOf<Ctx['databaseIdentity']>().toEqualTypeOf<Identity>();
    expectTypeOf<Ctx['senderAuth']['isInternal']>().toEqualTypeOf<boolean>();
    expectTypeOf<ReturnType<Ctx['newUuidV7']>>().toEqualTypeOf<Uuid>();
    expectTypeOf<Ctx['connectionId']>().toEqualTypeOf<ConnectionId | null>();
    function byOwner(c: ContextOf<typeof db>, who: Identity) {
      return c.db.score.owner.find(who);
    }
    db.reducer((c) => void byOwner(c, c.sender));
  });
});

describe('Range and ScheduleAt', () => {
  it('types ranges by their bounds', () => {
    expectTypeOf(Range.between(1n, 2n)).toEqualTypeOf<Range<bigint>>();
    expectTypeOf(Range.from('a')).toEqualTypeOf<Range<string>>();
    expectTypeOf(ScheduleAt.interval(1n)).toEqualTypeOf<ScheduleAt>();
    // @ts-expect-error microseconds are a bigint
    ScheduleAt.time(5);
  });
});
