import { describe, expect, it } from 'vitest';
import { Writer } from '../codec/buffer';
import { DecodeError } from '../errors';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import { stateHash } from '../store/state-hash';
import { Store } from '../store/store';
import { Transaction } from '../store/transaction';
import { GENESIS } from './entry';
import { encodeSnapshot, loadSnapshot } from './snapshot';

const tables = schema({
  item: table({ name: 'item' }, { id: t.u32().primaryKey(), owner: t.u32().index('btree'), code: t.string().unique(), score: t.f64() }),
  pair: table({ name: 'pair' }, { a: t.u32(), b: t.string() }),
}).tables;
const header = { seq: 7, epoch: 2, chain: GENESIS, ledger: new Map() };

function filled(n: number): Store {
  const store = new Store(tables);
  const tx = new Transaction();
  const item = store.table('item');
  const pair = store.table('pair');
  // Inserted out of key order, so the snapshot's order comes from the tree, not from the inserts.
  for (let i = 0; i < n; i++) {
    const id = (i * 7919) % n;
    item.insertPrepared(item.prepare({ id, owner: id % 13, code: `c${id}`, score: id / 2 }, tx), tx);
    pair.insertPrepared(pair.prepare({ a: id % 5, b: `b${id}` }, tx), tx);
  }
  return store;
}

describe('snapshot load (indexes built in bulk)', () => {
  it('restores the same state, every index answering as before, across many chunks', () => {
    const source = filled(30_011);
    const chunks = encodeSnapshot(source, header);
    expect(chunks.length).toBeGreaterThan(1);
    const loaded = new Store(tables);
    expect(loadSnapshot(loaded, chunks).seq).toBe(7);
    expect(stateHash(loaded)).toBe(stateHash(source));
    const item = loaded.table('item');
    expect(item.count()).toBe(30_011);
    expect([...item.indexes.get('owner')!.filter(3)].map((r) => r['id'])).toEqual([...source.table('item').indexes.get('owner')!.filter(3)].map((r) => r['id']));
    expect(item.indexes.get('code')!.find('c12345')?.['id']).toBe(12345);
    expect(item.get(29_999)?.['code']).toBe('c29999');
    // The loaded table takes writes like any other.
    const tx = new Transaction();
    item.insertPrepared(item.prepare({ id: 40_000, owner: 3, code: 'new', score: 0 }, tx), tx);
    expect(() => item.insertPrepared(item.prepare({ id: 40_001, owner: 3, code: 'c5', score: 0 }, tx), tx)).toThrow(/code = "c5" already exists/);
    expect(item.indexes.get('owner')!.filter(3).next().value?.['id']).toBe(3);
  });

  /** A one-chunk snapshot of table `item` holding `rows` in the order given. */
  function handMade(rows: object[]): Uint8Array[] {
    const w = new Writer(1024);
    w.u8(1);
    w.f64(1);
    w.u32(1);
    w.string(GENESIS);
    w.u32(0);
    w.u8(1); // TABLE
    w.string('item');
    w.u32(0);
    w.u8(2); // ROWS
    w.u32(rows.length);
    const codec = new Store(tables).table('item').codec;
    for (const row of rows) codec.encode(w, row as never);
    return [w.finish()];
  }

  it('refuses rows out of primary order, a repeated key or a repeated unique value, naming the table', () => {
    const row = (id: number, code = `c${id}`) => ({ id, owner: 1, code, score: 0 });
    expect(() => loadSnapshot(new Store(tables), handMade([row(1), row(2), row(3)]))).not.toThrow();
    for (const rows of [[row(2), row(1)], [row(1), row(1)], [row(1, 'same'), row(2, 'same')]]) {
      const store = new Store(tables);
      let error: unknown;
      try {
        loadSnapshot(store, handMade(rows));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DecodeError);
      expect((error as Error).message).toMatch(/Snapshot rows of table "item" are corrupt/);
      expect(store.table('item').count()).toBe(0);
    }
  });
});
