import { encodeEntries, type LogEntry } from '../log/entry';
import type { LeaderLog } from './leader-log';
import type { Link } from './link';
import type { ReplicationMessage } from './messages';
import type { CallFailure, Ordering } from './ordering';

/** Options of {@link LogServer}. */
export interface LogServerOptions {
  /** Entries per message in a catch-up. Default 1000. */
  readonly catchUpBatch?: number;
}

/**
 * Serves the leader's log to the followers on one link: it announces itself
 * (when it starts, to every peer that connects, to every hello), sends each
 * durable batch to every follower, answers a hello with the entries it lacks
 * (or the whole state when they were pruned), and hands every forwarded call to
 * the tab's {@link Ordering}, answering those that fail or are refused. The
 * leader's tab link has one; the room's authority and a room member's leading
 * tab have one on each link.
 *
 * It steps the leader down when a message shows a higher epoch: another tab
 * took over.
 */
export class LogServer {
  private readonly offs: (() => void)[];
  private closed = false;

  constructor(
    private readonly log: LeaderLog,
    private readonly ordering: Ordering,
    private readonly link: Link<ReplicationMessage>,
    private readonly options: LogServerOptions = {},
  ) {
    this.offs = [
      link.onMessage((message, from) => this.receive(message, from)),
      link.onPeer((event) => {
        if (event.type === 'connected') this.announce(event.peer);
      }),
      log.onDurable((entries) => this.sendEntries(entries, undefined)),
      log.onStepDown(() => this.close()),
    ];
    this.announce();
  }

  /** Announces the leader to `to`, or to every follower. */
  announce(to?: string): void {
    if (!this.closed) this.link.send({ type: 'announce', epoch: this.log.epoch, seq: this.log.durableSeq }, to);
  }

  /** Tells the follower `to` that a call it forwarded failed without an entry. */
  fail(to: string, failure: CallFailure): void {
    if (!this.closed) this.link.send({ type: 'call-failed', ...failure }, to);
  }

  /** Stops serving (the leader stepped down, or the tab leaves). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.offs.splice(0)) off();
  }

  private receive(message: ReplicationMessage, from: string): void {
    if (this.closed) return;
    const { log } = this;
    if ('epoch' in message && message.epoch > log.epoch) {
      log.stepDown(`a newer leader took over (epoch ${message.epoch} > ${log.epoch})`);
      return;
    }
    switch (message.type) {
      case 'announce':
        // A stale leader announced itself: tell it (and everyone) who leads now.
        if (message.epoch < log.epoch) this.announce();
        return;
      case 'hello':
        this.answerHello(from, message.fromSeq, message.snapshot === true).catch((error: unknown) => log.stepDown(`answering a follower failed: ${String(error)}`));
        return;
      case 'calls':
        for (const call of message.calls) {
          const ordered = this.ordering.order(call, from);
          if (ordered.kind === 'failed') this.fail(from, { client: call.client, callId: call.callId, name: ordered.name, message: ordered.message });
          if (ordered.kind === 'refused') this.link.send({ type: 'call-refused', epoch: log.epoch, client: call.client, callId: call.callId, reason: ordered.reason }, from);
          // An entry, a duplicate or a forwarded call is answered by the log the follower replays.
        }
        return;
      default:
        return;
    }
  }

  private sendEntries(entries: readonly LogEntry[], to: string | undefined, afterSeq = entries[0]!.seq - 1): void {
    if (this.closed) return;
    const lastSeq = afterSeq + entries.length;
    const bytes = encodedBatch(entries);
    this.link.send({ type: 'entries', epoch: this.log.epoch, firstSeq: afterSeq + 1, lastSeq, bytes, target: Math.max(lastSeq, this.log.durableSeq) }, to);
  }

  private async answerHello(to: string, fromSeq: number, wantSnapshot: boolean): Promise<void> {
    this.announce(to);
    const { log } = this;
    if (!wantSnapshot && fromSeq >= log.durableSeq) return;
    const tail = wantSnapshot ? undefined : await log.readTail(fromSeq);
    if (this.closed) return;
    if (tail !== undefined && tail.complete) {
      const batch = this.options.catchUpBatch ?? 1000;
      for (let i = 0; i < tail.entries.length; i += batch) this.sendEntries(tail.entries.slice(i, i + batch), to);
      return;
    }
    const snapshot = await log.snapshot();
    if (snapshot === undefined || this.closed) return;
    this.link.send({ type: 'snapshot', epoch: log.epoch, seq: snapshot.seq, chunks: snapshot.chunks, target: log.durableSeq }, to);
  }
}

/**
 * A durable batch's bytes, encoded once: the authority's leading tab serves the same batch on
 * the tab link and on the room's link (both servers get the same array from the log).
 */
const encoded = new WeakMap<readonly LogEntry[], Uint8Array>();
function encodedBatch(entries: readonly LogEntry[]): Uint8Array {
  let bytes = encoded.get(entries);
  if (bytes === undefined) encoded.set(entries, (bytes = encodeEntries(entries)));
  return bytes;
}
