import type { Timers } from './timers';

/** Timers that fire only when the test advances time: a room's or a host's loops without sleeping. */
export class ManualTimers implements Timers {
  private now = 0;
  private next = 0;
  private readonly due = new Map<number, { readonly at: number; readonly fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const handle = ++this.next;
    this.due.set(handle, { at: this.now + Math.max(0, ms), fn });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }

  /** Moves time on by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const [handle, timer] = [...this.due].sort(([, a], [, b]) => a.at - b.at)[0] ?? [];
      if (timer === undefined || timer.at > until) break;
      this.due.delete(handle!);
      this.now = timer.at;
      timer.fn();
    }
    this.now = until;
  }
}
