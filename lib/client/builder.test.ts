import { describe, expect, it } from 'vitest';
import { NotFoundError, QueryError, ValueError } from '../errors';
import { Identity } from '../values/identity';
import { DbConnection } from './builder';
import { FakeHost, HOST_IDENTITY, withOwner } from './fake-host.test-util';
import * as m from './test-module.test-util';

const ann = { id: 1, owner: '1'.padStart(64, '0'), name: 'ann', gold: 10 };

describe('DbConnection.builder()', () => {
  it('returns the connection at once, calls onConnect with the identity once the host answers, and onDisconnect after close', async () => {
    const host = new FakeHost(m);
    const events: string[] = [];
    let connected!: () => void;
    const up = new Promise<void>((resolve) => (connected = resolve));
    const conn = DbConnection.builder<typeof m>()
      .withDatabaseName('game')
      .withWorker(() => host.port)
      .onConnect((c, identity, token) => {
        events.push(`connect ${identity.toHexString() === HOST_IDENTITY} ${c === conn} "${token}"`);
        connected();
      })
      .onDisconnect(() => events.push('disconnect'))
      .build();
    expect(events).toEqual([]);
    await up;
    expect(events).toEqual(['connect true true ""']);
    expect(conn.identity).toBeInstanceOf(Identity);
    const closing = conn.close();
    await host.next('close').then((request) => host.reply(request));
    await closing;
    expect(events).toEqual(['connect true true ""', 'disconnect']);
  });

  it('calls onConnectError when the host refuses the connection', async () => {
    const host = new FakeHost(m, false);
    const error = await new Promise<Error>((resolve) => {
      DbConnection.builder<typeof m>().withDatabaseName('game').withWorker(() => host.port).onConnectError((_ctx, e) => resolve(e)).build();
      void host.next('hello').then((hello) => host.refuse(hello, new NotFoundError('No such database', {})));
    });
    expect(error).toBeInstanceOf(NotFoundError);
  });

  it('refuses a build without a database name, naming the option', () => {
    expect(() => DbConnection.builder<typeof m>().withWorker(() => new FakeHost(m).port).build()).toThrow(ValueError);
  });
});

describe('conn.subscriptionBuilder()', () => {
  it('runs onApplied once the rows are in conn.db, with value classes', async () => {
    const host = new FakeHost(m);
    const conn = DbConnection.builder<typeof m>().withDatabaseName('game').withWorker(() => host.port).build();
    const applied = new Promise<unknown>((resolve) => conn.subscriptionBuilder().onApplied((ctx) => resolve(ctx.db.player.id.find(1))).subscribe('SELECT * FROM player'));
    host.applied(await host.next('subscribe'), [[ann]]);
    expect(await applied).toEqual(withOwner(ann));
  });

  it('runs onError when the host refuses the query', async () => {
    const host = new FakeHost(m);
    const conn = DbConnection.builder<typeof m>().withDatabaseName('game').withWorker(() => host.port).build();
    const failed = new Promise<Error>((resolve) => conn.subscriptionBuilder().onError((_ctx, e) => resolve(e)).subscribe('SELECT * FROM nowhere'));
    host.refuse(await host.next('subscribe'), new QueryError('No table "nowhere"', {}));
    expect((await failed).message).toBe('No table "nowhere"');
  });
});
