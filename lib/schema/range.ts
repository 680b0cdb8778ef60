/** One end of a {@link Range}. */
export type Bound<T> =
  | { readonly tag: 'included'; readonly value: T }
  | { readonly tag: 'excluded'; readonly value: T }
  | { readonly tag: 'unbounded' };

const UNBOUNDED: Bound<never> = { tag: 'unbounded' };

/**
 * A range of index keys for `filter` and `delete` on B-tree indexes. Either end
 * may be included, excluded or unbounded.
 * @example
 * ctx.db.score.points.filter(new Range({ tag: 'included', value: 10n }, { tag: 'excluded', value: 20n }));
 * ctx.db.score.points.filter(Range.between(10n, 20n)); // both ends included
 */
export class Range<T> {
  constructor(
    readonly from: Bound<T> = UNBOUNDED,
    readonly to: Bound<T> = UNBOUNDED,
  ) {}

  /** `lo <= key <= hi`. */
  static between<T>(lo: T, hi: T): Range<T> {
    return new Range<T>({ tag: 'included', value: lo }, { tag: 'included', value: hi });
  }

  /** `key >= lo` (or `key > lo` when `exclusive`). */
  static from<T>(lo: T, exclusive = false): Range<T> {
    return new Range<T>({ tag: exclusive ? 'excluded' : 'included', value: lo });
  }

  /** `key <= hi` (or `key < hi` when `exclusive`). */
  static to<T>(hi: T, exclusive = false): Range<T> {
    return new Range<T>(UNBOUNDED, { tag: exclusive ? 'excluded' : 'included', value: hi });
  }
}
