import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors';
import { Range } from '../schema/range';
import type { WireRow } from '../host/client-protocol';
import { connectFake, identity, subscribeFake, withOwner } from './fake-host.test-util';
import * as m from './test-module.test-util';
import { Identity } from '../values/identity';

const players = [3, 1, 2, 4].map((id) => ({ id, owner: identity(id), name: `p${id}`, gold: id % 2 === 0 ? 100 : 50 }));
const scores = [
  { player: 1, level: 1, points: 10n },
  { player: 1, level: 5, points: 50n },
  { player: 1, level: 10, points: 100n },
  { player: 1, level: 11, points: 110n },
  { player: 2, level: 3, points: 30n },
  { player: 2, level: 3, points: 31n },
];

async function cached() {
  const { host, conn } = await connectFake(m);
  const p = await subscribeFake(host, conn, 'SELECT * FROM player', [players]);
  const s = await subscribeFake(host, conn, 'SELECT * FROM score', [scores]);
  const commit = async (table: 'player' | 'score', change: { inserts?: WireRow[]; deletes?: WireRow[] }): Promise<void> => {
    const queryId = (table === 'player' ? p : s).request.queries[0]!.queryId;
    host.commit([{ queryId, ...change }]);
    const call = conn.reducers.reset();
    host.answerCall(await host.next('call'));
    await call;
  };
  return { conn, commit };
}

describe('unique indexes of the cache', () => {
  it('finds a row by primary key, and null when there is none', async () => {
    const { conn } = await cached();
    expect(conn.db.player.id.find(2)).toEqual(withOwner(players[2]!));
    expect(conn.db.player.id.find(9)).toBeNull();
  });

  it('finds a row by a unique column', async () => {
    const { conn } = await cached();
    expect(conn.db.player.owner.find(new Identity(identity(4)))?.id).toBe(4);
    expect(conn.db.player.owner.find(new Identity(identity(5)))).toBeNull();
  });

  it('refuses a key of the wrong type with a ValueError naming table and column', async () => {
    const { conn } = await cached();
    expect(() => conn.db.player.id.find('1' as never)).toThrow(ValueError);
    expect(() => conn.db.player.id.find(-1)).toThrow(/^player\.id: expected u32/);
  });

  it('filters the primary key by range, in key order', async () => {
    const { conn } = await cached();
    expect([...conn.db.player.id.filter(Range.between(2, 3))].map((r) => r.id)).toEqual([2, 3]);
  });

  it('iterates in primary-key order', async () => {
    const { conn } = await cached();
    expect([...conn.db.player.iter()].map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });
});

describe('non-unique indexes of the cache', () => {
  it('filters a one-column index by value and by range', async () => {
    const { conn } = await cached();
    expect([...conn.db.player.gold.filter(100)].map((r) => r.id)).toEqual([2, 4]);
    expect([...conn.db.player.gold.filter(Range.from(60))].map((r) => r.id)).toEqual([2, 4]);
    expect([...conn.db.player.gold.filter(Range.to(100, true))].map((r) => r.id)).toEqual([1, 3]);
  });

  it('filters a two-column index by a prefix, a full key, and a prefix plus a range', async () => {
    const { conn } = await cached();
    const points = (key: Parameters<typeof conn.db.score.by_player_level.filter>[0]) => [...conn.db.score.by_player_level.filter(key)].map((r) => r.points);
    expect(points(1)).toEqual([10n, 50n, 100n, 110n]);
    expect(points([2, 3])).toEqual([30n, 31n]);
    expect(points([1, Range.between(1, 10)])).toEqual([10n, 50n, 100n]);
    expect(points([1, new Range({ tag: 'excluded', value: 1 }, { tag: 'excluded', value: 11 })])).toEqual([50n, 100n]);
    expect(points(Range.from(2))).toEqual([30n, 31n]);
  });

  it('keeps indexes current through updates, deletes and inserts', async () => {
    const { conn, commit } = await cached();
    await commit('player', { deletes: [players[0]!], inserts: [{ ...players[0]!, gold: 100 }] });
    expect([...conn.db.player.gold.filter(100)].map((r) => r.id)).toEqual([2, 3, 4]);
    await commit('score', { deletes: [scores[1]!], inserts: [{ player: 1, level: 2, points: 20n }] });
    expect([...conn.db.score.by_player_level.filter([1, Range.to(5)])].map((r) => r.points)).toEqual([10n, 20n]);
    expect(conn.db.score.count()).toBe(6);
  });
});

describe('a table without a primary key', () => {
  it('tells equal rows apart from different ones by their whole contents', async () => {
    const { conn, commit } = await cached();
    await commit('score', { deletes: [{ player: 2, level: 3, points: 31n }] });
    expect([...conn.db.score.by_player_level.filter([2, 3])]).toEqual([{ player: 2, level: 3, points: 30n }]);
    expect(conn.db.score.count()).toBe(5);
  });

  it('iterates in row order', async () => {
    const { conn } = await cached();
    expect([...conn.db.score].map((r) => r.points)).toEqual([10n, 50n, 100n, 110n, 30n, 31n]);
  });
});

describe('cached rows', () => {
  it('are frozen, so a callback cannot corrupt the indexes', async () => {
    const { conn } = await cached();
    const row = conn.db.player.id.find(1)!;
    expect(Object.isFrozen(row)).toBe(true);
  });
});
