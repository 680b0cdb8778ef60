import { describe, expect, it } from 'vitest';
import { InternalError } from '../errors';
import { BTree, type Bound } from './btree';

const byNumber = (a: number, b: number): number => a - b;

/** Deterministic PRNG (mulberry32) so a failing seed can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The reference model: a sorted array of entries. */
class SortedModel {
  readonly entries: [number, string][] = [];

  indexOf(key: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid] as [number, string])[0] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(key: number): string | undefined {
    const entry = this.entries[this.indexOf(key)];
    return entry?.[0] === key ? entry[1] : undefined;
  }

  set(key: number, value: string, overwrite: boolean): boolean {
    const i = this.indexOf(key);
    const entry = this.entries[i];
    if (entry?.[0] === key) {
      if (overwrite) entry[1] = value;
      return false;
    }
    this.entries.splice(i, 0, [key, value]);
    return true;
  }

  delete(key: number): boolean {
    const i = this.indexOf(key);
    if (this.entries[i]?.[0] !== key) return false;
    this.entries.splice(i, 1);
    return true;
  }

  range(lo: Bound<number> | undefined, hi: Bound<number> | undefined): [number, string][] {
    return this.entries.filter(
      ([k]) =>
        (lo === undefined || k > lo.key || (lo.inclusive && k === lo.key)) &&
        (hi === undefined || k < hi.key || (hi.inclusive && k === hi.key)),
    );
  }
}

function collect<K, V>(tree: BTree<K, V>, lo?: Bound<K>, hi?: Bound<K>, reverse = false): [K, V][] {
  const out: [K, V][] = [];
  tree.forEachRange(lo, hi, (k, v) => void out.push([k, v]), reverse);
  return out;
}

function treeOf(keys: Iterable<number>, maxNodeSize = 4): BTree<number, string> {
  const tree = new BTree<number, string>(byNumber, { maxNodeSize });
  for (const key of keys) tree.set(key, `v${key}`);
  return tree;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** Deep equality that stays fast on large arrays; falls back to `toEqual` for a readable diff. */
function expectSame(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
}

function compareWithModel(tree: BTree<number, string>, model: SortedModel, next: () => number, keySpace: number): void {
  tree.checkInvariants();
  expect(tree.size).toBe(model.entries.length);
  expectSame([...tree.entries()], model.entries);
  expectSame([...tree.keys(undefined, undefined, true)], model.entries.map(([k]) => k).reverse());
  expect(tree.first()).toEqual(model.entries[0]);
  expect(tree.last()).toEqual(model.entries[model.entries.length - 1]);
  for (let probe = 0; probe < 4; probe++) {
    const a = Math.floor(next() * (keySpace + 2)) - 1;
    const b = a + Math.floor(next() * keySpace * 0.3);
    for (const loInclusive of [true, false]) {
      for (const hiInclusive of [true, false]) {
        const lo = { key: a, inclusive: loInclusive };
        const hi = { key: b, inclusive: hiInclusive };
        const expected = model.range(lo, hi);
        expectSame([...tree.entries(lo, hi)], expected);
        expectSame([...tree.values(lo, hi, true)], expected.map(([, v]) => v).reverse());
        expectSame(collect(tree, lo, hi), expected);
        expectSame(collect(tree, lo, hi, true), [...expected].reverse());
        expect(tree.countRange(lo, hi)).toBe(expected.length);
        expectSame([...tree.keys(lo, undefined)], model.range(lo, undefined).map(([k]) => k));
        expectSame([...tree.keys(undefined, hi, true)], model.range(undefined, hi).map(([k]) => k).reverse());
        expect(tree.countRange(undefined, hi)).toBe(model.range(undefined, hi).length);
      }
    }
  }
}

describe('BTree', () => {
  describe('matches a sorted-array model', () => {
    for (const maxNodeSize of [4, 5, 16, 64]) {
      for (const seed of [1, 2, 3]) {
        it(`over mixed operations that grow, empty and regrow the tree (node size ${maxNodeSize}, seed ${seed})`, () => {
          const next = random(seed * 1000 + maxNodeSize);
          const keySpace = 2000;
          const tree = new BTree<number, string>(byNumber, { maxNodeSize });
          const model = new SortedModel();
          // Phases: grow, shrink to empty, regrow, churn.
          const phases = [
            { ops: 6000, deleteShare: 0.2 },
            { ops: 12000, deleteShare: 0.95 },
            { ops: 6000, deleteShare: 0.25 },
            { ops: 6000, deleteShare: 0.5 },
          ];
          // Each operation's outcome is logged from both sides and compared at checkpoints:
          // one deep comparison is far cheaper than an expect per operation, and a
          // mismatch still names the operation.
          const actual: string[] = [];
          const expected: string[] = [];
          let step = 0;
          for (const [p, phase] of phases.entries()) {
            for (let op = 0; op < phase.ops; op++) {
              const key = Math.floor(next() * keySpace);
              const roll = next();
              const value = `v${step}`;
              if (roll < phase.deleteShare) {
                // In the shrink phase aim deletes at present keys so the tree really empties.
                const present = model.entries[Math.floor(next() * model.entries.length)];
                const target = p === 1 && present !== undefined ? present[0] : key;
                actual.push(`${step}: delete ${target} -> ${tree.delete(target)}`);
                expected.push(`${step}: delete ${target} -> ${model.delete(target)}`);
              } else if (roll < phase.deleteShare + (1 - phase.deleteShare) / 2) {
                actual.push(`${step}: set ${key} -> ${tree.set(key, value)}`);
                expected.push(`${step}: set ${key} -> ${model.set(key, value, true)}`);
              } else {
                actual.push(`${step}: insert ${key} -> ${tree.insert(key, value)}`);
                expected.push(`${step}: insert ${key} -> ${model.set(key, value, false)}`);
              }
              const probe = Math.floor(next() * keySpace);
              actual.push(`${step}: get ${probe} -> ${tree.get(probe)} ${tree.has(probe)}`);
              expected.push(`${step}: get ${probe} -> ${model.get(probe)} ${model.get(probe) !== undefined}`);
              if (++step % 3000 === 0) {
                expectSame(actual, expected);
                compareWithModel(tree, model, next, keySpace);
              }
            }
            expectSame(actual, expected);
            if (p === 1) {
              expect(tree.size).toBe(0);
              expect(tree.first()).toBeUndefined();
              expect(tree.last()).toBeUndefined();
            }
            compareWithModel(tree, model, next, keySpace);
          }
        }, 60_000); // ~0.5 s alone; generous for a loaded CI machine
      }
    }
  });

  it('keeps every node within its size bounds through ascending loads and scattered deletes', () => {
    const tree = treeOf(range(0, 5000), 8);
    tree.checkInvariants();
    const next = random(7);
    for (let i = 0; i < 4000; i++) {
      tree.delete(Math.floor(next() * 5000));
      if (i % 500 === 0) tree.checkInvariants();
    }
    tree.checkInvariants();
    for (const key of range(0, 5000).reverse()) tree.set(key, 'again');
    tree.checkInvariants();
    expect(tree.size).toBe(5000);
  });

  it('fills descending loads from the left edge and still orders them', () => {
    const tree = treeOf(range(0, 2000).reverse(), 6);
    tree.checkInvariants();
    expect([...tree.keys()]).toEqual(range(0, 2000));
  });

  it('empties on clear and accepts new entries afterwards', () => {
    const tree = treeOf(range(0, 300));
    tree.clear();
    tree.checkInvariants();
    expect(tree.size).toBe(0);
    expect([...tree.entries()]).toEqual([]);
    tree.set(1, 'one');
    expect([...tree.entries()]).toEqual([[1, 'one']]);
  });

  it('replaces the value on set but leaves it alone on insert', () => {
    const tree = new BTree<number, string>(byNumber);
    expect(tree.set(1, 'a')).toBe(true);
    expect(tree.set(1, 'b')).toBe(false);
    expect(tree.get(1)).toBe('b');
    expect(tree.insert(1, 'c')).toBe(false);
    expect(tree.get(1)).toBe('b');
    expect(tree.insert(2, 'd')).toBe(true);
    expect(tree.size).toBe(2);
  });

  it('yields nothing for a range whose low bound lies above its high bound', () => {
    const tree = treeOf(range(0, 100));
    const lo = { key: 60, inclusive: true };
    const hi = { key: 40, inclusive: true };
    expect([...tree.keys(lo, hi)]).toEqual([]);
    expect([...tree.keys(lo, hi, true)]).toEqual([]);
    expect(collect(tree, lo, hi)).toEqual([]);
    expect(tree.countRange(lo, hi)).toBe(0);
    expect([...tree.keys({ key: 50, inclusive: true }, { key: 50, inclusive: false })]).toEqual([]);
  });

  it('stops forEachRange when the callback returns false', () => {
    const tree = treeOf(range(0, 100));
    const seen: number[] = [];
    tree.forEachRange({ key: 10, inclusive: false }, undefined, (key) => seen.push(key) < 5);
    expect(seen).toEqual([11, 12, 13, 14, 15]);
  });

  it('throws when forEachRange sees the tree modified by its callback', () => {
    const tree = treeOf(range(0, 100));
    expect(() => tree.forEachRange(undefined, undefined, (key) => void tree.delete(key))).toThrow(InternalError);
  });

  it('rejects a node size below 4', () => {
    expect(() => new BTree<number, number>(byNumber, { maxNodeSize: 3 })).toThrow(InternalError);
  });

  describe('iterators under modification', () => {
    it('visit every row once while the loop deletes each row it sees', () => {
      const tree = treeOf(range(0, 1000));
      const seen: number[] = [];
      for (const [key] of tree.entries()) {
        seen.push(key);
        tree.delete(key);
      }
      expect(seen).toEqual(range(0, 1000));
      expect(tree.size).toBe(0);
      tree.checkInvariants();
    });

    it('visit every row once in reverse while the loop deletes each row it sees', () => {
      const tree = treeOf(range(0, 1000));
      const seen: number[] = [];
      for (const key of tree.keys(undefined, undefined, true)) {
        seen.push(key);
        tree.delete(key);
      }
      expect(seen).toEqual(range(0, 1000).reverse());
      expect(tree.size).toBe(0);
    });

    it('yield keys inserted ahead of the cursor', () => {
      const tree = treeOf(range(0, 100).map((k) => k * 10));
      const seen: number[] = [];
      for (const key of tree.keys()) {
        seen.push(key);
        if (key === 500) for (let k = 501; k < 510; k++) tree.set(k, 'new');
        if (key === 990) tree.set(2000, 'beyond');
      }
      expect(seen).toEqual([...range(0, 51).map((k) => k * 10), ...range(501, 510), ...range(51, 100).map((k) => k * 10), 2000]);
    });

    it('skip keys inserted behind the cursor and never repeat one', () => {
      const tree = treeOf(range(0, 200).map((k) => k * 2));
      const seen: number[] = [];
      for (const key of tree.keys()) {
        seen.push(key);
        tree.set(key - 1, 'behind');
      }
      expect(seen).toEqual(range(0, 200).map((k) => k * 2));
      expect(tree.size).toBe(400);
    });

    it('skip keys inserted behind a reverse cursor', () => {
      const tree = treeOf(range(0, 200).map((k) => k * 2));
      const seen: number[] = [];
      for (const key of tree.keys(undefined, undefined, true)) {
        seen.push(key);
        tree.set(key + 1, 'behind');
        if (key === 100) tree.set(51, 'ahead');
      }
      expect(seen).toEqual([...range(26, 200).map((k) => k * 2).reverse(), 51, ...range(0, 26).map((k) => k * 2).reverse()]);
    });

    it('never yield the next key once the loop deletes it', () => {
      const tree = treeOf(range(0, 100));
      const seen: number[] = [];
      for (const key of tree.keys()) {
        seen.push(key);
        tree.delete(key + 1);
      }
      expect(seen).toEqual(range(0, 50).map((k) => k * 2));
    });

    it('stay within their bounds when rows appear past the high bound', () => {
      const tree = treeOf(range(0, 100));
      const seen: number[] = [];
      for (const key of tree.keys({ key: 10, inclusive: false }, { key: 20, inclusive: true })) {
        seen.push(key);
        tree.set(key + 0.5, 'mid');
        tree.delete(20);
        tree.set(20.5, 'outside');
      }
      expect(seen).toEqual([11, 11.5, 12, 12.5, 13, 13.5, 14, 14.5, 15, 15.5, 16, 16.5, 17, 17.5, 18, 18.5, 19, 19.5]);
    });

    it('see value replacements without re-seeking', () => {
      const tree = treeOf(range(0, 10));
      const values: string[] = [];
      for (const [key, value] of tree.entries()) {
        values.push(value);
        if (tree.has(key + 1)) tree.set(key + 1, 'replaced');
      }
      expect(values).toEqual(['v0', ...Array<string>(9).fill('replaced')]);
    });

    it('end when the tree is cleared mid-iteration', () => {
      const tree = treeOf(range(0, 100));
      const iterator = tree.keys();
      expect(iterator.next()).toEqual({ done: false, value: 0 });
      tree.clear();
      tree.set(50, 'later');
      expect(iterator.next()).toEqual({ done: false, value: 50 });
      expect(iterator.next().done).toBe(true);
      tree.set(60, 'after done');
      expect(iterator.next().done).toBe(true);
    });

    it('start from the current contents when the tree changes before the first step', () => {
      const tree = treeOf(range(0, 10));
      const iterator = tree.keys({ key: 5, inclusive: true });
      tree.delete(5);
      tree.set(7.5, 'new');
      expect([...iterator]).toEqual([6, 7, 7.5, 8, 9]);
    });
  });

  it('orders composite array keys with a custom comparator', () => {
    type Key = readonly [string, number];
    const compare = (a: Key, b: Key): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]);
    const tree = new BTree<Key, string>(compare, { maxNodeSize: 4 });
    const names = ['carol', 'alice', 'bob'];
    for (let i = 0; i < 30; i++) tree.set([names[i % 3] as string, 10 - i], `row${i}`);
    expect(tree.get(['bob', 8])).toBe('row2');
    expect(tree.has(['bob', 9])).toBe(false);
    // Every key of 'bob', via bounds that sort just outside the group.
    const bob = [...tree.keys({ key: ['bob', -Infinity], inclusive: true }, { key: ['bob', Infinity], inclusive: true })];
    expect(bob).toEqual(range(0, 10).map((i) => ['bob', 8 - 3 * (9 - i)]));
    expect(tree.first()).toEqual([['alice', -18], 'row28']);
    expect(tree.last()).toEqual([['carol', 10], 'row0']);
    expect(tree.countRange({ key: ['alice', Infinity], inclusive: false }, { key: ['carol', -Infinity], inclusive: false })).toBe(10);
    tree.checkInvariants();
  });
});
