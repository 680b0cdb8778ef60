import { afterEach, describe, expect, it } from 'vitest';
import { ClosedError } from '../errors';
import { broadcastSignaling } from './broadcast-signaling';
import { SignalingError, type SignalEvent, type Signaling } from './signaling';

// Node 20's global BroadcastChannel delivers between instances in one process, like tabs.
let channelName = '';
let count = 0;
const open: Signaling[] = [];

afterEach(() => {
  for (const signaling of open.splice(0)) signaling.close();
});

function client(settleMs = 100): { signaling: Signaling; next: () => Promise<SignalEvent>; events: SignalEvent[] } {
  const signaling = broadcastSignaling(channelName, { settleMs });
  open.push(signaling);
  const events: SignalEvent[] = [];
  const waiters: (() => void)[] = [];
  let read = 0;
  signaling.onMessage((event) => {
    events.push(event);
    waiters.shift()?.();
  });
  const next = async (): Promise<SignalEvent> => {
    if (read >= events.length) await new Promise<void>((resolve) => waiters.push(resolve));
    return events[read++] as SignalEvent;
  };
  return { signaling, next, events };
}

describe('broadcastSignaling', () => {
  it('joins, hears who joins, exchanges signals and hears who leaves', async () => {
    channelName = `test-${++count}`;
    const alice = client();
    const bob = client();
    expect(await alice.signaling.join('chess', 'alice')).toEqual([]);
    expect(await bob.signaling.join('chess', 'bob')).toEqual(['alice']);
    expect(await alice.next()).toEqual({ type: 'joined', peer: 'bob' });
    bob.signaling.send('alice', { type: 'offer', sdp: 'v=0' });
    expect(await alice.next()).toEqual({ type: 'signal', from: 'bob', data: { type: 'offer', sdp: 'v=0' } });
    alice.signaling.send('bob', { type: 'answer' });
    expect(await bob.next()).toEqual({ type: 'signal', from: 'alice', data: { type: 'answer' } });
    bob.signaling.close();
    expect(await alice.next()).toEqual({ type: 'left', peer: 'bob' });
    expect(() => bob.signaling.send('alice', 1)).toThrow(ClosedError);
  });

  it('delivers a signal only to the peer it names, and only within the room', async () => {
    channelName = `test-${++count}`;
    const alice = client();
    const bob = client();
    const carol = client();
    const stranger = client();
    await alice.signaling.join('chess', 'alice');
    await bob.signaling.join('chess', 'bob');
    await carol.signaling.join('chess', 'carol');
    await stranger.signaling.join('go', 'bob'); // same id, other room: allowed
    alice.signaling.send('bob', 'for bob');
    alice.signaling.send('carol', 'for carol');
    expect(await carol.next()).toEqual({ type: 'signal', from: 'alice', data: 'for carol' });
    // Channel order is send order: bob's copy came before carol's, and nobody else got one.
    expect(bob.events).toEqual([
      { type: 'joined', peer: 'carol' },
      { type: 'signal', from: 'alice', data: 'for bob' },
    ]);
    expect(stranger.events).toEqual([]);
    expect(alice.events.filter((event) => event.type === 'signal')).toEqual([]);
  });

  it('refuses a peer id already taken in the room', async () => {
    channelName = `test-${++count}`;
    const alice = client();
    await alice.signaling.join('chess', 'alice');
    const impostor = client();
    const refusal = impostor.signaling.join('chess', 'alice');
    await expect(refusal).rejects.toThrow(SignalingError);
    await expect(refusal).rejects.toThrow('peer id "alice" is already taken in room "chess"; join with another id');
    const bob = client();
    expect(await bob.signaling.join('chess', 'bob')).toEqual(['alice']);
    expect(alice.events).toEqual([{ type: 'joined', peer: 'bob' }]);
  });

  it('counts the smaller id as already there when two join at once', async () => {
    channelName = `test-${++count}`;
    const zed = client();
    const amy = client();
    const [zedPeers, amyPeers] = await Promise.all([zed.signaling.join('chess', 'zed'), amy.signaling.join('chess', 'amy')]);
    expect(zedPeers).toEqual(['amy']);
    expect(amyPeers).toEqual([]);
    expect(await amy.next()).toEqual({ type: 'joined', peer: 'zed' });
    zed.signaling.send('amy', 'offer');
    expect(await amy.next()).toEqual({ type: 'signal', from: 'zed', data: 'offer' });
  });
});
