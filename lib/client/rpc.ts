/**
 * Request / response over a {@link MessagePortLike}, speaking the client protocol.
 *
 * Hand-rolled rather than comlink: the protocol is already plain messages with
 * request ids, so each call is exactly one `postMessage` each way, with no proxy
 * objects, no per-call wrapper messages and no extra dependency in the client bundle.
 *
 * `hello` goes first; every later request waits in a queue until the host has
 * answered it, then goes out in the order it was made.
 */
import { ClosedError, deserializeError, InternalError } from '../errors';
import type { ClientMessage, Durability, HelloRequest, HelloResult, HostMessage } from '../host/client-protocol';
import type { MessagePortLike } from './options';
import { reportError } from './report-error';

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Queued {
  send(): void;
  reject(error: unknown): void;
}

type PortEvent = { readonly data?: unknown; readonly message?: unknown };

/** The request layer of one connection. */
export class Rpc {
  readonly #port: MessagePortLike;
  readonly #database: string;
  readonly #pending = new Map<number, Pending>();
  #queue: Queued[] | undefined = [];
  #nextRequestId = 1;
  #closing = false;
  #closed: Promise<void> | undefined;
  #shutDown = false;
  readonly #onMessage = (event: PortEvent): void => this.#receive(event.data as HostMessage);
  readonly #onError = (event: PortEvent): void => this.#workerFailed(event);

  /** @param onMessage - receives every host message that is not a `result` */
  constructor(port: MessagePortLike, database: string, private readonly onMessage: (message: HostMessage) => void) {
    this.#port = port;
    this.#database = database;
    port.addEventListener('message', this.#onMessage);
    port.addEventListener('error', this.#onError);
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
    return new Promise<HelloResult>((resolve, reject) => {
      const requestId = this.#nextRequestId++;
      this.#pending.set(requestId, { resolve: resolve as (value: unknown) => void, reject });
      this.#post({ type: 'hello', requestId, database: this.#database, durability, ...(room === undefined ? {} : { room }) }, requestId, reject);
    });
  }

  /** Posts a message that is not a request (nothing answers it), transferring `transfer`. */
  tell(message: ClientMessage, transfer: Transferable[]): void {
    if (this.#closing) return;
    (this.#port.postMessage as (message: unknown, transfer: Transferable[]) => void)(message, transfer);
  }

  /** Sends the queued requests, in order, and every later request at once. */
  open(): void {
    const queue = this.#queue ?? [];
    this.#queue = undefined;
    for (const queued of queue) queued.send();
  }

  /**
   * Sends one request (or queues it until {@link Rpc.open}) and resolves with the
   * host's result value. `build` runs when the request is sent; a throw rejects.
   */
  request<T>(build: (requestId: number) => ClientMessage): Promise<T> {
    if (this.#closing) return Promise.reject(this.closedError());
    return new Promise<T>((resolve, reject) => {
      const send = (): void => {
        let message: ClientMessage;
        try {
          message = build(this.#nextRequestId);
        } catch (error) {
          reject(error);
          return;
        }
        this.#nextRequestId++;
        this.#pending.set(message.requestId, { resolve: resolve as (value: unknown) => void, reject });
        this.#post(message, message.requestId, reject);
      };
      if (this.#queue !== undefined) this.#queue.push({ send, reject });
      else send();
    });
  }

  /** Sends `close`, rejects every pending and queued request with a {@link ClosedError}, and resolves once the host has answered. */
  close(): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    if (this.#shutDown) return (this.#closed = Promise.resolve());
    this.fail(this.closedError());
    const requestId = this.#nextRequestId++;
    this.#closed = new Promise<void>((resolve, reject) => {
      const done = (error?: unknown): void => {
        this.shutdown();
        if (error === undefined) resolve();
        else reject(error);
      };
      this.#pending.set(requestId, { resolve: () => done(), reject: done });
      this.#post({ type: 'close', requestId }, requestId, done);
    });
    return this.#closed;
  }

  /** Ends the connection without a `close` message: rejects everything pending and every later request. */
  fail(error: unknown): void {
    this.#closing = true;
    const pending = [...this.#pending.values()];
    const queued = this.#queue ?? [];
    this.#pending.clear();
    this.#queue = undefined;
    for (const p of pending) p.reject(error);
    for (const q of queued) q.reject(error);
  }

  /** Stops listening and terminates the worker. */
  shutdown(): void {
    if (this.#shutDown) return;
    this.#shutDown = true;
    this.#closing = true;
    this.#port.removeEventListener('message', this.#onMessage);
    this.#port.removeEventListener('error', this.#onError);
    this.#port.terminate?.();
  }

  #post(message: ClientMessage, requestId: number, reject: (error: unknown) => void): void {
    try {
      this.#port.postMessage(message);
    } catch (error) {
      this.#pending.delete(requestId);
      reject(error);
    }
  }

  #receive(message: HostMessage): void {
    if (message.type !== 'result') {
      if (!this.#closing) this.onMessage(message);
      // The transaction of an own committed call answers the call: settle it after the cache and callbacks saw it.
      if (message.type === 'transaction' && message.requestId !== undefined) {
        const answered = this.#pending.get(message.requestId);
        this.#pending.delete(message.requestId);
        answered?.resolve(undefined);
      }
      return;
    }
    const pending = this.#pending.get(message.requestId);
    if (pending === undefined) return;
    this.#pending.delete(message.requestId);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(deserializeError(message.error));
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
