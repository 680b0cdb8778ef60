import { describe, expectTypeOf, it } from 'vitest';
import { Range } from '../schema/range';
import type { Identity } from '../values/identity';
import type { ClientEvent, EventContext } from './client-types';
import { connect, type Connection } from './connection';
import type { MessagePortLike } from './options';
import type { SubscriptionHandle } from './subscription';
import type * as m from './test-module.test-util';

declare const conn: Connection<typeof m>;
type Player = { id: number; owner: Identity; name: string; gold: number };
type Score = { player: number; level: number; points: bigint };

describe('connect<typeof module>', () => {
  it('resolves to a connection typed by the module', () => {
    expectTypeOf(connect<typeof m>({ database: 'game', worker: () => ({}) as MessagePortLike })).resolves.toEqualTypeOf<Connection<typeof m>>();
  });

  it('accepts a real Worker factory', () => {
    expectTypeOf(connect<typeof m>).toBeCallableWith({ database: 'game', worker: () => new Worker('x.js', { type: 'module' }) });
  });

  it('types each option', () => {
    // @ts-expect-error durability is 'confirmed' | 'fast'
    void connect<typeof m>({ database: 'game', worker: () => ({}) as MessagePortLike, durability: 'eventually' });
    // @ts-expect-error database is required
    void connect<typeof m>({ worker: () => ({}) as MessagePortLike });
  });
});

describe('typed reducers', () => {
  it('has one function per callable reducer, taking its arguments', () => {
    expectTypeOf(conn.reducers.add_player).parameter(0).toEqualTypeOf<{ id: number; name: string; gold: number }>();
    expectTypeOf(conn.reducers.add_player({ id: 1, name: 'a', gold: 2 })).toEqualTypeOf<Promise<void>>();
    expectTypeOf(conn.reducers.reset).toBeCallableWith();
  });

  it('makes a wrong, missing or extra argument a compile error', () => {
    // @ts-expect-error gold must be a number
    void conn.reducers.add_player({ id: 1, name: 'a', gold: 2n });
    // @ts-expect-error gold is missing
    void conn.reducers.add_player({ id: 1, name: 'a' });
    // @ts-expect-error bonus is not an argument
    void conn.reducers.set_gold({ id: 1, gold: 2, bonus: 3 });
    // @ts-expect-error call() checks names and arguments too
    void conn.call('set_gold', { id: 1 });
  });

  it('leaves out lifecycle reducers and other exports', () => {
    expectTypeOf(conn.reducers).not.toHaveProperty('setup');
    expectTypeOf(conn.reducers).not.toHaveProperty('default');
  });
});

describe('typed db', () => {
  it('types rows, iteration and count', () => {
    expectTypeOf(conn.db.player.iter()).toEqualTypeOf<IterableIterator<Player>>();
    expectTypeOf([...conn.db.score]).toEqualTypeOf<Score[]>();
    expectTypeOf(conn.db.player.count()).toEqualTypeOf<number>();
  });

  it('has find only on unique columns', () => {
    expectTypeOf(conn.db.player.id.find(1)).toEqualTypeOf<Player | null>();
    expectTypeOf(conn.db.player.owner.find).parameter(0).toEqualTypeOf<Identity>();
    expectTypeOf(conn.db.player.gold).not.toHaveProperty('find');
    expectTypeOf(conn.db.score.by_player_level).not.toHaveProperty('find');
    expectTypeOf(conn.db.player).not.toHaveProperty('name');
    // @ts-expect-error the key of id is a number
    void conn.db.player.id.find('1');
  });

  it('has filter on indexes, with values, ranges and prefixes of multi-column indexes', () => {
    expectTypeOf(conn.db.player.gold.filter(Range.from(10))).toEqualTypeOf<IterableIterator<Player>>();
    expectTypeOf(conn.db.score.by_player_level.filter).toBeCallableWith([1, Range.between(1, 10)]);
    expectTypeOf(conn.db.score.by_player_level.filter).toBeCallableWith(1);
    // @ts-expect-error level is a number
    void conn.db.score.by_player_level.filter([1, 'x']);
  });

  it('cannot write', () => {
    expectTypeOf(conn.db.player).not.toHaveProperty('insert');
    expectTypeOf(conn.db.player).not.toHaveProperty('delete');
    expectTypeOf(conn.db.player.id).not.toHaveProperty('update');
    expectTypeOf(conn.db.player.id).not.toHaveProperty('delete');
  });

  it('types callbacks, with onUpdate only on tables with a primary key', () => {
    conn.db.player.onInsert((ctx, row) => {
      expectTypeOf(row).toEqualTypeOf<Player>();
      expectTypeOf(ctx).toEqualTypeOf<EventContext<typeof m>>();
      expectTypeOf(ctx.event).toEqualTypeOf<ClientEvent>();
      expectTypeOf(ctx.db.score.count()).toEqualTypeOf<number>();
    });
    conn.db.player.onUpdate((_ctx, old, row) => {
      expectTypeOf(old).toEqualTypeOf<Player>();
      expectTypeOf(row).toEqualTypeOf<Player>();
    });
    expectTypeOf(conn.db.player.onDelete(() => {})).toEqualTypeOf<() => void>();
    expectTypeOf(conn.db.score).not.toHaveProperty('onUpdate');
  });
});

describe('subscriptions', () => {
  it('returns a handle with applied, active, unsubscribe and onError', () => {
    const sub = conn.subscribe(['SELECT * FROM player']);
    expectTypeOf(sub).toEqualTypeOf<SubscriptionHandle>();
    expectTypeOf(sub.applied).toEqualTypeOf<Promise<void>>();
    expectTypeOf(sub.active).toEqualTypeOf<boolean>();
    expectTypeOf(sub.onError(() => {})).toEqualTypeOf<SubscriptionHandle>();
  });
});
