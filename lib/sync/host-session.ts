import { serializeError, toLockstepError } from '../errors';
import type { Subscription } from '../query/query-engine';
import type { SubscriptionChange } from '../query/live-plan';
import type { ConnectionId, Identity } from '../schema/type-desc';
import type { ClientMessage, Durability, HostMessage, QueryDiff, ResultMessage } from './client-protocol';
import type { DatabaseHost } from './database-host';

/**
 * One connection's side of the host: its durability, its live queries, and the
 * ordered queue of what it is sent. With `confirmed` durability every message
 * waits for the entry it reports to be durable, in commit order; with `fast`
 * it goes at once.
 */
export class HostSession {
  private durability: Durability = 'confirmed';
  private readonly subscriptions = new Map<number, Subscription>();
  private pending: QueryDiff[] = [];
  private queue: Promise<void> = Promise.resolve();
  /** The last group of messages waiting on the chain, while it still waits. */
  private tail: { readonly durable: Promise<void>; readonly messages: HostMessage[] } | undefined;

  constructor(
    private readonly host: DatabaseHost,
    readonly identity: Identity,
    readonly connectionId: ConnectionId,
    readonly send: (message: HostMessage) => void,
  ) {}

  /** Handles one request; throws for the caller to answer with an error result. */
  handle(message: ClientMessage): void {
    const reply = (value?: unknown): ResultMessage => ({ type: 'result', requestId: message.requestId, ok: true, value });
    switch (message.type) {
      case 'hello': {
        this.durability = message.durability;
        const connected = this.host.db.engine.module.clientConnected;
        if (connected !== undefined) {
          const submitted = this.host.submit({ reducer: connected.name, args: {}, sender: this.identity, connectionId: this.connectionId, internal: true }, this);
          if (!submitted.outcome.ok) throw submitted.outcome.error;
          this.deliver(submitted.durable, reply(this.host.describe(this.identity, this.connectionId)));
        } else this.deliver(this.host.db.flush(), reply(this.host.describe(this.identity, this.connectionId)));
        return;
      }
      case 'call': {
        const submitted = this.host.submit(
          { reducer: message.reducer, args: message.args, sender: this.identity, connectionId: this.connectionId, caller: { client: this.connectionId, callId: message.callId } },
          this,
          message.requestId,
        );
        const { outcome } = submitted;
        // A committed call was answered by its transaction message; failures and duplicates get a result.
        if (outcome.ok && submitted.entry !== undefined) return;
        this.deliver(submitted.durable, outcome.ok ? reply() : { type: 'result', requestId: message.requestId, ok: false, error: serializeError(outcome.error) });
        return;
      }
      case 'subscribe': {
        const made: [number, Subscription][] = [];
        try {
          for (const { queryId, sql } of message.queries) {
            if (this.subscriptions.has(queryId)) throw new RangeError(`Query id ${queryId} is already subscribed`);
            made.push([queryId, this.host.queries.subscribe(sql, { sender: this.identity }, (change) => this.pending.push(toQueryDiff(queryId, change)))]);
          }
        } catch (error) {
          for (const [, subscription] of made) subscription.unsubscribe();
          throw error;
        }
        for (const [queryId, subscription] of made) this.subscriptions.set(queryId, subscription);
        const queries = made.map(([queryId, s]) => ({ queryId, table: s.table, inserts: s.rows, deletes: [] }));
        const durable = this.host.db.flush();
        this.deliver(durable, { type: 'applied', requestId: message.requestId, queries });
        this.deliver(durable, reply());
        return;
      }
      case 'unsubscribe':
        for (const queryId of message.queryIds) {
          this.subscriptions.get(queryId)?.unsubscribe();
          this.subscriptions.delete(queryId);
        }
        this.deliver(Promise.resolve(), reply());
        return;
      case 'sql':
        this.deliver(Promise.resolve(), reply(this.host.sql(message.sql, this.identity)));
        return;
      case 'inspect':
        this.host.inspect(message.replay === true).then(
          (value) => this.deliver(Promise.resolve(), reply(value)),
          (error: unknown) => this.deliver(Promise.resolve(), { type: 'result', requestId: message.requestId, ok: false, error: serializeError(toLockstepError(error)) }),
        );
        return;
      case 'close':
        this.host.disconnect(this);
        this.deliver(this.host.db.flush(), reply());
        return;
    }
  }

  /** The query changes gathered since the last transaction was published. */
  takePending(): QueryDiff[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  /** Ends every live query of this session. */
  dropQueries(): void {
    for (const subscription of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
  }

  /**
   * Sends `message` once `durable` resolves (confirmed) or at once (fast), in
   * order. Messages waiting for the same durable batch go out together, on one
   * link of the chain.
   */
  deliver(durable: Promise<void>, message: HostMessage): void {
    if (this.durability === 'fast') {
      this.send(message);
      return;
    }
    const tail = this.tail;
    if (tail !== undefined && tail.durable === durable) {
      tail.messages.push(message);
      return;
    }
    const group = { durable, messages: [message] };
    this.tail = group;
    this.queue = this.queue
      .then(() => durable)
      .then(
        () => {
          if (this.tail === group) this.tail = undefined;
          for (const m of group.messages) this.send(m);
        },
        (error: unknown) => {
          if (this.tail === group) this.tail = undefined;
          // Not durable: a call must not be reported as done.
          for (const m of group.messages) {
            const requestId = m.type === 'result' || m.type === 'transaction' ? m.requestId : undefined;
            if (requestId !== undefined) this.send({ type: 'result', requestId, ok: false, error: serializeError(toLockstepError(error)) });
          }
        },
      );
  }
}

function toQueryDiff(queryId: number, change: SubscriptionChange): QueryDiff {
  const inserts = change.updates.length === 0 ? change.inserts : [...change.inserts, ...change.updates.map((u) => u.new)];
  const deletes = change.updates.length === 0 ? change.deletes : [...change.deletes, ...change.updates.map((u) => u.old)];
  return { queryId, table: change.table, inserts, deletes };
}
