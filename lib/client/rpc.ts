/**
 * The request layer of one connection, on the page's side of the client protocol.
 *
 * Requests (hello, subscribe, sql, inspect, export, import, close…) are comlink
 * method calls on the worker ({@link HostApi}). Calls are the hot path: each is
 * one plain message on the stream port that hello hands the worker, answered by
 * the transaction (or `result`) the host pushes back on it with everything else
 * (query results, status, log lines). A comlink call would add its own reply
 * to each call: `npm run bench -- comlink` measures what that costs.
 *
 * `hello` goes first; every later request and call waits in a queue until the
 * host has answered it, then goes out in the order it was made.
 */
import { transfer, wrap, type Endpoint, type Remote } from 'comlink';
import { ClosedError, deserializeError, InternalError } from '../errors';
import type { Answer, CallRequestMessage, Durability, HelloRequest, HelloResult, HostApi, HostMessage } from '../host/client-protocol';
import type { MessagePortLike } from './options';
import { reportError } from './report-error';

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type PortEvent = { readonly data?: unknown; readonly message?: unknown };
type Listener = (event: PortEvent) => void;

/** The request layer of one connection. */
export class Rpc {
  readonly #port: MessagePortLike;
  readonly #database: string;
  readonly #remote: Remote<HostApi>;
  /** The page's end of the stream; the worker's end goes with hello. */
  readonly #stream: MessagePort;
  readonly #streamEnd: MessagePort;
  /** Listeners on the worker (comlink's and ours), removed at shutdown. */
  readonly #listeners: [type: 'message' | 'error', listener: Listener][] = [];
  /** Requests and calls waiting for an answer. */
  readonly #pending = new Set<Pending>();
  /** Calls on the stream, by request id. */
  readonly #calls = new Map<number, Pending>();
  /** Answers waiting for the stream to catch up: resolved once `streamed` messages were handled. */
  readonly #behind: { readonly streamed: number; readonly resolve: () => void }[] = [];
  #handled = 0;
  #queue: (() => void)[] | undefined = [];
  #nextCallRequestId = 1;
  #closing = false;
  #closed: Promise<void> | undefined;
  #shutDown = false;

  /** @param onMessage - receives every stream message that is not a call's `result` */
  constructor(port: MessagePortLike, database: string, private readonly onMessage: (message: HostMessage) => void) {
    this.#port = port;
    this.#database = database;
    const endpoint: Endpoint = {
      postMessage: (message: unknown, transfer?: Transferable[]) => port.postMessage(message, transfer ?? []),
      addEventListener: (type: string, listener: EventListenerOrEventListenerObject) => this.#listen(type as 'message', listener as unknown as Listener),
      removeEventListener: () => {},
    };
    this.#remote = wrap<HostApi>(endpoint);
    this.#listen('error', (event) => this.#workerFailed(event));
    const channel = new MessageChannel();
    this.#stream = channel.port1;
    this.#streamEnd = channel.port2;
    this.#stream.onmessage = (event: MessageEvent) => this.#receive(event.data as HostMessage);
  }

  /** True once `close()` was called or the connection failed. */
  get closing(): boolean {
    return this.#closing;
  }

  /** The error of calls on a closed connection. */
  closedError(): ClosedError {
    return new ClosedError(`The connection to database "${this.#database}" is closed; call connect() to open a new one`);
  }

  /** Sends `hello` (naming the database to open) at once; resolves with the host's answer. Call {@link Rpc.open} after handling it. */
  hello(durability: Durability, room?: HelloRequest['room']): Promise<HelloResult> {
    const request = { database: this.#database, durability, ...(room === undefined ? {} : { room }) };
    return this.#ask((host) => host.hello(request, transfer(this.#streamEnd, [this.#streamEnd])));
  }

  /** Hands the worker the port of the room it asked to join (not answered). */
  roomJoined(port: MessagePort): void {
    if (!this.#closing) void this.#remote.roomJoined(transfer(port, [port]));
  }

  /** Sends the queued requests, in order, and every later request at once. */
  open(): void {
    const queue = this.#queue ?? [];
    this.#queue = undefined;
    for (const send of queue) send();
  }

  /** Makes one request (or queues it until {@link Rpc.open}) and resolves with its value. */
  request<T>(ask: (host: Remote<HostApi>) => Promise<Answer<T>>): Promise<T> {
    return this.#whenOpen((resolve, reject) => this.#ask(ask).then(resolve, reject));
  }

  /**
   * Sends one call on the stream (or queues it until {@link Rpc.open}); resolves
   * when its transaction or result arrives. `build` runs when the call is sent; a throw rejects.
   */
  call(build: (requestId: number) => CallRequestMessage): Promise<void> {
    return this.#whenOpen<void>((resolve, reject) => {
      const message = build(this.#nextCallRequestId);
      this.#nextCallRequestId++;
      const pending = this.#track({ resolve: resolve as (value: unknown) => void, reject });
      this.#calls.set(message.requestId, pending);
      try {
        this.#stream.postMessage(message);
      } catch (error) {
        this.#settle(message.requestId);
        reject(error);
      }
    });
  }

  /** Sends `close`, rejects every pending and queued request with a {@link ClosedError}, and resolves once the host has answered. */
  close(): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    if (this.#shutDown) return (this.#closed = Promise.resolve());
    this.fail(this.closedError());
    const answer = this.#remote.close({}).then((a) => (a.ok ? undefined : Promise.reject(deserializeError(a.error))));
    this.#closed = answer.finally(() => this.shutdown());
    return this.#closed;
  }

  /** Ends the connection without a `close` request: rejects everything pending and every later request. */
  fail(error: unknown): void {
    this.#closing = true;
    const pending = [...this.#pending];
    this.#pending.clear();
    this.#calls.clear();
    this.#queue = undefined;
    for (const p of pending) p.reject(error);
  }

  /** Stops listening and terminates the worker. */
  shutdown(): void {
    if (this.#shutDown) return;
    this.#shutDown = true;
    this.#closing = true;
    for (const [type, listener] of this.#listeners) this.#port.removeEventListener(type, listener);
    this.#listeners.length = 0;
    this.#stream.close();
    this.#port.terminate?.();
  }

  /** Runs `send` now, or once hello is answered; rejects on a closed connection. */
  #whenOpen<T>(send: (resolve: (value: T) => void, reject: (error: unknown) => void) => void): Promise<T> {
    if (this.#closing) return Promise.reject(this.closedError());
    return new Promise<T>((resolve, reject) => {
      const pending = this.#track({ resolve: resolve as (value: unknown) => void, reject });
      const go = (): void => {
        try {
          send((value) => (this.#pending.delete(pending), resolve(value)), (error) => (this.#pending.delete(pending), reject(error)));
        } catch (error) {
          this.#pending.delete(pending);
          reject(error);
        }
      };
      if (this.#queue !== undefined) this.#queue.push(go);
      else go();
    });
  }

  /** One comlink request: its value once the stream messages sent before it were handled, or its error. */
  #ask<T>(ask: (host: Remote<HostApi>) => Promise<Answer<T>>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending = this.#track({ resolve: resolve as (value: unknown) => void, reject });
      const settle = (answer: Answer<T>): void => {
        if (!this.#pending.delete(pending)) return;
        if (!answer.ok) return reject(deserializeError(answer.error));
        if (this.#handled >= answer.streamed) return resolve(answer.value);
        this.#behind.push({ streamed: answer.streamed, resolve: () => resolve(answer.value) });
      };
      ask(this.#remote).then(settle, (error: unknown) => this.#pending.delete(pending) && reject(error));
    });
  }

  #track(pending: Pending): Pending {
    this.#pending.add(pending);
    return pending;
  }

  #settle(requestId: number): Pending | undefined {
    const pending = this.#calls.get(requestId);
    this.#calls.delete(requestId);
    if (pending !== undefined) this.#pending.delete(pending);
    return pending;
  }

  #listen(type: 'message' | 'error', listener: Listener): void {
    this.#listeners.push([type, listener]);
    this.#port.addEventListener(type, listener);
  }

  #receive(message: HostMessage): void {
    try {
      if (message.type === 'result') {
        const pending = this.#settle(message.requestId);
        if (message.ok) pending?.resolve(undefined);
        else pending?.reject(deserializeError(message.error));
      } else {
        if (!this.#closing) this.onMessage(message);
        // The transaction of an own committed call answers the call: settle it after the cache and callbacks saw it.
        if (message.type === 'transaction' && message.requestId !== undefined) this.#settle(message.requestId)?.resolve(undefined);
      }
    } finally {
      // Counted even when handling it threw: the answers waiting for the stream must not wait forever.
      this.#countHandled();
    }
  }

  #countHandled(): void {
    this.#handled++;
    for (const waiting of this.#behind.filter((w) => w.streamed <= this.#handled)) {
      this.#behind.splice(this.#behind.indexOf(waiting), 1);
      waiting.resolve();
    }
  }

  #workerFailed(event: PortEvent): void {
    const reason = typeof event.message === 'string' && event.message !== '' ? event.message : 'the worker script failed to load or threw at startup';
    const error = new InternalError(`The worker of database "${this.#database}" failed: ${reason}`);
    if (this.#queue === undefined || this.#closing) return reportError(error);
    // Before hello is answered: a worker that failed to load never will be, so fail the connection instead of hanging.
    this.fail(error);
    this.shutdown();
  }
}
