import { describe, expect, it } from 'vitest';
import { SenderError, ConnectionId } from 'lockstep';
import { createTestDatabase } from 'lockstep/testing';
import * as chat from './chat.module';
import { MAX_MESSAGE, MAX_NAME, USER_COLORS } from './chat.module';

const connection = (n: number): ConnectionId => new ConnectionId(BigInt(n));

describe('the chat module', () => {
  it('marks a user online while one of their connections is open, and offline after the last closes', async () => {
    const test = createTestDatabase(chat);
    const alice = test.identity('alice');
    await test.connect({ sender: alice, connectionId: connection(1) });
    await test.connect({ sender: alice, connectionId: connection(2) });
    expect(test.db.user.identity.find(alice)).toMatchObject({ online: true, name: undefined });
    await test.disconnect({ sender: alice, connectionId: connection(1) });
    expect(test.db.user.identity.find(alice)?.online).toBe(true);
    await test.advanceTime(5_000_000n);
    await test.disconnect({ sender: alice, connectionId: connection(2) });
    expect(test.db.user.identity.find(alice)).toMatchObject({ online: false, last_seen: test.now });
  });

  it('gives each user a color from the palette, and different colors while some are unused', async () => {
    const test = createTestDatabase(chat);
    const colors = [];
    for (let i = 0; i < USER_COLORS.length; i++) {
      const who = test.identity(`user-${i}`);
      await test.connect({ sender: who, connectionId: connection(i + 1) });
      colors.push(test.db.user.identity.find(who)!.color);
    }
    expect(new Set(colors).size).toBe(USER_COLORS.length);
    expect([...colors].sort()).toEqual([...USER_COLORS].sort());
  });

  it('draws the same colors for the same history (the color is replicated, not computed per peer)', async () => {
    const run = async (): Promise<string[]> => {
      const test = createTestDatabase(chat, { seed: 42n });
      for (const name of ['a', 'b', 'c']) await test.connect({ sender: test.identity(name), connectionId: connection(name.charCodeAt(0)) });
      return [...test.db.user.iter()].map((u) => u.color);
    };
    expect(await run()).toEqual(await run());
  });

  it('sets a trimmed display name and refuses empty, too long or taken ones', async () => {
    const test = createTestDatabase(chat);
    const alice = test.identity('alice');
    const bob = test.identity('bob');
    await test.connect({ sender: alice, connectionId: connection(1) });
    await test.connect({ sender: bob, connectionId: connection(2) });
    await test.reducers.set_name({ name: '  Alice ' }, { sender: alice });
    expect(test.db.user.identity.find(alice)?.name).toBe('Alice');
    const refused = async (name: string, message: string): Promise<void> => {
      const error = await test.reducers.set_name({ name }, { sender: bob }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SenderError);
      expect((error as SenderError).message).toBe(message);
    };
    await refused('   ', 'A name must not be empty');
    await refused('x'.repeat(MAX_NAME + 1), `The name "${'x'.repeat(MAX_NAME + 1)}" is too long (${MAX_NAME + 1} characters); use at most ${MAX_NAME}`);
    await refused('alice', 'The name "alice" is taken; pick another');
    await refused('bo\nb', 'The name "bo\\nb" contains control characters');
    expect(test.db.user.identity.find(bob)?.name).toBeUndefined();
  });

  it('stores a message from the sender and refuses empty or too long ones', async () => {
    const test = createTestDatabase(chat);
    const alice = test.identity('alice');
    await test.connect({ sender: alice, connectionId: connection(1) });
    await test.reducers.send_message({ text: ' hi there ' }, { sender: alice });
    expect([...test.db.message.iter()]).toEqual([{ id: 1n, sender: alice, text: 'hi there', sent: test.now }]);
    await expect(test.reducers.send_message({ text: ' \n ' }, { sender: alice })).rejects.toThrow('A message must not be empty');
    await expect(test.reducers.send_message({ text: 'y'.repeat(MAX_MESSAGE + 1) }, { sender: alice })).rejects.toThrow(
      `A message has at most ${MAX_MESSAGE} characters; this one has ${MAX_MESSAGE + 1}`,
    );
    expect(test.db.message.count()).toBe(1);
  });
});
