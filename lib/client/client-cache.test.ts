import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { QueryError, SchemaError } from '../errors';
import type { ClientEvent } from './client-types';
import { connectFake, identity, subscribeFake, withOwner } from './fake-host.test-util';
import * as m from './test-module.test-util';

const ann = { id: 1, owner: identity(1), name: 'ann', gold: 10 };
const bob = { id: 2, owner: identity(2), name: 'bob', gold: 20 };
const cy = { id: 3, owner: identity(3), name: 'cy', gold: 30 };

// Reading a table after its last subscription ended warns; tests that check the warning read this spy.
let warn: MockInstance<typeof console.warn>;
beforeEach(() => void (warn = vi.spyOn(console, 'warn').mockImplementation(() => {})));
afterEach(() => void vi.restoreAllMocks());

describe('subscribing', () => {
  it('puts the first rows in the cache and runs onInsert for each, as subscribeApplied, before applied resolves', async () => {
    const { host, conn } = await connectFake(m);
    const inserted: [ClientEvent, string][] = [];
    conn.db.player.onInsert((ctx, row) => inserted.push([ctx.event, row.name]));
    const sub = conn.subscribe('SELECT * FROM player');
    expect(sub.active).toBe(false);
    const request = await host.next('subscribe');
    expect(request.queries).toEqual([{ queryId: 1, sql: 'SELECT * FROM player' }]);
    host.applied(request, [[ann, bob]]);
    await sub.applied;
    expect(sub.active).toBe(true);
    expect(inserted).toEqual([[{ kind: 'subscribeApplied' }, 'ann'], [{ kind: 'subscribeApplied' }, 'bob']]);
    expect([...conn.db.player].map((r) => r.name)).toEqual(['ann', 'bob']);
    expect(conn.db.player.count()).toBe(2);
  });

  it('gives each query of a subscription its own id', async () => {
    const { host, conn } = await connectFake(m);
    conn.subscribe(['SELECT * FROM player', 'SELECT * FROM score']);
    conn.subscribe('SELECT * FROM player WHERE gold > 5');
    expect((await host.next('subscribe')).queries.map((q) => q.queryId)).toEqual([1, 2]);
    expect((await host.next('subscribe')).queries.map((q) => q.queryId)).toEqual([3]);
  });

  it('throws a QueryError for no SQL text', async () => {
    const { conn } = await connectFake(m);
    expect(() => conn.subscribe([])).toThrow(QueryError);
    expect(() => conn.subscribe('')).toThrow(/subscribe\(\) takes SQL text or a non-empty array of it/);
  });

  it('rejects applied and calls onError with the host error when a query is refused', async () => {
    const { host, conn } = await connectFake(m);
    const errors: unknown[] = [];
    const sub = conn.subscribe('SELECT * FROM playr').onError((e) => errors.push(e));
    host.refuse(await host.next('subscribe'), new QueryError('Unknown table "playr"', { position: 14 }));
    await expect(sub.applied).rejects.toThrow(QueryError);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'QueryError', position: 14 });
    expect(sub.active).toBe(false);
  });
});

describe('overlapping subscriptions share rows', () => {
  it('keeps a row two queries hold until both have let go, and runs onDelete only then', async () => {
    const { host, conn } = await connectFake(m);
    const deleted: [ClientEvent, string][] = [];
    const inserted: string[] = [];
    conn.db.player.onDelete((ctx, row) => deleted.push([ctx.event, row.name]));
    conn.db.player.onInsert((_ctx, row) => inserted.push(row.name));
    const rich = await subscribeFake(host, conn, 'SELECT * FROM player WHERE gold >= 20', [[bob, cy]]);
    const early = await subscribeFake(host, conn, 'SELECT * FROM player WHERE id <= 2', [[ann, bob]]);
    expect(inserted).toEqual(['bob', 'cy', 'ann']);
    expect(conn.db.player.count()).toBe(3);

    rich.handle.unsubscribe();
    expect(rich.handle.active).toBe(false);
    expect([...conn.db.player.iter()].map((r) => r.name)).toEqual(['ann', 'bob']);
    expect(deleted).toEqual([[{ kind: 'unsubscribeApplied' }, 'cy']]);
    expect(await host.next('unsubscribe')).toMatchObject({ queryIds: [rich.request.queries[0]!.queryId] });

    early.handle.unsubscribe();
    expect(conn.db.player.count()).toBe(0);
    expect(deleted.map(([, name]) => name)).toEqual(['cy', 'ann', 'bob']);
  });

  it('keeps a row that moves from one query to another in a transaction, without callbacks', async () => {
    const { host, conn } = await connectFake(m);
    const poor = await subscribeFake(host, conn, 'SELECT * FROM player WHERE id = 1', [[ann]]);
    const rich = await subscribeFake(host, conn, 'SELECT * FROM player WHERE name = "ann"', [[]]);
    const events = vi.fn();
    conn.db.player.onInsert(events);
    conn.db.player.onDelete(events);
    conn.db.player.onUpdate(events);
    host.commit([
      { queryId: poor.request.queries[0]!.queryId, deletes: [ann] },
      { queryId: rich.request.queries[0]!.queryId, inserts: [ann] },
    ]);
    const call = conn.reducers.reset();
    host.answerCall(await host.next('call'));
    await call;
    expect(events).not.toHaveBeenCalled();
    poor.handle.unsubscribe();
    expect(conn.db.player.id.find(1)).toEqual(withOwner(ann));
  });

  it('ignores rows of a query ended before its first rows arrived', async () => {
    const { host, conn } = await connectFake(m);
    const sub = conn.subscribe('SELECT * FROM player');
    sub.unsubscribe();
    const request = await host.next('subscribe');
    host.applied(request, [[ann]]);
    await sub.applied;
    expect(sub.active).toBe(false);
    expect(conn.db.player.count()).toBe(0);
    expect(await host.next('unsubscribe')).toMatchObject({ queryIds: [request.queries[0]!.queryId] });
  });
});

describe('transactions', () => {
  it('reports a delete and an insert of one primary key as an update', async () => {
    const { host, conn } = await connectFake(m);
    const { request } = await subscribeFake(host, conn, 'SELECT * FROM player', [[ann, bob]]);
    const updates: [string, number, number][] = [];
    const other = vi.fn();
    conn.db.player.onUpdate((_ctx, old, row) => updates.push([row.name, old.gold, row.gold]));
    conn.db.player.onInsert(other);
    conn.db.player.onDelete(other);
    host.commit([{ queryId: request.queries[0]!.queryId, deletes: [ann], inserts: [{ ...ann, gold: 11 }] }]);
    const call = conn.reducers.reset();
    host.answerCall(await host.next('call'));
    await call;
    expect(updates).toEqual([['ann', 10, 11]]);
    expect(other).not.toHaveBeenCalled();
    expect(conn.db.player.id.find(1)?.gold).toBe(11);
  });

  it('runs callbacks only after every table of the transaction is applied', async () => {
    const { host, conn } = await connectFake(m);
    const players = await subscribeFake(host, conn, 'SELECT * FROM player', [[ann]]);
    const scores = await subscribeFake(host, conn, 'SELECT * FROM score', [[]]);
    const seen: [number, number][] = [];
    conn.db.player.onUpdate((ctx) => seen.push([ctx.db.score.count(), ctx.db.player.id.find(1)!.gold]));
    host.commit([
      { queryId: players.request.queries[0]!.queryId, deletes: [ann], inserts: [{ ...ann, gold: 0 }] },
      { queryId: scores.request.queries[0]!.queryId, inserts: [{ player: 1, level: 1, points: 10n }] },
    ]);
    const call = conn.reducers.reset();
    host.answerCall(await host.next('call'));
    await call;
    expect(seen).toEqual([[1, 0]]);
  });

  it('stops calling a callback once it is removed, by remover function or removeOn*', async () => {
    const { host, conn } = await connectFake(m);
    const { request } = await subscribeFake(host, conn, 'SELECT * FROM player', [[]]);
    const viaFunction = vi.fn();
    const viaMethod = vi.fn();
    const kept = vi.fn();
    const remove = conn.db.player.onInsert(viaFunction);
    conn.db.player.onInsert(viaMethod);
    conn.db.player.onInsert(kept);
    remove();
    conn.db.player.removeOnInsert(viaMethod);
    host.commit([{ queryId: request.queries[0]!.queryId, inserts: [ann] }]);
    const call = conn.reducers.reset();
    host.answerCall(await host.next('call'));
    await call;
    expect(viaFunction).not.toHaveBeenCalled();
    expect(viaMethod).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledOnce();
  });

  it('reports a throwing callback and still runs the others', async () => {
    const { host, conn } = await connectFake(m);
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    const failure = new Error('render failed');
    const after = vi.fn();
    conn.db.player.onInsert(() => {
      throw failure;
    });
    conn.db.player.onInsert(after);
    await subscribeFake(host, conn, 'SELECT * FROM player', [[ann, bob]]);
    expect(after).toHaveBeenCalledTimes(2);
    expect(reported).toHaveBeenCalledWith(failure);
  });
});

describe('a subscription the host ends', () => {
  it('ends the whole subscription, removes its rows, tells onError and unsubscribes its other queries', async () => {
    const { host, conn } = await connectFake(m);
    const errors: unknown[] = [];
    const { handle, request } = await subscribeFake(host, conn, ['SELECT * FROM player', 'SELECT * FROM score'], [[ann], [{ player: 1, level: 1, points: 1n }]]);
    handle.onError((e) => errors.push(e));
    const [first, second] = request.queries.map((q) => q.queryId);
    host.send({ type: 'subscriptionError', queryId: first!, error: { name: 'SchemaError', message: 'Table "player" changed', details: { table: 'player' } } });
    expect(await host.next('unsubscribe')).toMatchObject({ queryIds: [second] });
    expect(errors[0]).toBeInstanceOf(SchemaError);
    expect(handle.active).toBe(false);
    expect(conn.db.player.count()).toBe(0);
    expect(conn.db.score.count()).toBe(0);
  });
});

describe('reading a table without a subscription', () => {
  it('returns nothing and warns once, naming the table and how to subscribe', async () => {
    const { conn } = await connectFake(m);
    expect(conn.db.player.count()).toBe(0);
    expect([...conn.db.player]).toEqual([]);
    expect(conn.db.player.id.find(1)).toBeNull();
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]![0]).toMatch(/conn\.db\.player was read, but no subscription covers table "player".*conn\.subscribe\('SELECT \* FROM player'\)/);
  });

  it('says a private table cannot be subscribed to', async () => {
    const { conn } = await connectFake(m);
    conn.db.secret.count();
    expect(warn.mock.calls[0]![0]).toMatch(/table "secret" is private/);
  });

  it('does not warn while a subscription is pending or once one covers the table', async () => {
    const { host, conn } = await connectFake(m);
    const sub = conn.subscribe('SELECT * FROM player');
    conn.db.score.count();
    const request = await host.next('subscribe');
    host.applied(request, [[]]);
    await sub.applied;
    conn.db.player.count();
    expect(warn).not.toHaveBeenCalled();
  });
});
