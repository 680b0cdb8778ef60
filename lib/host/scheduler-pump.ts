import type { Orderer } from '../replication/orderer';
import type { Timers } from '../replication/timers';

/** What {@link startSchedulerPump} runs. */
export interface SchedulerPumpDeps {
  /** The tab's orderer: only a tab that orders runs scheduled reducers (followers replay its runs). */
  readonly orderer: Orderer;
  readonly timers: Timers;
}

/** A running pump: `poke` after anything that may change what is due next (an applied entry). */
export interface SchedulerPump {
  poke(): void;
}

/**
 * Runs the module's scheduled reducers while this tab orders: one timer, armed
 * for the next due run (the engine's schedule tables say when), re-armed after
 * each run and each poke, until `signal` aborts or the orderer stops.
 */
export function startSchedulerPump({ orderer, timers }: SchedulerPumpDeps, signal: AbortSignal): SchedulerPump {
  let timer: unknown;
  const disarm = (): void => {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
  };
  const arm = (): void => {
    disarm();
    const { log } = orderer;
    if (signal.aborted || log.stoppedBecause !== undefined) return;
    const due = log.db.engine.nextDue();
    if (due === undefined) return;
    const wait = Number((due - log.db.now()) / 1000n);
    timer = timers.setTimeout(() => {
      timer = undefined;
      orderer.runDue();
      arm();
    }, Math.max(0, wait));
  };
  signal.addEventListener('abort', disarm, { once: true });
  arm();
  return { poke: arm };
}
