import { describe, expect, it, vi } from 'vitest';
import { FakeHost, withOwner } from '../client/fake-host.test-util';
import { DbConnection } from '../client/builder';
import * as m from '../client/test-module.test-util';
import { tableStore } from './table-store';

const ann = { id: 1, owner: '1'.padStart(64, '0'), name: 'ann', gold: 10 };
const bob = { id: 2, owner: '2'.padStart(64, '0'), name: 'bob', gold: 20 };

describe('the table store behind useTable', () => {
  it('subscribes once the connection is up, reports [rows, isLoading], follows changes and unsubscribes with the last listener', async () => {
    const host = new FakeHost(m, false);
    const conn = DbConnection.builder<typeof m>().withDatabaseName('game').withWorker(() => host.port).build();
    const store = tableStore<{ name: string }>(conn, 'player');
    expect(store.getSnapshot()).toEqual([[], true]);
    const changed = vi.fn();
    const stop = store.subscribe(changed);
    host.reply(await host.next('hello'), host.helloResult);
    const request = await host.next('subscribe');
    expect(request.queries).toEqual([{ queryId: 1, sql: 'SELECT * FROM player' }]);
    host.applied(request, [[ann]]);
    await vi.waitFor(() => expect(store.getSnapshot()).toEqual([[withOwner(ann)], false]));
    const before = store.getSnapshot();
    expect(store.getSnapshot()).toBe(before);
    host.commit([{ queryId: 1, inserts: [bob] }]);
    await vi.waitFor(() => expect(store.getSnapshot()[0].map((r) => r.name)).toEqual(['ann', 'bob']));
    expect(changed).toHaveBeenCalled();
    stop();
    expect((await host.next('unsubscribe')).queryIds).toEqual([1]);
    expect(store.getSnapshot()).toEqual([[], true]);
  });
});
