import { describe, expect, it } from 'vitest';
import { SchemaError, SenderError } from '../errors';
import { loadModule } from '../schema/module';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import type { Identity } from '../schema/type-desc';
import { Database, type DatabaseOptions } from './database';
import { MemoryStorage, type MemoryStorageData } from './memory-storage';
import { replayFromScratch } from './replay';

const ME = 'ab'.repeat(32) as Identity;

function counterModule(extra: Record<string, ReturnType<typeof t.u32>> = {}) {
  const item = table({ name: 'item', public: true }, {
    id: t.u64().primaryKey().autoInc(),
    name: t.string().index('btree'),
    qty: t.u32(),
    ...extra,
  });
  const log = table({ name: 'init_log' }, { note: t.string() });
  const db = schema({ item, log });
  return loadModule({
    default: db,
    init: db.init((ctx) => {
      ctx.db.log.insert({ note: `init at ${ctx.timestamp}` });
    }),
    add: db.reducer({ name: t.string(), qty: t.u32() }, (ctx, { name, qty }) => {
      if (!name) throw new SenderError('Name cannot be empty');
      ctx.db.item.insert({ id: 0n, name, qty });
    }),
    take: db.reducer({ id: t.u64() }, (ctx, { id }) => {
      ctx.db.item.id.delete(id);
    }),
  });
}

let clock = 1_000_000n;
const options = (data: MemoryStorageData, more: Partial<DatabaseOptions> = {}): DatabaseOptions => ({
  storage: new MemoryStorage('test', data),
  identity: ME,
  clock: () => (clock += 10n),
  seeds: () => 42n,
  keepEntries: Infinity,
  ...more,
});
const fresh = (): MemoryStorageData => ({ segments: [], snapshots: [], meta: new Map() });
const add = (db: Database, name: string, qty = 1, caller?: { client: string; callId: number }) =>
  db.submit({ reducer: 'add', args: { name, qty }, sender: ME, connectionId: null, ...(caller ? { caller } : {}) });

describe('a durable database', () => {
  it('runs init once, when created, and keeps every committed call across reopening', async () => {
    const data = fresh();
    const db = await Database.open(counterModule(), options(data));
    for (const name of ['a', 'b', 'c']) add(db, name);
    await db.flush();
    const hash = db.stateHash();
    await db.close();
    const again = await Database.open(counterModule(), options(data));
    expect(again.engine.rows('init_log')).toHaveLength(1);
    expect(again.engine.rows('item').map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(again.stateHash()).toBe(hash);
    expect(again.seq).toBe(4);
  });

  it('commits a burst of calls in one storage transaction and resolves each when durable', async () => {
    const data = fresh();
    const db = await Database.open(counterModule(), options(data));
    const before = data.segments.length;
    const durable = Array.from({ length: 100 }, (_, i) => add(db, `n${i}`).durable);
    await Promise.all(durable);
    expect(data.segments.length - before).toBe(1);
    expect(data.segments.at(-1)).toMatchObject({ firstSeq: 2, lastSeq: 101 });
  });

  it('logs no entry for a call that failed without a caller to answer', async () => {
    const db = await Database.open(counterModule(), options(fresh()));
    const failed = add(db, '');
    expect(failed.outcome.ok).toBe(false);
    expect(failed.entry).toBeUndefined();
    expect(db.seq).toBe(1);
  });

  it('answers a resubmitted call from the ledger without applying it twice, also after reopening', async () => {
    const data = fresh();
    const db = await Database.open(counterModule(), options(data));
    const first = add(db, 'x', 1, { client: 'tab-1', callId: 1 });
    const again = add(db, 'x', 1, { client: 'tab-1', callId: 1 });
    expect(first.entry?.seq).toBe(2);
    expect(again.entry).toBeUndefined();
    expect(again.outcome.ok).toBe(true);
    const bad = add(db, '', 1, { client: 'tab-1', callId: 2 });
    expect(bad.entry?.outcome.ok).toBe(false);
    await db.close();
    const reopened = await Database.open(counterModule(), options(data));
    const retry = add(reopened, '', 1, { client: 'tab-1', callId: 2 });
    expect(retry.outcome.ok).toBe(false);
    expect(!retry.outcome.ok && retry.outcome.error).toBeInstanceOf(SenderError);
    expect(!retry.outcome.ok && retry.outcome.error.message).toBe('Name cannot be empty');
    expect(add(reopened, 'x', 1, { client: 'tab-1', callId: 1 }).outcome.ok).toBe(false);
    expect(reopened.engine.rows('item')).toHaveLength(1);
  });

  it('writes snapshots, prunes what they cover, and reopens from snapshot plus tail', async () => {
    const data = fresh();
    const db = await Database.open(counterModule(), options(data, { snapshotEvery: 50, keepEntries: 10 }));
    for (let i = 0; i < 230; i++) add(db, `n${i}`, i);
    for (let id = 1n; id <= 30n; id++) db.submit({ reducer: 'take', args: { id }, sender: ME, connectionId: null });
    await db.flush();
    expect(data.snapshots).toHaveLength(1);
    const snapshotSeq = data.snapshots[0]!.seq;
    expect(snapshotSeq).toBeGreaterThan(200);
    expect(data.segments.every((s) => s.lastSeq > snapshotSeq - 10)).toBe(true);
    const hash = db.stateHash();
    await db.close();
    const again = await Database.open(counterModule(), options(data));
    expect(again.stateHash()).toBe(hash);
    expect(again.engine.rows('item')).toHaveLength(200);
    add(again, 'after');
    expect(again.engine.rows('item').at(-1)).toMatchObject({ id: 231n, name: 'after' });
  });

  it('cuts a corrupt tail with a warning naming the seq, and keeps what came before', async () => {
    const data = fresh();
    const db = await Database.open(counterModule(), options(data));
    add(db, 'kept');
    await db.flush();
    add(db, 'torn-1');
    add(db, 'torn-2');
    await db.close();
    const last = data.segments.at(-1)!;
    const bytes = last.bytes.slice();
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
    data.segments[data.segments.length - 1] = { ...last, bytes };
    const again = await Database.open(counterModule(), options(data));
    expect(again.warnings.join('\n')).toMatch(/Cut a torn or corrupt log tail at seq 4 \(segment 3..4\)/);
    expect(again.engine.rows('item').map((r) => r.name)).toEqual(['kept', 'torn-1']);
    add(again, 'next');
    await again.close();
    const third = await Database.open(counterModule(), options(data));
    expect(third.warnings).toEqual([]);
    expect(third.engine.rows('item').map((r) => r.name)).toEqual(['kept', 'torn-1', 'next']);
  });

  it('refuses to open when an entry inside the durable log is corrupt, naming the seq', async () => {
    const data = fresh();
    const db = await Database.open(counterModule(), options(data));
    add(db, 'a');
    await db.flush();
    add(db, 'b');
    await db.close();
    const middle = data.segments[1]!;
    const bytes = middle.bytes.slice();
    bytes[30] = bytes[30]! ^ 0x01;
    data.segments[1] = { ...middle, bytes };
    await expect(Database.open(counterModule(), options(data))).rejects.toThrow(/The log is corrupt at seq 2, inside the durable log/);
  });

  it('re-running the whole log from scratch reproduces the state, call by call', async () => {
    const data = fresh();
    const db = await Database.open(counterModule(), options(data));
    for (let i = 0; i < 50; i++) add(db, `n${i % 7}`, i);
    for (let id = 5n; id <= 20n; id++) db.submit({ reducer: 'take', args: { id }, sender: ME, connectionId: null });
    await db.flush();
    const replay = await replayFromScratch(counterModule(), new MemoryStorage('test', data), ME);
    expect(replay.entries).toBe(db.seq);
    expect(replay.stateHash).toBe(db.stateHash());
  });
});

describe('schema changes on open', () => {
  async function stored() {
    const data = fresh();
    const db = await Database.open(counterModule(), options(data));
    add(db, 'sword', 3);
    await db.close();
    return data;
  }

  it('migrates an added column with a default and keeps the data', async () => {
    const data = await stored();
    const db = await Database.open(counterModule({ weight: t.u32().default(7) }), options(data));
    expect(db.warnings.join()).toContain('added column item.weight');
    expect(db.engine.rows('item')).toEqual([{ id: 1n, name: 'sword', qty: 3, weight: 7 }]);
    await db.close();
    const again = await Database.open(counterModule({ weight: t.u32().default(7) }), options(data));
    expect(again.engine.rows('item')).toEqual([{ id: 1n, name: 'sword', qty: 3, weight: 7 }]);
  });

  it('refuses a breaking change with an error naming table, column and change, and leaves the data untouched', async () => {
    const data = await stored();
    const before = structuredClone(data);
    const error = await Database.open(counterModule({ weight: t.u32() }), options(data)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as SchemaError).message).toContain('new column "item.weight" needs a .default()');
    expect(error).toMatchObject({ table: 'item', column: 'weight' });
    expect(data).toEqual(before);
    const ok = await Database.open(counterModule(), options(data));
    expect(ok.engine.rows('item')).toHaveLength(1);
  });

  it('starts over when asked to reset on a mismatch', async () => {
    const data = await stored();
    const db = await Database.open(counterModule({ weight: t.u32() }), options(data, { onSchemaMismatch: 'reset' }));
    expect(db.engine.rows('item')).toEqual([]);
    expect(db.engine.rows('init_log')).toHaveLength(1);
    expect(db.warnings.join()).toContain('Reset the database');
  });

  it('runs an explicit migration for a breaking change', async () => {
    const data = await stored();
    const db = await Database.open(counterModule({ weight: t.u32() }), options(data, {
      onSchemaMismatch: (old) => ({ item: old.rows('item').map((r) => ({ ...r, weight: (r.qty as number) * 2 })) }),
    }));
    expect(db.engine.rows('item')).toEqual([{ id: 1n, name: 'sword', qty: 3, weight: 6 }]);
  });
});
