/** Ordered iteration over a B+tree that stays correct while the tree changes. */
import type { Bound } from './btree';
import { Core, ENTRIES, isEmptyRange, KEYS, Leaf, seek, VALUES, type Compare, type Kind } from './btree-core';

export const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A range iterator that re-seeks after any insert or delete: it remembers the
 * last key it yielded and continues strictly after (before, when reversed) it.
 * While the tree is unchanged it steps through the current leaf's arrays.
 */
export class Cursor<K, V, T> implements IterableIterator<T> {
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
