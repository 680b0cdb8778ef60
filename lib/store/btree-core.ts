/** The nodes of the B+tree and the operations on them: search, insert with splits, delete with rebalancing. */
import { InternalError } from '../errors';
import type { Bound } from './btree';

export const DEFAULT_MAX_NODE_SIZE = 64;
export const ENTRIES = 0;
export const KEYS = 1;
export const VALUES = 2;
export type Kind = typeof ENTRIES | typeof KEYS | typeof VALUES;
export type Compare<K> = (a: K, b: K) => number;

export class Leaf<K, V> {
  next: Leaf<K, V> | null = null;
  prev: Leaf<K, V> | null = null;
  constructor(
    public keys: K[],
    public values: V[],
  ) {}
}

export class Branch<K, V> {
  constructor(
    public keys: K[],
    public children: Node<K, V>[],
  ) {}
}

export type Node<K, V> = Leaf<K, V> | Branch<K, V>;

/** The mutable state a tree shares with its cursors. */
export class Core<K, V> {
  root: Node<K, V>;
  head: Leaf<K, V>;
  tail: Leaf<K, V>;
  /** Number of branch levels above the leaves. */
  height = 0;
  size = 0;
  /** Bumped by every insert and delete; cursors re-seek when it moves. */
  version = 0;
  readonly min: number;
  /** Scratch: the branches and child slots of the last descent that asked for them. */
  readonly path: Branch<K, V>[] = [];
  readonly slots: number[] = [];

  constructor(
    readonly compare: Compare<K>,
    readonly max: number,
  ) {
    this.min = max >> 1;
    this.root = this.head = this.tail = new Leaf<K, V>([], []);
  }
}

/** Index of `key` in the sorted `keys`, or `~insertionPoint` when absent. */
export function find<K>(keys: readonly K[], key: K, compare: Compare<K>): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(keys[mid] as K, key);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid;
    else return mid;
  }
  return ~lo;
}

/** Index of the first key ≥ `key` (or > `key` when `after`) in the sorted `keys`. */
export function lowerBound<K>(keys: readonly K[], key: K, compare: Compare<K>, after: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(keys[mid] as K, key);
    if (c < 0 || (after && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The child of a branch whose subtree may hold `key`: the number of separators ≤ `key`. */
export function route<K>(keys: readonly K[], key: K, compare: Compare<K>): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(keys[mid] as K, key);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid;
    else return mid + 1;
  }
  return lo;
}

/** The leaf whose range holds `key`; with `record`, fills `s.path` / `s.slots` on the way down. */
export function leafFor<K, V>(s: Core<K, V>, key: K, record = false): Leaf<K, V> {
  const compare = s.compare;
  let node = s.root;
  for (let level = 0; level < s.height; level++) {
    const branch = node as Branch<K, V>;
    const slot = route(branch.keys, key, compare);
    if (record) {
      s.path[level] = branch;
      s.slots[level] = slot;
    }
    node = branch.children[slot] as Node<K, V>;
  }
  return node as Leaf<K, V>;
}

/** The position of the first key ≥ `key` (> `key` when `after`), moved past a leaf's end onto the next leaf. */
export function seek<K, V>(s: Core<K, V>, key: K, after: boolean): [Leaf<K, V>, number] {
  const leaf = leafFor(s, key);
  const i = lowerBound(leaf.keys, key, s.compare, after);
  return i === leaf.keys.length && leaf.next !== null ? [leaf.next, 0] : [leaf, i];
}

export function isEmptyRange<K>(compare: Compare<K>, lo: Bound<K> | undefined, hi: Bound<K> | undefined): boolean {
  if (lo === undefined || hi === undefined) return false;
  const c = compare(lo.key, hi.key);
  return c > 0 || (c === 0 && !(lo.inclusive && hi.inclusive));
}

export function put<K, V>(s: Core<K, V>, key: K, value: V, overwrite: boolean): boolean {
  const tail = s.tail;
  const n = tail.keys.length;
  // Ascending keys (autoIncrement ids) append to the last leaf without a descent.
  if (n > 0 && n < s.max && s.compare(key, tail.keys[n - 1] as K) > 0) {
    tail.keys.push(key);
    tail.values.push(value);
    s.size++;
    s.version++;
    return true;
  }
  const leaf = leafFor(s, key, true);
  let i = find(leaf.keys, key, s.compare);
  if (i >= 0) {
    if (overwrite) leaf.values[i] = value;
    return false;
  }
  i = ~i;
  insertAt(leaf.keys, i, key);
  insertAt(leaf.values, i, value);
  s.size++;
  s.version++;
  if (leaf.keys.length > s.max) splitLeaf(s, leaf, i);
  return true;
}

/**
 * Splits an overfull leaf in two. Appending at the right edge of the tree keeps
 * the left part full (and prepending at the left edge keeps the right part
 * full), so ascending or descending loads fill nodes instead of half-filling them.
 */
export function splitLeaf<K, V>(s: Core<K, V>, leaf: Leaf<K, V>, inserted: number): void {
  const n = leaf.keys.length;
  const edge = inserted === n - 1 && leaf === s.tail ? 1 : inserted === 0 && leaf === s.head ? -1 : 0;
  const keep = edge > 0 ? n - 1 : edge < 0 ? 1 : n >> 1;
  const right = new Leaf(leaf.keys.splice(keep), leaf.values.splice(keep));
  right.prev = leaf;
  right.next = leaf.next;
  if (leaf.next === null) s.tail = right;
  else leaf.next.prev = right;
  leaf.next = right;

  let separator = right.keys[0] as K;
  let added: Node<K, V> = right;
  for (let level = s.height - 1; level >= 0; level--) {
    const branch = s.path[level] as Branch<K, V>;
    const slot = s.slots[level] as number;
    insertAt(branch.keys, slot, separator);
    insertAt(branch.children, slot + 1, added);
    const count = branch.children.length;
    if (count <= s.max) return;
    // On an edge the small part keeps two children, so every branch has at least two.
    const at = edge > 0 ? count - 2 : edge < 0 ? 2 : count >> 1;
    const keys = branch.keys.splice(at);
    separator = branch.keys.pop() as K;
    added = new Branch(keys, branch.children.splice(at));
  }
  s.root = new Branch([separator], [s.root, added]);
  s.height++;
}

/**
 * Restores the fill of the underfull child at `s.slots[level]` of `s.path[level]`
 * by merging it with a sibling or sharing entries with it, climbing while merges
 * leave the parent underfull, and dropping a root left with a single child.
 */
export function rebalance<K, V>(s: Core<K, V>, level: number): void {
  for (; level >= 0; level--) {
    const parent = s.path[level] as Branch<K, V>;
    const slot = s.slots[level] as number;
    const at = slot > 0 ? slot - 1 : 0;
    const merged =
      level === s.height - 1
        ? balanceLeaves(s, parent, at, parent.children[at] as Leaf<K, V>, parent.children[at + 1] as Leaf<K, V>)
        : balanceBranches(s, parent, at, parent.children[at] as Branch<K, V>, parent.children[at + 1] as Branch<K, V>);
    if (!merged) return;
    if (level === 0) {
      if (parent.children.length === 1) {
        s.root = parent.children[0] as Node<K, V>;
        s.height--;
        s.path.length = s.slots.length = s.height;
      }
      return;
    }
    if (parent.children.length >= s.min) return;
  }
}

/** Merges adjacent leaves (returns `true`) or evens out their entries (returns `false`). */
export function balanceLeaves<K, V>(s: Core<K, V>, parent: Branch<K, V>, at: number, left: Leaf<K, V>, right: Leaf<K, V>): boolean {
  const a = left.keys.length;
  const b = right.keys.length;
  if (a + b <= s.max) {
    for (let i = 0; i < b; i++) {
      left.keys.push(right.keys[i] as K);
      left.values.push(right.values[i] as V);
    }
    left.next = right.next;
    if (right.next === null) s.tail = left;
    else right.next.prev = left;
    parent.keys.splice(at, 1);
    parent.children.splice(at + 1, 1);
    return true;
  }
  const target = (a + b) >> 1;
  if (a < target) {
    left.keys.push(...right.keys.splice(0, target - a));
    left.values.push(...right.values.splice(0, target - a));
  } else {
    right.keys.unshift(...left.keys.splice(target));
    right.values.unshift(...left.values.splice(target));
  }
  parent.keys[at] = right.keys[0] as K;
  return false;
}

/** Merges adjacent branches through their separator (returns `true`) or evens out their children (returns `false`). */
export function balanceBranches<K, V>(
  s: Core<K, V>,
  parent: Branch<K, V>,
  at: number,
  left: Branch<K, V>,
  right: Branch<K, V>,
): boolean {
  const a = left.children.length;
  const b = right.children.length;
  const separator = parent.keys[at] as K;
  if (a + b <= s.max) {
    left.keys.push(separator, ...right.keys);
    left.children.push(...right.children);
    parent.keys.splice(at, 1);
    parent.children.splice(at + 1, 1);
    return true;
  }
  const target = (a + b) >> 1;
  if (a < target) {
    const moved = target - a;
    left.keys.push(separator, ...right.keys.splice(0, moved - 1));
    parent.keys[at] = right.keys.shift() as K;
    left.children.push(...right.children.splice(0, moved));
  } else {
    const movedKeys = left.keys.splice(target);
    parent.keys[at] = left.keys.pop() as K;
    right.keys.unshift(...movedKeys, separator);
    right.children.unshift(...left.children.splice(target));
  }
  return false;
}

// Shifting by hand beats `splice` here: no result array, and these arrays are short.
export function insertAt<T>(array: T[], index: number, item: T): void {
  for (let j = array.length; j > index; j--) array[j] = array[j - 1] as T;
  array[index] = item;
}

export function removeAt<T>(array: T[], index: number): void {
  const last = array.length - 1;
  for (let j = index; j < last; j++) array[j] = array[j + 1] as T;
  array.pop();
}

export function modifiedDuringForEach(): InternalError {
  return new InternalError('BTree was modified inside forEachRange; collect the keys first or iterate with entries().');
}
