import { toLockstepError } from '../errors';
import type { LeaderLog } from './leader-log';
import type { Call } from './messages';
import { lifecycleReducers, precheck, type CallFailure, type Ordered, type Ordering } from './ordering';

/**
 * Orders nothing: the leading tab of a browser that follows a room's authority
 * hands each call (its own clients', and its follower tabs') to `forward` (the
 * room follower's outbox). The answer comes back as an entry the follower logs,
 * or as a failure, which goes to the tab the call came from.
 */
export class Relay implements Ordering {
  private readonly lifecycle: ReadonlySet<string>;
  /** Calls handed on, by client and callId: the peer each came from (undefined: this tab). */
  private readonly from = new Map<string, string | undefined>();
  private readonly failedListeners = new Set<(failure: CallFailure, from: string | undefined) => void>();
  private readonly off: () => void;

  constructor(
    readonly log: LeaderLog,
    private readonly forward: (call: Call) => void,
  ) {
    this.lifecycle = lifecycleReducers(log.db.engine.module);
    this.off = log.onLogged((entry) => {
      if (entry.caller !== undefined) this.from.delete(keyOf(entry.caller.client, entry.caller.callId));
    });
  }

  order(call: Call, from?: string): Ordered {
    const { log } = this;
    const answered = precheck(log, call, this.lifecycle);
    if (answered !== undefined) return answered;
    try {
      log.db.engine.check(call.reducer, call.args, call.internal === true);
    } catch (error) {
      const e = toLockstepError(error);
      return { kind: 'failed', name: e.name, message: e.message };
    }
    this.from.set(keyOf(call.client, call.callId), from);
    this.forward(call);
    return { kind: 'forwarded' };
  }

  onFailed(fn: (failure: CallFailure, from: string | undefined) => void): () => void {
    this.failedListeners.add(fn);
    return () => this.failedListeners.delete(fn);
  }

  /** The log this one follows refused a call without an entry: tells the tab that made it. */
  failed(failure: CallFailure): void {
    const key = keyOf(failure.client, failure.callId);
    if (!this.from.has(key)) return;
    const from = this.from.get(key);
    this.from.delete(key);
    for (const fn of this.failedListeners) fn(failure, from);
  }

  close(): void {
    this.off();
  }
}

const keyOf = (client: string, callId: number): string => `${client}\u0000${callId}`;
