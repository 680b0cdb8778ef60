import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../engine/engine';
import { MemoryStorage } from '../log/memory-storage';
import { loadSnapshot } from '../log/snapshot';
import type { ModuleDef } from '../schema/module';
import type { ConnectionId, Identity } from '../schema/type-desc';
import { Engine } from '../engine/engine';
import { stateHash } from '../store/state-hash';
import { roomModule, roomModuleV2 } from './room-module.test-util';
import { PeerNet } from './peer-net.test-util';
import { describeModule } from './handshake';
import { LeaderLog } from '../replication/leader-log';
import { Orderer } from '../replication/orderer';
import type { CallFailure, Ordering } from '../replication/ordering';
import type { Call } from '../replication/messages';
import { PendingCalls, type CallResult } from '../replication/pending-calls';
import type { AttachedRoom, TabRoom } from '../tabs/leadership';
import { encodeRoomMessage } from './room-protocol';
import { tabRoom } from './room-tab';
import { lifecycleCall } from '../lifecycle/calls';
import { encodeSignedBatch, encodeSignedCall, signBatch, signCall } from './signed';
import { exportPublicKey, generateKeyPair, identityFromPublicKey } from './signing';
import { encodeEntries } from '../log/entry';
import { readDurableTail } from '../replication/durable-log';
import { ManualTimers } from '../replication/manual-timers.test-util';

const ROOM = 'room-test';

/** A browser's leading tab in the room, composed as a `Tab` composes it (without the election). */
interface Browser {
  readonly id: string;
  readonly identity: Identity;
  readonly log: LeaderLog;
  readonly ordering: Ordering;
  readonly room: TabRoom;
  readonly attached: AttachedRoom;
  readonly storage: MemoryStorage;
  readonly logs: LogRecord[];
  readonly failed: CallFailure[];
  /** The answers of this browser's calls, as a tab's pending calls give them. */
  readonly pending: PendingCalls;
  nextCall: number;
}

async function keysOf() {
  const pair = await generateKeyPair();
  const publicKey = await exportPublicKey(pair.publicKey);
  return { keys: { privateKey: pair.privateKey, publicKey }, identity: await identityFromPublicKey(publicKey) };
}

let clock = 1_000_000n;
const connectionOf = (id: string) => id.padEnd(32, '0').slice(0, 32).replace(/[^0-9a-f]/g, 'e') as ConnectionId;

async function openBrowser(net: PeerNet, id: string, role: 'authority' | 'replica', options: { module?: ModuleDef; keepEntries?: number; snapshotEvery?: number; outbox?: Call[]; awayMs?: number; timers?: ManualTimers } = {}): Promise<Browser> {
  const module = options.module ?? roomModule;
  const { keys, identity } = await keysOf();
  const logs: LogRecord[] = [];
  const failed: CallFailure[] = [];
  const storage = new MemoryStorage(id);
  if (options.outbox !== undefined) await storage.commit({ meta: { 'room-outbox': options.outbox } });
  const room = tabRoom({
    name: ROOM,
    keys,
    identity,
    connectionId: connectionOf(id),
    fingerprint: await describeModule(module),
    // The authority creates the room; a replica finds it there.
    join: async () => ({ link: net.link(id), peersAtJoin: Promise.resolve(role === 'authority' ? [] : ['auth']), leave: () => {} }),
    awayMs: options.awayMs ?? 0,
    stallCheckMs: 0,
    ...(options.timers === undefined ? {} : { timers: options.timers }),
    log: (r) => void logs.push(r),
  });
  const prepared = await room.prepare(storage, () => {});
  const log = await LeaderLog.open(module, {
    storage,
    identity,
    init: prepared.orders,
    clock: () => (clock += 10n),
    ...(options.keepEntries === undefined ? {} : { keepEntries: options.keepEntries }),
    ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
  });
  const orderer = prepared.orders ? new Orderer(log) : undefined;
  const attached = prepared.attach(log, orderer);
  log.onStepDown(() => attached.detach());
  const ordering = orderer ?? attached.relay!;
  const pending = new PendingCalls();
  log.onDurable((entries) => entries.forEach((entry) => pending.observe(entry)));
  ordering.onFailed((failure) => {
    failed.push(failure);
    pending.fail(failure.client, failure.callId, failure.name, failure.message);
  });
  return { id, identity, log, ordering, room, attached, storage, logs, failed, pending, nextCall: 1 };
}

function call(browser: Browser, reducer: string, args: Record<string, unknown>, order = true): Call {
  const c: Call = { client: `${browser.identity}/c`, callId: browser.nextCall++, reducer, args, sender: browser.identity, connectionId: connectionOf(browser.id) };
  if (order) browser.ordering.order(c);
  return c;
}

/** Delivers messages (with the network's faults) and lets the async signing run, until nothing moves; nudges now and then. */
async function settle(net: PeerNet, browsers: readonly Browser[], rounds = 2000, partial = false): Promise<void> {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
  let idle = 0;
  for (let round = 0; round < rounds; round++) {
    await tick();
    let moved = false;
    for (let i = 0; i < 50 && net.network.step(); i++) moved = true;
    await Promise.all(browsers.map((b) => b.log.db.flush()));
    if (moved) idle = 0;
    else if (++idle > 3) {
      const authority = browsers.find((b) => b.room.status().role === 'authority')!;
      const behind = browsers.some((b) => b.log.db.seq !== authority.log.db.seq || b.room.status().waiting > 0);
      if (!behind) return;
      for (const b of browsers) b.attached.nudge();
      idle = 0;
    }
  }
  if (!partial) throw new Error(`The room did not settle: ${browsers.map((b) => `${b.id} seq ${b.log.db.seq} ${JSON.stringify(b.room.status())}`).join('; ')}`);
}

const markers = (b: Browser): string[] => b.log.db.engine.rows('marker').map((r) => r.call as string).sort();

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
      const made = new Map<string, { result?: CallResult }>();
      for (let i = 0; i < 60; i++) {
        for (const browser of [a, b, c]) {
          const name = `${browser.id}#${i}`;
          const record: { result?: CallResult } = {};
          made.set(name, record);
          const c = call(browser, 'mark', { call: name }, false);
          void browser.pending.add(c).then((result) => (record.result = result));
          browser.ordering.order(c);
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
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect([...made].filter(([name, { result }]) => result === undefined || applied.includes(name) !== result.ok)).toEqual([]);
      expect(applied.length).toBeGreaterThan(120);
      for (const r of [b, c]) {
        expect(r.log.db.seq).toBe(a.log.db.seq);
        expect(r.log.db.stateHash()).toBe(a.log.db.stateHash());
        expect(r.room.status()).toMatchObject({ authority: a.identity, state: 'connected' });
      }
    });
  }

  it("runs the module's init once, in the browser that creates the room; its followers take it from the log", async () => {
    const net = new PeerNet(21);
    const a = await openBrowser(net, 'auth', 'authority');
    const b = await openBrowser(net, 'rep1', 'replica');
    expect(b.log.db.seq).toBe(0);
    net.connect('auth', 'rep1');
    call(a, 'mark', { call: 'after-init' });
    await settle(net, [a, b]);
    expect(b.log.db.seq).toBe(a.log.db.seq);
    expect(b.log.db.stateHash()).toBe(a.log.db.stateHash());
    expect(b.log.db.engine.rows('item')).toEqual([{ id: 1000, owner: undefined }]);
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
    const owner = a.log.db.engine.rows('item')[0]!.owner;
    expect([b.identity, c.identity]).toContain(owner);
    // Beside item 1000, which the module's init made.
    for (const r of [b, c]) expect(r.log.db.engine.rows('item')).toEqual([{ id: 1, owner }, { id: 1000, owner: undefined }]);
    const refused = [...a.log.db.ledger.entries()].filter(([, last]) => !last.outcome.ok);
    expect(refused.map(([, last]) => last.outcome)).toEqual([{ ok: false, name: 'SenderError', message: 'Item 1 is already owned' }]);
  });

  it('keeps calls made while the authority is away in the outbox and applies each once when it is back', async () => {
    const net = new PeerNet(11);
    const a = await openBrowser(net, 'auth', 'authority');
    const b = await openBrowser(net, 'rep1', 'replica');
    net.connect('auth', 'rep1');
    await settle(net, [a, b]);
    net.disconnect('auth', 'rep1');
    expect(b.room.status().state).toBe('reconnecting');
    call(b, 'mark', { call: 'offline-1' });
    call(b, 'mark', { call: 'offline-2' });
    await settle(net, [a, b], 50, true);
    expect(b.room.status().waiting).toBe(2);
    // Kept in storage, for a reload while offline.
    const stored = (await b.storage.readMeta('room-outbox')) as Call[];
    expect(stored.map((w) => w.args.call)).toEqual(['offline-1', 'offline-2']);
    expect(markers(b)).toEqual([]);
    net.connect('auth', 'rep1');
    await settle(net, [a, b]);
    expect(markers(a)).toEqual(['offline-1', 'offline-2']);
    expect(markers(b)).toEqual(['offline-1', 'offline-2']);
    expect(b.room.status().waiting).toBe(0);
    expect(await b.storage.readMeta('room-outbox')).toEqual([]);
  });

  it('sends a replica whose log is far behind the kept log a signed snapshot', async () => {
    const net = new PeerNet(5);
    const a = await openBrowser(net, 'auth', 'authority', { keepEntries: 10, snapshotEvery: 20 });
    // One commit (one segment) per call, so the snapshot's pruning really drops the first entries.
    for (let i = 0; i < 100; i++) {
      call(a, 'mark', { call: `m${i}` });
      await a.log.db.flush();
    }
    expect((await readDurableTail(a.log.db.storage, 0)).complete).toBe(false);
    const late = await openBrowser(net, 'late', 'replica');
    net.connect('auth', 'late');
    for (let i = 0; i < 50 && late.log.stoppedBecause === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      net.network.flush();
    }
    // The late browser stored the authority's state in place of its log, and steps down to lead again from it.
    expect(late.log.stoppedBecause).toBe(`loaded another log's state at seq ${a.log.db.seq}`);
    const snapshot = (await late.storage.latestSnapshot())!;
    expect(snapshot.seq).toBe(a.log.db.seq);
    const engine = new Engine(roomModule, { identity: late.identity });
    loadSnapshot(engine.store, snapshot.chunks);
    expect(stateHash(engine.store)).toBe(a.log.db.stateHash());
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
    expect(b.room.status().state).toBe('refused');
    // Each side words it from its own view: the replica runs the newer module.
    expect(b.room.status().error).toMatch(/the room's authority is older; update it/);
    expect(a.room.status().peers).toBe(0);
    expect(a.logs.some((l) => l.level === 'warn' && /refused peer rep1/.test(l.message) && /this peer is older; update it/.test(l.message))).toBe(true);
  });

  it('rejects a forged call and a call for another identity\'s client, and changes nothing', async () => {
    const net = new PeerNet(9);
    const a = await openBrowser(net, 'auth', 'authority');
    const b = await openBrowser(net, 'rep1', 'replica');
    net.connect('auth', 'rep1');
    await settle(net, [a, b]);
    const seq = a.log.db.seq;
    const hash = a.log.db.stateHash();
    const mallory = await keysOf();
    const args = a.log.db.engine.encodeArgs('mark', { call: 'forged' });
    // Signed by Mallory but under the replica's client name: it would burn the replica's call ids.
    const other = await signCall(mallory.keys, ROOM, { client: `${b.identity}/c`, callId: 99, reducer: 'mark', args });
    // Mallory's own call with its arguments changed after signing.
    const mine = await signCall(mallory.keys, ROOM, { client: `${mallory.identity}/c`, callId: 1, reducer: 'mark', args });
    const tampered = { ...mine, args: a.log.db.engine.encodeArgs('mark', { call: 'tampered' }) };
    const forge = (bytes: Uint8Array) => net.network.join<{ from: string; to: string; data: string }>('spy').send({ from: 'rep1', to: 'auth', data: encodeRoomMessage({ type: 'calls', epoch: 0, calls: [{ call: bytes, connectionId: null }] }) }, 'auth');
    forge(encodeSignedCall(other));
    forge(encodeSignedCall(tampered));
    await settle(net, [a, b]);
    expect(a.log.db.seq).toBe(seq);
    expect(a.log.db.stateHash()).toBe(hash);
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
    b.ordering.order(lifecycleCall(connection, b.identity, 'connected', 1));
    // One that claims another identity's connection is refused.
    b.ordering.order(lifecycleCall('d0'.repeat(16) as ConnectionId, a.identity, 'connected', 1));
    await settle(net, [a, b]);
    expect(a.log.db.engine.rows('online')).toEqual([{ connection }]);
    expect(a.logs.some((l) => /is not its signer's own connection event/.test(l.message))).toBe(true);
    net.disconnect('auth', 'rep1');
    await settle(net, [a]).catch(() => {});
    expect(a.log.db.engine.rows('online')).toEqual([]);
  });

  it('keeps the connections of a replica browser that comes back within awayMs, and disconnects them when it stays away', async () => {
    const net = new PeerNet(18);
    const timers = new ManualTimers();
    const a = await openBrowser(net, 'auth', 'authority', { awayMs: 200, timers });
    const b = await openBrowser(net, 'rep1', 'replica');
    net.connect('auth', 'rep1');
    await settle(net, [a, b]);
    const connection = 'c1'.repeat(16) as ConnectionId;
    b.ordering.order(lifecycleCall(connection, b.identity, 'connected', 1));
    await settle(net, [a, b]);
    const seq = a.log.db.seq;
    // A blip: gone and back before its time is up. Nothing runs.
    net.disconnect('auth', 'rep1');
    timers.advance(50);
    net.connect('auth', 'rep1');
    await settle(net, [a, b]);
    timers.advance(250);
    expect(a.log.db.seq).toBe(seq);
    expect(a.log.db.engine.rows('online')).toEqual([{ connection }]);
    // Gone for longer: its clientDisconnected runs, once.
    net.disconnect('auth', 'rep1');
    timers.advance(250);
    await a.log.db.flush();
    expect(a.log.db.engine.rows('online')).toEqual([]);
    expect(a.log.db.seq).toBe(seq + 1);
    // Its own disconnect, submitted when it is back, is a duplicate of that one.
    net.connect('auth', 'rep1');
    b.ordering.order(lifecycleCall(connection, b.identity, 'disconnected', 2));
    await settle(net, [a, b]);
    expect(a.log.db.seq).toBe(seq + 1);
    expect(b.log.db.seq).toBe(seq + 1);
  });

  it('rejects entries not signed by the pinned authority, and changes nothing', async () => {
    const net = new PeerNet(13);
    const a = await openBrowser(net, 'auth', 'authority');
    const b = await openBrowser(net, 'rep1', 'replica');
    net.connect('auth', 'rep1');
    call(a, 'mark', { call: 'real' });
    await settle(net, [a, b]);
    const seq = b.log.db.seq;
    const hash = b.log.db.stateHash();
    // Mallory builds a valid-looking next entry and signs the batch with its own key.
    const mallory = await keysOf();
    const fake = await openBrowser(new PeerNet(99), 'fake', 'authority');
    for (let i = 0; i <= seq; i++) call(fake, 'mark', { call: `fake${i}` });
    await fake.log.db.flush();
    const tail = (await readDurableTail(fake.log.db.storage, seq)).entries;
    const batch = await signBatch(mallory.keys, ROOM, { epoch: 1, firstSeq: seq + 1, lastSeq: seq + 1, bytes: encodeEntries(tail.slice(0, 1)) });
    net.network.join<{ from: string; to: string; data: string }>('spy2').send({ from: 'auth', to: 'rep1', data: encodeRoomMessage({ type: 'entries', batch: encodeSignedBatch(batch), target: seq + 1 }) }, 'rep1');
    await settle(net, [a, b]);
    expect(b.log.db.seq).toBe(seq);
    expect(b.log.db.stateHash()).toBe(hash);
    expect(b.logs.some((l) => l.level === 'warn' && /rejected/.test(l.message))).toBe(true);
  });
});
