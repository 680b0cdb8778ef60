/**
 * The worker's side of {@link HostApi}: each comlink method becomes one request
 * message to the connection's session, and the session's `result` for it
 * becomes the method's {@link Answer}. Everything else the session sends goes
 * out on the stream port, counted, as do the answers to calls, which come in on
 * that port. The session's order (a `confirmed` session holds every message
 * until its entry is durable) is kept: an answer is given when the session
 * would have sent its result, with the count of stream messages before it.
 */
import { InternalError, serializeError, toLockstepError, type LockstepError } from '../errors';
import type { Answer, ClientMessage, HelloRequest, HostApi, HostMessage } from './client-protocol';

/** What {@link hostApi} needs from the worker. */
export interface HostApiDeps {
  /** Opens the session of the first hello; `send` delivers its messages. Resolves with the session's `receive`. */
  open(hello: HelloRequest, send: (message: HostMessage) => void): Promise<(message: ClientMessage) => void>;
  /** The page's port for the room this tab asked it to join. */
  roomJoined(port: MessagePort): void;
}

/**
 * The requests of one connection, to pass to comlink's `expose`.
 * @example
 * expose(hostApi({ open, roomJoined }), self);
 */
export function hostApi(deps: HostApiDeps): HostApi {
  let session: Promise<(message: ClientMessage) => void> | undefined;
  let stream: MessagePort | undefined;
  let streamed = 0;
  const answers = new Map<number, (answer: Answer<unknown>) => void>();
  // Requests of this layer count down, apart from the calls' ids, which the page numbers from 1.
  let nextRequestId = -1;

  const send = (message: HostMessage): void => {
    const answer = message.type === 'result' ? answers.get(message.requestId) : undefined;
    if (message.type !== 'result' || answer === undefined) {
      // Counted once posted: a message that cannot be sent must not hold up the answers after it.
      stream?.postMessage(message);
      streamed++;
      return;
    }
    answers.delete(message.requestId);
    answer(message.ok ? { ok: true, value: message.value, streamed } : { ok: false, error: message.error });
  };
  /** Hands `message` to the session once it is open; an open that failed answers it with the failure. */
  const deliver = (opened: Promise<(message: ClientMessage) => void>, message: ClientMessage): void => {
    opened.then(
      (receive) => receive(message),
      (error: unknown) => send({ type: 'result', requestId: message.requestId, ok: false, error: serializeError(toLockstepError(error)) }),
    );
  };
  const ask = <T>(build: (requestId: number) => ClientMessage): Promise<Answer<T>> => {
    if (session === undefined) return Promise.resolve(refusal(new InternalError('The first request of a connection must be hello')));
    const message = build(nextRequestId--);
    const answered = new Promise<Answer<T>>((resolve) => answers.set(message.requestId, resolve as (answer: Answer<unknown>) => void));
    deliver(session, message);
    return answered;
  };
  const onCall = (event: MessageEvent<ClientMessage>): void => {
    const message = event.data as ClientMessage | null;
    // Only calls travel on the stream; anything else from it is not the page's connection.
    if (session !== undefined && typeof message === 'object' && message !== null && message.type === 'call') deliver(session, message);
  };

  return {
    hello(request, port) {
      if (session !== undefined) return Promise.resolve(refusal(new InternalError('This connection already said hello')));
      stream = port;
      port.addEventListener('message', onCall);
      port.start();
      const hello: HelloRequest = { type: 'hello', requestId: 0, ...request };
      session = deps.open(hello, send);
      return ask((requestId) => ({ ...hello, requestId }));
    },
    subscribe: (request) => ask((requestId) => ({ type: 'subscribe', requestId, ...request })),
    unsubscribe: (request) => ask((requestId) => ({ type: 'unsubscribe', requestId, ...request })),
    sql: (request) => ask((requestId) => ({ type: 'sql', requestId, ...request })),
    inspect: (request) => ask((requestId) => ({ type: 'inspect', requestId, ...request })),
    watchCommits: (request) => ask((requestId) => ({ type: 'watch-commits', requestId, ...request })),
    exportDatabase: () => ask((requestId) => ({ type: 'export', requestId })),
    importDatabase: (request) => ask((requestId) => ({ type: 'import', requestId, ...request })),
    close: () => ask((requestId) => ({ type: 'close', requestId })),
    roomJoined: (port) => deps.roomJoined(port),
  };
}

function refusal(error: LockstepError): Answer<never> {
  return { ok: false, error: serializeError(error) };
}
