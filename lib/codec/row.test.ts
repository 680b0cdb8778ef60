import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors';
import type { FieldDesc } from '../schema/type-desc';
import { Reader, Writer } from './buffer';
import { compileRow } from './row';
import { T } from './test-util';

const columns: readonly FieldDesc[] = [
  { name: 'id', type: T.prim('u64') },
  { name: 'name', type: T.prim('string') },
  { name: 'health', type: T.prim('u32') },
  { name: 'pos', type: T.object('Vec2', { x: T.prim('f64'), y: T.prim('f64') }) },
  { name: 'guild', type: T.option(T.prim('string')) },
];
const player = compileRow('player', columns);
const valid = { id: 1n, name: 'Ann', health: 100, pos: { x: 1, y: 2 }, guild: undefined };

function errorOf(row: unknown): ValueError {
  try {
    player.validate(row);
  } catch (e) {
    expect(e).toBeInstanceOf(ValueError);
    return e as ValueError;
  }
  throw new Error('expected the row to be refused');
}

describe('compileRow', () => {
  it('encodes the columns in declared order and decodes them back', () => {
    const w = new Writer();
    player.encode(w, { guild: 'red', pos: { y: 2, x: 1 }, health: 7, name: 'Bo', id: 3n });
    const back = player.decode(new Reader(w.view()));
    expect(back).toEqual({ id: 3n, name: 'Bo', health: 7, pos: { x: 1, y: 2 }, guild: 'red' });
    expect(Object.keys(back)).toEqual(['id', 'name', 'health', 'pos', 'guild']);
  });

  it('accepts a valid row', () => {
    expect(player.check(valid)).toBe(true);
    expect(() => player.validate(valid)).not.toThrow();
  });

  it('names a missing column', () => {
    const { health: _, ...row } = valid;
    const error = errorOf(row);
    expect(error.message).toBe('player: missing column "health"');
    expect(error.table).toBe('player');
    expect(error.column).toBe('health');
  });

  it('names an unknown column', () => {
    const error = errorOf({ ...valid, helth: 3 });
    expect(error.message).toBe('player: unknown column "helth"');
    expect(error.column).toBe('helth');
  });

  it('points at a misspelt column when one is missing', () => {
    const { health: _, ...row } = valid;
    expect(errorOf({ ...row, helth: 3 }).message).toBe('player: missing column "health" (found unknown column "helth")');
  });

  it('prefixes column errors with table.column and records both', () => {
    const error = errorOf({ ...valid, health: -1 });
    expect(error.message).toBe('player.health: expected u32 (0 to 4294967295), got -1');
    expect(error.table).toBe('player');
    expect(error.column).toBe('health');
    expect(error.value).toBe('-1');
  });

  it('reports nested paths inside a column', () => {
    const error = errorOf({ ...valid, pos: { x: 1, y: '2' } });
    expect(error.message).toBe('player.pos.y: expected number for f64, got string "2"');
    expect(error.column).toBe('pos');
  });

  it('refuses a row that is not a plain object', () => {
    expect(errorOf(null).message).toBe(
      'player: expected a row of player (an object with columns id, name, health, pos, guild), got null',
    );
    expect(errorOf([1]).table).toBe('player');
  });

  it('round-trips a table without columns', () => {
    const empty = compileRow('empty', []);
    const w = new Writer();
    empty.encode(w, {});
    expect(w.length).toBe(0);
    expect(empty.decode(new Reader(w.view()))).toEqual({});
    expect(empty.check({ a: 1 })).toBe(false);
  });
});
