import { SenderError } from '../errors';
import { MemoryStorage, type MemoryStorageData } from '../log/memory-storage';
import type { Storage, StorageCommit, StoredSegment, StoredSnapshot } from '../log/storage';
import { loadModule } from '../schema/module';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import type { ConnectionId, Identity } from '../schema/type-desc';
import { FakeLocks } from './fake-locks.test-util';
import { FakeNetwork, seededRandom, type NetworkFaults } from '../replication/fake-network.test-util';
import type { CallResult } from '../replication/pending-calls';
import { Tab } from './tab';
import type { ReplicationMessage } from '../replication/messages';

const counter = table({ name: 'counter', public: true }, { client: t.string().primaryKey(), n: t.u32() });
const item = table({ name: 'item', public: true }, { id: t.u32().primaryKey(), holder: t.string() });
const marker = table({ name: 'marker' }, { id: t.u64().primaryKey().autoInc(), key: t.string().index('btree') });
const presence = table({ name: 'presence' }, { id: t.u64().primaryKey().autoInc(), event: t.string() });
/** The simulation's schema. */
export const simSchema = schema({ counter, item, marker, presence });
const db = simSchema;

/** The simulation's reducers: a counter per client, an inventory pick-up race, a marker row per applied call. */
export const simReducers = {
  init: db.init((ctx) => {
    for (let id = 1; id <= 5; id++) ctx.db.item.insert({ id, holder: '' });
  }),
  connected: db.clientConnected((ctx) => {
    ctx.db.presence.insert({ id: 0n, event: `+${ctx.connectionId}` });
  }),
  disconnected: db.clientDisconnected((ctx) => {
    ctx.db.presence.insert({ id: 0n, event: `-${ctx.connectionId}` });
  }),
  bump: db.reducer({ client: t.string(), mark: t.string() }, (ctx, { client, mark }) => {
    const row = ctx.db.counter.client.find(client);
    if (row === null) ctx.db.counter.insert({ client, n: 1 });
    else ctx.db.counter.client.update({ client, n: row.n + 1 });
    ctx.db.marker.insert({ id: 0n, key: mark });
  }),
  pick_up: db.reducer({ item: t.u32(), who: t.string(), mark: t.string() }, (ctx, { item: id, who, mark }) => {
    const row = ctx.db.item.id.find(id);
    if (row === null) throw new SenderError(`No item ${id}`);
    if (row.holder !== '') throw new SenderError(`Item ${id} is taken by ${row.holder}`);
    ctx.db.item.id.update({ id, holder: who });
    ctx.db.marker.insert({ id: 0n, key: mark });
  }),
};

/** The simulation's module. */
export const simModule = loadModule({ default: db, ...simReducers });

export const IDENTITY = '5e'.repeat(32) as Identity;

/**
 * One tab's disk: commits wait in a queue until the simulation completes them
 * (so a group commit can be in flight when the tab dies). After a crash the
 * queued commits never happen and nothing more resolves.
 */
export class SimDisk {
  private readonly queue: (() => void)[] = [];
  crashed = false;
  frozen = false;

  constructor(private readonly data: MemoryStorageData) {}

  /** A storage handle on the shared data through this disk. */
  open(): Storage {
    const inner = new MemoryStorage('sim', this.data);
    const never = <T>(): Promise<T> => new Promise<T>(() => {});
    return {
      readMeta: (key) => (this.crashed ? never() : inner.readMeta(key)),
      readSegments: (after): Promise<StoredSegment[]> => (this.crashed ? never() : inner.readSegments(after)),
      latestSnapshot: (): Promise<StoredSnapshot | undefined> => (this.crashed ? never() : inner.latestSnapshot()),
      estimateBytes: () => inner.estimateBytes(),
      close: () => inner.close(),
      commit: (change: StorageCommit) => {
        if (this.crashed) return never();
        return new Promise<void>((resolve, reject) => this.queue.push(() => inner.commit(change).then(resolve, reject)));
      },
    };
  }

  get pendingIo(): number {
    return this.crashed || this.frozen ? 0 : this.queue.length;
  }

  /** Applies the oldest queued commit; false when none can. */
  completeIo(): boolean {
    if (this.crashed || this.frozen) return false;
    const next = this.queue.shift();
    next?.();
    return next !== undefined;
  }

  crash(): void {
    this.crashed = true;
    this.queue.length = 0;
  }
}

/** A call the simulation made and what it heard back. */
export interface SimCall {
  readonly tab: string;
  readonly client: string;
  readonly callId: number;
  readonly mark: string;
  result: CallResult | undefined;
}

/** A tab in the simulation: the Tab plus its disk. */
export interface SimTab {
  readonly id: string;
  readonly tab: Tab;
  readonly disk: SimDisk;
  nextCallId: number;
  alive: boolean;
}

/** Lets every queued promise callback run (no timers involved). */
export const drainMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Many tabs of one database on shared memory storage, a fake network and fake locks, all seeded. */
export class Cluster {
  readonly data: MemoryStorageData = { segments: [], snapshots: [], meta: new Map() };
  readonly network: FakeNetwork;
  readonly locks = new FakeLocks();
  readonly tabs: SimTab[] = [];
  readonly calls: SimCall[] = [];
  private opened = 0;
  private time = 1_000_000n;
  private readonly seedRandom: () => number;

  constructor(readonly seed: number, faults: NetworkFaults = {}) {
    this.network = new FakeNetwork(seed, faults);
    this.seedRandom = seededRandom(seed ^ 0x5eed);
  }

  /** Opens one more tab. */
  async openTab(): Promise<SimTab> {
    const id = `tab${++this.opened}`;
    const disk = new SimDisk(this.data);
    const tab = await Tab.open({
      module: simModule,
      id,
      identity: IDENTITY,
      link: this.network.join<ReplicationMessage>(id),
      locks: this.locks.forOwner(id),
      openStorage: async () => disk.open(),
      clock: () => (this.time += 7n),
      seeds: () => BigInt(Math.floor(this.seedRandom() * 2 ** 32)),
      keepEntries: Infinity,
    });
    const sim: SimTab = { id, tab, disk, nextCallId: 1, alive: true };
    this.tabs.push(sim);
    return sim;
  }

  /** The live tabs. */
  get live(): SimTab[] {
    return this.tabs.filter((t) => t.alive);
  }

  /** The live tab that leads and is not stepping down, if any. */
  get leader(): SimTab | undefined {
    return this.live.find((t) => t.tab.leader !== undefined && t.tab.leader.stoppedBecause === undefined && !t.disk.frozen);
  }

  /** Makes a call from a tab's own client; the result is recorded when it arrives. */
  call(sim: SimTab, reducer: 'bump' | 'pick_up', item = 1): SimCall {
    const client = `${sim.id}-c`;
    const callId = sim.nextCallId++;
    const mark = `${client}#${callId}`;
    const record: SimCall = { tab: sim.id, client, callId, mark, result: undefined };
    this.calls.push(record);
    const args = reducer === 'bump' ? { client, mark } : { item, who: client, mark };
    void sim.tab.call({ client, callId, reducer, args, sender: IDENTITY, connectionId: `${sim.id}`.padEnd(32, '0') as ConnectionId }).then((result) => (record.result = result));
    return record;
  }

  /** Kills a tab: no more messages, its lock released, its queued commits lost. */
  /** Freezes a tab: it receives nothing, its disk stands still and it hears nothing from the locks. */
  freeze(sim: SimTab): void {
    this.network.pause(sim.id);
    sim.disk.frozen = true;
    this.locks.freeze(sim.id);
  }

  /** Wakes a frozen tab: held lock notices first, then its disk and its messages run again. */
  thaw(sim: SimTab): void {
    sim.disk.frozen = false;
    this.network.resume(sim.id);
    this.locks.thaw(sim.id);
  }

  crash(sim: SimTab): void {
    sim.alive = false;
    sim.disk.crash();
    this.network.remove(sim.id);
    this.locks.crash(sim.id);
  }

  /** Runs network, disks and promise callbacks until nothing moves (no faults); `nudge` first repeats what losses may have dropped. */
  async settle(nudge = false): Promise<void> {
    await drainMicrotasks();
    if (nudge) for (const sim of this.live) if (!sim.disk.frozen) sim.tab.nudge();
    for (let round = 0; round < 10_000; round++) {
      await drainMicrotasks();
      let moved = this.network.flush();
      for (const sim of this.live) while (sim.disk.completeIo()) moved = true;
      await drainMicrotasks();
      if (!moved) return; // messages to a paused tab may still wait
    }
    throw new Error(`seed ${this.seed}: the cluster did not settle`);
  }
}
