import { describe, expect, it } from 'vitest';
import type { MemoryStorageData } from '../log/memory-storage';
import { MemoryStorage } from '../log/memory-storage';
import type { ConnectionId, Identity } from '../schema/type-desc';
import { FakeLocks } from '../tabs/fake-locks.test-util';
import { FakeNetwork } from '../replication/fake-network.test-util';
import { describeModule } from './handshake';
import type { CallResult } from '../replication/pending-calls';
import { PeerNet } from './peer-net.test-util';
import type { RawLink } from './signed-link';
import { roomModule } from './room-module.test-util';
import { tabRoom } from './room-tab';
import { exportPublicKey, generateKeyPair, identityFromPublicKey } from './signing';
import { Tab } from '../tabs/tab';
import type { ReplicationMessage } from '../replication/messages';

const ROOM = 'tabs-room';

/** A browser: its own storage, locks and tab channel; its leading tab joins the room through `net`. */
class Browser {
  readonly locks = new FakeLocks();
  readonly tabs = new FakeNetwork(1);
  readonly data: MemoryStorageData = { segments: [], snapshots: [], meta: new Map() };
  tab!: Tab;
  identity!: Identity;
  private link: RawLink | undefined;
  private callId = 0;
  private opened = 0;

  constructor(
    readonly id: string,
    private readonly net: PeerNet,
    private readonly present: () => string[],
    private readonly options: { keepEntries?: number; snapshotEvery?: number } = {},
  ) {}

  async open(): Promise<this> {
    const pair = await generateKeyPair();
    const publicKey = await exportPublicKey(pair.publicKey);
    this.identity ??= await identityFromPublicKey(publicKey);
    const tabId = `${this.id}-tab${++this.opened}`;
    this.tab = await Tab.open({
      module: roomModule,
      id: tabId,
      identity: this.identity,
      link: this.tabs.join<ReplicationMessage>(tabId),
      locks: this.locks.forOwner(tabId),
      openStorage: async () => new MemoryStorage(this.id, this.data),
      ...this.options,
      room: tabRoom({
        name: ROOM,
        keys: { privateKey: pair.privateKey, publicKey },
        identity: this.identity,
        connectionId: this.id.padEnd(32, 'e').replace(/[^0-9a-f]/g, 'e') as ConnectionId,
        fingerprint: await describeModule(roomModule),
        join: async () => {
          const peersAtJoin = this.present().filter((p) => p !== this.id);
          this.link ??= this.net.link(this.id);
          for (const peer of peersAtJoin) this.net.connect(this.id, peer);
          return { link: this.link, peersAtJoin: Promise.resolve(peersAtJoin), leave: () => {} };
        },
      }),
    });
    return this;
  }

  call(reducer: string, args: Record<string, unknown>): Promise<CallResult> {
    return this.tab.call({ client: `${this.identity}/c${this.opened}`, callId: ++this.callId, reducer, args, sender: this.identity, connectionId: null });
  }

  get engine() {
    return this.tab.engine!;
  }
}

async function pump(net: PeerNet, browsers: readonly Browser[], until: () => boolean): Promise<void> {
  for (let round = 0; round < 3000 && !until(); round++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    net.network.flush();
    for (const b of browsers) b.tabs.flush();
  }
  expect(until()).toBe(true);
}

describe('a room of browsers, each led by a tab', () => {
  it('makes the browser that created the room its authority; another browser follows, and its calls resolve once logged', async () => {
    const net = new PeerNet(1);
    const present: string[] = [];
    const a = new Browser('a1', net, () => present);
    present.push('a1');
    await a.open();
    await pump(net, [a], () => a.tab.status.role === 'leader');
    const b = new Browser('b2', net, () => present);
    present.push('b2');
    await b.open();
    await pump(net, [a, b], () => b.tab.status.room?.state === 'connected');
    expect(a.tab.status.room).toMatchObject({ role: 'authority', authority: a.identity });
    expect(b.tab.status.room).toMatchObject({ role: 'replica', authority: a.identity, state: 'connected' });

    let added: CallResult | undefined;
    void b.call('add_item', { id: 1 }).then((r) => (added = r));
    await pump(net, [a, b], () => added !== undefined);
    expect(added).toMatchObject({ ok: true });
    let settled: CallResult[] = [];
    void Promise.all([b.call('pick_up', { id: 1 }), a.call('pick_up', { id: 1 })]).then((r) => (settled = r));
    await pump(net, [a, b], () => settled.length === 2);
    expect(settled.filter((r) => r.ok)).toHaveLength(1);
    expect(settled.find((r) => !r.ok)).toMatchObject({ name: 'SenderError', message: 'Item 1 is already owned' });
    const winner = settled[0]!.ok ? b : a;
    await pump(net, [a, b], () => b.tab.status.seq === a.tab.status.seq);
    // Beside item 1000, which the module's init made in the browser that created the room.
    for (const browser of [a, b]) expect(browser.engine.rows('item')).toEqual([{ id: 1, owner: winner.identity }, { id: 1000, owner: undefined }]);
    // The follower's own storage holds the same log: it survives a reload of that browser.
    expect(b.data.segments.length).toBeGreaterThan(0);
  });

  it('catches up a browser that joins late, from the authority\'s snapshot, and goes on from its own storage', async () => {
    const net = new PeerNet(2);
    const present = ['a1'];
    const a = await new Browser('a1', net, () => present, { keepEntries: 5, snapshotEvery: 10 }).open();
    await pump(net, [a], () => a.tab.status.role === 'leader');
    for (let i = 0; i < 60; i++) {
      const done = a.call('mark', { call: `m${i}` });
      let ok = false;
      void done.then(() => (ok = true));
      await pump(net, [a], () => ok);
    }
    const late = new Browser('c3', net, () => present);
    present.push('c3');
    await late.open();
    await pump(net, [a, late], () => late.tab.status.role === 'leader' && late.tab.status.seq === a.tab.status.seq && late.tab.status.room?.state === 'connected');
    expect(late.engine.rows('marker')).toHaveLength(60);
    expect(late.data.snapshots.length).toBeGreaterThan(0);
    let answered: CallResult | undefined;
    void late.call('mark', { call: 'late' }).then((r) => (answered = r));
    await pump(net, [a, late], () => answered !== undefined && a.tab.status.seq === late.tab.status.seq);
    expect(answered).toMatchObject({ ok: true });
    expect(a.engine.rows('marker')).toHaveLength(61);
  });
});
