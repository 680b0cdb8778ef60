import { describe, expect, it } from 'vitest';
import { broadcastTransport, type BroadcastChannelLike } from './link';

describe('the BroadcastChannel transport', () => {
  it('delivers a message to the other members of the channel, structured-cloned, and nothing after close', async () => {
    const name = `lockstep-test-${Math.random()}`;
    const a = broadcastTransport<{ n: bigint }>(new BroadcastChannel(name) as unknown as BroadcastChannelLike);
    const b = broadcastTransport<{ n: bigint }>(new BroadcastChannel(name) as unknown as BroadcastChannelLike);
    const echoed: unknown[] = [];
    a.onMessage((m) => echoed.push(m));
    const received = new Promise<{ n: bigint }>((resolve) => b.onMessage(resolve));
    const sent = { n: 7n };
    a.send(sent);
    const got = await received;
    expect(got).toEqual({ n: 7n });
    expect(got).not.toBe(sent);
    expect(echoed).toEqual([]);
    a.close();
    b.close();
  });
});
