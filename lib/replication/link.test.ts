import { describe, expect, it } from 'vitest';
import { broadcastLink, type BroadcastChannelLike } from './link';

const open = <M>(name: string, self: string) => broadcastLink<M>(new BroadcastChannel(name) as unknown as BroadcastChannelLike, self);

describe('the BroadcastChannel link', () => {
  it('delivers a message to the other members of the channel, structured-cloned, with its sender, and nothing after close', async () => {
    const name = `lockstep-test-${Math.random()}`;
    const a = open<{ n: bigint }>(name, 'a');
    const b = open<{ n: bigint }>(name, 'b');
    const echoed: unknown[] = [];
    a.onMessage((m) => echoed.push(m));
    const received = new Promise<[{ n: bigint }, string]>((resolve) => b.onMessage((m, from) => resolve([m, from])));
    const sent = { n: 7n };
    a.send(sent);
    const [got, from] = await received;
    expect(got).toEqual({ n: 7n });
    expect(got).not.toBe(sent);
    expect(from).toBe('a');
    expect(echoed).toEqual([]);
    expect(a.peers()).toEqual([]);
    a.close();
    b.close();
  });

  it('delivers a message addressed to one member to that member only', async () => {
    const name = `lockstep-test-${Math.random()}`;
    const a = open<string>(name, 'a');
    const b = open<string>(name, 'b');
    const c = open<string>(name, 'c');
    const atB: string[] = [];
    b.onMessage((m) => atB.push(m));
    const atC = new Promise<string>((resolve) => c.onMessage(resolve));
    const done = new Promise<void>((resolve) => b.onMessage((m) => m === 'done' && resolve()));
    a.send('for c', 'c');
    a.send('for all');
    a.send('done', 'b');
    expect(await atC).toBe('for c');
    await done;
    expect(atB).toEqual(['for all', 'done']);
    for (const link of [a, b, c]) link.close();
  });
});
