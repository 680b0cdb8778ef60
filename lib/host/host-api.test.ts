import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { NotFoundError, serializeError } from '../errors';
import type { ClientMessage, HostMessage } from './client-protocol';
import { hostApi } from './host-api';

/** A host api over a scripted session that records what it receives. */
function scripted(answer: (message: ClientMessage, send: (message: HostMessage) => void) => void, open: 'ok' | 'fail' = 'ok') {
  const received: ClientMessage[] = [];
  const api = hostApi({
    open: (_hello, send) =>
      open === 'fail'
        ? Promise.reject(new NotFoundError('No database named "game"'))
        : Promise.resolve((message: ClientMessage) => {
            received.push(message);
            answer(message, send);
          }),
    roomJoined: () => {},
  });
  const { port1: page, port2: worker } = new MessageChannel();
  const streamed: HostMessage[] = [];
  page.on('message', (message: HostMessage) => streamed.push(message));
  return { api, received, page, worker: worker as unknown as MessagePort, streamed };
}

const HELLO = { database: 'game', durability: 'fast' } as const;

describe('hostApi', () => {
  it('answers a request with the value of its result and the count of stream messages sent before it', async () => {
    const { api, worker, page } = scripted((message, send) => {
      send({ type: 'log', level: 'info', reducer: '', message: 'opening' });
      send({ type: 'result', requestId: message.requestId, ok: true, value: message.type });
    });
    await expect(api.hello(HELLO, worker)).resolves.toEqual({ ok: true, value: 'hello', streamed: 1 });
    await expect(api.sql({ sql: 'SELECT * FROM t' })).resolves.toEqual({ ok: true, value: 'sql', streamed: 2 });
    page.close();
  });

  it('passes a request to the session as its message, numbered apart from the calls', async () => {
    const { api, worker, page, received } = scripted((message, send) => send({ type: 'result', requestId: message.requestId, ok: true }));
    await api.hello(HELLO, worker);
    await api.inspect({ replay: true });
    await api.importDatabase({ bytes: new Uint8Array([1]), allowReducerChanges: true });
    expect(received.map((m) => [m.type, m.requestId < 0])).toEqual([['hello', true], ['inspect', true], ['import', true]]);
    expect(received[1]).toMatchObject({ type: 'inspect', replay: true });
    page.close();
  });

  it('answers an error result with the error as data, details included', async () => {
    const error = new NotFoundError('No row', { table: 'player', column: 'id', value: '7' });
    const { api, worker, page } = scripted((message, send) => {
      if (message.type === 'hello') send({ type: 'result', requestId: message.requestId, ok: true });
      else send({ type: 'result', requestId: message.requestId, ok: false, error: serializeError(error) });
    });
    await api.hello(HELLO, worker);
    await expect(api.sql({ sql: 'x' })).resolves.toEqual({ ok: false, error: serializeError(error) });
    page.close();
  });

  it('takes calls from the stream and sends their answers, and every other message, on it', async () => {
    const { api, worker, page, received, streamed } = scripted((message, send) => {
      if (message.type === 'call') send({ type: 'result', requestId: message.requestId, ok: false, error: serializeError(new NotFoundError('no reducer')) });
      else send({ type: 'result', requestId: message.requestId, ok: true });
    });
    await api.hello(HELLO, worker);
    page.postMessage({ type: 'call', requestId: 1, reducer: 'add', args: {}, callId: 1 });
    page.postMessage({ type: 'sql', requestId: 2, sql: 'not a call' });
    await expect.poll(() => streamed.length).toBe(1);
    expect(received.map((m) => m.type)).toEqual(['hello', 'call']);
    expect(streamed[0]).toMatchObject({ type: 'result', requestId: 1, ok: false, error: { name: 'NotFoundError', message: 'no reducer' } });
    page.close();
  });

  it('refuses requests before hello and a second hello, and answers with the failure when opening fails', async () => {
    const { api, worker, page } = scripted(() => {}, 'fail');
    await expect(api.sql({ sql: 'x' })).resolves.toMatchObject({ ok: false, error: { message: 'The first request of a connection must be hello' } });
    await expect(api.hello(HELLO, worker)).resolves.toMatchObject({ ok: false, error: { name: 'NotFoundError', message: 'No database named "game"', details: {} } });
    await expect(api.hello(HELLO, worker)).resolves.toMatchObject({ ok: false, error: { message: 'This connection already said hello' } });
    page.close();
  });
});
