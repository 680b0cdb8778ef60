import { describe, expect, it } from 'vitest';
import { Cluster, drainMicrotasks } from './tab-sim.test-util';
import type { TabStatus } from './tab';

const markers = (cluster: Cluster, id: string): string[] => {
  const sim = cluster.tabs.find((t) => t.id === id)!;
  const engine = sim.tab.leader?.db.engine ?? sim.tab.replica!.engine;
  return engine.rows('marker').map((r) => r.key as string);
};

describe('tab election', () => {
  it('makes the first tab the leader at epoch 1 and a later tab a replica at once', async () => {
    const cluster = new Cluster(1);
    const a = await cluster.openTab();
    await cluster.settle();
    const b = await cluster.openTab();
    expect(b.tab.status.role).toBe('replica');
    await cluster.settle();
    expect(a.tab.status).toMatchObject({ role: 'leader', epoch: 1, leader: 'tab1' });
    expect(b.tab.status).toMatchObject({ role: 'replica', epoch: 1, leader: 'tab1', lag: 0, seq: a.tab.status.seq });
    expect(cluster.locks.waiting('lockstep:leader')).toEqual(['tab2']);
  });

  it('forwards a replica call to the leader and answers it once the replica replayed its entry', async () => {
    const cluster = new Cluster(2);
    const a = await cluster.openTab();
    const b = await cluster.openTab();
    await cluster.settle();
    const call = cluster.call(b, 'bump');
    const taken = cluster.call(a, 'pick_up', 3);
    const lost = cluster.call(b, 'pick_up', 3);
    await cluster.settle();
    expect(call.result).toMatchObject({ ok: true });
    expect(taken.result).toMatchObject({ ok: true });
    expect(lost.result).toMatchObject({ ok: false, name: 'SenderError', message: 'Item 3 is taken by tab1-c' });
    // The leader's own call was ordered first: the forwarded one was still on the way.
    expect(markers(cluster, 'tab2')).toEqual(['tab1-c#1', 'tab2-c#1']);
    expect(b.tab.replica!.stateHash()).toBe(a.tab.leader!.db.stateHash());
  });

  it('reports status changes as events', async () => {
    const cluster = new Cluster(3);
    const a = await cluster.openTab();
    const b = await cluster.openTab();
    const seen: TabStatus[] = [];
    b.tab.onStatus((s) => seen.push(s));
    await cluster.settle();
    cluster.crash(a);
    await cluster.settle();
    expect(seen.at(-1)).toMatchObject({ role: 'leader', epoch: 2, leader: 'tab2' });
    expect(seen.some((s) => s.role === 'replica' && s.leader === 'tab1')).toBe(true);
  });

  it("reports the leader's own seq as its calls become durable", async () => {
    const cluster = new Cluster(4);
    const a = await cluster.openTab();
    await cluster.settle();
    const seen: number[] = [];
    a.tab.onStatus((s) => seen.push(s.seq));
    cluster.call(a, 'bump');
    await cluster.settle();
    cluster.call(a, 'bump');
    await cluster.settle();
    expect(seen.at(-1)).toBe(a.tab.leader!.db.seq);
    expect(seen.length).toBeGreaterThanOrEqual(2);
  });
});

describe('handover', () => {
  it('moves leadership to the next waiting tab when the leader crashes, bumping the epoch and keeping every durable call', async () => {
    const cluster = new Cluster(4);
    const a = await cluster.openTab();
    const b = await cluster.openTab();
    const c = await cluster.openTab();
    await cluster.settle();
    const done = [cluster.call(b, 'bump'), cluster.call(c, 'bump'), cluster.call(a, 'bump')];
    await cluster.settle();
    expect(done.every((d) => d.result?.ok === true)).toBe(true);
    cluster.crash(a);
    await cluster.settle();
    expect(b.tab.status).toMatchObject({ role: 'leader', epoch: 2 });
    expect(c.tab.status).toMatchObject({ role: 'replica', epoch: 2, leader: 'tab2', lag: 0 });
    expect(markers(cluster, 'tab3').sort()).toEqual(['tab1-c#1', 'tab2-c#1', 'tab3-c#1']);
    expect(c.tab.replica!.stateHash()).toBe(b.tab.leader!.db.stateHash());
  });

  it('resubmits calls the crashed leader ordered but never made durable, and applies each once', async () => {
    const cluster = new Cluster(5);
    const a = await cluster.openTab();
    const b = await cluster.openTab();
    await cluster.settle();
    const calls = [cluster.call(b, 'bump'), cluster.call(b, 'bump'), cluster.call(b, 'pick_up', 2)];
    await drainMicrotasks(); // the replica sends the calls of one task together
    // The leader orders them, but its group commit never reaches the disk.
    cluster.network.flush();
    await drainMicrotasks();
    expect(a.tab.leader!.db.seq).toBeGreaterThan(a.tab.leader!.durableSeq);
    cluster.crash(a);
    await cluster.settle();
    expect(b.tab.status.role).toBe('leader');
    expect(calls.map((c) => c.result?.ok)).toEqual([true, true, true]);
    expect(markers(cluster, 'tab2')).toEqual(['tab2-c#1', 'tab2-c#2', 'tab2-c#3']);
  });

  it('answers a call applied just before the crash from the log instead of running it again', async () => {
    const cluster = new Cluster(6);
    const a = await cluster.openTab();
    const b = await cluster.openTab();
    await cluster.settle();
    const call = cluster.call(b, 'bump');
    await drainMicrotasks();
    cluster.network.flush(); // the call reaches the leader
    await drainMicrotasks();
    cluster.network.partition('tab1', 'tab2'); // its entry will never reach the replica...
    while (a.disk.completeIo()) await drainMicrotasks(); // ...though it is durable
    cluster.network.flush();
    expect(call.result).toBeUndefined();
    expect(b.tab.replica!.seq).toBeLessThan(a.tab.leader!.durableSeq);
    cluster.crash(a);
    cluster.network.heal();
    await cluster.settle();
    expect(b.tab.status.role).toBe('leader');
    expect(call.result).toMatchObject({ ok: true });
    expect(markers(cluster, 'tab2')).toEqual(['tab2-c#1']);
  });
});

describe('a stale-epoch leader', () => {
  it('cannot write, order or feed replicas after a newer leader took over, and steps down when it wakes', async () => {
    const cluster = new Cluster(7);
    const a = await cluster.openTab();
    const b = await cluster.openTab();
    const c = await cluster.openTab();
    await cluster.settle();
    cluster.call(a, 'bump');
    await cluster.settle();

    cluster.freeze(a);
    const fromC = cluster.call(c, 'bump'); // reaches the frozen leader only when it wakes
    b.tab.takeOver();
    await cluster.settle();
    expect(b.tab.status).toMatchObject({ role: 'leader', epoch: 2 });
    expect(a.tab.status).toMatchObject({ role: 'leader', epoch: 1 }); // it does not know yet
    expect(fromC.result).toMatchObject({ ok: true });
    const replica = c.tab.replica!;
    const before = { seq: replica.seq, hash: replica.stateHash() };

    // What the ex-leader would broadcast: an entry after C's seq, stamped with its old epoch.
    const oldDb = a.tab.leader!.db;
    const forged = oldDb.submit({ reducer: 'bump', args: { client: 'ghost', mark: 'ghost#1' }, sender: oldDb.engine.identity, connectionId: null });
    expect(forged.entry?.epoch).toBe(1);
    const zombie = cluster.network.join<import('../replication/messages').ReplicationMessage>('tab1-zombie');
    const { encodeEntries } = await import('../log/entry');
    zombie.send({ type: 'entries', epoch: 1, firstSeq: before.seq + 1, lastSeq: before.seq + 1, bytes: encodeEntries([{ ...forged.entry!, seq: before.seq + 1 }]), target: before.seq + 1 });
    await cluster.settle();
    expect(c.tab.follower!.stale).toBeGreaterThan(0);
    expect({ seq: replica.seq, hash: replica.stateHash() }).toEqual(before);

    // It wakes: its messages arrive first, so it orders C's old call in memory, then sees epoch 2 and steps down.
    const oldLeader = a.tab.leader!;
    const orderedBefore = oldDb.seq;
    cluster.network.resume('tab1');
    cluster.network.flush();
    await drainMicrotasks();
    expect(oldDb.seq).toBe(orderedBefore + 1);
    expect(oldLeader.stoppedBecause).toMatch(/newer leader took over \(epoch 2 > 1\)/);
    // Its group commit, queued on the frozen disk, is fenced off: storage never sees it.
    const stored = cluster.data.segments.at(-1)!.lastSeq;
    cluster.thaw(a);
    await cluster.settle();
    expect(cluster.data.segments.at(-1)!.lastSeq).toBe(b.tab.leader!.db.seq);
    expect(stored).toBe(b.tab.leader!.db.seq);
    expect(a.tab.status).toMatchObject({ role: 'replica', epoch: 2, leader: 'tab2', lag: 0 });
    expect(cluster.data.meta.get('epoch')).toBe(2);
    for (const id of ['tab1', 'tab2', 'tab3']) {
      const sim = cluster.tabs.find((t) => t.id === id)!;
      const engine = sim.tab.leader?.db.engine ?? sim.tab.replica!.engine;
      expect(engine.rows('marker').map((r) => r.key)).toEqual(['tab1-c#1', 'tab3-c#1']);
    }
    expect(a.tab.replica!.stateHash()).toBe(b.tab.leader!.db.stateHash());
  });
});

describe('lifecycle calls and closing', () => {
  it('logs clientConnected and clientDisconnected forwarded by a replica, so every tab replays them, and refuses other internal calls', async () => {
    const cluster = new Cluster(8);
    const a = await cluster.openTab();
    const b = await cluster.openTab();
    await cluster.settle();
    const base = { client: 'conn-b', sender: a.tab.leader!.db.engine.identity, connectionId: 'cb'.padEnd(32, '0') as never, args: {}, internal: true };
    const results = [
      b.tab.call({ ...base, callId: 1, reducer: 'connected' }),
      b.tab.call({ ...base, callId: 2, reducer: 'bump', args: { client: 'x', mark: 'x' } }),
      b.tab.call({ ...base, callId: 3, reducer: 'disconnected' }),
    ];
    await cluster.settle();
    const [connected, sneaky, disconnected] = await Promise.all(results);
    expect(connected).toMatchObject({ ok: true });
    expect(sneaky).toMatchObject({ ok: false, name: 'ReducerError', message: expect.stringContaining('Only clientConnected and clientDisconnected') });
    expect(disconnected).toMatchObject({ ok: true });
    const events = (sim: typeof a) => (sim.tab.leader?.db.engine ?? sim.tab.replica!.engine).rows('presence').map((r) => r.event);
    expect(events(b)).toEqual([`+${base.connectionId}`, `-${base.connectionId}`]);
    expect(events(a)).toEqual(events(b));
  });

  it('hands leadership over when the leader tab closes, after making what it ordered durable', async () => {
    const cluster = new Cluster(9);
    const a = await cluster.openTab();
    const b = await cluster.openTab();
    await cluster.settle();
    const call = cluster.call(a, 'bump');
    const closing = a.tab.close();
    await cluster.settle();
    await closing;
    cluster.network.remove('tab1');
    await cluster.settle();
    expect(call.result).toMatchObject({ ok: true });
    expect(a.tab.status.role).toBe('closed');
    expect(b.tab.status).toMatchObject({ role: 'leader', epoch: 2 });
    expect(b.tab.leader!.db.engine.rows('marker').map((r) => r.key)).toEqual(['tab1-c#1']);
  });
});
