import { describe, expect, it } from 'vitest';
import { QueryEngine } from './query-engine';
import { ALICE, gameStore } from './test-util';

const engine = new QueryEngine(gameStore());
const explain = (sql: string) => engine.explain(sql);
const rows = (sql: string) => engine.query(sql, { sender: ALICE }).rows;

describe('the planner', () => {
  it.each([
    ["SELECT * FROM player WHERE name = 'Alice'", "index seek player.name = 'Alice'"],
    ['SELECT * FROM player WHERE id = 3 AND alive', 'index seek player.id = 3\n  filter player.alive = true'],
    ['SELECT * FROM player WHERE level > 3 AND level <= 7', 'index range player.level > 3 and player.level <= 7'],
    ['SELECT * FROM player WHERE level > 3 AND level > 5 AND 9 > level', 'index range player.level > 5 and player.level < 9'],
    ['SELECT * FROM player WHERE team = 1 AND level >= 3', 'index seek player.team = 1 and player.level >= 3 (index by_team_level)'],
    ['SELECT * FROM player WHERE team = 2', 'index seek player.team = 2 (index by_team_level)'],
    ['SELECT * FROM player WHERE nick IS NULL', 'scan player\n  filter player.nick IS NULL'],
    ['SELECT * FROM player WHERE level = 3 OR level = 5', 'scan player\n  filter (player.level = 3 OR player.level = 5)'],
    ['SELECT * FROM player ORDER BY level DESC LIMIT 2', 'index walk player.level desc limit 2'],
    ['SELECT * FROM player WHERE level > 4 ORDER BY level LIMIT 2', 'index range player.level > 4 in order limit 2'],
    ['SELECT * FROM player WHERE team = 1 ORDER BY level DESC', 'index seek player.team = 1 (index by_team_level) in order desc'],
    ['SELECT * FROM player ORDER BY team, level', 'index walk player.team, player.level (index by_team_level)'],
    ['SELECT * FROM player ORDER BY score DESC LIMIT 3', 'scan player\nsort by player.score desc\nlimit 3'],
    ['SELECT * FROM player ORDER BY level, team', 'scan player\nsort by player.level, player.team'],
    ['SELECT COUNT(*) FROM player', 'count player'],
    ['SELECT COUNT(*) FROM player WHERE level = 5', 'index seek player.level = 5\ncount'],
    [
      "SELECT p.name FROM player p JOIN team t ON p.team = t.id WHERE t.region = 'eu'",
      "scan player as p\nindex nested-loop join: index seek t.id = p.team\n  filter t.region = 'eu'",
    ],
    ['SELECT * FROM team t JOIN player p ON p.team = t.id', 'scan team as t\nindex nested-loop join: index seek p.team = t.id (index by_team_level)'],
    ['SELECT * FROM team t JOIN player p ON p.nick = t.name', 'scan team as t\nnested-loop join: scan player as p\n  filter p.nick = t.name'],
  ])('plans %s', (sql, plan) => {
    expect(explain(sql)).toBe(plan);
  });

  it('scans and sorts every table when asked to (the reference plan)', () => {
    expect(engine.explain("SELECT * FROM player WHERE name = 'Alice' ORDER BY level LIMIT 1", {}, { forceScan: true })).toBe("scan player\n  filter player.name = 'Alice'\nsort by player.level\nlimit 1");
  });
});

describe('one-off queries', () => {
  it('project columns under their names and aliases', () => {
    const result = engine.query("SELECT id, name AS who, level FROM player WHERE name = 'Bob'");
    expect(result).toEqual({ columns: ['id', 'who', 'level'], rows: [[2, 'Bob', 3]] });
  });

  it('name clashing columns of a join by alias', () => {
    const result = engine.query("SELECT * FROM player p JOIN team t ON p.team = t.id WHERE p.name = 'Alice'");
    expect(result.columns).toEqual(['p.id', 'p.name', 'level', 'team', 'score', 'nick', 'owner', 'alive', 't.id', 't.name', 'region']);
    expect(result.rows).toEqual([[1, 'Alice', 5, 1, 100n, 'al', ALICE, true, 1, 'red', 'eu']]);
  });

  it('count rows, and a LIMIT 0 returns nothing', () => {
    expect(engine.query('SELECT COUNT(*) AS n FROM player WHERE alive')).toEqual({ columns: ['n'], rows: [[4]] });
    expect(rows('SELECT COUNT(*) FROM player')).toEqual([[6]]);
    expect(rows('SELECT * FROM player LIMIT 0')).toEqual([]);
  });

  it('order ties by primary key in the direction of the last ORDER BY column', () => {
    expect(rows('SELECT name FROM player WHERE level = 5 ORDER BY level')).toEqual([['Alice'], ['Dave']]);
    expect(rows('SELECT name FROM player ORDER BY level DESC LIMIT 4')).toEqual([['Eve'], ['Carol'], ['Dave'], ['Alice']]);
    expect(engine.query('SELECT name FROM player ORDER BY level DESC LIMIT 4', {}, { forceScan: true }).rows).toEqual([['Eve'], ['Carol'], ['Dave'], ['Alice']]);
  });

  it('compare with NULL, :sender and bool columns', () => {
    expect(rows('SELECT name FROM player WHERE nick = NULL ORDER BY name')).toEqual([['Bob'], ['Dave'], ['Eve']]);
    expect(rows('SELECT name FROM player WHERE nick IS NOT NULL AND nick > \'b\' ORDER BY name')).toEqual([['Carol'], ['Frank']]);
    expect(rows('SELECT name FROM player WHERE owner = :sender AND NOT alive ORDER BY id')).toEqual([['Carol'], ['Frank']]);
  });

  it('join through indexes and keep rows without a match out', () => {
    expect(rows("SELECT p.name, t.name AS team FROM player p JOIN team t ON p.team = t.id WHERE t.region = 'eu' ORDER BY p.name")).toEqual([
      ['Alice', 'red'],
      ['Bob', 'red'],
      ['Frank', 'green'],
    ]);
    expect(rows('SELECT COUNT(*) FROM player p JOIN team t ON p.team = t.id')).toEqual([[5]]);
  });

  it('keep only the best rows of a sorted LIMIT, in the order a full sort gives', () => {
    const sql = 'SELECT p.name, t.name FROM player p JOIN team t ON p.team = t.id ORDER BY t.name DESC, p.score';
    const all = rows(`${sql} LIMIT 5000`);
    expect(rows(`${sql} LIMIT 3`)).toEqual(all.slice(0, 3));
    expect(all).toEqual([['Alice', 'red'], ['Bob', 'red'], ['Frank', 'green'], ['Carol', 'blue'], ['Dave', 'blue']]);
  });

  it('reuse the plan of a query text it has seen', () => {
    const sql = 'SELECT * FROM player WHERE level = 5';
    expect(engine.query(sql)).toEqual(engine.query(sql));
    expect(rows(sql).map((r) => r[1])).toEqual(['Alice', 'Dave']);
  });
});
