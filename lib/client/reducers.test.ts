import { describe, expect, it } from 'vitest';
import { ConstraintError, InternalError, LockstepError, ReducerError, SenderError } from '../errors';
import type { EventContext } from './client-types';
import { connectFake, HOST_IDENTITY, identity, subscribeFake } from './fake-host.test-util';
import * as m from './test-module.test-util';
import { Identity } from '../values/identity';
import { Timestamp } from '../values/time';

describe('calling reducers', () => {
  it('has a function for each callable reducer and none for lifecycle reducers', async () => {
    const { conn } = await connectFake(m);
    expect(Object.keys(conn.reducers).sort()).toEqual(['addPlayer', 'addScore', 'add_player', 'add_score', 'reset', 'setGold', 'set_gold']);
    expect(conn.reducers.addPlayer).toBe(conn.reducers.add_player);
  });

  it('refuses an unknown name through conn.reducers, naming it and the reducers there are, and sends nothing', async () => {
    const { host, conn } = await connectFake(m);
    const error: unknown = await (conn.reducers as unknown as Record<string, (a: object) => Promise<void>>).nope!({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReducerError);
    expect((error as ReducerError).message).toBe('No reducer named "nope"; the module has: add_player, add_score, reset, set_gold');
    expect((error as ReducerError).reducer).toBe('nope');
    expect(host.received.map((x) => x.type)).toEqual(['hello']);
    expect('nope' in conn.reducers).toBe(false);
  });

  it('sends the reducer, its arguments and callIds 1, 2, 3 in call order', async () => {
    const { host, conn } = await connectFake(m);
    void conn.reducers.add_player({ id: 1, name: 'ann', gold: 5 });
    void conn.reducers.reset();
    void conn.call('set_gold', { id: 1, gold: 6 });
    const calls = [await host.next('call'), await host.next('call'), await host.next('call')];
    expect(calls.map(({ reducer, args, callId }) => ({ reducer, args, callId }))).toEqual([
      { reducer: 'add_player', args: { id: 1, name: 'ann', gold: 5 }, callId: 1 },
      { reducer: 'reset', args: {}, callId: 2 },
      { reducer: 'set_gold', args: { id: 1, gold: 6 }, callId: 3 },
    ]);
  });

  it('resolves when the host answers', async () => {
    const { host, conn } = await connectFake(m);
    const call = conn.reducers.reset();
    host.answerCall(await host.next('call'));
    await expect(call).resolves.toBeUndefined();
  });
});

describe('arguments are checked before anything is sent', () => {
  async function refusal(reducer: string, args: unknown): Promise<ReducerError> {
    const { host, conn } = await connectFake(m);
    const error: unknown = await conn.call(reducer as never, args as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReducerError);
    expect(host.received.map((x) => x.type)).toEqual(['hello']);
    return error as ReducerError;
  }

  it('names the reducer and the missing argument', async () => {
    const error = await refusal('add_player', { id: 1, name: 'x' });
    expect(error.message).toBe('Bad arguments for reducer "add_player": args: missing argument "gold"');
    expect(error).toMatchObject({ reducer: 'add_player', column: 'gold', code: 'BAD_REDUCER_CALL' });
  });

  it('names the reducer and an argument of the wrong type', async () => {
    const error = await refusal('add_player', { id: 1, name: 'x', gold: -1 });
    expect(error.message).toMatch(/^Bad arguments for reducer "add_player": args\.gold: expected u32 \(0 to 4294967295\), got/);
    expect(error).toMatchObject({ reducer: 'add_player', column: 'gold', value: '-1' });
  });

  it('names an extra argument', async () => {
    const error = await refusal('set_gold', { id: 1, gold: 2, bonus: 3 });
    expect(error.message).toMatch(/reducer "set_gold".*unknown argument "bonus"/);
  });

  it('names an unknown reducer and lists the ones there are', async () => {
    const error = await refusal('addPlayer', {});
    expect(error.message).toBe('No reducer named "addPlayer"; the module has: add_player, add_score, reset, set_gold');
  });

  it('refuses lifecycle reducers', async () => {
    const error = await refusal('setup', {});
    expect(error.message).toBe('Reducer "setup" cannot be called by clients: it is the init lifecycle reducer');
  });

  it('does not use up a callId on a refused call', async () => {
    const { host, conn } = await connectFake(m);
    await conn.call('set_gold', { id: 1 } as never).catch(() => {});
    void conn.call('set_gold', { id: 1, gold: 2 });
    expect((await host.next('call')).callId).toBe(1);
  });
});

describe('reducer errors keep their class across the boundary', () => {
  const cases: [string, LockstepError][] = [
    ['SenderError', new SenderError('Name cannot be empty')],
    ['InternalError', new InternalError('x is not a function', { reducer: 'add_player' })],
    ['ConstraintError', new ConstraintError('player.id: a row with id 1 already exists', { table: 'player', column: 'id', value: '1' })],
  ];
  for (const [name, sent] of cases) {
    it(`rejects with a ${name} with the same name, code, message and details`, async () => {
      const { host, conn } = await connectFake(m);
      const call = conn.reducers.add_player({ id: 1, name: '', gold: 0 });
      host.refuse(await host.next('call'), sent);
      const error: unknown = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(sent.constructor);
      expect(error).toMatchObject({ name: sent.name, code: sent.code, message: sent.message, table: sent.table, column: sent.column, value: sent.value, reducer: sent.reducer });
    });
  }
});

describe("a call's own transaction", () => {
  it('is in the cache, with callbacks run, by the time the call resolves', async () => {
    const { host, conn } = await connectFake(m);
    const { request } = await subscribeFake(host, conn, 'SELECT * FROM player', [[]]);
    const seen: EventContext['event'][] = [];
    conn.db.player.onInsert((ctx) => seen.push(ctx.event));
    const call = conn.reducers.add_player({ id: 7, name: 'ann', gold: 1 });
    const sent = await host.next('call');
    host.answerCall(sent, [{ queryId: request.queries[0]!.queryId, inserts: [{ id: 7, owner: HOST_IDENTITY, name: 'ann', gold: 1 }] }]);
    await call;
    expect(conn.db.player.count()).toBe(1);
    expect(conn.db.player.id.find(7)?.name).toBe('ann');
    expect(seen).toEqual([{ kind: 'reducer', reducer: 'add_player', callId: 1, own: true, sender: new Identity(HOST_IDENTITY), timestamp: new Timestamp(1_767_225_600_000_000n), seq: 1 }]);
  });

  it("marks other clients' transactions as not own", async () => {
    const { host, conn } = await connectFake(m);
    const { request } = await subscribeFake(host, conn, 'SELECT * FROM player', [[]]);
    const own: boolean[] = [];
    conn.db.player.onInsert((ctx) => own.push(ctx.event.kind === 'reducer' && ctx.event.own));
    host.commit([{ queryId: request.queries[0]!.queryId, inserts: [{ id: 1, owner: identity(9), name: 'bo', gold: 0 }] }]);
    const call = conn.reducers.reset();
    host.answerCall(await host.next('call'));
    await call;
    expect(own).toEqual([false]);
  });
});
