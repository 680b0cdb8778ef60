import { describe, expect, it } from 'vitest';
import { SenderError, ConnectionId } from 'lockstep';
import { createTestDatabase } from 'lockstep/testing';
import * as whiteboard from './whiteboard.module';
import { BOARD_HEIGHT, BOARD_WIDTH, CURSOR_COLORS, MAX_POINTS } from './whiteboard.module';

const connection = (n: number): ConnectionId => new ConnectionId(BigInt(n));

/** A board where alice connected first (so she owns it), then bob. */
async function board() {
  const test = createTestDatabase(whiteboard);
  const alice = test.identity('alice');
  const bob = test.identity('bob');
  await test.connect({ sender: alice, connectionId: connection(1) });
  await test.connect({ sender: bob, connectionId: connection(2) });
  return { test, alice, bob };
}

describe('the whiteboard module', () => {
  it('makes the first identity that connects the board owner, and keeps it', async () => {
    const { test, alice } = await board();
    expect([...test.db.board.iter()]).toEqual([{ id: 0, owner: alice, created: test.now }]);
  });

  it('stores a stroke with its author taken from the sender, and a lowercase color', async () => {
    const { test, bob } = await board();
    await test.reducers.add_stroke({ color: '#A0B1C2', width: 6, points: [10, 20, 30.5, 40] }, { sender: bob });
    expect([...test.db.stroke.iter()]).toEqual([{ id: 1n, author: bob, color: '#a0b1c2', width: 6, points: [10, 20, 30.5, 40], created: test.now }]);
  });

  it.each([
    [{ color: '#e63946', width: 4, points: [] }, 'A stroke needs at least one point'],
    [{ color: '#e63946', width: 4, points: [1, 2, 3] }, "A stroke's points are x, y pairs, but it has 3 coordinates (an odd count)"],
    [{ color: 'red', width: 4, points: [1, 2] }, 'Color "red" is not a #rrggbb hex color'],
    [{ color: '#e6394', width: 4, points: [1, 2] }, 'Color "#e6394" is not a #rrggbb hex color'],
    [{ color: '#e63946', width: 0, points: [1, 2] }, 'Width 0 is out of range: use 1 to 40'],
    [{ color: '#e63946', width: 41, points: [1, 2] }, 'Width 41 is out of range: use 1 to 40'],
    [{ color: '#e63946', width: 4, points: [1, 2, BOARD_WIDTH + 1, 5] }, `Point 1 (x=${BOARD_WIDTH + 1}, y=5) is outside the 960×600 board`],
    [{ color: '#e63946', width: 4, points: [-1, 2] }, 'Point 0 (x=-1, y=2) is outside the 960×600 board'],
    [{ color: '#e63946', width: 4, points: [5, Number.NaN] }, 'Point 0 (x=5, y=NaN) is outside the 960×600 board'],
    [{ color: '#e63946', width: 4, points: Array.from({ length: (MAX_POINTS + 1) * 2 }, () => 1) }, `A stroke has at most ${MAX_POINTS} points; this one has ${MAX_POINTS + 1}`],
  ])('refuses a malformed stroke %#: %s', async (args, message) => {
    const { test, bob } = await board();
    const error = await test.reducers.add_stroke(args, { sender: bob }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SenderError);
    expect((error as SenderError).message).toBe(message);
    expect(test.db.stroke.count()).toBe(0);
  });

  it('accepts a stroke on the very edges of the board and a one-point dot', async () => {
    const { test } = await board();
    await test.reducers.add_stroke({ color: '#000000', width: 40, points: [0, 0, BOARD_WIDTH, BOARD_HEIGHT] });
    await test.reducers.add_stroke({ color: '#000000', width: 1, points: [5, 5] });
    expect(test.db.stroke.count()).toBe(2);
  });

  it("clears only the caller's strokes", async () => {
    const { test, alice, bob } = await board();
    await test.reducers.add_stroke({ color: '#111111', width: 3, points: [1, 1] }, { sender: alice });
    await test.reducers.add_stroke({ color: '#222222', width: 3, points: [2, 2] }, { sender: bob });
    await test.reducers.add_stroke({ color: '#333333', width: 3, points: [3, 3] }, { sender: bob });
    await test.reducers.clear_my_strokes(undefined, { sender: bob });
    expect([...test.db.stroke.iter()].map((s) => s.author)).toEqual([alice]);
  });

  it('lets only the owner clear the board, and tells the others who owns it', async () => {
    const { test, alice, bob } = await board();
    await test.reducers.add_stroke({ color: '#111111', width: 3, points: [1, 1] }, { sender: alice });
    await test.reducers.add_stroke({ color: '#222222', width: 3, points: [2, 2] }, { sender: bob });
    const error = await test.reducers.clear_board(undefined, { sender: bob }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SenderError);
    expect((error as SenderError).message).toBe(`Only the board's owner (${alice.toHexString().slice(0, 8)}…) can clear the board; "Clear my strokes" removes your own`);
    expect(test.db.stroke.count()).toBe(2);
    await test.reducers.clear_board(undefined, { sender: alice });
    expect(test.db.stroke.count()).toBe(0);
  });

  it('keeps one cursor per connection, moves it, and removes it when the connection closes', async () => {
    const { test, bob } = await board();
    expect(test.db.cursor.count()).toBe(2);
    const before = test.db.cursor.connection.find(connection(2))!;
    expect(CURSOR_COLORS).toContain(before.color);
    expect(before).toMatchObject({ identity: bob, visible: false });
    await test.reducers.move_cursor({ x: 100, y: 50 }, { sender: bob, connectionId: connection(2) });
    expect(test.db.cursor.connection.find(connection(2))).toEqual({ ...before, x: 100, y: 50, visible: true });
    await test.reducers.hide_cursor(undefined, { sender: bob, connectionId: connection(2) });
    expect(test.db.cursor.connection.find(connection(2))?.visible).toBe(false);
    await expect(test.reducers.move_cursor({ x: 2000, y: 50 }, { sender: bob, connectionId: connection(2) })).rejects.toThrow('The cursor (x=2000, y=50) is outside the 960×600 board');
    await test.disconnect({ sender: bob, connectionId: connection(2) });
    expect(test.db.cursor.connection.find(connection(2))).toBeNull();
    await expect(test.reducers.move_cursor({ x: 1, y: 1 }, { sender: bob, connectionId: connection(2) })).rejects.toThrow(`Connection ${connection(2)} has no cursor`);
  });
});
