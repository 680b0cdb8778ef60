import { describe, expect, it, vi } from 'vitest';
import { MemoryStorage } from '../log/memory-storage';
import type { Storage, StorageCommit } from '../log/storage';
import { loadModule } from '../schema/module';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { ScheduleAt, t } from '../schema/type-builders';
import type { ConnectionId, Identity } from '../schema/type-desc';
import { SenderError } from '../errors';
import type { ClientMessage, HostMessage } from './client-protocol';
import { DatabaseHost, type HostTimers } from './database-host';
import { FakeLocks } from '../tabs/fake-locks.test-util';
import { FakeNetwork } from '../replication/fake-network.test-util';
import { Tab } from '../tabs/tab';
import type { Hash } from '../codec/hash';
import { encodeEntries, sealEntry } from '../log/entry';
import type { ReplicationMessage } from '../replication/messages';

const message = table({ name: 'message', public: true }, { id: t.u64().primaryKey().autoInc(), sender: t.identity(), room: t.u32().index('btree'), text: t.string() });
const online = table({ name: 'online', public: true }, { who: t.identity().primaryKey() });
const secret = table({ name: 'secret' }, { key: t.string().primaryKey() });
const tick = table({ name: 'tick' }, { id: t.u64().primaryKey().autoInc(), at: t.scheduleAt() });
const db = schema({ message, online, secret, tick });
const chat = loadModule({
  default: db,
  connected: db.clientConnected((ctx) => {
    ctx.db.online.insert({ who: ctx.sender });
  }),
  disconnected: db.clientDisconnected((ctx) => {
    ctx.db.online.who.delete(ctx.sender);
  }),
  send: db.reducer({ room: t.u32(), text: t.string() }, (ctx, { room, text }) => {
    if (!text) throw new SenderError('Message must not be empty');
    ctx.db.message.insert({ id: 0n, sender: ctx.sender, room, text });
  }),
  every_second: db.reducer((ctx) => {
    ctx.db.tick.insert({ id: 0n, at: ScheduleAt.interval(1_000_000n) });
  }),
  on_tick: db.reducer({ onSchedule: tick }, { arg: tick.rowType }, (ctx) => {
    ctx.db.message.insert({ id: 0n, sender: ctx.sender, room: 0, text: 'tick' });
  }),
});

const ALICE = 'a1'.repeat(32) as Identity;
const BOB = 'b0'.repeat(32) as Identity;
const CAROL = 'c0'.repeat(32) as Identity;

/** A storage whose commits wait until released, to observe confirmed durability. */
class GatedStorage extends MemoryStorage {
  gates: (() => void)[] = [];
  gated = false;
  override async commit(change: StorageCommit): Promise<void> {
    if (this.gated) await new Promise<void>((resolve) => this.gates.push(resolve));
    return super.commit(change);
  }
  release(): void {
    for (const open of this.gates.splice(0)) open();
  }
}

function client(host: DatabaseHost, identity: Identity, id: string) {
  const received: HostMessage[] = [];
  const waiters: [(m: HostMessage) => boolean, (m: HostMessage) => void][] = [];
  const post = host.connect(identity, id.padEnd(32, '0') as ConnectionId, (m) => {
    received.push(m);
    for (const [i, [match, resolve]] of waiters.entries()) {
      if (match(m)) {
        waiters.splice(i, 1);
        resolve(m);
        break;
      }
    }
  });
  let next = 1;
  return {
    received,
    /** Sends a request and resolves with the message that answers it: its result, or the transaction of a committed call. */
    request(body: Record<string, unknown>): Promise<{ ok: boolean } & HostMessage> {
      const requestId = next++;
      const done = new Promise<HostMessage>((resolve) =>
        waiters.push([(m) => (m.type === 'result' || m.type === 'transaction') && m.requestId === requestId, resolve]),
      );
      post({ ...body, requestId } as unknown as ClientMessage);
      return done.then((m) => (m.type === 'transaction' ? { ...m, ok: true } : m)) as Promise<{ ok: boolean } & HostMessage>;
    },
  };
}

const timers = (): HostTimers & { fire(): void; pending: number } => {
  let queued: (() => void) | undefined;
  return {
    setTimeout: (fn) => ((queued = fn), 1),
    clearTimeout: () => (queued = undefined),
    fire: () => queued?.(),
    get pending() {
      return queued === undefined ? 0 : 1;
    },
  };
};

const hello = { type: 'hello', database: 'chat', durability: 'confirmed' };

/** Tabs of one database on one fake network, sharing one storage. */
class Tabs {
  readonly locks = new FakeLocks();
  readonly network = new FakeNetwork(1);
  private opened = 0;
  private readonly data = { segments: [], snapshots: [], meta: new Map<string, unknown>() };
  /** With `storage`, every tab uses that one handle; by default each role opens its own handle on shared data. */
  constructor(private readonly storage?: Storage) {}

  /** Opens a tab with its host; with `lead`, waits until it leads. */
  async open(options: { timers?: HostTimers; clock?: () => bigint; lead?: boolean } = {}): Promise<DatabaseHost> {
    let clock = 1_000_000n;
    const id = `tab${++this.opened}`;
    let host: DatabaseHost | undefined;
    const tab = await Tab.open(
      { module: chat, id, identity: ALICE, link: this.network.join<ReplicationMessage>(id), locks: this.locks.forOwner(id), lockName: 'chat', openStorage: async () => this.storage ?? new MemoryStorage('chat', this.data), clock: options.clock ?? (() => (clock += 1000n)) },
      DatabaseHost.events(() => host),
    );
    host = new DatabaseHost(tab, { locks: this.locks.forOwner(id), ...(options.timers === undefined ? {} : { timers: options.timers, statusEveryMs: 0 }) });
    if (options.lead !== false) await vi.waitFor(() => expect(tab.status.role).toBe('leader'));
    return host;
  }

  /** Waits for `answer` while delivering tab messages (a request to a replica's host needs the leader's). */
  async done<T>(answer: Promise<T>): Promise<T> {
    await this.settle();
    return answer;
  }

  /** A leading tab with Alice's session and a replica tab with Bob's, both greeted. */
  async pair(): Promise<{ leader: DatabaseHost; replica: DatabaseHost; alice: ReturnType<typeof client>; bob: ReturnType<typeof client> }> {
    const leader = await this.open();
    const replica = await this.open({ lead: false });
    await this.settle();
    const alice = client(leader, ALICE, 'a');
    const bob = client(replica, BOB, 'b');
    await this.done(Promise.all([alice.request(hello), bob.request(hello)]));
    return { leader, replica, alice, bob };
  }

  /** Delivers tab messages until none is left. */
  settle(): Promise<void> {
    return this.network.settle();
  }
}

async function open(storage?: Storage, more: { timers?: HostTimers; clock?: () => bigint } = {}) {
  return new Tabs(storage).open(more);
}

describe('the database host', () => {
  it('says hello with the module description and runs clientConnected', async () => {
    const host = await open();
    const alice = client(host, ALICE, 'a');
    const hello = await alice.request({ type: 'hello', database: 'chat', durability: 'confirmed' });
    expect(hello.ok).toBe(true);
    const value = (hello as { value: { identity: string; reducers: { name: string; kind: string }[] } }).value;
    expect(value.identity).toBe(ALICE);
    expect(value.reducers.filter((r) => r.kind === 'reducer').map((r) => r.name)).toEqual(['every_second', 'send']);
    expect(host.engine.rows('online')).toEqual([{ who: ALICE }]);
  });

  it('sends the first rows of a subscription, then each transaction, which also answers the caller', async () => {
    const host = await open();
    const alice = client(host, ALICE, 'a');
    const bob = client(host, BOB, 'b');
    await alice.request({ type: 'hello', database: 'chat', durability: 'confirmed' });
    await bob.request({ type: 'hello', database: 'chat', durability: 'fast' });
    await alice.request({ type: 'call', reducer: 'send', args: { room: 7, text: 'before' }, callId: 1 });
    await bob.request({ type: 'subscribe', queries: [{ queryId: 1, sql: 'SELECT * FROM message WHERE room = 7' }] });
    expect(bob.received.find((m) => m.type === 'applied')).toMatchObject({ queries: [{ queryId: 1, table: 'message', inserts: [{ text: 'before' }], deletes: [] }] });
    const result = await alice.request({ type: 'call', reducer: 'send', args: { room: 7, text: 'hi' }, callId: 2 });
    expect(result.ok).toBe(true);
    const tx = bob.received.filter((m) => m.type === 'transaction').at(-1);
    expect(tx).toMatchObject({ reducer: 'send', sender: ALICE, callId: undefined, queries: [{ queryId: 1, inserts: [{ text: 'hi', room: 7 }] }] });
    await alice.request({ type: 'call', reducer: 'send', args: { room: 8, text: 'elsewhere' }, callId: 3 });
    expect(bob.received.filter((m) => m.type === 'transaction').at(-1)).toBe(tx);
  });

  it('answers a failed call with the error class and message, and a committed one with its own transaction', async () => {
    const host = await open();
    const alice = client(host, ALICE, 'a');
    await alice.request({ type: 'hello', database: 'chat', durability: 'fast' });
    await alice.request({ type: 'subscribe', queries: [{ queryId: 5, sql: 'SELECT * FROM message' }] });
    const failed = await alice.request({ type: 'call', reducer: 'send', args: { room: 1, text: '' }, callId: 1 });
    expect(failed).toMatchObject({ ok: false, error: { name: 'SenderError', message: 'Message must not be empty' } });
    const answer = await alice.request({ type: 'call', reducer: 'send', args: { room: 1, text: 'ok' }, callId: 2 });
    expect(answer).toMatchObject({ type: 'transaction', callId: 2, requestId: 4, queries: [{ queryId: 5, inserts: [{ text: 'ok' }] }] });
    // The transaction is the answer: no result follows it (a status may: the seq moved).
    expect(alice.received.filter((m) => m.type !== 'status').at(-1)).toBe(alice.received.find((m) => m.type === 'transaction' && m.callId === 2));
  });

  it('holds results and transactions of confirmed sessions until the entry is durable', async () => {
    const storage = new GatedStorage();
    const host = await open(storage);
    const alice = client(host, ALICE, 'a');
    await alice.request({ type: 'hello', database: 'chat', durability: 'confirmed' });
    await alice.request({ type: 'subscribe', queries: [{ queryId: 1, sql: 'SELECT * FROM message' }] });
    storage.gated = true;
    const result = alice.request({ type: 'call', reducer: 'send', args: { room: 1, text: 'durable?' }, callId: 1 });
    await vi.waitFor(() => expect(storage.gates.length).toBe(1));
    expect(alice.received.some((m) => m.type === 'transaction' && m.callId === 1)).toBe(false);
    storage.release();
    expect((await result).ok).toBe(true);
    expect(alice.received.some((m) => m.type === 'transaction' && m.callId === 1)).toBe(true);
  });

  it('rejects subscriptions to private or unknown tables, naming them', async () => {
    const host = await open();
    const alice = client(host, ALICE, 'a');
    await alice.request({ type: 'hello', database: 'chat', durability: 'fast' });
    const privateTable = await alice.request({ type: 'subscribe', queries: [{ queryId: 1, sql: 'SELECT * FROM secret' }] });
    expect(privateTable).toMatchObject({ ok: false, error: { name: 'QueryError' } });
    expect(JSON.stringify(privateTable)).toContain('secret');
    const unknown = await alice.request({ type: 'subscribe', queries: [{ queryId: 2, sql: 'SELECT * FROM Message' }] });
    expect(JSON.stringify(unknown)).toContain('message');
    const sql = await alice.request({ type: 'sql', sql: 'SELECT COUNT(*) AS n FROM secret' });
    expect(sql).toMatchObject({ ok: true, value: { columns: ['n'], rows: [{ n: 0 }] } });
  });

  it('runs scheduled reducers on its timer and publishes their transactions', async () => {
    const clockTimers = timers();
    let now = 5_000_000n;
    const host = await open(undefined, { timers: clockTimers, clock: () => now });
    const alice = client(host, ALICE, 'a');
    await alice.request({ type: 'hello', database: 'chat', durability: 'fast' });
    await alice.request({ type: 'subscribe', queries: [{ queryId: 1, sql: "SELECT * FROM message WHERE text = 'tick'" }] });
    await alice.request({ type: 'call', reducer: 'every_second', args: {}, callId: 1 });
    expect(clockTimers.pending).toBe(1);
    now += 2_500_000n;
    clockTimers.fire();
    const ticks = alice.received.filter((m) => m.type === 'transaction' && m.reducer === 'on_tick');
    expect(ticks).toHaveLength(2);
    expect(ticks[0]).toMatchObject({ timestamp: 6_000_000n, queries: [{ queryId: 1, inserts: [{ text: 'tick' }] }] });
    expect(clockTimers.pending).toBe(1);
  });

  it('runs clientDisconnected when a session closes', async () => {
    const host = await open();
    const alice = client(host, ALICE, 'a');
    await alice.request({ type: 'hello', database: 'chat', durability: 'confirmed' });
    expect(host.engine.rows('online')).toHaveLength(1);
    await alice.request({ type: 'close' });
    expect(host.engine.rows('online')).toHaveLength(0);
  });
});

describe('the host of a replica tab', () => {

  it('forwards calls to the leading tab, answers them with their replayed transaction, and publishes the other tabs\' transactions', async () => {
    const tabs = new Tabs();
    const leader = await tabs.open();
    const replica = await tabs.open({ lead: false });
    await tabs.settle();
    expect(replica.tab.status).toMatchObject({ role: 'replica', leader: 'tab1', epoch: 1 });
    const alice = client(leader, ALICE, 'a');
    const bob = client(replica, BOB, 'b');
    const helloDone = bob.request(hello);
    await tabs.settle();
    expect(await helloDone).toMatchObject({ ok: true, value: { status: { role: 'replica', leader: 'tab1' } } });
    await alice.request(hello);
    await tabs.done(bob.request({ type: 'subscribe', queries: [{ queryId: 1, sql: 'SELECT * FROM message' }] }));
    const own = bob.request({ type: 'call', reducer: 'send', args: { room: 1, text: 'from the replica' }, callId: 1 });
    await tabs.settle();
    expect(await own).toMatchObject({ ok: true, type: 'transaction', callId: 1, reducer: 'send', queries: [{ queryId: 1, inserts: [{ text: 'from the replica' }] }] });
    await alice.request({ type: 'call', reducer: 'send', args: { room: 1, text: 'from the leader' }, callId: 1 });
    await tabs.settle();
    expect(bob.received.filter((m) => m.type === 'transaction').at(-1)).toMatchObject({ callId: undefined, queries: [{ inserts: [{ text: 'from the leader' }] }] });
    const failed = bob.request({ type: 'call', reducer: 'send', args: { room: 1, text: '' }, callId: 2 });
    await tabs.settle();
    expect(await failed).toMatchObject({ ok: false, error: { name: 'SenderError', message: 'Message must not be empty' } });
    expect(replica.engine.rows('online')).toHaveLength(2);
    expect((await bob.request({ type: 'inspect' })) as unknown).toMatchObject({ value: { role: 'replica', seq: leader.tab.status.seq, stateHash: (await leader.inspect(false)).stateHash } });
  });

  it('becomes the leader when the leading tab closes, moves its live queries and reports the new status', async () => {
    const tabs = new Tabs();
    const { leader: first, replica: second, alice, bob } = await tabs.pair();
    await tabs.done(bob.request({ type: 'subscribe', queries: [{ queryId: 1, sql: 'SELECT * FROM online' }] }));
    const closing = first.close();
    await tabs.settle();
    await closing;
    await tabs.settle();
    await vi.waitFor(() => expect(second.tab.status.role).toBe('leader'));
    await tabs.settle();
    expect(bob.received.filter((m) => m.type === 'status').at(-1)).toMatchObject({ status: { role: 'leader', epoch: 2, leader: 'tab2' } });
    // Alice's clientDisconnected ran before the first tab let go: the online row left Bob's query as a transaction.
    expect(second.engine.rows('online')).toEqual([{ who: BOB }]);
    const after = bob.request({ type: 'call', reducer: 'send', args: { room: 1, text: 'still here' }, callId: 1 });
    await tabs.settle();
    expect(await after).toMatchObject({ ok: true, callId: 1 });
    expect(second.engine.rows('message').map((r) => r.text)).toEqual(['still here']);
  });

  it('runs scheduled reducers only on the leading tab; the replica replays their runs', async () => {
    const tabs = new Tabs();
    let now = 5_000_000n;
    const leaderTimers = timers();
    const replicaTimers = timers();
    const leader = await tabs.open({ timers: leaderTimers, clock: () => now });
    const replica = await tabs.open({ timers: replicaTimers, clock: () => now, lead: false });
    await tabs.settle();
    const alice = client(leader, ALICE, 'a');
    await alice.request({ ...hello, durability: 'fast' });
    await alice.request({ type: 'call', reducer: 'every_second', args: {}, callId: 1 });
    await tabs.settle();
    expect(leaderTimers.pending).toBe(1);
    expect(replicaTimers.pending).toBe(0);
    now += 1_500_000n;
    leaderTimers.fire();
    await tabs.settle();
    expect(replica.engine.rows('message').map((r) => r.text)).toEqual(['tick']);
  });

  it('sends a refresh with the rows a new leader recovered that its replica had not replayed', async () => {
    const tabs = new Tabs();
    const { leader: first, replica: second, alice, bob } = await tabs.pair();
    await tabs.done(bob.request({ type: 'subscribe', queries: [{ queryId: 4, sql: 'SELECT * FROM message' }] }));
    tabs.network.partition('tab1', 'tab2');
    await alice.request({ type: 'call', reducer: 'send', args: { room: 2, text: 'unseen' }, callId: 1 });
    expect(second.engine.rows('message')).toEqual([]);
    await first.tab.close();
    await vi.waitFor(() => expect(second.tab.status.role).toBe('leader'));
    expect(bob.received.filter((m) => m.type === 'refresh')).toMatchObject([{ queries: [{ queryId: 4, table: 'message', inserts: [{ text: 'unseen' }], deletes: [] }] }]);
  });

  it('runs clientDisconnected for the connection of a tab that went away without closing it, once', async () => {
    const tabs = new Tabs();
    const { leader: leader, replica: replica, alice, bob } = await tabs.pair();
    expect(leader.engine.rows('online')).toHaveLength(2);
    // The replica's page is gone: its worker's locks go with it, and nothing else is said.
    tabs.locks.crash('tab2');
    tabs.network.remove('tab2');
    await tabs.settle();
    await vi.waitFor(() => expect(leader.engine.rows('online')).toEqual([{ who: ALICE }]));
    const disconnects = (await leader.inspect(true)).replayEntries;
    await tabs.settle();
    expect((await leader.inspect(false)).seq).toBe(disconnects);
  });

  it('takes over watching the open connections when it becomes the leader', async () => {
    const tabs = new Tabs();
    const first = await tabs.open();
    const second = await tabs.open({ lead: false });
    const third = await tabs.open({ lead: false });
    await tabs.settle();
    const [a, b, c] = [client(first, ALICE, 'a'), client(second, BOB, 'b'), client(third, CAROL, 'c')];
    const greeted = Promise.all([a.request(hello), b.request(hello), c.request(hello)]);
    await tabs.settle();
    expect((await greeted).map((r) => r.ok)).toEqual([true, true, true]);
    await first.close();
    await tabs.settle();
    await vi.waitFor(() => expect(second.tab.status.role).toBe('leader'));
    expect(second.engine.rows('online')).toHaveLength(2);
    tabs.locks.crash('tab3');
    tabs.network.remove('tab3');
    await tabs.settle();
    await vi.waitFor(() => expect(second.engine.rows('online')).toEqual([{ who: BOB }]));
  });

  it('tells its sessions when its replay diverges, then brings their queries to the leader\'s state', async () => {
    const tabs = new Tabs();
    const leader = await tabs.open();
    const replica = await tabs.open({ lead: false });
    await tabs.settle();
    const bob = client(replica, BOB, 'b');
    const greeted = bob.request(hello);
    await tabs.settle();
    await greeted;
    await tabs.done(bob.request({ type: 'subscribe', queries: [{ queryId: 2, sql: 'SELECT * FROM message' }] }));
    // A well-chained entry whose diff hash is not what replaying it computes.
    const tab = replica.tab.replica!;
    const args = leader.engine.encodeArgs('send', { room: 1, text: 'forged' });
    const entry = sealEntry(
      { seq: tab.seq + 1, epoch: leader.tab.status.epoch, reducer: 'send', args, sender: BOB, connectionId: null, timestamp: 5n, seed: 1n, internal: false, caller: undefined, outcome: { ok: true, txHash: '0123456789abcdef' as Hash, diff: new Uint8Array(0) } },
      tab.chain,
    );
    tabs.network.join<ReplicationMessage>('forger').send({ type: 'entries', epoch: leader.tab.status.epoch, firstSeq: entry.seq, lastSeq: entry.seq, bytes: encodeEntries([entry]), target: entry.seq });
    await tabs.settle();
    expect(bob.received.filter((m) => m.type === 'diverged')).toEqual([{ type: 'diverged', seq: entry.seq, reducer: 'send', reason: 'its row diff differs from the one logged where it was ordered' }]);
    // The forged row was never applied: after the resync the state is the leader's, and the live query still works.
    expect(replica.engine.rows('message')).toEqual([]);
    const alice = client(leader, ALICE, 'a');
    await alice.request(hello);
    await alice.request({ type: 'call', reducer: 'send', args: { room: 1, text: 'after' }, callId: 1 });
    await tabs.settle();
    expect(bob.received.filter((m) => m.type === 'transaction').at(-1)).toMatchObject({ queries: [{ queryId: 2, inserts: [{ text: 'after' }] }] });
  });
});
