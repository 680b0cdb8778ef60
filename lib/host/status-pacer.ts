import type { Timers } from '../replication/timers';
import type { TabStatus } from '../tabs/tab';

/** What {@link startStatusPacer} paces. */
export interface StatusPacerDeps {
  /** The status now. */
  readonly status: () => TabStatus;
  readonly onStatus: (fn: (status: TabStatus) => void) => () => void;
  /** Delivers a status to every session. */
  readonly send: (status: TabStatus) => void;
  readonly timers: Timers | undefined;
  /** How long seq and lag changes are gathered before one status goes out; 0 sends each at once. */
  readonly everyMs: number;
}

/**
 * Sends the tab's status to its sessions: role, epoch and leader changes at
 * once; seq and lag changes alone gathered for `everyMs` (a burst of calls
 * would otherwise send a status per entry). Stops when `signal` aborts.
 */
export function startStatusPacer(deps: StatusPacerDeps, signal: AbortSignal): void {
  let sent = deps.status();
  let timer: unknown;
  const send = (): void => {
    const status = deps.status();
    if (JSON.stringify(status) === JSON.stringify(sent)) return;
    sent = status;
    deps.send(status);
  };
  const off = deps.onStatus((status) => {
    const { timers } = deps;
    if (timers === undefined || deps.everyMs === 0 || status.role !== sent.role || status.epoch !== sent.epoch || status.leader !== sent.leader) send();
    else if (timer === undefined) {
      timer = timers.setTimeout(() => {
        timer = undefined;
        send();
      }, deps.everyMs);
    }
  });
  signal.addEventListener(
    'abort',
    () => {
      off();
      if (timer !== undefined) deps.timers?.clearTimeout(timer);
    },
    { once: true },
  );
}
