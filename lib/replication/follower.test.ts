import { describe, expect, it } from 'vitest';
import type { Hash } from '../codec/hash';
import { encodeEntries, sealEntry } from '../log/entry';
import type { Divergence } from '../log/apply';
import type { ReplicationMessage } from './messages';
import { Cluster, IDENTITY } from '../tabs/tab-sim.test-util';

describe('a follower tab', () => {
  it('reports the seq and reducer of a replay that disagrees with the leader, then resyncs from its state', async () => {
    const cluster = new Cluster(11);
    const a = await cluster.openTab();
    const b = await cluster.openTab();
    await cluster.settle();
    cluster.call(a, 'bump');
    await cluster.settle();
    const replica = b.tab.replica!;
    const engineBefore = replica.engine;
    const diverged: Divergence[] = [];
    b.tab.onDiverged((d) => diverged.push(d));

    // A well-chained entry whose diff hash is not what replaying it computes.
    const leader = a.tab.leader!;
    const args = leader.db.engine.encodeArgs('bump', { client: 'x', mark: 'x#1' });
    const entry = sealEntry(
      { seq: replica.seq + 1, epoch: leader.epoch, reducer: 'bump', args, sender: IDENTITY, connectionId: null, timestamp: 5n, seed: 1n, internal: false, caller: undefined, outcome: { ok: true, txHash: '0123456789abcdef' as Hash, diff: new Uint8Array(0) } },
      replica.chain,
    );
    const forger = cluster.network.join<ReplicationMessage>('forger');
    forger.send({ type: 'entries', epoch: leader.epoch, firstSeq: entry.seq, lastSeq: entry.seq, bytes: encodeEntries([entry]), target: entry.seq });
    await cluster.settle();

    expect(diverged).toEqual([{ seq: entry.seq, reducer: 'bump', reason: 'its row diff differs from the one logged where it was ordered' }]);
    expect(b.tab.follower!.diverged).toBeUndefined();
    expect(replica.engine).not.toBe(engineBefore); // the resync replaced the state
    expect(replica.seq).toBe(leader.db.seq);
    expect(replica.stateHash()).toBe(leader.db.stateHash());
    expect(replica.engine.rows('marker').map((r) => r.key)).toEqual(['tab1-c#1']);
  });

  it('applies entries that arrive out of order, duplicated or after a gap, once each and in seq order', async () => {
    const cluster = new Cluster(12, { reorder: 1, duplicate: 0.3 });
    const a = await cluster.openTab();
    const b = await cluster.openTab();
    await cluster.settle();
    const calls = Array.from({ length: 8 }, () => cluster.call(a, 'bump'));
    for (let i = 0; i < 200 && cluster.network.pending + a.disk.pendingIo > 0; i++) {
      if (!a.disk.completeIo()) cluster.network.step();
      await new Promise((r) => setImmediate(r));
    }
    await cluster.settle(true);
    expect(calls.every((c) => c.result?.ok === true)).toBe(true);
    expect(b.tab.replica!.engine.rows('marker').map((r) => r.key)).toEqual(calls.map((c) => c.mark));
    expect(b.tab.status).toMatchObject({ role: 'replica', lag: 0, seq: a.tab.leader!.db.seq });
  });
});
