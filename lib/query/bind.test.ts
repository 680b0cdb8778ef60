import { describe, expect, it } from 'vitest';
import { QueryError } from '../errors';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import { Store } from '../store/store';
import { bind, type BindOptions } from './bind';
import { parse } from './parser';
import { ALICE, gameStore } from './test-util';

const store = gameStore();

function bound(sql: string, options: BindOptions = {}) {
  return bind(parse(sql), store, options);
}

/** The QueryError binding `sql` throws. */
function failure(sql: string, options: BindOptions = {}, on: Store = store): QueryError {
  try {
    bind(parse(sql), on, options);
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error(`expected "${sql}" to fail`);
}

describe('name resolution', () => {
  it('suggests the table an unknown name differs from only by case', () => {
    const chat = new Store(schema({ user: table({ name: 'user', public: true }, { id: t.u32().primaryKey() }), message: table({ name: 'message', public: true }, { id: t.u32() }) }).tables);
    const error = failure('SELECT * FROM User', {}, chat);
    expect(error.message).toBe('Unknown table "User" at 14; did you mean "user"? Tables: user, message');
    expect(error.position).toBe(14);
    expect(error.table).toBe('User');
  });

  it('lists the tables when no name is close', () => {
    expect(failure('SELECT * FROM zebra').message).toBe('Unknown table "zebra" at 14. Tables: player, team, secret');
  });

  it('suggests the column an unknown name is a typo of, and lists the columns', () => {
    const error = failure("SELECT * FROM player WHERE nmae = 'x'");
    expect(error.message).toBe('Unknown column "nmae" at 27 in table "player"; did you mean "name"? Columns: id, name, level, team, score, nick, owner, alive');
    expect(error.position).toBe(27);
    expect(error.column).toBe('nmae');
  });

  it('reports an unknown column in the select list and in ORDER BY', () => {
    expect(failure('SELECT id, levle FROM player').message).toMatch(/^Unknown column "levle" at 11 in table "player"; did you mean "level"\?/);
    expect(failure('SELECT * FROM player ORDER BY nope').message).toMatch(/^Unknown column "nope" at 30 in table "player"/);
  });

  it('refuses a column qualified with a table the query does not read', () => {
    const error = failure("SELECT * FROM player WHERE team.name = 'red'");
    expect(error.message).toBe('Unknown table "team" in team.name at 27: the query reads "player".');
    expect(error.position).toBe(27);
  });

  it('says which table has a column qualified with the wrong one', () => {
    const error = failure('SELECT * FROM player p JOIN team t ON p.team = t.id WHERE t.level = 1');
    expect(error.message).toBe('Unknown column "level" at 60 in table "team" (it is a column of "p"). Columns: id, name, region');
  });

  it('refuses an unqualified column two joined tables have', () => {
    const error = failure("SELECT * FROM player p JOIN team t ON p.team = t.id WHERE name = 'x'");
    expect(error.message).toBe('Ambiguous column "name" at 58: it is in "p" and "t"; qualify it (p.name)');
  });

  it('refuses a table used twice without aliases', () => {
    expect(failure('SELECT * FROM team JOIN team ON team.id = team.id').message).toBe('Table name "team" at 24 is used twice; give each use its own alias (JOIN team AS team2)');
  });

  it('refuses an ON that reads a table joined later', () => {
    const error = failure('SELECT * FROM player p JOIN team t ON p.team = x.id JOIN team x ON x.id = p.team');
    expect(error.message).toBe('Column x.id at 49 cannot be used here: "x" is joined later; move the condition to WHERE or a later ON');
  });

  it('accepts the table name for an aliased table and reads ORDER BY aliases of the select list', () => {
    expect(bound('SELECT level AS lv FROM player p WHERE player.id = 1 ORDER BY lv').orderBy[0]!.col.column.name).toBe('level');
  });
});

describe('literal types', () => {
  it('types an integer as a bigint for 64-bit columns and as a number for narrower ones', () => {
    const where = bound('SELECT * FROM player WHERE score = 100 AND level = 5').where!;
    expect(where).toMatchObject({ kind: 'and', left: { kind: 'cmp', right: { value: 100n } }, right: { kind: 'cmp', right: { value: 5 } } });
  });

  it('reads identities from hex and from strings, in lowercase', () => {
    const hex = bound(`SELECT * FROM player WHERE owner = 0x${'A'.repeat(64)}`).where!;
    const text = bound(`SELECT * FROM player WHERE owner = '${'A'.repeat(64)}'`).where!;
    expect(hex).toMatchObject({ right: { value: ALICE } });
    expect(text).toMatchObject({ right: { value: ALICE } });
  });

  it('binds :sender to the given identity', () => {
    expect(bound('SELECT * FROM player WHERE owner = :sender', { sender: ALICE })).toMatchObject({ usesSender: true, where: { right: { value: ALICE, sql: ':sender' } } });
  });

  it('puts the column on the left of a comparison', () => {
    expect(bound('SELECT * FROM player WHERE 5 < level').where).toMatchObject({ kind: 'cmp', op: '>', left: { column: { name: 'level' } }, right: { value: 5 } });
  });

  it('spells equivalent queries the same', () => {
    expect(bound('select *   from player where level<>3 and (alive)').text).toBe(bound('SELECT * FROM player WHERE level != 3 AND alive = true').text);
    expect(bound('SELECT * FROM player WHERE level != 3').text).toBe('SELECT * FROM player WHERE player.level != 3');
  });

  it.each([
    ["SELECT * FROM player WHERE level = 'abc'", "Type mismatch at 35: player.level is u32 but 'abc' is a string", 35],
    ['SELECT * FROM player WHERE level = 5000000000', 'Integer 5000000000 at 35 is out of range for player.level (u32: 0..4294967295)', 35],
    ['SELECT * FROM player WHERE level > -1', 'Integer -1 at 35 is out of range for player.level (u32: 0..4294967295)', 35],
    ['SELECT * FROM player WHERE score < 18446744073709551616', 'Integer 18446744073709551616 at 35 is out of range for player.score (u64: 0..18446744073709551615)', 35],
    ['SELECT * FROM player WHERE level = 1.5', 'player.level is u32, an integer type, but 1.5 at 35 is not a whole number', 35],
    ['SELECT * FROM player WHERE alive = 1', 'Type mismatch at 35: player.alive is bool but 1 is an integer', 35],
    ["SELECT * FROM player WHERE name = true", 'Type mismatch at 34: player.name is string but true is a boolean', 34],
    ['SELECT * FROM player WHERE owner = 0xabc', 'player.owner is an identity (64 hex digits) but the literal at 35 has 3 hex digits', 35],
    ['SELECT * FROM player WHERE level = NULL', 'Type mismatch at 35: player.level is u32, not optional, so it is never NULL', 35],
    ['SELECT * FROM player WHERE level IS NULL', 'Type mismatch at 27: player.level is u32, not optional, so it is never NULL', 27],
    ['SELECT * FROM player WHERE nick < NULL', 'NULL at 34 can only be compared with = or != (or IS [NOT] NULL)', 34],
    ['SELECT * FROM player WHERE level = :sender', 'Type mismatch at 35: :sender is an identity but player.level is u32', 35],
    ['SELECT * FROM player WHERE owner = :me', 'Unknown parameter :me at 35; the only parameter is :sender', 35],
    ['SELECT * FROM player WHERE owner = :sender', 'The query uses :sender at 35 but no sender was given', 35],
    ['SELECT * FROM player p JOIN team t ON p.name = t.id', 'Type mismatch at 47: p.name is string but t.id is u32', 47],
    ['SELECT * FROM player WHERE level', 'Expected a condition at 27: player.level is u32, not bool; compare it with a value', 27],
    ['SELECT * FROM player WHERE 1 = 2', 'Unsupported: comparing two values at 27; compare a column with a value or another column', 27],
    ['SELECT COUNT(*), id FROM player', 'Unsupported: COUNT(*) beside other columns at 17; GROUP BY is not supported, so COUNT(*) stands alone', 17],
  ])('refuses %s', (sql, message, position) => {
    const error = failure(sql);
    expect(error.message).toBe(message);
    expect(error.position).toBe(position);
  });

  it('attaches the table and column to type errors', () => {
    const error = failure("SELECT * FROM player WHERE level = 'abc'");
    expect([error.table, error.column, error.code]).toEqual(['player', 'level', 'INVALID_QUERY']);
  });
});

describe('private tables', () => {
  it('are refused with the table named unless private reads are allowed', () => {
    const error = failure('SELECT * FROM secret');
    expect(error.message).toBe('Table "secret" at 14 is private: only public tables can be queried or subscribed to (the module owner reads private tables with allowPrivate)');
    expect(error.table).toBe('secret');
    expect(bound('SELECT * FROM secret', { allowPrivate: true }).tables[0]!.schema.name).toBe('secret');
  });
});
