import { describe, expect, it } from 'vitest';
import { InternalError } from '../errors';
import { BTree } from './btree';
import { loadSorted } from './btree-bulk';

const numbers = (a: number, b: number): number => a - b;

describe('loadSorted', () => {
  it.each([0, 1, 4, 5, 63, 64, 65, 129, 1000, 4097, 20_000])('builds a valid tree of %i entries that then behaves like one built by set()', (n) => {
    const keys = Array.from({ length: n }, (_, i) => i * 2);
    const tree = new BTree<number, string>(numbers, { maxNodeSize: n > 1000 ? 64 : 4 });
    loadSorted(tree, keys, keys.map(String));
    tree.checkInvariants();
    expect(tree.size).toBe(n);
    expect([...tree.keys()]).toEqual(keys);
    expect(tree.get(n - 1)).toBe(n % 2 === 1 ? String(n - 1) : undefined);
    if (n > 0) expect(tree.get(keys[n >> 1]!)).toBe(String(keys[n >> 1]));
    // Inserts between loaded keys and deletes of loaded ones keep it valid.
    for (let i = 1; i < Math.min(n * 2, 400); i += 2) tree.set(i, `odd ${i}`);
    for (let i = 0; i < Math.min(n * 2, 400); i += 4) tree.delete(i);
    tree.checkInvariants();
    const model = new Map(keys.map((k) => [k, String(k)]));
    for (let i = 1; i < Math.min(n * 2, 400); i += 2) model.set(i, `odd ${i}`);
    for (let i = 0; i < Math.min(n * 2, 400); i += 4) model.delete(i);
    expect([...tree.entries()]).toEqual([...model.entries()].sort(([a], [b]) => a - b));
  });

  it('refuses keys out of order or repeated, and a tree that is not empty, leaving it unchanged', () => {
    const tree = new BTree<number, number>(numbers);
    expect(() => loadSorted(tree, [1, 3, 2], [1, 3, 2])).toThrow(InternalError);
    expect(() => loadSorted(tree, [1, 1], [1, 1])).toThrow(/key 1 is not after key 0/);
    expect(tree.size).toBe(0);
    tree.set(5, 5);
    expect(() => loadSorted(tree, [1], [1])).toThrow(/needs an empty tree/);
    expect([...tree.keys()]).toEqual([5]);
  });
});
