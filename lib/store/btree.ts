/**
 * An in-memory B+tree: the ordered map under every table and index.
 *
 * Leaves hold parallel `keys` / `values` arrays and are doubly linked, so range
 * scans walk arrays instead of the tree. Branches hold separators and children;
 * separator `i` is greater than every key under child `i` and at most every key
 * under child `i + 1`. Deletes leave separators alone (they stay valid bounds)
 * and merge or redistribute underfull nodes, so the tree never degrades.
 */
import { InternalError } from '../errors';
import { Core, DEFAULT_MAX_NODE_SIZE, ENTRIES, find, isEmptyRange, KEYS, Leaf, leafFor, modifiedDuringForEach, put, rebalance, removeAt, seek, VALUES } from './btree-core';
import { Cursor } from './btree-cursor';
import { checkNode, fail } from './btree-invariants';

/** One end of a key range. */
export interface Bound<K> {
  /** The boundary key. */
  readonly key: K;
  /** Whether `key` itself belongs to the range. */
  readonly inclusive: boolean;
}

/** Options of a {@link BTree}. */
export interface BTreeOptions {
  /** Most entries in a leaf and most children of a branch; an integer ≥ 4. Default 64. */
  readonly maxNodeSize?: number;
}

/**
 * An ordered map from `K` to `V` under a total order given by `compare`
 * (negative, zero or positive, like `Array.prototype.sort`). Keys that compare
 * equal are the same key; the first one stored is kept.
 *
 * Iterators from {@link BTree.entries}, {@link BTree.keys} and {@link BTree.values}
 * survive modification of the tree: after a change they continue from the first
 * key strictly after (before, when reversed) the last key they yielded, so
 * deleted keys are never yielded, keys inserted ahead of the cursor are, and
 * nothing is yielded twice.
 *
 * @example
 * const tree = new BTree<number, string>((a, b) => a - b);
 * tree.set(2, 'two');
 * tree.set(1, 'one');
 * [...tree.keys()]; // [1, 2]
 * for (const [key] of tree.entries()) tree.delete(key); // safe: empties the tree
 */
export class BTree<K, V> {
  readonly #s: Core<K, V>;

  /** Creates an empty tree ordered by `compare`. */
  constructor(compare: (a: K, b: K) => number, options: BTreeOptions = {}) {
    const max = options.maxNodeSize ?? DEFAULT_MAX_NODE_SIZE;
    if (!Number.isInteger(max) || max < 4) {
      throw new InternalError(`BTree maxNodeSize must be an integer of at least 4, got ${max}; pass a larger size or omit it.`);
    }
    this.#s = new Core(compare, max);
  }

  /** @internal The tree's nodes, for building it in bulk (`btree-bulk.ts`, kept apart so the page's bundle leaves it out). */
  static nodes<K, V>(tree: BTree<K, V>): Core<K, V> {
    return tree.#s;
  }

  /** Number of entries, in O(1). */
  get size(): number {
    return this.#s.size;
  }

  /** The value stored under `key`, or `undefined` when absent. */
  get(key: K): V | undefined {
    const leaf = leafFor(this.#s, key);
    const i = find(leaf.keys, key, this.#s.compare);
    return i >= 0 ? leaf.values[i] : undefined;
  }

  /** Whether `key` is present. */
  has(key: K): boolean {
    return find(leafFor(this.#s, key).keys, key, this.#s.compare) >= 0;
  }

  /** Stores `value` under `key`, replacing any previous value; returns `true` when the key was new. */
  set(key: K, value: V): boolean {
    return put(this.#s, key, value, true);
  }

  /** Stores `value` under `key` only when the key is absent; returns `false` (tree unchanged) when it exists. */
  insert(key: K, value: V): boolean {
    return put(this.#s, key, value, false);
  }

  /** Removes `key`; returns `true` when it was present. */
  delete(key: K): boolean {
    const s = this.#s;
    const leaf = leafFor(s, key, true);
    const i = find(leaf.keys, key, s.compare);
    if (i < 0) return false;
    removeAt(leaf.keys, i);
    removeAt(leaf.values, i);
    s.size--;
    s.version++;
    if (s.height > 0 && leaf.keys.length < s.min) rebalance(s, s.height - 1);
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    const s = this.#s;
    const leaf = new Leaf<K, V>([], []);
    s.root = s.head = s.tail = leaf;
    s.height = 0;
    s.size = 0;
    s.version++;
    // The scratch path would otherwise keep the old tree alive.
    s.path.length = s.slots.length = 0;
  }

  /** The entry with the smallest key, or `undefined` when empty. */
  first(): [K, V] | undefined {
    const head = this.#s.head;
    return head.keys.length === 0 ? undefined : [head.keys[0] as K, head.values[0] as V];
  }

  /** The entry with the greatest key, or `undefined` when empty. */
  last(): [K, V] | undefined {
    const tail = this.#s.tail;
    const n = tail.keys.length - 1;
    return n < 0 ? undefined : [tail.keys[n] as K, tail.values[n] as V];
  }

  /**
   * Ordered iteration over the entries between `lo` and `hi` (each optional,
   * inclusive or exclusive), ascending or, with `reverse`, descending. Safe to
   * use while the tree changes (see {@link BTree}).
   */
  entries(lo?: Bound<K>, hi?: Bound<K>, reverse = false): IterableIterator<[K, V]> {
    return new Cursor<K, V, [K, V]>(this.#s, lo, hi, reverse, ENTRIES);
  }

  /** Like {@link BTree.entries}, yielding only values. */
  values(lo?: Bound<K>, hi?: Bound<K>, reverse = false): IterableIterator<V> {
    return new Cursor<K, V, V>(this.#s, lo, hi, reverse, VALUES);
  }

  /** Like {@link BTree.entries}, yielding only keys. */
  keys(lo?: Bound<K>, hi?: Bound<K>, reverse = false): IterableIterator<K> {
    return new Cursor<K, V, K>(this.#s, lo, hi, reverse, KEYS);
  }

  /** Ascending iteration over every entry, like `entries()`. */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /**
   * Calls `fn` for each entry between `lo` and `hi` in order (descending with
   * `reverse`), stopping early when `fn` returns `false`. Faster than the
   * iterators, but `fn` must not modify the tree: doing so throws an
   * {@link InternalError} once `fn` returns. Collect first, or use
   * {@link BTree.entries}, to modify while walking.
   */
  forEachRange(
    lo: Bound<K> | undefined,
    hi: Bound<K> | undefined,
    fn: (key: K, value: V) => boolean | void,
    reverse = false,
  ): void {
    const s = this.#s;
    if (isEmptyRange(s.compare, lo, hi)) return;
    const version = s.version;
    const [from, fromIndex] = lo === undefined ? [s.head, 0] : seek(s, lo.key, !lo.inclusive);
    const [to, toIndex] = hi === undefined ? [s.tail, s.tail.keys.length] : seek(s, hi.key, hi.inclusive);
    if (!reverse) {
      for (let leaf = from, i = fromIndex; ; leaf = leaf.next as Leaf<K, V>, i = 0) {
        const { keys, values } = leaf;
        const end = leaf === to ? toIndex : keys.length;
        for (; i < end; i++) {
          const stop = fn(keys[i] as K, values[i] as V) === false;
          if (s.version !== version) throw modifiedDuringForEach();
          if (stop) return;
        }
        if (leaf === to) return;
      }
    }
    for (let leaf = to, i = toIndex - 1; ; leaf = leaf.prev as Leaf<K, V>, i = leaf.keys.length - 1) {
      const { keys, values } = leaf;
      const end = leaf === from ? fromIndex : 0;
      for (; i >= end; i--) {
        const stop = fn(keys[i] as K, values[i] as V) === false;
        if (s.version !== version) throw modifiedDuringForEach();
        if (stop) return;
      }
      if (leaf === from) return;
    }
  }

  /** Number of entries between `lo` and `hi`; walks leaves, not entries. */
  countRange(lo?: Bound<K>, hi?: Bound<K>): number {
    const s = this.#s;
    if (lo === undefined && hi === undefined) return s.size;
    if (isEmptyRange(s.compare, lo, hi)) return 0;
    const [from, fromIndex] = lo === undefined ? [s.head, 0] : seek(s, lo.key, !lo.inclusive);
    const [to, toIndex] = hi === undefined ? [s.tail, s.tail.keys.length] : seek(s, hi.key, hi.inclusive);
    let count = toIndex - fromIndex;
    for (let leaf = from; leaf !== to; leaf = leaf.next as Leaf<K, V>) count += leaf.keys.length;
    return count;
  }

  /**
   * Debugging aid for tests: throws an `Error` naming the first broken
   * structural invariant (key order, separator bounds, equal leaf depth, node
   * fill, leaf links, size). Walks the whole tree.
   */
  checkInvariants(): void {
    const s = this.#s;
    const leaves: Leaf<K, V>[] = [];
    const count = checkNode(s, s.root, 0, undefined, undefined, true, true, leaves);
    if (count !== s.size) fail(`size is ${s.size} but the leaves hold ${count} entries`);
    if (leaves[0] !== s.head || leaves[leaves.length - 1] !== s.tail) fail('head or tail is not the outermost leaf');
    leaves.forEach((leaf, i) => {
      if (leaf.prev !== (leaves[i - 1] ?? null) || leaf.next !== (leaves[i + 1] ?? null)) fail(`leaf ${i} is mislinked`);
    });
  }
}
