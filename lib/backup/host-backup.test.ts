import { describe, expect, it, vi } from 'vitest';
import { MemoryStorage, type MemoryStorageData } from '../log/memory-storage';
import { loadModule, type ModuleDef } from '../schema/module';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import type { ConnectionId, Identity } from '../schema/type-desc';
import { SenderError } from '../errors';
import type { ClientMessage, CommittedEntry, HostMessage, ImportResult, InspectResult } from '../host/client-protocol';
import { DatabaseHost } from '../host/database-host';
import { FakeLocks } from '../tabs/fake-locks.test-util';
import { FakeNetwork } from '../replication/fake-network.test-util';
import { Tab } from '../tabs/tab';
import type { ReplicationMessage } from '../replication/messages';
import { decodeBackup } from './backup';

const note = table({ name: 'note', public: true }, { id: t.u64().primaryKey().autoInc(), text: t.string() });
const secret = table({ name: 'secret' }, { key: t.string().primaryKey(), value: t.u32() });
const boot = table({ name: 'boot', public: true }, { id: t.u32().primaryKey() });
const db = schema({ note, secret, boot });
const exports = {
  default: db,
  init: db.init((ctx) => {
    ctx.db.boot.insert({ id: 1 });
  }),
  add: db.reducer({ text: t.string() }, (ctx, { text }) => {
    if (!text) throw new SenderError('A note must not be empty');
    ctx.db.note.insert({ id: 0n, text });
    ctx.db.secret.insert({ key: text, value: text.length });
  }),
};
const notes = loadModule(exports);

/** The same tables, another reducer body. */
const notesV2 = loadModule({ ...exports, add: db.reducer({ text: t.string() }, (ctx, { text }) => void ctx.db.note.insert({ id: 0n, text: text.toUpperCase() })) });

/** Another schema: note.text is now bytes. */
const other = loadModule({ default: schema({ note: table({ name: 'note', public: true }, { id: t.u64().primaryKey().autoInc(), text: t.bytes() }), secret, boot }) });

const ALICE = 'a1'.repeat(32) as Identity;

/** One database: its tabs share a storage, a lock manager and a tab network. */
class Database {
  readonly locks = new FakeLocks();
  readonly network = new FakeNetwork(1);
  readonly data: MemoryStorageData = { segments: [], snapshots: [], meta: new Map<string, unknown>() };
  private tabs = 0;

  constructor(
    readonly name: string,
    private readonly module: ModuleDef = notes,
  ) {}

  /** Opens a tab and its host; by default waits until it leads. */
  async open(lead = true): Promise<DatabaseHost> {
    const id = `${this.name}-tab${++this.tabs}`;
    let clock = 1_000_000n;
    let host: DatabaseHost | undefined;
    const tab = await Tab.open(
      { module: this.module, id, identity: ALICE, link: this.network.join<ReplicationMessage>(id), locks: this.locks.forOwner(id), lockName: this.name, openStorage: async () => new MemoryStorage(this.name, this.data), clock: () => (clock += 1000n) },
      DatabaseHost.events(() => host),
    );
    host = new DatabaseHost(tab, { locks: this.locks.forOwner(id), database: this.name, otherTabs: async () => this.locks.waiting(this.name).length });
    if (lead) await vi.waitFor(() => expect(tab.status.role).toBe('leader'));
    await this.settle();
    return host;
  }

  /** Delivers tab messages until none is left. */
  settle(): Promise<void> {
    return this.network.settle();
  }
}

type Answer = HostMessage & { ok: boolean; value?: unknown; error?: { name: string; message: string; details: Record<string, unknown> } };

/** A greeted session on a host. */
async function session(database: Database, host: DatabaseHost, id: string) {
  const received: HostMessage[] = [];
  const waiters = new Map<number, (m: Answer) => void>();
  const post = host.connect(ALICE, id.padEnd(32, '0') as ConnectionId, (m) => {
    received.push(m);
    const requestId = m.type === 'result' || m.type === 'transaction' ? m.requestId : undefined;
    if (requestId !== undefined) waiters.get(requestId)?.(m.type === 'transaction' ? ({ ...m, ok: true } as Answer) : (m as Answer));
  });
  let next = 1;
  const request = (body: Record<string, unknown>): Promise<Answer> => {
    const requestId = next++;
    const answered = new Promise<Answer>((resolve) => waiters.set(requestId, resolve));
    post({ ...body, requestId } as unknown as ClientMessage);
    // Requests to a replica need the leader's messages: keep delivering them until answered.
    return Promise.race([answered, database.settle().then(() => answered)]);
  };
  await request({ type: 'hello', database: database.name, durability: 'confirmed' });
  let calls = 0;
  return {
    received,
    request,
    add: (text: string) => request({ type: 'call', reducer: 'add', args: { text }, callId: ++calls }),
    sql: async (sql: string) => ((await request({ type: 'sql', sql })).value as { rows: Record<string, unknown>[] }).rows,
    inspect: async () => (await request({ type: 'inspect' })).value as InspectResult,
    exported: async () => {
      const answer = await request({ type: 'export' });
      expect(answer.ok, JSON.stringify(answer.error)).toBe(true);
      return answer.value as Uint8Array;
    },
  };
}

async function filled(): Promise<{ source: Database; bytes: Uint8Array; inspected: InspectResult }> {
  const source = new Database('source');
  const alice = await session(source, await source.open(), 'a');
  for (const text of ['one', 'two', 'three']) expect((await alice.add(text)).ok).toBe(true);
  expect((await alice.add('')).ok).toBe(false);
  return { source, bytes: await alice.exported(), inspected: await alice.inspect() };
}

describe('exporting and importing a database', () => {
  it('restores every row, private tables and sequences included, into a new database', async () => {
    const { bytes, inspected } = await filled();
    const { header } = decodeBackup(bytes);
    expect(header).toMatchObject({ format: 1, database: 'source', seq: inspected.seq, stateHash: inspected.stateHash, rows: { note: 3, secret: 3, boot: 1 } });

    const target = new Database('target');
    const host = await target.open();
    const bob = await session(target, host, 'b');
    await bob.request({ type: 'subscribe', queries: [{ queryId: 1, sql: 'SELECT * FROM note' }] });
    const imported = await bob.request({ type: 'import', bytes });
    expect(imported.ok, JSON.stringify(imported.error)).toBe(true);
    const result = imported.value as ImportResult;
    expect(result).toMatchObject({ backupSeq: inspected.seq, stateHash: inspected.stateHash, rows: { note: 3, secret: 3, boot: 1 } });
    await vi.waitFor(() => expect(host.tab.status.role).toBe('leader'));

    const after = await bob.inspect();
    expect(after.stateHash).toBe(inspected.stateHash);
    expect(after.seq).toBe(result.seq);
    expect(after.snapshotSeq).toBe(result.seq);
    expect(await bob.sql('SELECT * FROM secret')).toEqual([
      { key: 'one', value: 3 },
      { key: 'three', value: 5 },
      { key: 'two', value: 3 },
    ]);
    const refresh = bob.received.find((m) => m.type === 'refresh');
    expect(refresh).toMatchObject({ queries: [{ queryId: 1, inserts: [{ text: 'one' }, { text: 'two' }, { text: 'three' }] }] });
    // The sequences came along: the next note is number 4, and the restored database goes on logging.
    expect((await bob.add('four')).ok).toBe(true);
    expect((await bob.sql('SELECT id FROM note WHERE text = \'four\''))[0]).toEqual({ id: 4n });
    expect((await bob.inspect()).seq).toBe(result.seq + 1);
  });

  it('keeps the restored state across a reopen: it is the stored snapshot', async () => {
    const { bytes, inspected } = await filled();
    const target = new Database('target');
    const bob = await session(target, await target.open(), 'b');
    expect((await bob.request({ type: 'import', bytes })).ok).toBe(true);
    await target.settle();
    const reopened = new Database('target');
    Object.assign(reopened, { data: target.data });
    const carol = await session(reopened, await reopened.open(), 'c');
    expect((await carol.inspect()).stateHash).toBe(inspected.stateHash);
  });

  it('refuses to import into a database that is not new, changing nothing', async () => {
    const { source, bytes } = await filled();
    const alice = await session(source, await source.open(false), 'a2');
    const target = new Database('target');
    const bob = await session(target, await target.open(), 'b');
    expect((await bob.add('mine')).ok).toBe(true);
    const before = await bob.inspect();
    const refused = await bob.request({ type: 'import', bytes });
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatchObject({ name: 'ConstraintError' });
    expect(refused.error!.message).toContain('Cannot import into "target": it is not a new database. 1 client(s) called reducers in it');
    const after = await bob.inspect();
    expect([after.seq, after.stateHash, after.status.role]).toEqual([before.seq, before.stateHash, 'leader']);
    expect(alice.received.some((m) => m.type === 'refresh')).toBe(false);
  });

  it('refuses a backup of other tables, naming the column, and of other reducers unless told to accept them', async () => {
    const { bytes } = await filled();
    const changed = new Database('changed', other);
    const bob = await session(changed, await changed.open(), 'b');
    const refused = await bob.request({ type: 'import', bytes });
    expect(refused.error).toMatchObject({ name: 'SchemaError', details: { table: 'note', column: 'text' } });
    expect(refused.error!.message).toContain('column "note.text" is string in the backup and bytes here');

    const upgraded = new Database('upgraded', notesV2);
    const carol = await session(upgraded, await upgraded.open(), 'c');
    const code = await carol.request({ type: 'import', bytes });
    expect(code.error).toMatchObject({ name: 'SchemaError', details: { reducer: 'add' } });
    expect(code.error!.message).toContain('reducer "add" differs');
    expect(code.error!.message).toContain('allowReducerChanges: true');
    expect((await carol.request({ type: 'import', bytes, allowReducerChanges: true })).ok).toBe(true);
    expect(await carol.sql('SELECT COUNT(*) AS n FROM note')).toEqual([{ n: 3 }]);
  });

  it('refuses a damaged file or one that is not a backup, with a DecodeError saying so', async () => {
    const { bytes } = await filled();
    const target = new Database('target');
    const bob = await session(target, await target.open(), 'b');
    const truncated = await bob.request({ type: 'import', bytes: bytes.slice(0, bytes.length - 3) });
    expect(truncated.error).toMatchObject({ name: 'DecodeError' });
    expect(truncated.error!.message).toContain('The backup is truncated');
    const notBackup = await bob.request({ type: 'import', bytes: new TextEncoder().encode('{"hello":1}') });
    expect(notBackup.error!.message).toContain('This file is not a Lockstep backup');
    const flipped = bytes.slice();
    flipped[flipped.length - 2] = flipped[flipped.length - 2]! ^ 0x01;
    const damaged = await bob.request({ type: 'import', bytes: flipped });
    expect(damaged.error).toMatchObject({ name: 'DecodeError' });
    expect(damaged.error!.message).toMatch(/damaged|corrupt/);
    expect((await bob.inspect()).rows).toEqual({ note: 0, secret: 0, boot: 1 });
  });

  it('refuses to import from a replica tab, or while other tabs have the database open', async () => {
    const { bytes, inspected } = await filled();
    const target = new Database('target');
    const leaderHost = await target.open();
    const replicaHost = await target.open(false);
    const thirdHost = await target.open(false);
    const bob = await session(target, leaderHost, 'b');
    const carol = await session(target, replicaHost, 'c');
    const fromReplica = await carol.request({ type: 'import', bytes });
    expect(fromReplica.error).toMatchObject({ name: 'ConstraintError' });
    expect(fromReplica.error!.message).toContain('it is a replica');

    const crowded = await bob.request({ type: 'import', bytes });
    expect(crowded.error).toMatchObject({ name: 'ConstraintError' });
    expect(crowded.error!.message).toContain('while 2 other tab(s) of this browser have it open');
    expect((await bob.inspect()).rows).toEqual({ note: 0, secret: 0, boot: 1 });

    // Their pages close: their workers, and the lock requests they queued, are gone.
    await Promise.all([replicaHost.close(), thirdHost.close()]);
    target.locks.crash('target-tab2');
    target.locks.crash('target-tab3');
    const alone = await bob.request({ type: 'import', bytes });
    expect(alone.ok, JSON.stringify(alone.error)).toBe(true);
    expect((await bob.inspect()).stateHash).toBe(inspected.stateHash);
  });
});

describe('the stream of committed entries', () => {
  it('sends watching sessions each entry with its reducer, arguments, outcome, changes and run time', async () => {
    const database = new Database('stream');
    const host = await database.open();
    const alice = await session(database, host, 'a');
    const bob = await session(database, host, 'b');
    expect((await alice.request({ type: 'watch-commits', watch: true })).ok).toBe(true);
    await bob.add('hi');
    await bob.add('');
    const commits = alice.received.filter((m): m is { type: 'commit'; entry: CommittedEntry } => m.type === 'commit').map((m) => m.entry);
    expect(commits).toHaveLength(2);
    expect(commits[0]).toMatchObject({ reducer: 'add', sender: ALICE, internal: false, callId: 1, args: { text: 'hi' }, outcome: { ok: true } });
    expect(commits[0]!.changes).toEqual([
      { table: 'note', inserts: 1, deletes: 0 },
      { table: 'secret', inserts: 1, deletes: 0 },
    ]);
    expect(commits[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(commits[1]).toMatchObject({ seq: commits[0]!.seq + 1, outcome: { ok: false, name: 'SenderError', message: 'A note must not be empty' }, changes: [] });
    expect(bob.received.some((m) => m.type === 'commit')).toBe(false);

    await alice.request({ type: 'watch-commits', watch: false });
    await bob.add('quiet');
    expect(alice.received.filter((m) => m.type === 'commit')).toHaveLength(2);
  });

  it('is refused, naming the option, by a host that turns the devtools off', async () => {
    const database = new Database('off');
    const host = await database.open();
    const locked = new DatabaseHost(host.tab, { devtools: false });
    const received: HostMessage[] = [];
    const post = locked.connect(ALICE, 'f'.repeat(32) as ConnectionId, (m) => received.push(m));
    post({ type: 'export', requestId: 7 });
    await vi.waitFor(() => expect(received).toHaveLength(1));
    expect(received[0]).toMatchObject({ type: 'result', requestId: 7, ok: false, error: { name: 'ReducerError' } });
    expect((received[0] as { error: { message: string } }).error.message).toContain('serve(module, { devtools: false })');
  });
});
