// An in-process stand-in for the worker host that speaks the client protocol.
// Tests script it: await what the client sent, then answer. The client's side is
// real: comlink requests over a MessageChannel, served by the worker's own
// hostApi, and calls and host messages on the stream port hello brings.
import { expose } from 'comlink';
import { MessageChannel } from 'node:worker_threads';
import { serializeError, type LockstepError } from '../errors';
import { hostApi } from '../host/host-api';
import { loadModule } from '../schema/module';
import type { ConnectionId, Identity } from '../schema/type-desc';
import { Identity as IdentityClass } from '../values/identity';
import type { ClientMessage, HelloResult, HostMessage, SubscribeRequest, TransactionMessage, WireRow } from '../host/client-protocol';
import { connect, type Connection } from './connection';
import type { MessagePortLike } from './options';
import type { SubscriptionHandle } from './subscription';

type Listener = (event: { readonly data?: unknown; readonly message?: unknown }) => void;
type Request<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

/** One query's rows in a scripted transaction; `table` defaults to the table its SQL names. */
export interface ScriptedDiff {
  readonly queryId: number;
  readonly table?: string;
  readonly inserts?: readonly WireRow[];
  readonly deletes?: readonly WireRow[];
}

export const HOST_IDENTITY = 'a'.repeat(64) as Identity;
export const OTHER_IDENTITY = 'c'.repeat(64) as Identity;

/** A scripted host. `port` is what the client's `worker()` returns. */
export class FakeHost {
  /** Every message the client sent, in order. */
  readonly received: ClientMessage[] = [];
  readonly helloResult: HelloResult;
  terminated = false;
  readonly port: MessagePortLike;
  private readonly errorListeners = new Set<Listener>();
  private readonly messageListeners = new Set<Listener>();
  private readonly consumed = new Set<ClientMessage>();
  private readonly waiters: { type: string; resolve: (m: ClientMessage) => void }[] = [];
  private readonly tableOfQuery = new Map<number, string>();
  private seq = 0;
  /** The host side's sender: requests' answers and the stream. */
  private stream: (message: HostMessage) => void = () => {};

  /** @param answerHello - answer `hello` with {@link FakeHost.helloResult} as soon as it arrives (default true) */
  constructor(module: object, private readonly answerHello = true) {
    const def = loadModule(module as Record<string, unknown>);
    this.helloResult = {
      identity: HOST_IDENTITY,
      connectionId: 'b'.repeat(32) as ConnectionId,
      tables: def.tables,
      reducers: [...def.reducers.values()].map(({ name, kind, params }) => ({ name, kind, params })),
      status: { role: 'leader', epoch: 1, leader: 'fake-tab', lag: 0, seq: 0 },
    };
    const { port1, port2 } = new MessageChannel();
    port1.unref();
    port2.unref();
    const open = (_hello: unknown, send: (message: HostMessage) => void): Promise<(message: ClientMessage) => void> => {
      this.stream = send;
      return Promise.resolve((message: ClientMessage) => this.receive(message));
    };
    expose(hostApi({ open, roomJoined: () => {} }), port1 as unknown as Parameters<typeof expose>[1]);
    this.port = {
      postMessage: (message, transfer?: Transferable[]) => port2.postMessage(message, transfer as never),
      addEventListener: (type, listener) => {
        if (type === 'error') return void this.errorListeners.add(listener);
        this.messageListeners.add(listener);
        port2.addEventListener('message', listener as never);
      },
      removeEventListener: (type, listener) => {
        if (type === 'error') return void this.errorListeners.delete(listener);
        this.messageListeners.delete(listener);
        port2.removeEventListener('message', listener as never);
      },
      terminate: () => {
        this.terminated = true;
        port1.close();
      },
    };
  }

  /** The next message of this type the client sent that no earlier `next` returned. */
  next<T extends ClientMessage['type']>(type: T): Promise<Request<T>> {
    const found = this.received.find((m) => m.type === type && !this.consumed.has(m));
    if (found !== undefined) {
      this.consumed.add(found);
      return Promise.resolve(found as Request<T>);
    }
    return new Promise((resolve) => this.waiters.push({ type, resolve: resolve as (m: ClientMessage) => void }));
  }

  /** Sends a host message to the client: on the stream, or as the answer to a request. */
  send(message: HostMessage): void {
    this.stream(structuredClone(message));
  }

  /** Answers a request successfully. */
  reply(request: { readonly requestId: number }, value?: unknown): void {
    this.send(value === undefined ? { type: 'result', requestId: request.requestId, ok: true } : { type: 'result', requestId: request.requestId, ok: true, value });
  }

  /** Answers a request with an error. */
  refuse(request: { readonly requestId: number }, error: LockstepError): void {
    this.send({ type: 'result', requestId: request.requestId, ok: false, error: serializeError(error) });
  }

  /** Sends each query's first rows (`rows[i]` for query i), then accepts the subscription. */
  applied(request: SubscribeRequest, rows: readonly (readonly WireRow[])[]): void {
    const queries = request.queries.map(({ queryId }, i) => ({ queryId, table: this.tableOf(queryId), inserts: rows[i] ?? [], deletes: [] }));
    this.send({ type: 'applied', requestId: request.requestId, queries });
    this.reply(request);
  }

  /** Sends a committed transaction. */
  commit(diffs: readonly ScriptedDiff[], fields: Partial<Omit<TransactionMessage, 'type' | 'queries'>> = {}): void {
    this.send({
      type: 'transaction',
      seq: fields.seq ?? ++this.seq,
      reducer: fields.reducer ?? 'set_gold',
      sender: fields.sender ?? OTHER_IDENTITY,
      timestamp: fields.timestamp ?? 1_767_225_600_000_000n,
      callId: fields.callId,
      requestId: fields.requestId,
      queries: diffs.map((d) => ({ queryId: d.queryId, table: d.table ?? this.tableOf(d.queryId), inserts: d.inserts ?? [], deletes: d.deletes ?? [] })),
    });
  }

  /** Commits a client's call like a host: its transaction message answers the call. */
  answerCall(call: Request<'call'>, diffs: readonly ScriptedDiff[] = []): void {
    this.commit(diffs, { reducer: call.reducer, callId: call.callId, requestId: call.requestId, sender: HOST_IDENTITY });
  }

  /** Fires the worker's `error` event, as a failed worker script does. */
  crash(message: string): void {
    queueMicrotask(() => {
      for (const listener of [...this.errorListeners]) listener({ message });
    });
  }

  /** Number of listeners the client has on the worker. */
  listenerCount(): number {
    return this.errorListeners.size + this.messageListeners.size;
  }

  private receive(message: ClientMessage): void {
    this.received.push(message);
    if (message.type === 'subscribe') for (const q of message.queries) this.tableOf(q.queryId, q.sql);
    if (message.type === 'hello' && this.answerHello) {
      this.consumed.add(message);
      this.reply(message, this.helloResult);
      return;
    }
    const i = this.waiters.findIndex((w) => w.type === message.type);
    if (i >= 0) {
      this.consumed.add(message);
      this.waiters.splice(i, 1)[0]!.resolve(message);
    }
  }

  private tableOf(queryId: number, sql?: string): string {
    if (sql !== undefined) this.tableOfQuery.set(queryId, /\bfrom\s+(\w+)/i.exec(sql)?.[1] ?? '?');
    return this.tableOfQuery.get(queryId) ?? '?';
  }

}

/** A 64-hex-digit identity for test rows. */
/** A wire row with an `owner` hex identity as `conn.db` gives it back: with an {@link IdentityClass}. */
export function withOwner<R extends { readonly owner: string }>(row: R): Omit<R, 'owner'> & { owner: IdentityClass } {
  return { ...row, owner: new IdentityClass(row.owner) };
}

export function identity(n: number): Identity {
  return n.toString(16).padStart(64, '0') as Identity;
}

/** Starts a fake host for `module` and connects to it. */
export async function connectFake<M extends object>(module: M, options: { readonly durability?: 'confirmed' | 'fast' } = {}): Promise<{ host: FakeHost; conn: Connection<M> }> {
  const host = new FakeHost(module);
  const conn = await connect<M>({ database: 'game', worker: () => host.port, ...options });
  return { host, conn };
}

/** Subscribes and answers with the given first rows; resolves once applied. */
export async function subscribeFake<M>(host: FakeHost, conn: Connection<M>, sql: string | readonly string[], rows: readonly (readonly WireRow[])[] = []): Promise<{ handle: SubscriptionHandle; request: SubscribeRequest }> {
  const handle = conn.subscribe(sql);
  const request = await host.next('subscribe');
  host.applied(request, rows);
  await handle.applied;
  return { handle, request };
}
