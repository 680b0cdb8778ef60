/**
 * Bulk building of B+trees and indexes from entries already in key order: leaves filled
 * evenly left to right, then each level of branches over the one below, in
 * O(n) with no comparisons beyond one order check per key. Used to load a
 * snapshot, where inserting rows one at a time dominated the open.
 */
import { InternalError } from '../errors';
import { BTree } from './btree';
import { Branch, type Core, Leaf, type Node } from './btree-core';
import type { IndexStore, Row } from './index-store';

/** Splits `n` items into the fewest groups of at most `max`, as even as possible (so each holds at least max/2 when n > max). */
function groups(n: number, max: number): number[] {
  const count = Math.max(1, Math.ceil(n / max));
  const base = Math.floor(n / count);
  const extra = n % count;
  return Array.from({ length: count }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * Fills the empty `tree` with `keys` → `values` at once, in O(n): much faster
 * than one `set` per entry. The keys must be strictly ascending under the tree's order.
 * @throws InternalError when the tree is not empty or a key is out of order (the tree is unchanged).
 */
export function loadSorted<K, V>(tree: BTree<K, V>, keys: readonly K[], values: readonly V[]): void {
  buildSorted(BTree.nodes(tree), keys, values);
}

/**
 * Fills the empty `index` from `rows`, which are in the table's primary order:
 * a stable sort by the indexed columns alone then gives the full key order
 * (ties keep primary order), and the tree is built in bulk.
 * @throws InternalError when two rows share a unique value.
 */
export function fillIndex(index: IndexStore, rows: readonly Row[]): void {
  const [names, compares] = [index.columnNames, index.columnCompares];
  const sorted = rows.slice();
  if (names.length === 1) {
    const [name, compare] = [names[0]!, compares[0]!];
    sorted.sort((a, b) => compare(a[name], b[name]));
  } else {
    sorted.sort((a, b) => {
      for (let i = 0; i < names.length; i++) {
        const c = compares[i]!(a[names[i]!], b[names[i]!]);
        if (c !== 0) return c;
      }
      return 0;
    });
  }
  const keys = sorted.map((row) => index.keyOf(row));
  loadSorted(index.tree, keys, sorted);
  if (index.lookup !== undefined) for (let i = 0; i < keys.length; i++) index.lookup.set(keys[i], sorted[i]!);
}

function buildSorted<K, V>(s: Core<K, V>, keys: readonly K[], values: readonly V[]): void {
  if (s.size !== 0) throw new InternalError(`BTree bulk load needs an empty tree; this one holds ${s.size} entries.`);
  if (keys.length !== values.length) throw new InternalError(`BTree bulk load got ${keys.length} keys but ${values.length} values.`);
  for (let i = 1; i < keys.length; i++) {
    if (s.compare(keys[i - 1] as K, keys[i] as K) >= 0) throw new InternalError(`BTree bulk load: key ${i} is not after key ${i - 1}; entries must be strictly ascending.`);
  }
  if (keys.length === 0) return;
  const leaves: Leaf<K, V>[] = [];
  let at = 0;
  for (const size of groups(keys.length, s.max)) {
    const leaf = new Leaf<K, V>(keys.slice(at, at + size), values.slice(at, at + size));
    const prev = leaves[leaves.length - 1];
    if (prev !== undefined) (prev.next = leaf), (leaf.prev = prev);
    leaves.push(leaf);
    at += size;
  }
  // Each node with the smallest key under it: a separator is the first key of the child to its right.
  let level: { node: Node<K, V>; first: K }[] = leaves.map((leaf) => ({ node: leaf, first: leaf.keys[0] as K }));
  let height = 0;
  while (level.length > 1) {
    const next: typeof level = [];
    let from = 0;
    for (const size of groups(level.length, s.max)) {
      const children = level.slice(from, from + size);
      next.push({ node: new Branch<K, V>(children.slice(1).map((c) => c.first), children.map((c) => c.node)), first: children[0]!.first });
      from += size;
    }
    level = next;
    height++;
  }
  s.root = level[0]!.node;
  s.head = leaves[0]!;
  s.tail = leaves[leaves.length - 1]!;
  s.height = height;
  s.size = keys.length;
  s.version++;
}
