import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../engine/engine';
import { MemoryStorage } from '../log/memory-storage';
import { loadSnapshot } from '../log/snapshot';
import type { ModuleDef } from '../schema/module';
import type { ConnectionId, Identity } from '../schema/type-desc';
import { Engine } from '../engine/engine';
import { stateHash } from '../store/state-hash';
import { FakeNetwork } from '../replication/fake-network.test-util';
import { roomModule, roomModuleV2 } from './room-module.test-util';
import { PeerNet } from './peer-net.test-util';
import { describeModule } from './handshake';
import { Leader } from '../replication/leader';
import type { TabCall } from '../replication/pending-calls';
import { encodeRoomMessage } from './room-protocol';
import { RoomAuthority, RoomFollower } from './room';
import { lifecycleCall } from '../host/host-session';
import { encodeSignedBatch, encodeSignedCall, signBatch, signCall } from './signed';
import { exportPublicKey, generateKeyPair, identityFromPublicKey } from './signing';
import type { TabMessage } from '../replication/messages';
import { encodeEntries } from '../log/entry';
import { readDurableTail } from '../replication/durable-log';

const ROOM = 'room-test';

interface Browser {
  readonly id: string;
  readonly identity: Identity;
  readonly leader: Leader;
  readonly follower?: RoomFollower;
  readonly authority?: RoomAuthority;
  readonly logs: LogRecord[];
  readonly failed: TabCall[];
  nextCall: number;
}

async function keysOf() {
  const pair = await generateKeyPair();
  const publicKey = await exportPublicKey(pair.publicKey);
  return { keys: { privateKey: pair.privateKey, publicKey }, identity: await identityFromPublicKey(publicKey) };
}

const tabs = new FakeNetwork(0);
let clock = 1_000_000n;
const connectionOf = (id: string) => id.padEnd(32, '0').slice(0, 32).replace(/[^0-9a-f]/g, 'e') as ConnectionId;

async function openBrowser(net: PeerNet, id: string, role: 'authority' | 'replica', options: { module?: ModuleDef; keepEntries?: number; snapshotEvery?: number; outbox?: TabCall[]; pinned?: Identity; awayMs?: number } = {}): Promise<Browser> {
  const module = options.module ?? roomModule;
  const { keys, identity } = await keysOf();
  const logs: LogRecord[] = [];
  const failed: TabCall[] = [];
  const room = { room: ROOM, link: net.link(id), keys, identity, connectionId: connectionOf(id), fingerprint: await describeModule(module), log: (r: LogRecord) => void logs.push(r), awayMs: options.awayMs ?? 0 };
  const follower = role === 'replica' ? new RoomFollower(room, { pinned: options.pinned, outbox: options.outbox ?? [] }) : undefined;
  const leader = await Leader.start(module, {
    storage: new MemoryStorage(id),
    id,
    identity,
    transport: tabs.join<TabMessage>(`${id}-tabs`),
    clock: () => (clock += 10n),
    ...(options.keepEntries === undefined ? {} : { keepEntries: options.keepEntries }),
    ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
    ...(follower === undefined ? {} : { upstream: follower.upstream, onCallFailed: (client: string, callId: number) => void failed.push({ client, callId } as TabCall) }),
  });
  follower?.attach(leader);
  const authority = role === 'authority' ? new RoomAuthority(room, leader) : undefined;
  return { id, identity, leader, logs, failed, nextCall: 1, ...(follower === undefined ? {} : { follower }), ...(authority === undefined ? {} : { authority }) };
}

function call(browser: Browser, reducer: string, args: Record<string, unknown>): TabCall {
  const c: TabCall = { client: `${browser.identity}/c`, callId: browser.nextCall++, reducer, args, sender: browser.identity, connectionId: connectionOf(browser.id) };
  browser.leader.order(c);
  return c;
}

/** Delivers messages (with the network's faults) and lets the async signing run, until nothing moves; nudges followers now and then. */
async function settle(net: PeerNet, browsers: readonly Browser[], rounds = 2000, partial = false): Promise<void> {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
  let idle = 0;
  for (let round = 0; round < rounds; round++) {
    await tick();
    let moved = false;
    for (let i = 0; i < 50 && net.network.step(); i++) moved = true;
    await Promise.all(browsers.map((b) => b.leader.db.flush()));
    if (moved) idle = 0;
    else if (++idle > 3) {
      const authority = browsers.find((b) => b.authority !== undefined)!;
      const behind = browsers.some((b) => b.leader.db.seq !== authority.leader.db.seq || (b.follower?.waiting.length ?? 0) > 0);
      if (!behind) return;
      for (const b of browsers) b.follower?.nudge();
      idle = 0;
    }
  }
  if (!partial) throw new Error(`The room did not settle: ${browsers.map((b) => `${b.id} seq ${b.leader.db.seq} waiting ${b.follower?.waiting.map((c) => `${c.client.slice(-6)}#${c.callId}`).join(',') ?? '-'} state ${b.follower?.state ?? 'authority'}`).join('; ')}`);
}

const markers = (b: Browser): string[] => b.leader.db.engine.rows('marker').map((r) => r.call as string).sort();

describe('a room of browsers', () => {
  for (const seed of [1, 2, 3]) {
    it(`converges on one log over a network that drops, duplicates and reorders (seed ${seed}), each call applied once`, async () => {
      const net = new PeerNet(seed, { drop: 0.1, duplicate: 0.1, reorder: 0.3 });
      const a = await openBrowser(net, 'auth', 'authority');
      const b = await openBrowser(net, 'rep1', 'replica');
      const c = await openBrowser(net, 'rep2', 'replica');
      net.connect('auth', 'rep1');
      net.connect('auth', 'rep2');
      net.connect('rep1', 'rep2');
      const made = new Map<string, { browser: Browser; call: TabCall }>();
      for (let i = 0; i < 60; i++) {
        for (const browser of [a, b, c]) {
          const name = `${browser.id}#${i}`;
          made.set(name, { browser, call: call(browser, 'mark', { call: name }) });
        }
        if (i % 10 === 0) await settle(net, [a, b, c], 5, true);
      }
      await settle(net, [a, b, c]);
      // A call lost on the way and overtaken by a later one of its client is never applied, and its caller is told so:
      // every call is applied at most once, all of the authority's own are, and each of the others is applied or failed.
      const applied = markers(a);
      expect(new Set(applied).size).toBe(applied.length);
      expect(applied.filter((m) => !made.has(m))).toEqual([]);
      expect(applied.filter((m) => m.startsWith('auth#'))).toHaveLength(60);
      const failed = (name: string): boolean => {
        const { browser, call: c } = made.get(name)!;
        return browser.failed.some((f) => f.client === c.client && f.callId === c.callId);
      };
      expect([...made.keys()].filter((name) => applied.includes(name) === failed(name))).toEqual([]);
      expect(applied.length).toBeGreaterThan(120);
      for (const r of [b, c]) {
        expect(r.leader.db.seq).toBe(a.leader.db.seq);
        expect(r.leader.db.stateHash()).toBe(a.leader.db.stateHash());
        expect(r.follower!.pinned).toBe(a.identity);
        expect(r.follower!.state).toBe('connected');
      }
    });
  }

  it("runs the module's init once, in the browser that creates the room; its followers take it from the log", async () => {
    const net = new PeerNet(21);
    const a = await openBrowser(net, 'auth', 'authority');
    const b = await openBrowser(net, 'rep1', 'replica');
    expect(b.leader.db.seq).toBe(0);
    net.connect('auth', 'rep1');
    call(a, 'mark', { call: 'after-init' });
    await settle(net, [a, b]);
    expect(b.leader.db.seq).toBe(a.leader.db.seq);
    expect(b.leader.db.stateHash()).toBe(a.leader.db.stateHash());
    expect(b.leader.db.engine.rows('item')).toEqual([{ id: 1000, owner: undefined }]);
    expect(b.logs.filter((l) => l.level !== 'info').map((l) => l.message)).toEqual([]);
  });

  it('runs the inventory race between two replicas: one wins, the other is refused, all agree', async () => {
    const net = new PeerNet(7);
    const [a, b, c] = [await openBrowser(net, 'auth', 'authority'), await openBrowser(net, 'rep1', 'replica'), await openBrowser(net, 'rep2', 'replica')];
    net.connect('auth', 'rep1');
    net.connect('auth', 'rep2');
    call(a, 'add_item', { id: 1 });
    await settle(net, [a, b, c]);
    call(b, 'pick_up', { id: 1 });
    call(c, 'pick_up', { id: 1 });
    await settle(net, [a, b, c]);
    const owner = a.leader.db.engine.rows('item')[0]!.owner;
    expect([b.identity, c.identity]).toContain(owner);
    // Beside item 1000, which the module's init made.
    for (const r of [b, c]) expect(r.leader.db.engine.rows('item')).toEqual([{ id: 1, owner }, { id: 1000, owner: undefined }]);
    const refused = [...a.leader.db.ledger.entries()].filter(([, last]) => !last.outcome.ok);
    expect(refused.map(([, last]) => last.outcome)).toEqual([{ ok: false, name: 'SenderError', message: 'Item 1 is already owned' }]);
  });

  it('keeps calls made while the authority is away in the outbox and applies each once when it is back', async () => {
    const net = new PeerNet(11);
    const a = await openBrowser(net, 'auth', 'authority');
    const b = await openBrowser(net, 'rep1', 'replica');
    net.connect('auth', 'rep1');
    await settle(net, [a, b]);
    net.disconnect('auth', 'rep1');
    expect(b.follower!.state).toBe('offline');
    call(b, 'mark', { call: 'offline-1' });
    call(b, 'mark', { call: 'offline-2' });
    await settle(net, [a, b]).catch(() => {});
    expect(b.follower!.waiting.map((w) => w.args.call)).toEqual(['offline-1', 'offline-2']);
    expect(markers(b)).toEqual([]);
    net.connect('auth', 'rep1');
    await settle(net, [a, b]);
    expect(markers(a)).toEqual(['offline-1', 'offline-2']);
    expect(markers(b)).toEqual(['offline-1', 'offline-2']);
    expect(b.follower!.waiting).toEqual([]);
  });

  it('sends a replica whose log is far behind the kept log a signed snapshot', async () => {
    const net = new PeerNet(5);
    const a = await openBrowser(net, 'auth', 'authority', { keepEntries: 10, snapshotEvery: 20 });
    // One commit (one segment) per call, so the snapshot's pruning really drops the first entries.
    for (let i = 0; i < 100; i++) {
      call(a, 'mark', { call: `m${i}` });
      await a.leader.db.flush();
    }
    expect((await readDurableTail(a.leader.db.storage, 0)).complete).toBe(false);
    const snapshots: { seq: number; chunks: Uint8Array[] }[] = [];
    const { keys, identity } = await keysOf();
    const follower = new RoomFollower(
      { room: ROOM, link: net.link('late'), keys, identity, connectionId: connectionOf('late'), fingerprint: await describeModule(roomModule) },
      { onSnapshot: (seq, chunks) => void snapshots.push({ seq, chunks }) },
    );
    const late = await Leader.start(roomModule, { storage: new MemoryStorage('late'), id: 'late', identity, transport: tabs.join<TabMessage>('late-tabs'), upstream: follower.upstream });
    follower.attach(late);
    net.connect('auth', 'late');
    for (let i = 0; i < 50 && snapshots.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      net.network.flush();
    }
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.seq).toBe(a.leader.db.seq);
    const engine = new Engine(roomModule, { identity });
    loadSnapshot(engine.store, snapshots[0]!.chunks);
    expect(stateHash(engine.store)).toBe(a.leader.db.stateHash());
  });

  it('refuses a peer that runs another version of the module, on both sides, saying which side is newer', async () => {
    const net = new PeerNet(3);
    const a = await openBrowser(net, 'auth', 'authority');
    const b = await openBrowser(net, 'rep1', 'replica', { module: roomModuleV2 });
    net.connect('auth', 'rep1');
    await settle(net, [a]).catch(() => {});
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      net.network.flush();
    }
    expect(b.follower!.state).toBe('refused');
    expect(b.follower!.error).toMatchObject({ name: 'IncompatiblePeerError' });
    // Each side words it from its own view: the replica runs the newer module.
    expect(b.follower!.error!.message).toMatch(/the room's authority is older; update it/);
    expect(a.authority!.replicaPeers).toEqual([]);
    expect(a.logs.some((l) => l.level === 'warn' && /refused peer rep1/.test(l.message) && /this peer is older; update it/.test(l.message))).toBe(true);
  });

  it('rejects a forged call and a call for another identity\'s client, and changes nothing', async () => {
    const net = new PeerNet(9);
    const a = await openBrowser(net, 'auth', 'authority');
    const b = await openBrowser(net, 'rep1', 'replica');
    net.connect('auth', 'rep1');
    await settle(net, [a, b]);
    const seq = a.leader.db.seq;
    const hash = a.leader.db.stateHash();
    const mallory = await keysOf();
    const args = a.leader.db.engine.encodeArgs('mark', { call: 'forged' });
    // Signed by Mallory but under the replica's client name: it would burn the replica's call ids.
    const other = await signCall(mallory.keys, ROOM, { client: `${b.identity}/c`, callId: 99, reducer: 'mark', args });
    // Mallory's own call with its arguments changed after signing.
    const mine = await signCall(mallory.keys, ROOM, { client: `${mallory.identity}/c`, callId: 1, reducer: 'mark', args });
    const tampered = { ...mine, args: a.leader.db.engine.encodeArgs('mark', { call: 'tampered' }) };
    const forge = (bytes: Uint8Array) => net.network.join<{ from: string; to: string; data: string }>('spy').send({ from: 'rep1', to: 'auth', data: encodeRoomMessage({ type: 'calls', calls: [{ call: bytes, connectionId: null }] }) });
    forge(encodeSignedCall(other));
    forge(encodeSignedCall(tampered));
    await settle(net, [a, b]);
    expect(a.leader.db.seq).toBe(seq);
    expect(a.leader.db.stateHash()).toBe(hash);
    const warnings = a.logs.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings.some((w) => /not under its signer's identity/.test(w))).toBe(true);
    expect(warnings.some((w) => /signature/i.test(w))).toBe(true);
  });

  it("runs a replica browser's connection events on the authority, and its disconnects when the browser leaves", async () => {
    const net = new PeerNet(17);
    const a = await openBrowser(net, 'auth', 'authority');
    const b = await openBrowser(net, 'rep1', 'replica');
    net.connect('auth', 'rep1');
    await settle(net, [a, b]);
    const connection = 'c0'.repeat(16) as ConnectionId;
    b.leader.order(lifecycleCall(connection, b.identity, 'connected', 1));
    // One that claims another identity's connection is refused.
    b.leader.order(lifecycleCall('d0'.repeat(16) as ConnectionId, a.identity, 'connected', 1));
    await settle(net, [a, b]);
    expect(a.leader.db.engine.rows('online')).toEqual([{ connection }]);
    expect(a.logs.some((l) => /is not its signer's own connection event/.test(l.message))).toBe(true);
    net.disconnect('auth', 'rep1');
    await settle(net, [a]).catch(() => {});
    expect(a.leader.db.engine.rows('online')).toEqual([]);
  });

  it('keeps the connections of a replica browser that comes back within awayMs, and disconnects them when it stays away', async () => {
    const net = new PeerNet(18);
    const a = await openBrowser(net, 'auth', 'authority', { awayMs: 200 });
    const b = await openBrowser(net, 'rep1', 'replica');
    net.connect('auth', 'rep1');
    await settle(net, [a, b]);
    const connection = 'c1'.repeat(16) as ConnectionId;
    b.leader.order(lifecycleCall(connection, b.identity, 'connected', 1));
    await settle(net, [a, b]);
    const seq = a.leader.db.seq;
    // A blip: gone and back before its time is up. Nothing runs.
    net.disconnect('auth', 'rep1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    net.connect('auth', 'rep1');
    await settle(net, [a, b]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(a.leader.db.seq).toBe(seq);
    expect(a.leader.db.engine.rows('online')).toEqual([{ connection }]);
    // Gone for longer: its clientDisconnected runs, once.
    net.disconnect('auth', 'rep1');
    await new Promise((resolve) => setTimeout(resolve, 250));
    await a.leader.db.flush();
    expect(a.leader.db.engine.rows('online')).toEqual([]);
    expect(a.leader.db.seq).toBe(seq + 1);
    // Its own disconnect, submitted when it is back, is a duplicate of that one.
    net.connect('auth', 'rep1');
    b.leader.order(lifecycleCall(connection, b.identity, 'disconnected', 2));
    await settle(net, [a, b]);
    expect(a.leader.db.seq).toBe(seq + 1);
    expect(b.leader.db.seq).toBe(seq + 1);
  });

  it('rejects entries not signed by the pinned authority, and changes nothing', async () => {
    const net = new PeerNet(13);
    const a = await openBrowser(net, 'auth', 'authority');
    const b = await openBrowser(net, 'rep1', 'replica');
    net.connect('auth', 'rep1');
    call(a, 'mark', { call: 'real' });
    await settle(net, [a, b]);
    const seq = b.leader.db.seq;
    const hash = b.leader.db.stateHash();
    // Mallory builds a valid-looking next entry and signs the batch with its own key.
    const mallory = await keysOf();
    const fake = await openBrowser(new PeerNet(99), 'fake', 'authority');
    for (let i = 0; i <= seq; i++) call(fake, 'mark', { call: `fake${i}` });
    await fake.leader.db.flush();
    const tail = (await readDurableTail(fake.leader.db.storage, seq)).entries;
    const batch = await signBatch(mallory.keys, ROOM, { epoch: 1, firstSeq: seq + 1, lastSeq: seq + 1, bytes: encodeEntries(tail.slice(0, 1)) });
    net.network.join<{ from: string; to: string; data: string }>('spy2').send({ from: 'auth', to: 'rep1', data: encodeRoomMessage({ type: 'entries', batch: encodeSignedBatch(batch), target: seq + 1 }) });
    await settle(net, [a, b]);
    expect(b.leader.db.seq).toBe(seq);
    expect(b.leader.db.stateHash()).toBe(hash);
    expect(b.logs.some((l) => l.level === 'warn' && /rejected/.test(l.message))).toBe(true);
  });
});
