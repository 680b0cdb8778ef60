/**
 * The benchmark harness: every figure is a median of several runs, printed
 * beside a baseline measured in the same process, never asserted.
 */

/** One line of the benchmark table. */
export interface BenchRow {
  /** The group (file) the row belongs to. */
  readonly group: string;
  readonly name: string;
  readonly value: number;
  /** `ops/s`, `µs`, `rows/s`, `ms`… */
  readonly unit: string;
  readonly baselineName: string;
  readonly baselineValue: number;
  readonly note?: string;
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The value at quantile `q` (0..1). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Runs `fn` `runs` times (after one warm-up) and returns the median of its elapsed milliseconds. */
export function timeMs(fn: () => void, runs = 5): number {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

/** Operations per second from a count and a time in ms. */
export function perSecond(count: number, ms: number): number {
  return (count / ms) * 1000;
}

function format(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (value >= 100) return value.toFixed(0);
  if (value >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

/** Prints rows as a table, with the ratio value / baseline. */
export function printTable(rows: readonly BenchRow[]): void {
  const lines = [['group', 'benchmark', 'value', 'unit', 'baseline', 'baseline value', 'ratio', 'note']];
  for (const r of rows) {
    lines.push([r.group, r.name, format(r.value), r.unit, r.baselineName, format(r.baselineValue), (r.value / r.baselineValue).toFixed(2), r.note ?? '']);
  }
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  for (const [i, line] of lines.entries()) {
    console.log(line.map((cell, j) => cell.padEnd(widths[j]!)).join(' | '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  }
}
