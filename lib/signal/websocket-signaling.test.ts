import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClosedError, ValueError } from '../errors';
import { startSignalRelay, type RunningSignalRelay } from './relay';
import { SignalingError, type SignalEvent, type Signaling } from './signaling';
import { websocketSignaling } from './websocket-signaling';
import { TestWebSocketAdapter } from './ws-client.test-util';

let relay: RunningSignalRelay;
const open: Signaling[] = [];

beforeEach(async () => {
  relay = await startSignalRelay({ port: 0 });
});

afterEach(async () => {
  for (const signaling of open.splice(0)) signaling.close();
  await relay.close();
});

function client(url = relay.url): { signaling: Signaling; next: () => Promise<SignalEvent> } {
  const signaling = websocketSignaling(url, { connect: (address) => new TestWebSocketAdapter(address) });
  open.push(signaling);
  const queue: SignalEvent[] = [];
  const waiters: ((event: SignalEvent) => void)[] = [];
  signaling.onMessage((event) => {
    const waiter = waiters.shift();
    if (waiter === undefined) queue.push(event);
    else waiter(event);
  });
  const next = (): Promise<SignalEvent> => {
    const event = queue.shift();
    return event === undefined ? new Promise((resolve) => waiters.push(resolve)) : Promise.resolve(event);
  };
  return { signaling, next };
}

describe('websocketSignaling against the relay', () => {
  it('joins, hears who joins, exchanges signals and hears who leaves', async () => {
    const alice = client();
    const bob = client();
    expect(await alice.signaling.join('chess', 'alice')).toEqual([]);
    expect(await bob.signaling.join('chess', 'bob')).toEqual(['alice']);
    expect(await alice.next()).toEqual({ type: 'joined', peer: 'bob' });
    bob.signaling.send('alice', { type: 'offer', sdp: 'v=0' });
    expect(await alice.next()).toEqual({ type: 'signal', from: 'bob', data: { type: 'offer', sdp: 'v=0' } });
    alice.signaling.send('bob', { type: 'answer', sdp: 'v=0' });
    expect(await bob.next()).toEqual({ type: 'signal', from: 'alice', data: { type: 'answer', sdp: 'v=0' } });
    bob.signaling.close();
    expect(await alice.next()).toEqual({ type: 'left', peer: 'bob' });
  });

  it('rejects a join under a taken peer id with the relay\'s reason', async () => {
    const alice = client();
    await alice.signaling.join('chess', 'alice');
    const impostor = client();
    const refusal = impostor.signaling.join('chess', 'alice');
    await expect(refusal).rejects.toThrow(SignalingError);
    await expect(refusal).rejects.toThrow('the signaling relay refused: peer id "alice" is already taken in room "chess"; join with another id');
    expect(() => impostor.signaling.send('alice', 1)).toThrow(ClosedError);
  });

  it('reports a refused send as an error event', async () => {
    const alice = client();
    await alice.signaling.join('chess', 'alice');
    alice.signaling.send('nobody', { x: 1 });
    const event = await alice.next();
    expect(event.type).toBe('error');
    expect(event.type === 'error' && event.error.message).toBe('the signaling relay refused: signal: no peer "nobody" in room "chess" (it may have left)');
  });

  it('turns a lost relay into an error event and left for every peer, then refuses to send', async () => {
    const alice = client();
    const bob = client();
    const carol = client();
    await alice.signaling.join('chess', 'alice');
    await bob.signaling.join('chess', 'bob');
    await carol.signaling.join('chess', 'carol');
    await relay.close();
    const error = await carol.next();
    expect(error.type).toBe('error');
    expect(error.type === 'error' && error.error).toBeInstanceOf(ClosedError);
    expect(error.type === 'error' && error.error.message).toBe(
      `the connection to the signaling relay at ${relay.url} closed (code 1001: signaling relay closing); create a new signaling to rejoin`,
    );
    expect([await carol.next(), await carol.next()]).toEqual([
      { type: 'left', peer: 'alice' },
      { type: 'left', peer: 'bob' },
    ]);
    expect(() => carol.signaling.send('alice', 1)).toThrow(ClosedError);
    relay = await startSignalRelay({ port: 0 }); // for afterEach
  });

  it('rejects the join when the relay cannot be reached', async () => {
    const { port } = relay;
    await relay.close();
    const lonely = client(`ws://127.0.0.1:${port}/lockstep-signal`);
    await expect(lonely.signaling.join('chess', 'alice')).rejects.toThrow(ClosedError);
    relay = await startSignalRelay({ port: 0 });
  });

  it('checks its arguments and call order before touching the network', async () => {
    const alice = client();
    await expect(alice.signaling.join('', 'alice')).rejects.toThrow(ValueError);
    await expect(alice.signaling.join('chess', 'a'.repeat(129))).rejects.toThrow(
      /^a peer id must be a non-empty string of at most 128 characters, got "a+\.\.\.$/,
    );
    expect(() => alice.signaling.send('bob', 1)).toThrow('join a room (and wait for it) before sending signals');
    await alice.signaling.join('chess', 'alice');
    await expect(alice.signaling.join('go', 'alice')).rejects.toThrow('join was already called: one room per signaling instance');
    expect(() => alice.signaling.send('bob', undefined)).toThrow('signal data must be a JSON value, got undefined');
    expect(() => alice.signaling.send('bob', { n: 1n })).toThrow(ValueError);
    expect(relay.relay.rooms().rooms).toEqual([{ room: 'chess', peers: ['alice'] }]);
  });
});
