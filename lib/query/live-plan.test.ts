import { describe, expect, it } from 'vitest';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import type { Row } from '../store/index-store';
import { Store } from '../store/store';
import { buildChange } from './live-plan';
import { closestName } from './suggest';

const store = new Store(
  schema({
    keyed: table({ name: 'keyed', public: true }, { id: t.u32().primaryKey(), v: t.string() }),
    bag: table({ name: 'bag', public: true }, { v: t.string() }),
  }).tables,
);
const keyed = store.table('keyed');
const bag = store.table('bag');
const row = (r: Record<string, unknown>): Row => Object.freeze(r);

describe('change batches', () => {
  it('pair a delete and an insert with the same primary key into an update', () => {
    const old = row({ id: 1, v: 'a' });
    const next = row({ id: 1, v: 'b' });
    const gone = row({ id: 2, v: 'x' });
    const added = row({ id: 3, v: 'y' });
    expect(buildChange(keyed, [old, gone], [added, next])).toEqual({ table: 'keyed', deletes: [gone], inserts: [added], updates: [{ old, new: next }] });
  });

  it('drop a rewrite that changed nothing, and are empty when nothing is left', () => {
    expect(buildChange(keyed, [row({ id: 1, v: 'a' })], [row({ id: 1, v: 'a' })])).toBeUndefined();
    expect(buildChange(keyed, [], [])).toBeUndefined();
    expect(buildChange(bag, [row({ v: 'a' })], [row({ v: 'a' })])).toBeUndefined();
  });

  it('never pair rows of a table without a primary key', () => {
    const change = buildChange(bag, [row({ v: 'a' })], [row({ v: 'b' })]);
    expect(change).toEqual({ table: 'bag', deletes: [{ v: 'a' }], inserts: [{ v: 'b' }], updates: [] });
  });

  it('pair large batches by sorting', () => {
    const deletes = Array.from({ length: 40 }, (_, i) => row({ id: i, v: 'old' }));
    const inserts = Array.from({ length: 40 }, (_, i) => row({ id: 39 - i + 20, v: i % 2 === 0 ? 'new' : 'old' }));
    const change = buildChange(keyed, deletes, inserts)!;
    expect(change.deletes.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(change.inserts.map((r) => r.id).sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 20 }, (_, i) => i + 40));
    expect(change.updates.map((u) => u.new.id).sort((a, b) => (a as number) - (b as number))).toEqual([21, 23, 25, 27, 29, 31, 33, 35, 37, 39]);
  });
});

describe('name suggestions', () => {
  it('prefer a different case, then a close spelling, and give up when nothing is close', () => {
    expect(closestName('User', ['message', 'user'])).toBe('user');
    expect(closestName('nmae', ['id', 'name'])).toBe('name');
    expect(closestName('mesage', ['user', 'message'])).toBe('message');
    expect(closestName('zebra', ['user', 'message'])).toBeUndefined();
  });
});
