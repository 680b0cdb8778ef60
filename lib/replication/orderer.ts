import { ERROR_CODES } from '../errors';
import type { LeaderLog } from './leader-log';
import type { Call } from './messages';
import { lifecycleReducers, precheck, type Ordered, type Ordering } from './ordering';

/**
 * Orders calls into the leader's log: the tab that leads a browser with no room,
 * or the room's authority. It also runs the scheduled reducers (followers replay
 * their runs). A failed write is the one reason it steps down by itself.
 */
export class Orderer implements Ordering {
  private readonly lifecycle: ReadonlySet<string>;

  constructor(readonly log: LeaderLog) {
    this.lifecycle = lifecycleReducers(log.db.engine.module);
  }

  order(call: Call): Ordered {
    const { log } = this;
    const answered = precheck(log, call, this.lifecycle);
    if (answered !== undefined) return answered;
    const submitted = log.db.submit({ ...call, caller: { client: call.client, callId: call.callId } });
    if (submitted.entry !== undefined) {
      log.track(submitted);
      return { kind: 'entry', entry: submitted.entry };
    }
    const { outcome } = submitted;
    if (outcome.ok) return { kind: 'refused', reason: 'the call was not logged' };
    if (outcome.error.code === ERROR_CODES.StorageError) {
      log.stepDown(outcome.error.message);
      return { kind: 'refused', reason: outcome.error.message };
    }
    return { kind: 'failed', name: outcome.error.name, message: outcome.error.message };
  }

  /** An orderer answers every call at once: nothing fails later. */
  onFailed(): () => void {
    return () => {};
  }

  /** Runs the scheduled calls that are due now. */
  runDue(): void {
    const { log } = this;
    if (log.stoppedBecause !== undefined) return;
    for (let run; (run = log.db.runNextDue()) !== undefined; ) if (run.entry !== undefined) log.track(run);
  }
}
