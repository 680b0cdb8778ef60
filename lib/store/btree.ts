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

const DEFAULT_MAX_NODE_SIZE = 64;
const ENTRIES = 0;
const KEYS = 1;
const VALUES = 2;
type Kind = typeof ENTRIES | typeof KEYS | typeof VALUES;
type Compare<K> = (a: K, b: K) => number;

class Leaf<K, V> {
  next: Leaf<K, V> | null = null;
  prev: Leaf<K, V> | null = null;
  constructor(
    public keys: K[],
    public values: V[],
  ) {}
}

class Branch<K, V> {
  constructor(
    public keys: K[],
    public children: Node<K, V>[],
  ) {}
}

type Node<K, V> = Leaf<K, V> | Branch<K, V>;

/** The mutable state a tree shares with its cursors. */
class Core<K, V> {
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
function find<K>(keys: readonly K[], key: K, compare: Compare<K>): number {
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
function lowerBound<K>(keys: readonly K[], key: K, compare: Compare<K>, after: boolean): number {
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
function route<K>(keys: readonly K[], key: K, compare: Compare<K>): number {
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
function leafFor<K, V>(s: Core<K, V>, key: K, record = false): Leaf<K, V> {
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
function seek<K, V>(s: Core<K, V>, key: K, after: boolean): [Leaf<K, V>, number] {
  const leaf = leafFor(s, key);
  const i = lowerBound(leaf.keys, key, s.compare, after);
  return i === leaf.keys.length && leaf.next !== null ? [leaf.next, 0] : [leaf, i];
}

function isEmptyRange<K>(compare: Compare<K>, lo: Bound<K> | undefined, hi: Bound<K> | undefined): boolean {
  if (lo === undefined || hi === undefined) return false;
  const c = compare(lo.key, hi.key);
  return c > 0 || (c === 0 && !(lo.inclusive && hi.inclusive));
}

function put<K, V>(s: Core<K, V>, key: K, value: V, overwrite: boolean): boolean {
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
function splitLeaf<K, V>(s: Core<K, V>, leaf: Leaf<K, V>, inserted: number): void {
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
function rebalance<K, V>(s: Core<K, V>, level: number): void {
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
function balanceLeaves<K, V>(s: Core<K, V>, parent: Branch<K, V>, at: number, left: Leaf<K, V>, right: Leaf<K, V>): boolean {
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
function balanceBranches<K, V>(
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
function insertAt<T>(array: T[], index: number, item: T): void {
  for (let j = array.length; j > index; j--) array[j] = array[j - 1] as T;
  array[index] = item;
}

function removeAt<T>(array: T[], index: number): void {
  const last = array.length - 1;
  for (let j = index; j < last; j++) array[j] = array[j + 1] as T;
  array.pop();
}

function modifiedDuringForEach(): InternalError {
  return new InternalError('BTree was modified inside forEachRange; collect the keys first or iterate with entries().');
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A range iterator that re-seeks after any insert or delete: it remembers the
 * last key it yielded and continues strictly after (before, when reversed) it.
 * While the tree is unchanged it steps through the current leaf's arrays.
 */
class Cursor<K, V, T> implements IterableIterator<T> {
  #leaf: Leaf<K, V> | null = null;
  #index = 0;
  /** The fast path reads indexes of the current leaf below this (above it, when reversed). */
  #limit = 0;
  /** Where to stop: the position just past the range in the walking direction; null means the tree's end. */
  #stop: Leaf<K, V> | null = null;
  #stopIndex = 0;
  /** The tree version the position belongs to; -1 forces a seek, -2 marks the end. */
  #version = -1;
  #last: K | undefined = undefined;
  #started = false;

  constructor(
    private readonly s: Core<K, V>,
    private readonly lo: Bound<K> | undefined,
    private readonly hi: Bound<K> | undefined,
    private readonly reverse: boolean,
    private readonly kind: Kind,
  ) {
    if (isEmptyRange(s.compare, lo, hi)) this.#version = -2;
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this;
  }

  next(): IteratorResult<T> {
    const i = this.#index;
    if (this.#version === this.s.version && (this.reverse ? i > this.#limit : i < this.#limit)) {
      this.#index = this.reverse ? i - 1 : i + 1;
      return this.#yield(this.#leaf as Leaf<K, V>, i);
    }
    return this.#advance();
  }

  /** The slow path: re-seeks after a change, crosses to the next leaf, or ends. */
  #advance(): IteratorResult<T> {
    if (this.#version === -2) return DONE;
    if (this.#version !== this.s.version) this.#seek();
    let leaf = this.#leaf as Leaf<K, V>;
    let i = this.#index;
    const stop = this.#stop;
    if (!this.reverse) {
      for (;;) {
        if (leaf === stop && i >= this.#stopIndex) return this.#finish();
        if (i < leaf.keys.length) break;
        if (leaf.next === null) return this.#finish();
        leaf = leaf.next;
        i = 0;
      }
      this.#limit = leaf === stop ? this.#stopIndex : leaf.keys.length;
      this.#index = i + 1;
    } else {
      for (;;) {
        if (leaf === stop && i < this.#stopIndex) return this.#finish();
        if (i >= 0) break;
        if (leaf.prev === null) return this.#finish();
        leaf = leaf.prev;
        i = leaf.keys.length - 1;
      }
      this.#limit = leaf === stop ? this.#stopIndex - 1 : -1;
      this.#index = i - 1;
    }
    this.#leaf = leaf;
    return this.#yield(leaf, i);
  }

  #yield(leaf: Leaf<K, V>, i: number): IteratorResult<T> {
    const key = leaf.keys[i] as K;
    this.#last = key;
    this.#started = true;
    const kind = this.kind;
    const value = kind === KEYS ? key : kind === VALUES ? leaf.values[i] : [key, leaf.values[i]];
    return { done: false, value: value as T };
  }

  #seek(): void {
    const s = this.s;
    const { lo, hi } = this;
    this.#version = s.version;
    let cursor: [Leaf<K, V>, number];
    let stop: [Leaf<K, V>, number] | undefined;
    if (!this.reverse) {
      if (this.#started) cursor = seek(s, this.#last as K, true);
      else cursor = lo === undefined ? [s.head, 0] : seek(s, lo.key, !lo.inclusive);
      stop = hi === undefined ? undefined : seek(s, hi.key, hi.inclusive);
    } else {
      if (this.#started) cursor = seek(s, this.#last as K, false);
      else cursor = hi === undefined ? [s.tail, s.tail.keys.length] : seek(s, hi.key, hi.inclusive);
      cursor[1]--;
      stop = lo === undefined ? undefined : seek(s, lo.key, !lo.inclusive);
    }
    [this.#leaf, this.#index] = cursor;
    [this.#stop, this.#stopIndex] = stop ?? [null, 0];
  }

  #finish(): IteratorResult<T> {
    this.#version = -2;
    this.#leaf = this.#stop = null;
    this.#last = undefined;
    return DONE;
  }
}

function fail(message: string): never {
  throw new Error(`BTree invariant broken: ${message}`);
}

/** Checks the subtree under `node` (keys within [lo, hi)); returns its entry count. */
function checkNode<K, V>(
  s: Core<K, V>,
  node: Node<K, V>,
  depth: number,
  lo: K | undefined,
  hi: K | undefined,
  leftEdge: boolean,
  rightEdge: boolean,
  leaves: Leaf<K, V>[],
): number {
  const isRoot = depth === 0;
  const onEdge = leftEdge || rightEdge;
  const { keys } = node;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as K;
    if (i > 0 && s.compare(keys[i - 1] as K, key) >= 0) fail(`keys out of order at depth ${depth}`);
    if ((lo !== undefined && s.compare(key, lo) < 0) || (hi !== undefined && s.compare(key, hi) >= 0)) {
      fail(`a key at depth ${depth} lies outside its parent's separators`);
    }
  }
  if (depth === s.height) {
    if (!(node instanceof Leaf)) return fail(`a branch sits at leaf depth ${depth}`);
    const n = keys.length;
    if (node.values.length !== n) fail('a leaf has different numbers of keys and values');
    if (n > s.max) fail(`a leaf holds ${n} entries, more than ${s.max}`);
    if (!isRoot && n < (onEdge ? 1 : s.min)) fail(`a leaf holds ${n} entries, too few`);
    leaves.push(node);
    return n;
  }
  if (!(node instanceof Branch)) return fail(`a leaf sits at depth ${depth}, above leaf depth ${s.height}`);
  const { children } = node;
  if (children.length !== keys.length + 1) fail('a branch has the wrong number of separators');
  if (children.length > s.max) fail(`a branch has ${children.length} children, more than ${s.max}`);
  if (children.length < (isRoot || onEdge ? 2 : s.min)) fail(`a branch has ${children.length} children, too few`);
  let count = 0;
  const last = children.length - 1;
  children.forEach((child, i) => {
    const from = i === 0 ? lo : keys[i - 1];
    const to = i === last ? hi : keys[i];
    count += checkNode(s, child, depth + 1, from, to, leftEdge && i === 0, rightEdge && i === last, leaves);
  });
  return count;
}
