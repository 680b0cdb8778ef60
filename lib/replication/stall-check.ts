import type { Follower } from './follower';
import { every, type Timers } from './timers';

/** What {@link startStallCheck} watches. */
export interface StallCheckDeps {
  readonly follower: Follower;
  readonly timers: Timers;
  /** How often to look; 0 never. */
  readonly everyMs: number;
}

/**
 * A follower's stall check: when calls are waiting, entries are known to be
 * missing or no server is reached, and no entry arrived since the last look, it
 * nudges the follower, which repeats its hello and its waiting calls (a message
 * lost to a connection that broke).
 */
export function startStallCheck({ follower, timers, everyMs }: StallCheckDeps, signal: AbortSignal): void {
  if (everyMs <= 0) return;
  let seen = follower.seq;
  every(
    timers,
    everyMs,
    () => {
      const seq = follower.seq;
      if ((follower.waitingCount > 0 || follower.lag > 0 || follower.state !== 'connected') && seq === seen) follower.nudge();
      seen = seq;
    },
    signal,
  );
}
