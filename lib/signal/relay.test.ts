import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSignalRelay, startSignalRelay, type RunningSignalRelay } from './relay';
import { connectTestSocket, upgradeRequest, type TestSocket } from './ws-client.test-util';

let relay: RunningSignalRelay;
const sockets: TestSocket[] = [];

beforeEach(async () => {
  relay = await startSignalRelay({ port: 0 });
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await relay.close();
});

async function open(): Promise<TestSocket> {
  const socket = await connectTestSocket(relay.url);
  sockets.push(socket);
  return socket;
}

/** Opens a socket and joins `room` as `peer`, returning the socket and the peers already there. */
async function joined(room: string, peer: string): Promise<{ socket: TestSocket; peers: unknown }> {
  const socket = await open();
  socket.sendJson({ type: 'join', room, peer });
  const answer = (await socket.nextJson()) as { type: string; peers: unknown };
  expect(answer.type).toBe('peers');
  return { socket, peers: answer.peers };
}

async function errorFor(socket: TestSocket, message: unknown): Promise<string> {
  socket.sendText(typeof message === 'string' ? message : JSON.stringify(message));
  const reply = (await socket.nextJson()) as { type: string; message: string };
  expect(reply.type).toBe('error');
  return reply.message;
}

describe('signaling relay', () => {
  it('answers a join with the peers already in the room and tells them who joined', async () => {
    const alice = await joined('chess', 'alice');
    expect(alice.peers).toEqual([]);
    const bob = await joined('chess', 'bob');
    expect(bob.peers).toEqual(['alice']);
    expect(await alice.socket.nextJson()).toEqual({ type: 'joined', peer: 'bob' });
    const carol = await joined('chess', 'carol');
    expect(carol.peers).toEqual(['alice', 'bob']);
    expect(await alice.socket.nextJson()).toEqual({ type: 'joined', peer: 'carol' });
    expect(await bob.socket.nextJson()).toEqual({ type: 'joined', peer: 'carol' });
    expect(relay.relay.rooms()).toEqual({ sockets: 3, rooms: [{ room: 'chess', peers: ['alice', 'bob', 'carol'] }] });
  });

  it('keeps rooms apart', async () => {
    await joined('one', 'alice');
    const bob = await joined('two', 'bob');
    expect(bob.peers).toEqual([]);
    expect(relay.relay.rooms().rooms).toEqual([
      { room: 'one', peers: ['alice'] },
      { room: 'two', peers: ['bob'] },
    ]);
  });

  it('tells the others when a peer leaves, and lets the socket join again', async () => {
    const alice = await joined('chess', 'alice');
    const bob = await joined('chess', 'bob');
    await alice.socket.nextJson(); // joined bob
    bob.socket.sendJson({ type: 'leave' });
    expect(await alice.socket.nextJson()).toEqual({ type: 'left', peer: 'bob' });
    bob.socket.sendJson({ type: 'join', room: 'chess', peer: 'bob' });
    expect(await bob.socket.nextJson()).toEqual({ type: 'peers', room: 'chess', peers: ['alice'] });
  });

  it('forwards a signal only to the peer it names, with the sender as from', async () => {
    const alice = await joined('chess', 'alice');
    const bob = await joined('chess', 'bob');
    const carol = await joined('chess', 'carol');
    const offer = { type: 'offer', sdp: 'v=0\r\n…', nested: [1, null, { x: true }] };
    alice.socket.sendJson({ type: 'signal', to: 'bob', data: offer });
    expect(await bob.socket.nextJson()).toEqual({ type: 'joined', peer: 'carol' });
    expect(await bob.socket.nextJson()).toEqual({ type: 'signal', from: 'alice', data: offer });
    // The relay handled alice's signal before bob got it; had carol been sent a
    // copy, it would come before the answer to her own (bad) message.
    carol.socket.sendJson({ type: 'nonsense' });
    expect(((await carol.socket.nextJson()) as { type: string }).type).toBe('error');
  });

  it('forwards signals of any JSON value, including null and large ones', async () => {
    const alice = await joined('chess', 'alice');
    const bob = await joined('chess', 'bob');
    await alice.socket.nextJson(); // joined bob
    const big = 'x'.repeat(200_000); // 64-bit length frames both ways
    bob.socket.sendJson({ type: 'signal', to: 'alice', data: null });
    bob.socket.sendJson({ type: 'signal', to: 'alice', data: big });
    expect(await alice.socket.nextJson()).toEqual({ type: 'signal', from: 'bob', data: null });
    expect(await alice.socket.nextJson()).toEqual({ type: 'signal', from: 'bob', data: big });
  });

  it('refuses a peer id already taken in the room, but not in another room', async () => {
    await joined('chess', 'alice');
    const impostor = await open();
    expect(await errorFor(impostor, { type: 'join', room: 'chess', peer: 'alice' })).toBe(
      'peer id "alice" is already taken in room "chess"; join with another id',
    );
    expect(relay.relay.rooms().rooms).toEqual([{ room: 'chess', peers: ['alice'] }]);
    impostor.sendJson({ type: 'join', room: 'go', peer: 'alice' });
    expect(await impostor.nextJson()).toEqual({ type: 'peers', room: 'go', peers: [] });
  });

  it('says what was wrong with bad input', async () => {
    const socket = await open();
    expect(await errorFor(socket, 'hello')).toMatch(/^message is not valid JSON \(.+\); send one JSON object per text message$/);
    expect(await errorFor(socket, [1, 2])).toBe('message must be a JSON object with a "type" field, got [1,2]');
    expect(await errorFor(socket, { type: 'dance' })).toBe('unknown message type "dance"; expected "join", "signal" or "leave"');
    expect(await errorFor(socket, { room: 'x' })).toBe('unknown message type undefined; expected "join", "signal" or "leave"');
    expect(await errorFor(socket, { type: 'join', room: 42, peer: 'a' })).toBe(
      'join needs a room name (a non-empty string of at most 128 characters), got 42',
    );
    expect(await errorFor(socket, { type: 'join', room: '', peer: 'a' })).toBe(
      'join needs a room name (a non-empty string of at most 128 characters), got ""',
    );
    expect(await errorFor(socket, { type: 'join', room: 'r', peer: 'p'.repeat(129) })).toMatch(
      /^join needs a peer id \(a non-empty string of at most 128 characters\), got "p+\.\.\.$/,
    );
    expect(await errorFor(socket, { type: 'join', room: 'r' })).toBe(
      'join needs a peer id (a non-empty string of at most 128 characters), got undefined',
    );
    expect(await errorFor(socket, { type: 'signal', to: 'bob', data: 1 })).toBe('signal: join a room before sending signals');
    expect(await errorFor(socket, { type: 'leave' })).toBe('leave: this socket is not in a room');
    socket.sendFrame(2, Buffer.from([1, 2, 3]));
    expect(await socket.nextJson()).toEqual({ type: 'error', message: 'binary messages are not supported; send JSON text messages' });

    socket.sendJson({ type: 'join', room: 'chess', peer: 'alice' });
    expect(await socket.nextJson()).toEqual({ type: 'peers', room: 'chess', peers: [] });
    expect(await errorFor(socket, { type: 'join', room: 'go', peer: 'alice' })).toBe(
      'already joined room "chess" as "alice"; send {"type":"leave"} first (one room per socket)',
    );
    expect(await errorFor(socket, { type: 'signal', to: 7, data: 1 })).toBe(
      'signal needs "to": the id of a peer in the room (a non-empty string of at most 128 characters), got 7',
    );
    expect(await errorFor(socket, { type: 'signal', to: 'bob' })).toBe('signal needs "data" (any JSON value) to forward');
    expect(await errorFor(socket, { type: 'signal', to: 'alice', data: 1 })).toBe('signal: cannot send a signal to yourself ("alice")');
    expect(await errorFor(socket, { type: 'signal', to: 'bob', data: 1 })).toBe(
      'signal: no peer "bob" in room "chess" (it may have left)',
    );
    // Errors do not cost the socket its place.
    expect(relay.relay.rooms().rooms).toEqual([{ room: 'chess', peers: ['alice'] }]);
  });

  it('reassembles a fragmented message, answering a ping sent between its fragments', async () => {
    const socket = await open();
    const text = JSON.stringify({ type: 'join', room: 'chess', peer: 'ünïcødé' });
    const bytes = Buffer.from(text, 'utf8');
    // Split inside a multi-byte character: UTF-8 is checked on the whole message.
    const cut = bytes.indexOf(0xc3) + 1;
    socket.sendFrame(1, bytes.subarray(0, cut), { fin: false });
    socket.sendFrame(9, Buffer.from('are you there'));
    socket.sendFrame(0, bytes.subarray(cut, cut + 5), { fin: false });
    socket.sendFrame(0, bytes.subarray(cut + 5));
    expect(await socket.next()).toEqual({ kind: 'pong', data: Buffer.from('are you there') });
    expect(await socket.nextJson()).toEqual({ type: 'peers', room: 'chess', peers: [] });
    expect(relay.relay.rooms().rooms).toEqual([{ room: 'chess', peers: ['ünïcødé'] }]);
  });

  it('closes with 1009 as soon as a message is announced bigger than 1 MiB', async () => {
    const socket = await open();
    // Only the header: the relay must not wait for (or buffer) the 2 MiB payload.
    const header = Buffer.alloc(14);
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(2n * 1024n * 1024n, 2);
    socket.sendRaw(header);
    expect(await socket.closed).toEqual({ code: 1009, reason: 'message larger than 1048576 bytes' });
  });

  it('closes with 1009 when fragments add up to more than the limit', async () => {
    const small = await startSignalRelay({ port: 0, maxMessageBytes: 100 });
    try {
      const socket = await connectTestSocket(small.url);
      socket.sendFrame(1, Buffer.alloc(60, 0x20), { fin: false });
      socket.sendFrame(0, Buffer.alloc(60, 0x20));
      expect((await socket.closed).code).toBe(1009);
    } finally {
      await small.close();
    }
  });

  it('accepts a message of exactly the limit', async () => {
    const small = await startSignalRelay({ port: 0, maxMessageBytes: 100 });
    try {
      const socket = await connectTestSocket(small.url);
      socket.sendText(JSON.stringify({ type: 'leave', pad: '' }).padEnd(100, ' '));
      expect(await socket.nextJson()).toEqual({ type: 'error', message: 'leave: this socket is not in a room' });
      socket.destroy();
    } finally {
      await small.close();
    }
  });

  it('closes with 1002 on an unmasked client frame and 1007 on invalid UTF-8', async () => {
    const unmasked = await open();
    unmasked.sendFrame(1, Buffer.from('{}'), { mask: false });
    expect(await unmasked.closed).toEqual({ code: 1002, reason: 'client frames must be masked' });
    const garbled = await open();
    garbled.sendFrame(1, Buffer.from([0x7b, 0xff, 0x7d]));
    expect(await garbled.closed).toEqual({ code: 1007, reason: 'text message is not valid UTF-8' });
  });

  it('echoes a client close frame and tells the room the peer left', async () => {
    const alice = await joined('chess', 'alice');
    const bob = await joined('chess', 'bob');
    await alice.socket.nextJson(); // joined bob
    bob.socket.close(1000, 'bye');
    expect(await bob.socket.closed).toEqual({ code: 1000, reason: '' });
    expect(await alice.socket.nextJson()).toEqual({ type: 'left', peer: 'bob' });
    expect(relay.relay.rooms()).toEqual({ sockets: 1, rooms: [{ room: 'chess', peers: ['alice'] }] });
  });

  it('tells the room when a socket drops without closing', async () => {
    const alice = await joined('chess', 'alice');
    const bob = await joined('chess', 'bob');
    await alice.socket.nextJson(); // joined bob
    alice.socket.destroy();
    expect(await bob.socket.nextJson()).toEqual({ type: 'left', peer: 'alice' });
    expect(relay.relay.rooms().rooms).toEqual([{ room: 'chess', peers: ['bob'] }]);
  });

  it('closes every socket with 1001 on close(), then refuses new ones', async () => {
    const alice = await joined('chess', 'alice');
    const loner = await open();
    const inner = createSignalRelay();
    const server = await listen(createServer(), inner);
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/lockstep-signal`;
    const guest = await connectTestSocket(url);
    await Promise.all([relay.close(), inner.close()]);
    expect(await alice.socket.closed).toEqual({ code: 1001, reason: 'signaling relay closing' });
    expect((await loner.closed).code).toBe(1001);
    expect((await guest.closed).code).toBe(1001);
    expect(relay.relay.rooms()).toEqual({ sockets: 0, rooms: [] });
    expect(await upgradeRequest(url)).toEqual({ status: 503, body: 'the signaling relay is closed\n' });
    await new Promise((resolve) => server.close(resolve));
    relay = await startSignalRelay({ port: 0 }); // for afterEach
  });

  it('refuses a handshake of another WebSocket version with 426', async () => {
    expect(await upgradeRequest(relay.url, { 'Sec-WebSocket-Version': '8' })).toEqual({
      status: 426,
      body: 'only WebSocket version 13 is supported\n',
    });
    expect(await upgradeRequest(relay.url, { 'Sec-WebSocket-Key': 'short' })).toEqual({
      status: 400,
      body: 'Sec-WebSocket-Key must be 16 random bytes in base64\n',
    });
  });

  it('answers a plain GET with a short text, and upgrades of other paths with 404', async () => {
    const { status, body } = await get(relay.url.replace('ws:', 'http:'));
    expect(status).toBe(200);
    expect(body).toBe('Lockstep signaling relay: connect a WebSocket to /lockstep-signal\n');
    expect(await upgradeRequest(relay.url.replace('/lockstep-signal', '/other'))).toEqual({
      status: 404,
      body: 'no WebSocket here; the relay is at /lockstep-signal\n',
    });
    // A query string does not change the path.
    const socket = await connectTestSocket(`${relay.url}?room=chess`);
    sockets.push(socket);
    socket.sendJson({ type: 'join', room: 'r', peer: 'p' });
    expect(await socket.nextJson()).toEqual({ type: 'peers', room: 'r', peers: [] });
  });

  it('drops a socket that stops answering pings', async () => {
    const pinging = await startSignalRelay({ port: 0, pingIntervalMs: 30 });
    try {
      const socket = await connectTestSocket(pinging.url);
      // The test client queues pings without answering them: the next interval drops it.
      expect(await socket.next()).toEqual({ kind: 'ping', data: Buffer.alloc(0) });
      expect((await socket.closed).code).toBe(1006);
    } finally {
      await pinging.close();
    }
  });
});

describe('relay attached to a shared HTTP server', () => {
  it('handles its own path and leaves every other upgrade to the other listeners', async () => {
    const signal = createSignalRelay();
    const server = createServer();
    const others: string[] = [];
    server.on('upgrade', (req, socket) => {
      if (req.url === '/lockstep-signal') return;
      others.push(req.url ?? '');
      socket.end('HTTP/1.1 418 I\'m a teapot\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    await listen(server, signal);
    const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await upgradeRequest(`${base}/hmr`)).toEqual({ status: 418, body: '' });
      expect(others).toEqual(['/hmr']);
      const socket = await connectTestSocket(`${base}/lockstep-signal`);
      socket.sendJson({ type: 'join', room: 'r', peer: 'p' });
      expect(await socket.nextJson()).toEqual({ type: 'peers', room: 'r', peers: [] });
      expect(others).toEqual(['/hmr']);
    } finally {
      await signal.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports whether handleUpgrade took the request', async () => {
    const signal = createSignalRelay({ path: '/signal' });
    const taken: boolean[] = [];
    const server = createServer();
    server.on('upgrade', (req, socket, head) => {
      const took = signal.handleUpgrade(req, socket, head);
      taken.push(took);
      if (!took) socket.destroy();
    });
    await listen(server);
    const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await expect(upgradeRequest(`${base}/lockstep-signal`)).rejects.toThrow();
      const socket = await connectTestSocket(`${base}/signal`);
      expect(taken).toEqual([false, true]);
      socket.destroy();
    } finally {
      await signal.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

async function listen(server: Server, attachTo?: ReturnType<typeof createSignalRelay>): Promise<Server> {
  attachTo?.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}
