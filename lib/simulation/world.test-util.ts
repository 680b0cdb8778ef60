/**
 * The world of the simulation (DESIGN §4 "Simulation-ready"): 2–4 browsers in
 * one room, each with 1–3 tabs on its own storage, locks and tab channel, every
 * leading tab joining the room as a new peer. Everything is seeded and fake: the
 * tab channels and the room's network drop, duplicate and reorder; disks complete
 * their commits when the simulation says so; the room's signatures are the cheap
 * deterministic ones (room/fake-crypto). One seed replays exactly.
 */
import { decodeEntries, GENESIS } from '../log/entry';
import type { MemoryStorageData } from '../log/memory-storage';
import type { Divergence } from '../log/apply';
import type { ModuleDef } from '../schema/module';
import type { ConnectionId, Identity } from '../schema/type-desc';
import type { Hash } from '../codec/hash';
import { FakeNetwork, seededRandom, type NetworkFaults } from '../replication/fake-network.test-util';
import type { ReplicationMessage } from '../replication/messages';
import type { CallResult } from '../replication/pending-calls';
import { fakeCrypto, fakeKeys } from '../room/fake-crypto.test-util';
import { describeModule, type ModuleFingerprint } from '../room/handshake';
import { PeerNet } from '../room/peer-net.test-util';
import { tabRoom } from '../room/room-tab';
import { FakeLocks } from '../tabs/fake-locks.test-util';
import { Tab } from '../tabs/tab';
import { drainMicrotasks, SimDisk } from '../tabs/tab-sim.test-util';

export const ROOM = 'sim-room';

/** A tab of a browser: the Tab, its disk, and its room peer while it leads. */
export interface WorldTab {
  readonly id: string;
  readonly browser: WorldBrowser;
  readonly tab: Tab;
  readonly disk: SimDisk;
  nextCallId: number;
  alive: boolean;
  /** The room peer this tab joined as while it leads (undefined otherwise). */
  peer: string | undefined;
}

/** A browser: one identity, one storage, one lock manager, one tab channel. */
export interface WorldBrowser {
  readonly id: string;
  readonly identity: Identity;
  readonly keys: ReturnType<typeof fakeKeys>['keys'];
  readonly data: MemoryStorageData;
  readonly locks: FakeLocks;
  readonly tabsNet: FakeNetwork;
  readonly tabs: WorldTab[];
  /** The most tabs it keeps open. */
  readonly size: number;
  online: boolean;
}

/** A call the simulation made and its answer, once heard. */
export interface WorldCall {
  readonly tab: string;
  readonly mark: string;
  result: CallResult | undefined;
}

/** Everything of one seed. */
export class World {
  readonly room: PeerNet;
  readonly browsers: WorldBrowser[] = [];
  readonly calls: WorldCall[] = [];
  readonly divergences: { readonly tab: string; readonly divergence: Divergence }[] = [];
  private readonly canonical = new Map<number, Hash>();
  private canonicalSegments = 0;
  private canonicalChain: Hash = GENESIS;
  private time = 1_000_000n;
  private readonly seeds: () => number;
  private opened = 0;
  private fingerprint: ModuleFingerprint | undefined;

  constructor(
    readonly seed: number,
    readonly module: ModuleDef,
    readonly faults: NetworkFaults,
  ) {
    this.room = new PeerNet(seed, faults);
    this.seeds = seededRandom(seed ^ 0x5eed);
  }

  /** The browser that created the room: its authority. */
  get authority(): WorldBrowser {
    return this.browsers[0]!;
  }

  get liveTabs(): WorldTab[] {
    return this.browsers.flatMap((b) => b.tabs.filter((t) => t.alive));
  }

  /** Adds a browser with one tab; the first one is the room's authority. */
  async addBrowser(size: number): Promise<WorldBrowser> {
    const id = `b${this.browsers.length + 1}`;
    const { keys, identity } = fakeKeys(`${this.seed}:${id}`);
    const browser: WorldBrowser = { id, identity, keys, data: { segments: [], snapshots: [], meta: new Map() }, locks: new FakeLocks(), tabsNet: new FakeNetwork(this.seed * 31 + this.browsers.length, this.faults), tabs: [], size, online: true };
    this.browsers.push(browser);
    await this.openTab(browser);
    return browser;
  }

  /** Opens one more tab in `browser`. */
  async openTab(browser: WorldBrowser): Promise<WorldTab> {
    this.fingerprint ??= await describeModule(this.module);
    const id = `${browser.id}t${++this.opened}`;
    const disk = new SimDisk(browser.data);
    const record: Partial<WorldTab> & { peer: string | undefined } = { id, browser, disk, nextCallId: 1, alive: true, peer: undefined };
    let joins = 0;
    const tab = await Tab.open({
      module: this.module,
      id,
      identity: browser.identity,
      link: browser.tabsNet.join<ReplicationMessage>(id),
      locks: browser.locks.forOwner(id),
      openStorage: async () => disk.open(),
      clock: () => (this.time += 7n),
      seeds: () => BigInt(Math.floor(this.seeds() * 2 ** 32)),
      keepEntries: Infinity,
      room: tabRoom({
        name: ROOM,
        authority: this.authority.identity,
        keys: browser.keys,
        identity: browser.identity,
        connectionId: id.padEnd(32, 'e').replace(/[^0-9a-f]/g, 'e') as ConnectionId,
        fingerprint: this.fingerprint,
        stallCheckMs: 0,
        awayMs: 0,
        crypto: fakeCrypto,
        join: async () => {
          const peer = `${id}.${++joins}`;
          const link = this.room.link(peer);
          record.peer = peer;
          if (browser.online && record.alive === true) for (const other of this.peers()) if (other !== peer) this.room.connect(peer, other);
          return {
            link,
            peersAtJoin: Promise.resolve([]),
            leave: () => {
              this.room.remove(peer);
              if (record.peer === peer) record.peer = undefined;
            },
          };
        },
      }),
    });
    tab.onDiverged((divergence) => this.divergences.push({ tab: id, divergence }));
    const sim = Object.assign(record, { tab }) as WorldTab;
    browser.tabs.push(sim);
    return sim;
  }

  /** The room peers of online browsers' live leading tabs. */
  peers(): string[] {
    return this.liveTabs.filter((t) => t.browser.online && t.peer !== undefined).map((t) => t.peer!);
  }

  /** A call from a tab's own client (under its browser's identity, as the room requires). */
  call(sim: WorldTab, reducer: 'bump' | 'pick_up' | 'roll', item: number): WorldCall {
    const client = `${sim.browser.identity}/${sim.id}`;
    const callId = sim.nextCallId++;
    const mark = `${sim.id}#${callId}`;
    const record: WorldCall = { tab: sim.id, mark, result: undefined };
    this.calls.push(record);
    const args = reducer === 'pick_up' ? { item, who: sim.id, mark } : { client, mark };
    void sim.tab.call({ client, callId, reducer, args, sender: sim.browser.identity, connectionId: null }).then((result) => (record.result = result));
    return record;
  }

  /** A tab dies: no more messages, its lock released, its queued commits lost, its room peer gone. */
  crash(sim: WorldTab): void {
    sim.alive = false;
    sim.disk.crash();
    sim.browser.tabsNet.remove(sim.id);
    sim.browser.locks.crash(sim.id);
    if (sim.peer !== undefined) this.room.remove(sim.peer);
  }

  /** A browser goes offline (its room peer loses every connection) or comes back. */
  setOnline(browser: WorldBrowser, online: boolean): void {
    browser.online = online;
    const mine = browser.tabs.filter((t) => t.alive && t.peer !== undefined).map((t) => t.peer!);
    for (const peer of mine) {
      if (!online) for (const other of this.room.connectedTo(peer)) this.room.disconnect(peer, other);
      else for (const other of this.peers()) if (other !== peer && !this.room.connectedTo(peer).includes(other)) this.room.connect(peer, other);
    }
  }

  /** The authority's durable log, seq → chain hash, read from its storage as it grows. */
  canonicalChains(): ReadonlyMap<number, Hash> {
    const segments = this.authority.data.segments;
    for (; this.canonicalSegments < segments.length; this.canonicalSegments++) {
      const segment = segments[this.canonicalSegments]!;
      for (const { entry } of decodeEntries(segment.bytes, this.canonicalChain).entries) {
        this.canonical.set(entry.seq, entry.chain);
        this.canonicalChain = entry.chain;
      }
    }
    return this.canonical;
  }

  /** Runs every network, disk and promise callback until nothing moves (no faults), nudging every tab first. */
  async settle(): Promise<void> {
    for (const sim of this.liveTabs) sim.tab.nudge();
    for (let round = 0; round < 5_000; round++) {
      await drainMicrotasks();
      let moved = false;
      for (const browser of this.browsers) moved = browser.tabsNet.flush() || moved;
      moved = this.room.network.flush() || moved;
      for (const sim of this.liveTabs) while (sim.disk.completeIo()) moved = true;
      await drainMicrotasks();
      if (!moved) return;
    }
    throw new Error(`seed ${this.seed}: the world did not settle`);
  }
}
