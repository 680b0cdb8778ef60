/**
 * Entries per second from samples of the log's seq over time, for the
 * devtools' status tab. Pure, so it is tested in Node with made-up times.
 */

/** A moving rate: the seq advanced over the samples of the last `windowMs`. */
export class RateMeter {
  private samples: { readonly time: number; readonly seq: number }[] = [];

  /** @param windowMs - how far back the rate looks; default 5 s */
  constructor(private readonly windowMs = 5000) {}

  /**
   * Records the seq seen at `time` (milliseconds, e.g. `performance.now()`).
   * A seq lower than the last one (a restored backup, another database) starts over.
   */
  add(time: number, seq: number): void {
    const last = this.samples.at(-1);
    if (last !== undefined && (seq < last.seq || time < last.time)) this.samples = [];
    this.samples.push({ time, seq });
    // Keep one sample older than the window, so a quiet spell still has a start to measure from.
    while (this.samples.length > 2 && this.samples[1]!.time <= time - this.windowMs) this.samples.shift();
  }

  /** Entries per second over the window up to `now`; 0 until two samples are far enough apart. */
  rate(now: number): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (first === undefined || last === undefined) return 0;
    const span = Math.max(now, last.time) - first.time;
    return span < 250 ? 0 : ((last.seq - first.seq) * 1000) / span;
  }
}
