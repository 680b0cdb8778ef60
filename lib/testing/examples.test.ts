import { describe, expect, it } from 'vitest';
import { ReducerError, SenderError, ValueError } from '../errors';
import * as compat from './examples/compat.module';
import * as counter from './examples/counter.module';
import * as inventory from './examples/inventory.module';
import * as todo from './examples/todo.module';
import { createTestDatabase } from './test-database';

describe('the counter from the unit-testing tutorial', () => {
  it('creates a counter and increments it', async () => {
    const test = createTestDatabase(counter);
    await test.reducers.create_counter({ id: 100n, initial_value: 50 });
    expect(test.db.counter.id.find(100n)).toEqual({ id: 100n, value: 50 });
    await test.reducers.increment_counter({ id: 100n, amount: 5 });
    expect(test.db.counter.id.find(100n)?.value).toBe(55);
  });

  it('refuses a duplicate counter with the reducer message and keeps the first', async () => {
    const test = createTestDatabase(counter);
    await test.reducers.create_counter({ id: 101n, initial_value: 10 });
    const error = await test.reducers.create_counter({ id: 101n, initial_value: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SenderError);
    expect((error as SenderError).message).toBe('Counter with id 101 already exists.');
    expect(test.db.counter.id.find(101n)?.value).toBe(10);
  });

  it('fails to increment a missing counter', async () => {
    const test = createTestDatabase(counter);
    await expect(test.reducers.increment_counter({ id: 999n, amount: 1 })).rejects.toThrow('Counter with id 999 not found.');
  });

  it('fails an increment that would overflow u32 and leaves the value unchanged', async () => {
    const test = createTestDatabase(counter);
    await test.reducers.create_counter({ id: 1n, initial_value: 4_294_967_294 });
    await expect(test.reducers.increment_counter({ id: 1n, amount: 2 })).rejects.toThrow('Counter overflowed!');
    expect(test.db.counter.id.find(1n)?.value).toBe(4_294_967_294);
  });

  it('refuses to store a value out of u32 range when the reducer does not check', async () => {
    const test = createTestDatabase(counter);
    await test.reducers.create_counter({ id: 1n, initial_value: 4_294_967_294 });
    const error = await test.reducers.add_unchecked({ id: 1n, amount: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValueError);
    expect((error as ValueError).message).toContain('counter.value');
    expect((error as ValueError).message).toContain('4294967296');
    expect(test.db.counter.id.find(1n)?.value).toBe(4_294_967_294);
  });

  it('decrements, and refuses to go below zero or touch a missing counter', async () => {
    const test = createTestDatabase(counter);
    await test.reducers.create_counter({ id: 7n, initial_value: 3 });
    await test.reducers.decrement_counter({ id: 7n, amount: 2 });
    expect(test.db.counter.id.find(7n)?.value).toBe(1);
    await expect(test.reducers.decrement_counter({ id: 7n, amount: 2 })).rejects.toThrow('Cannot decrement below zero!');
    await expect(test.reducers.decrement_counter({ id: 8n, amount: 1 })).rejects.toThrow('Counter with id 8 not found.');
    expect(test.db.counter.id.find(7n)?.value).toBe(1);
  });
});

describe('the inventory race and the gold transfer', () => {
  async function world() {
    const test = createTestDatabase(inventory);
    const alice = test.identity('alice');
    const bob = test.identity('bob');
    await test.reducers.create_player({ player_id: 1, name: 'Alice', gold: 100 }, { sender: alice });
    await test.reducers.create_player({ player_id: 2, name: 'Bob', gold: 50 }, { sender: bob });
    await test.reducers.create_item({ item_id: 123, name: 'Sword', x: 1.5, y: 2 });
    return { test, alice, bob };
  }

  it('lets exactly one of two racing players pick up the item; the other is told it is owned', async () => {
    const { test, alice, bob } = await world();
    const results = await Promise.allSettled([
      test.reducers.pick_up_item({ item_id: 123 }, { sender: alice }),
      test.reducers.pick_up_item({ item_id: 123 }, { sender: bob }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    const loser = results[1] as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(SenderError);
    expect((loser.reason as Error).message).toBe('Item with ID 123 is already owned by another player.');
    expect(test.db.item.item_id.find(123)?.owner_id).toBe(1);
  });

  it('reports a missing item', async () => {
    const { test, alice } = await world();
    await expect(test.reducers.pick_up_item({ item_id: 5 }, { sender: alice })).rejects.toThrow('Item with ID 5 not found.');
  });

  it('conserves the total gold across transfers and changes nothing when the sender lacks gold', async () => {
    const { test, alice, bob } = await world();
    const total = () => [...test.db.player.iter()].reduce((sum, p) => sum + p.gold, 0);
    await test.reducers.transfer_gold({ receiver_id: 2, amount: 30 }, { sender: alice });
    expect(test.db.player.player_id.find(1)?.gold).toBe(70);
    expect(test.db.player.player_id.find(2)?.gold).toBe(80);
    const before = test.stateHash();
    await expect(test.reducers.transfer_gold({ receiver_id: 1, amount: 81 }, { sender: bob })).rejects.toThrow('Insufficient gold');
    expect(test.stateHash()).toBe(before);
    await test.reducers.transfer_gold({ receiver_id: 1, amount: 10 }, { sender: alice });
    expect(total()).toBe(150);
  });

  it('fills a column default when the insert leaves it out', async () => {
    const test = createTestDatabase(inventory);
    await test.engine.call({ reducer: 'create_player', args: { player_id: 9, name: 'Zed', gold: 0 }, sender: test.identity('z').toHexString() as never, connectionId: null, timestamp: 0n, seed: 0n });
    expect(test.db.player.player_id.find(9)?.gold).toBe(0);
  });
});

describe('the todo list', () => {
  it('stores todos with the caller as creator and refuses a duplicate id', async () => {
    const test = createTestDatabase(todo);
    const me = test.identity('me');
    await test.reducers.create_todo({ id: 1, description: 'Learn Lockstep', due_date: undefined }, { sender: me });
    await test.reducers.create_todo({ id: 3, description: 'Buy groceries', due_date: '2026-03-15' }, { sender: me });
    await expect(test.reducers.create_todo({ id: 1, description: 'again', due_date: undefined })).rejects.toThrow('Todo with ID 1 already exists.');
    expect(test.rows('todo')).toEqual([
      { id: 1, description: 'Learn Lockstep', completed: false, created_by: me, due_date: undefined },
      { id: 3, description: 'Buy groceries', completed: false, created_by: me, due_date: '2026-03-15' },
    ]);
    expect([...test.db.todo.created_by.filter(me)].map((r) => r.id)).toEqual([1, 3]);
  });

  it('names the reducer and argument when arguments are wrong', async () => {
    const test = createTestDatabase(todo);
    const error = await test.call('create_todo', { id: '1', description: 'x', due_date: undefined } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReducerError);
    expect((error as Error).message).toMatch(/create_todo.*id.*u32/);
  });
});

describe('a module written like a SpacetimeDB 2.x module', () => {
  it('runs lifecycle reducers, console logging and name accessors', async () => {
    const test = createTestDatabase(compat);
    const alice = test.identity('alice');
    await test.connect({ sender: alice });
    expect(test.db.user.identity.find(alice)).toEqual({ identity: alice, name: undefined, online: true });
    await test.reducers.set_name({ name: 'Alice' }, { sender: alice });
    await test.disconnect({ sender: alice });
    expect(test.db.user.identity.find(alice)).toEqual({ identity: alice, name: 'Alice', online: false });
    expect(test.logs.some((l) => l.level === 'info' && l.message === `User ${alice} sets name to Alice`)).toBe(true);
    await expect(test.reducers.set_name({ name: '' }, { sender: alice })).rejects.toThrow('Names must not be empty');
  });

  it('returns null from find when there is no row', () => {
    const test = createTestDatabase(compat);
    expect(test.db.user.identity.find(test.identity('nobody'))).toBeNull();
  });

  it('seeds accounts while iterating and deleting, and transfers with an audit row', async () => {
    const test = createTestDatabase(compat);
    await test.reducers.seed({ n: 10, initialBalance: 1000n });
    await test.reducers.seed({ n: 5, initialBalance: 500n });
    expect(test.db.accounts.count()).toBe(5);
    await test.reducers.transfer_with_audit({ from: 1, to: 2, amount: 100n, fraudLimit: 1000n });
    expect(test.db.accounts.id.find(1)?.balance).toBe(400n);
    expect(test.db.accounts.id.find(2)?.balance).toBe(600n);
    expect(test.rows('transfer_audit')).toEqual([{ id: 1n, from: 1, to: 2, amount: 100n, ts: test.now }]);
    await expect(test.reducers.transfer_with_audit({ from: 1, to: 2, amount: 0n, fraudLimit: 10n })).rejects.toThrow('non_positive_amount');
    await expect(test.reducers.transfer_with_audit({ from: 1, to: 2, amount: 401n, fraudLimit: 1000n })).rejects.toThrow('insufficient_funds');
    await test.reducers.transfer_with_audit({ from: 3, to: 4, amount: 1n, fraudLimit: 10n });
    expect(test.rows('transfer_audit').map((r) => r.id)).toEqual([1n, 2n]);
  });
});
