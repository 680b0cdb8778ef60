import { describe, expectTypeOf, it } from 'vitest';
import { DbConnection } from '../client/builder';
import type * as m from '../client/test-module.test-util';
import { Identity } from '../values/identity';
import { useReducer, useTable } from './hooks';

type Player = { id: number; owner: Identity; name: string; gold: number };

describe('lockstep/react types', () => {
  it('types useTable rows by the schema key and useReducer by export or camelCase name', () => {
    expectTypeOf(useTable<typeof m, 'player'>).returns.toEqualTypeOf<readonly [readonly Player[], boolean]>();
    expectTypeOf(useReducer<typeof m, 'addPlayer'>).returns.parameter(0).toEqualTypeOf<{ id: number; name: string; gold: number }>();
    expectTypeOf(useReducer<typeof m, 'add_score'>).returns.parameter(0).toEqualTypeOf<{ player: number; level: number; points: bigint | number }>();
    // @ts-expect-error no table "players"
    useTable<typeof m, 'players'>('players');
  });

  it('types the builder and subscription builder like SpacetimeDB', () => {
    const conn = DbConnection.builder<typeof m>().withDatabaseName('game').onConnect((c, identity, token) => {
      expectTypeOf(identity).toEqualTypeOf<Identity>();
      expectTypeOf(token).toEqualTypeOf<string>();
      expectTypeOf(c.db.player.id.find(1)).toEqualTypeOf<Player | null>();
    }).build();
    conn.subscriptionBuilder().onApplied((ctx) => expectTypeOf(ctx.db.player.count()).toEqualTypeOf<number>()).subscribe('SELECT * FROM player');
    expectTypeOf(conn.reducers.setGold).toEqualTypeOf(conn.reducers.set_gold);
  });
});
