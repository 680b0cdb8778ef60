import { describe, expect, it } from 'vitest';
import { ConnectionId, SenderError } from 'lockstep';
import { createTestDatabase } from 'lockstep/testing';
import * as chat from './chat.module';
import * as bank from './fund-transfer.module';
import * as hangman from './hangman.module';
import { masked, ROUND_MICROS } from './hangman.module';

describe('the chat template', () => {
  it('tracks users by identity, sets names and sends messages through camelCase reducer names', async () => {
    const test = createTestDatabase(chat);
    const alice = test.identity('alice');
    const bob = test.identity('bob');
    await test.connect({ sender: alice, connectionId: new ConnectionId(1n) });
    await test.connect({ sender: bob, connectionId: new ConnectionId(2n) });
    await test.reducers.setName({ name: ' Alice ' }, { sender: alice });
    await expect(test.reducers.set_name({ name: 'Alice' }, { sender: bob })).rejects.toThrow('The name "Alice" is taken');
    await test.reducers.sendMessage({ text: 'hi' }, { sender: alice });
    const [message] = [...test.db.message.iter()];
    expect(message!.sender.isEqual(alice)).toBe(true);
    expect(message!.sent.toDate().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    await test.disconnect({ sender: alice });
    expect(test.db.user.identity.find(alice)).toMatchObject({ name: 'Alice', online: false });
    await expect(test.reducers.sendMessage({ text: 'x' }, { sender: test.identity('stranger') })).rejects.toBeInstanceOf(SenderError);
  });
});

describe('the fund-transfer template', () => {
  it('moves money with i64 amounts given as safe integers, records both sides, and refuses overdrafts', async () => {
    const test = createTestDatabase(bank);
    await test.reducers.seed({ count: 3, initial: 100 });
    await test.reducers.transfer({ from: 0, to: 1, amount: 40 });
    expect([...test.db.accounts.iter()].map((a) => a.balance)).toEqual([60n, 140n, 100n]);
    expect([...test.db.accountChange.account.filter(1)].map((c) => c.delta)).toEqual([40n]);
    expect(test.rows('account_change')).toHaveLength(2);
    await expect(test.reducers.transfer({ from: 0, to: 2, amount: 61n })).rejects.toThrow('Account 0 holds 60, less than 61');
    await expect(test.reducers.transfer({ from: 0, to: 2, amount: 0.5 as never })).rejects.toThrow(/amount/);
    const total = [...test.db.accounts.iter()].reduce((sum, a) => sum + a.balance, 0n);
    expect(total).toBe(300n);
  });
});

describe('the hangman template', () => {
  it('plays a round: guesses, an array-form enum phase, and a scheduled end', async () => {
    const test = createTestDatabase(hangman, { seed: 3n });
    await test.reducers.start_game({ id: 1 });
    const word = test.db.game.id.find(1)!.word;
    expect(test.db.game.id.find(1)!.phase).toEqual({ tag: 'Active' });
    await test.reducers.guess_letter({ gameId: 1, letter: word[0]!.toUpperCase() });
    await expect(test.reducers.guess_letter({ gameId: 1, letter: word[0]! })).rejects.toThrow('was already guessed');
    expect(masked(word, [word[0]!]).startsWith(word[0]!)).toBe(true);
    expect(await test.advanceTime(ROUND_MICROS)).toBe(1);
    expect(test.db.game.id.find(1)!.phase).toEqual({ tag: 'Results' });
    expect(test.db.roundTimer.count()).toBe(0);
    await expect(test.reducers.guess_letter({ gameId: 1, letter: 'z' })).rejects.toThrow('Game 1 is over');
  });

  it('refuses client calls to the reducer the round timer schedules', async () => {
    const test = createTestDatabase(hangman);
    await expect(test.call('endRound' as never, {} as never)).rejects.toThrow('Reducer "endRound" cannot be called by clients: it is scheduled by table "round_timer"');
  });
});
