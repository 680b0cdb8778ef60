/** Timers, injected into every background loop so tests and the simulation control time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The platform's timers. */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Runs `fn` every `ms` until `signal` aborts (a loop of timeouts, so injected timers drive it). */
export function every(timers: Timers, ms: number, fn: () => void, signal: AbortSignal): void {
  let handle: unknown;
  const tick = (): void => {
    if (signal.aborted) return;
    fn();
    handle = timers.setTimeout(tick, ms);
  };
  handle = timers.setTimeout(tick, ms);
  signal.addEventListener('abort', () => timers.clearTimeout(handle), { once: true });
}
