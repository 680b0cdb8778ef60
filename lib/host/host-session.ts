import { serializeError, toLockstepError } from '../errors';
import type { Engine } from '../engine/engine';
import type { LogEntry } from '../log/entry';
import type { QueryEngine, Subscription } from '../query/query-engine';
import type { SubscriptionChange } from '../query/live-plan';
import type { ConnectionId, Identity } from '../schema/type-desc';
import type { Row } from '../store/index-store';
import type { ClientMessage, Durability, HostMessage, QueryDiff, ResultMessage } from './client-protocol';
import { lifecycleCall } from '../lifecycle/calls';
import type { DatabaseHost } from './database-host';
import type { Call, CallResult } from '../replication/pending-calls';

interface Live {
  readonly sql: string;
  subscription: Subscription;
}

/**
 * One connection's side of the host: its durability, its live queries, its
 * calls in flight, and the ordered queue of what it is sent. With `confirmed`
 * durability every message waits for the entry it reports to be durable, in
 * commit order; with `fast` it goes at once.
 *
 * A call is answered by its own entry when this tab applies it (a transaction
 * message for a committed call, an error result for a failed one); the tab's
 * final answer covers the rest (refused before logging, a duplicate, or a call
 * whose entry a resync jumped over).
 */
export class HostSession {
  private durability: Durability = 'confirmed';
  private readonly subscriptions = new Map<number, Live>();
  /** Calls in flight: callId → the request it answers. */
  private readonly calls = new Map<number, number>();
  private pending: QueryDiff[] = [];
  private queue: Promise<void> = Promise.resolve();
  /** The last group of messages waiting on the chain, while it still waits. */
  private tail: { readonly durable: Promise<void>; readonly messages: { readonly message: HostMessage; readonly lost: (() => void) | undefined }[] } | undefined;
  private closed = false;
  private releaseConnection: (() => void) | undefined;
  /** The client that numbers this connection's calls: under its identity, so a room's authority can check who may use it. */
  private readonly client: string;
  /** Set by the devtools (`conn.onCommit`): every applied entry is also sent as a `commit` message. */
  watchingCommits = false;

  constructor(
    private readonly host: DatabaseHost,
    readonly identity: Identity,
    readonly connectionId: ConnectionId,
    readonly send: (message: HostMessage) => void,
  ) {
    this.client = `${identity}/${connectionId}`;
  }

  /** Handles one request, answering a thrown error with an error result. */
  receive(message: ClientMessage): void {
    try {
      this.handle(message);
    } catch (error) {
      this.send(errorResult(message.requestId, error));
    }
  }

  /** Handles one request; throws for {@link receive} to answer with an error result. */
  handle(message: ClientMessage): void {
    const reply = (value?: unknown): ResultMessage => ({ type: 'result', requestId: message.requestId, ok: true, value });
    const fail = (error: unknown): void => this.deliver(RESOLVED, errorResult(message.requestId, error));
    switch (message.type) {
      case 'hello': {
        this.durability = message.durability;
        const greet = (): void => this.deliver(RESOLVED, reply(this.host.describe(this.identity, this.connectionId)));
        this.host.ready().then(async () => {
          // Held while this worker lives: when it is released, the leader knows the connection is gone.
          this.releaseConnection = await this.host.holdConnection(this.connectionId);
          const connected = this.host.engine.module.clientConnected;
          if (connected === undefined) return greet();
          const result = this.host.call(this.lifecycleCall(connected.name, 1));
          // In a room the authority may be out of reach: open at once (offline first); clientConnected runs when it is back.
          if (this.host.inRoom) {
            result.then((r) => void (r.ok || this.send({ type: 'log', level: 'error', reducer: connected.name, message: `clientConnected failed: ${r.message}` })), () => {});
            return greet();
          }
          return result.then((r) => (r.ok ? greet() : fail(failureOf(r))));
        }).catch(fail);
        return;
      }
      case 'call': {
        const { requestId, callId } = message;
        if (this.calls.has(callId)) throw new RangeError(`Call ${callId} of this connection is already in flight`);
        this.calls.set(callId, requestId);
        const call: Call = { client: this.client, callId, reducer: message.reducer, args: message.args, sender: this.identity, connectionId: this.connectionId };
        this.host.call(call).then((result) => this.settle(callId, result), (error: unknown) => this.settle(callId, error));
        return;
      }
      case 'subscribe': {
        const { queries } = this.host;
        const made: [number, Live][] = [];
        try {
          for (const { queryId, sql } of message.queries) {
            if (this.subscriptions.has(queryId)) throw new RangeError(`Query id ${queryId} is already subscribed`);
            made.push([queryId, { sql, subscription: this.subscribeOn(queries, queryId, sql) }]);
          }
        } catch (error) {
          for (const [, live] of made) live.subscription.unsubscribe();
          throw error;
        }
        for (const [queryId, live] of made) this.subscriptions.set(queryId, live);
        const first = made.map(([queryId, { subscription: s }]) => ({ queryId, table: s.table, inserts: s.rows, deletes: [] }));
        const durable = this.host.flush();
        this.deliver(durable, { type: 'applied', requestId: message.requestId, queries: first });
        this.deliver(durable, reply());
        return;
      }
      case 'unsubscribe':
        for (const queryId of message.queryIds) {
          this.subscriptions.get(queryId)?.subscription.unsubscribe();
          this.subscriptions.delete(queryId);
        }
        this.deliver(RESOLVED, reply());
        return;
      case 'sql':
        this.deliver(RESOLVED, reply(this.host.sql(message.sql, this.identity)));
        return;
      case 'inspect':
        this.host.inspect(message.replay === true).then((value) => this.deliver(RESOLVED, reply(value)), fail);
        return;
      case 'close':
        this.close().then(() => this.deliver(this.host.flush(), reply()), fail);
        return;
      case 'watch-commits':
        this.host.checkDevtools('onCommit()');
        this.watchingCommits = message.watch;
        this.deliver(RESOLVED, reply());
        return;
      case 'export':
        this.host.exportDatabase().then((bytes) => this.deliver(RESOLVED, reply(bytes)), fail);
        return;
      case 'import':
        this.host.importDatabase(message.bytes, message.allowReducerChanges === true ? { allowReducerChanges: true } : {}).then((result) => this.deliver(RESOLVED, reply(result)), fail);
        return;
    }
  }

  /** Publishes an applied entry: its part of this session's queries, and the answer when it is this session's call. */
  publish(entry: LogEntry, durable: Promise<void>): void {
    const own = entry.caller !== undefined && entry.caller.client === this.client;
    const callId = entry.caller?.callId ?? 0;
    const requestId = own ? this.calls.get(callId) : undefined;
    // Answered by this entry; should it not become durable, the tab's final answer comes instead.
    const lost = requestId === undefined ? undefined : () => void (this.closed || this.calls.set(callId, requestId));
    if (requestId !== undefined) this.calls.delete(callId);
    if (!entry.outcome.ok) {
      if (requestId !== undefined) this.deliver(durable, { type: 'result', requestId, ok: false, error: { name: entry.outcome.name, message: entry.outcome.message, details: entry.outcome.details ?? {} } }, lost);
      return;
    }
    const queries = this.takePending();
    if (queries.length === 0 && !own) return;
    this.deliver(durable, {
      type: 'transaction',
      seq: entry.seq,
      reducer: entry.reducer,
      sender: entry.sender,
      timestamp: entry.timestamp,
      callId: own ? callId : undefined,
      requestId,
      queries,
    }, lost);
  }

  /**
   * Moves this session's live queries from one engine's query engine to the
   * next one's, and sends the difference between the two results (a role
   * change usually finds the same rows; a resync or a leader that recovered
   * entries this tab had not replayed does not).
   */
  moveQueries(from: QueryEngine, to: QueryEngine, engine: Engine): void {
    const queries = this.takePending();
    for (const [queryId, live] of this.subscriptions) {
      live.subscription.unsubscribe();
      let before: readonly Row[] = [];
      try {
        const probe = from.subscribe(live.sql, { sender: this.identity }, () => {});
        before = probe.rows;
        probe.unsubscribe();
        live.subscription = this.subscribeOn(to, queryId, live.sql);
      } catch (error) {
        this.subscriptions.delete(queryId);
        this.send({ type: 'subscriptionError', queryId, error: serializeError(error) });
        continue;
      }
      const table = engine.store.tables.get(live.subscription.table);
      const diff = table === undefined ? undefined : rowDifference(before, live.subscription.rows, table.compareRows);
      if (diff !== undefined && (diff.inserts.length > 0 || diff.deletes.length > 0)) queries.push({ queryId, table: live.subscription.table, ...diff });
    }
    if (queries.length > 0) this.deliver(RESOLVED, { type: 'refresh', queries });
  }

  /** Ends the session: its live queries stop, then `clientDisconnected` runs for it. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.host.forget(this);
    const disconnected = this.host.engine.module.clientDisconnected;
    if (disconnected === undefined) return;
    const result = await this.host.call(this.lifecycleCall(disconnected.name, 2));
    this.releaseConnection?.();
    if (!result.ok) throw failureOf(result);
  }
  /** The query changes gathered since the last transaction was published. */
  takePending(): QueryDiff[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  /** Ends every live query of this session. */
  dropQueries(): void {
    for (const { subscription } of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
  }

  /** Gives a call the tab's final answer, unless its own entry already answered it. */
  private settle(callId: number, result: CallResult | unknown): void {
    const requestId = this.calls.get(callId);
    if (requestId === undefined) return;
    this.calls.delete(callId);
    const answer = result as CallResult;
    if (typeof answer === 'object' && answer !== null && 'ok' in answer) {
      this.deliver(RESOLVED, answer.ok ? { type: 'result', requestId, ok: true } : { type: 'result', requestId, ok: false, error: failureOf(answer) });
    } else this.deliver(RESOLVED, errorResult(requestId, result));
  }

  private subscribeOn(queries: QueryEngine, queryId: number, sql: string): Subscription {
    return queries.subscribe(sql, { sender: this.identity }, (change) => this.pending.push(toQueryDiff(queryId, change)));
  }

  private lifecycleCall(reducer: string, callId: 1 | 2): Call {
    return lifecycleCall(this.connectionId, this.identity, reducer, callId);
  }

  /**
   * Sends `message` once `durable` resolves (confirmed) or at once (fast), in
   * order. Messages waiting for the same durable batch go out together, on one
   * link of the chain.
   */
  deliver(durable: Promise<void>, message: HostMessage, lost?: () => void): void {
    if (this.durability === 'fast') {
      this.send(message);
      return;
    }
    const tail = this.tail;
    if (tail !== undefined && tail.durable === durable) {
      tail.messages.push({ message, lost });
      return;
    }
    const group = { durable, messages: [{ message, lost }] };
    this.tail = group;
    this.queue = this.queue
      .then(() => durable)
      .then(
        () => {
          if (this.tail === group) this.tail = undefined;
          for (const { message: m } of group.messages) this.send(m);
        },
        (error: unknown) => {
          if (this.tail === group) this.tail = undefined;
          // Not durable: nothing may be reported as done. A call's own entry was lost with its leader: the tab
          // resubmits it and its final answer comes later; anything else is answered with the error.
          for (const { message: m, lost: again } of group.messages) {
            if (again !== undefined) again();
            else if (m.type === 'result') this.send(errorResult(m.requestId, error));
          }
        },
      );
  }
}

const RESOLVED: Promise<void> = Promise.resolve();

function errorResult(requestId: number, error: unknown): ResultMessage {
  const serialized = typeof error === 'object' && error !== null && 'details' in error && 'name' in error && !(error instanceof Error) ? (error as ReturnType<typeof serializeError>) : serializeError(toLockstepError(error));
  return { type: 'result', requestId, ok: false, error: serialized };
}

/** The rows only in `before` (deletes) and only in `after` (inserts), by whole-row order. */
function rowDifference(before: readonly Row[], after: readonly Row[], compare: (a: Row, b: Row) => number): { inserts: Row[]; deletes: Row[] } {
  const a = [...before].sort(compare);
  const b = [...after].sort(compare);
  const inserts: Row[] = [];
  const deletes: Row[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const order = i === a.length ? 1 : j === b.length ? -1 : compare(a[i]!, b[j]!);
    if (order === 0) (i++, j++);
    else if (order < 0) deletes.push(a[i++]!);
    else inserts.push(b[j++]!);
  }
  return { inserts, deletes };
}

function toQueryDiff(queryId: number, change: SubscriptionChange): QueryDiff {
  const inserts = change.updates.length === 0 ? change.inserts : [...change.inserts, ...change.updates.map((u) => u.new)];
  const deletes = change.updates.length === 0 ? change.deletes : [...change.deletes, ...change.updates.map((u) => u.old)];
  return { queryId, table: change.table, inserts, deletes };
}

/** The error a failed call's answer stands for, as the client protocol carries it. */
function failureOf(result: Extract<CallResult, { ok: false }>): ReturnType<typeof serializeError> {
  return { name: result.name, message: result.message, details: result.details ?? {} };
}
