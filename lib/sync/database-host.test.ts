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

async function open(storage: Storage = new MemoryStorage(), more: Partial<Parameters<typeof DatabaseHost.open>[1]> = {}) {
  let clock = 1_000_000n;
  return DatabaseHost.open(chat, { storage, identity: ALICE, clock: () => (clock += 1000n), ...more });
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
    expect(host.db.engine.rows('online')).toEqual([{ who: ALICE }]);
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
    expect(alice.received.at(-1)).toBe(alice.received.find((m) => m.type === 'transaction' && m.callId === 2));
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
    const host = await open(new MemoryStorage(), { timers: clockTimers, clock: () => now });
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
    expect(host.db.engine.rows('online')).toHaveLength(1);
    await alice.request({ type: 'close' });
    expect(host.db.engine.rows('online')).toHaveLength(0);
  });
});
