import { expose } from 'comlink';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { ClosedError, InternalError, NotFoundError, QueryError, serializeError } from '../errors';
import { hostApi } from '../host/host-api';
import type { ClientMessage, HostMessage } from '../host/client-protocol';
import { connect, openConnection } from './connection';
import { connectFake, FakeHost, HOST_IDENTITY, identity } from './fake-host.test-util';
import type { MessagePortLike } from './options';
import * as m from './test-module.test-util';
import { Identity } from '../values/identity';

describe('opening a connection', () => {
  it('sends hello first, with the durability, and exposes the identity and connection id it answers', async () => {
    const { host, conn } = await connectFake(m, { durability: 'fast' });
    expect(host.received[0]).toEqual({ type: 'hello', requestId: expect.any(Number), database: 'game', durability: 'fast' });
    expect(conn.identity.toHexString()).toBe(HOST_IDENTITY);
    expect(conn.identity).toBeInstanceOf(Identity);
    expect(conn.connectionId.toHexString()).toBe('b'.repeat(32));
    expect(conn.database).toBe('game');
  });

  it('asks for confirmed durability by default', async () => {
    const { host } = await connectFake(m);
    expect(host.received[0]).toMatchObject({ type: 'hello', durability: 'confirmed' });
  });

  it('queues calls made before hello is answered and sends them after it, in order', async () => {
    const host = new FakeHost(m, false);
    const conn = openConnection<typeof m>({ database: 'game', worker: () => host.port });
    const first = conn.call('add_player', { id: 1, name: 'a', gold: 1 });
    const sub = conn.subscribe('SELECT * FROM player');
    const second = conn.call('set_gold', { id: 1, gold: 2 });
    const hello = await host.next('hello');
    expect(host.received).toEqual([hello]);

    host.reply(hello, host.helloResult);
    await conn.ready;
    const calls = [await host.next('call'), await host.next('call')];
    // Calls go on the stream, the subscription over comlink: in order on each.
    const subscribe = await host.next('subscribe');
    expect(host.received.map((x) => x.type).sort()).toEqual(['call', 'call', 'hello', 'subscribe']);
    expect(calls.map((c) => [c.reducer, c.callId, c.requestId])).toEqual([['add_player', 1, 1], ['set_gold', 2, 2]]);

    host.answerCall(calls[0]!);
    host.answerCall(calls[1]!);
    host.applied(subscribe, [[]]);
    await expect(Promise.all([first, second, sub.applied])).resolves.toEqual([undefined, undefined, undefined]);
  });

  it('rejects with the host error, rejects queued calls and terminates the worker when hello is refused', async () => {
    const host = new FakeHost(m, false);
    const conn = openConnection<typeof m>({ database: 'game', worker: () => host.port });
    const queued = conn.call('reset', {});
    host.refuse(await host.next('hello'), new NotFoundError('No database named "game"'));
    await expect(conn.ready).rejects.toThrow(NotFoundError);
    await expect(queued).rejects.toThrow('No database named "game"');
    expect(host.terminated).toBe(true);
    expect(host.listenerCount()).toBe(0);
  });

  it('fails instead of hanging when the worker script fails before hello is answered', async () => {
    const host = new FakeHost(m, false);
    const connecting = connect({ database: 'game', worker: () => host.port });
    host.crash('SyntaxError: Unexpected token');
    await expect(connecting).rejects.toThrow(new InternalError('The worker of database "game" failed: SyntaxError: Unexpected token'));
  });

  it('carries bigints, bytes and errors through a real MessageChannel (structured clone)', async () => {
    const { port1, port2 } = new MessageChannel();
    const fake = new FakeHost(m);
    const open = (_hello: unknown, send: (message: HostMessage) => void) =>
      Promise.resolve((message: ClientMessage) => {
        if (message.type === 'hello') send({ type: 'result', requestId: message.requestId, ok: true, value: fake.helloResult });
        if (message.type === 'sql' && message.sql.includes('big')) send({ type: 'result', requestId: message.requestId, ok: true, value: { columns: ['n', 'b'], rows: [{ n: 2n ** 64n - 1n, b: new Uint8Array([1, 2]) }] } });
        if (message.type === 'sql' && message.sql.includes('nope')) send({ type: 'result', requestId: message.requestId, ok: false, error: serializeError(new QueryError('No column "x" in table "player"', { table: 'player', column: 'x', position: 7 })) });
        if (message.type === 'close') send({ type: 'result', requestId: message.requestId, ok: true });
      });
    expose(hostApi({ open, roomJoined: () => {} }), port2 as unknown as Parameters<typeof expose>[1]);
    const conn = await connect<typeof m>({ database: 'game', worker: () => port1 as unknown as MessagePortLike });
    await expect(conn.sql('SELECT n, b FROM big')).resolves.toEqual({ columns: ['n', 'b'], rows: [{ n: 2n ** 64n - 1n, b: new Uint8Array([1, 2]) }] });
    const error = await conn.sql('SELECT x FROM nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ name: 'QueryError', code: 'INVALID_QUERY', message: 'No column "x" in table "player"', table: 'player', column: 'x', position: 7 });
    await conn.close();
    port1.close();
    port2.close();
  });
});

describe('one-off queries and the module log', () => {
  it('answers sql() with the host columns and rows, and rejects with its QueryError', async () => {
    const { host, conn } = await connectFake(m);
    const ok = conn.sql('SELECT name FROM player');
    host.reply(await host.next('sql'), { columns: ['name'], rows: [{ name: 'ann' }] });
    await expect(ok).resolves.toEqual({ columns: ['name'], rows: [{ name: 'ann' }] });

    const bad = conn.sql('SELEC 1');
    host.refuse(await host.next('sql'), new QueryError('Expected SELECT at 0', { position: 0 }));
    const error: unknown = await bad.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ message: 'Expected SELECT at 0', position: 0, code: 'INVALID_QUERY' });
  });

  it('asks the host for its status, with a replay when asked', async () => {
    const { host, conn } = await connectFake(m);
    const status = { role: 'authority', epoch: 1, seq: 4, stateHash: 'ab', rows: { player: 2 }, liveQueries: 0, storageBytes: 10, warnings: [] };
    const plain = conn.inspect();
    host.reply(await host.next('inspect'), status);
    await expect(plain).resolves.toEqual(status);
    void conn.inspect({ replay: true });
    expect(await host.next('inspect')).toMatchObject({ replay: true });
  });

  it('keeps the tab status from hello and from status messages, and tells onStatus listeners until removed', async () => {
    const { host, conn } = await connectFake(m);
    expect(conn.status).toEqual(host.helloResult.status);
    const seen: unknown[] = [];
    const off = conn.onStatus((s) => seen.push(s));
    const replica = { role: 'replica', epoch: 2, leader: 'tab-9', lag: 3, seq: 40 } as const;
    host.send({ type: 'status', status: replica });
    await vi.waitFor(() => expect(conn.status).toEqual(replica));
    off();
    host.send({ type: 'status', status: { ...replica, lag: 0, seq: 43 } });
    await vi.waitFor(() => expect(conn.status.seq).toBe(43));
    expect(seen).toEqual([replica]);
    expect(() => conn.onStatus('x' as never)).toThrow('onStatus needs a function, got string');
  });

  it('reports a diverged replay to onDiverged listeners', async () => {
    const { host, conn } = await connectFake(m);
    const seen: unknown[] = [];
    conn.onDiverged((d) => seen.push(d));
    host.send({ type: 'diverged', seq: 12, reducer: 'set_gold', reason: 'its row diff differs from the one the leader logged' });
    await vi.waitFor(() => expect(seen).toEqual([{ seq: 12, reducer: 'set_gold', reason: 'its row diff differs from the one the leader logged' }]));
  });

  it('applies a refresh to the cache as a refresh event', async () => {
    const { host, conn } = await connectFake(m);
    const sub = conn.subscribe('SELECT * FROM player');
    const request = await host.next('subscribe');
    host.applied(request, [[{ id: 1, name: 'ann', gold: 5 }]]);
    host.reply(request);
    await sub.applied;
    const events: string[] = [];
    conn.db.player.onInsert((ctx, row) => events.push(`${ctx.event.kind}:${row.name}`));
    conn.db.player.onDelete((ctx, row) => events.push(`${ctx.event.kind}:-${row.name}`));
    host.send({ type: 'refresh', queries: [{ queryId: request.queries[0]!.queryId, table: 'player', inserts: [{ id: 2, name: 'bo', gold: 1 }], deletes: [{ id: 1, name: 'ann', gold: 5 }] }] });
    await vi.waitFor(() => expect(events.sort()).toEqual(['refresh:-ann', 'refresh:bo']));
    expect([...conn.db.player.iter()].map((p) => p.name)).toEqual(['bo']);
  });

  it('refuses sql() without SQL text before sending anything', async () => {
    const { host, conn } = await connectFake(m);
    await expect(conn.sql('  ')).rejects.toThrow(QueryError);
    expect(host.received.map((x) => x.type)).toEqual(['hello']);
  });

  it('passes module log lines to onLog listeners until they are removed', async () => {
    const { host, conn } = await connectFake(m);
    const lines: unknown[] = [];
    const remove = conn.onLog((line) => lines.push(line));
    host.send({ type: 'log', level: 'warn', reducer: 'heal', message: 'no player' });
    const call = conn.call('reset', {});
    host.answerCall(await host.next('call'));
    await call;
    remove();
    host.send({ type: 'log', level: 'info', reducer: 'heal', message: 'ignored' });
    const again = conn.call('reset', {});
    host.answerCall(await host.next('call'));
    await again;
    expect(lines).toEqual([{ level: 'warn', reducer: 'heal', message: 'no player' }]);
  });
});

describe('closing', () => {
  it('sends close, rejects pending and later calls with ClosedError, and terminates the worker once the host answers', async () => {
    const { host, conn } = await connectFake(m);
    const pending = conn.call('reset', {});
    await host.next('call');
    const closing = conn.close();
    await expect(pending).rejects.toThrow(new ClosedError('The connection to database "game" is closed; call connect() to open a new one'));
    await expect(conn.reducers.reset()).rejects.toThrow(ClosedError);
    await expect(conn.sql('SELECT * FROM player')).rejects.toThrow(ClosedError);
    expect(host.terminated).toBe(false);

    host.reply(await host.next('close'));
    await closing;
    expect(host.terminated).toBe(true);
    expect(host.listenerCount()).toBe(0);
    expect(conn.close()).toBe(closing);
  });

  it('ends subscriptions: a pending one rejects applied with ClosedError, an active one becomes inactive', async () => {
    const { host, conn } = await connectFake(m);
    const active = conn.subscribe('SELECT * FROM player');
    host.applied(await host.next('subscribe'), [[]]);
    await active.applied;
    const pending = conn.subscribe('SELECT * FROM score');
    await host.next('subscribe');
    void conn.close();
    await expect(pending.applied).rejects.toThrow(ClosedError);
    expect(active.active).toBe(false);
    expect(pending.active).toBe(false);
    await expect(conn.subscribe('SELECT * FROM player').applied).rejects.toThrow(ClosedError);
  });

  it('ignores transactions that arrive after close', async () => {
    const { host, conn } = await connectFake(m);
    const sub = conn.subscribe('SELECT * FROM player');
    const request = await host.next('subscribe');
    host.applied(request, [[]]);
    await sub.applied;
    const inserted = vi.fn();
    conn.db.player.onInsert(inserted);
    const closing = conn.close();
    host.commit([{ queryId: request.queries[0]!.queryId, inserts: [{ id: 1, owner: identity(1), name: 'a', gold: 0 }] }]);
    host.reply(await host.next('close'));
    await closing;
    expect(inserted).not.toHaveBeenCalled();
  });
});
