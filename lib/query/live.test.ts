import { describe, expect, it } from 'vitest';
import { QueryError } from '../errors';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import { Store } from '../store/store';
import type { Row } from '../store/index-store';
import type { SubscriptionChange } from './live-plan';
import { QueryEngine } from './query-engine';
import { ALICE, BOB, gameStore, write, type Writer } from './test-util';

/** A store, its query engine, and a way to commit writes through both. */
function setup(): { store: Store; engine: QueryEngine; commit: (fn: (w: Writer) => void) => void } {
  const store = gameStore();
  const engine = new QueryEngine(store);
  return { store, engine, commit: (fn) => engine.applyDiff(write(store, fn)) };
}

/** Subscribes and records every change batch. */
function watch(engine: QueryEngine, sql: string, sender = ALICE) {
  const changes: SubscriptionChange[] = [];
  const sub = engine.subscribe(sql, { sender }, (c) => changes.push(c));
  return { sub, changes };
}

const names = (rows: readonly Row[]) => rows.map((r) => r.name).sort();
const player = (id: number, name: string, level: number, team: number, score = 0n) => ({ id, name, level, team, score, nick: undefined, owner: BOB, alive: true });

describe('a live filter', () => {
  it('starts with the current rows and reports rows entering and leaving', () => {
    const { engine, commit } = setup();
    const { sub, changes } = watch(engine, 'SELECT * FROM player WHERE team = 1');
    expect(names(sub.rows)).toEqual(['Alice', 'Bob']);
    commit((w) => w.insert('player', player(7, 'Gus', 2, 1)));
    commit((w) => w.delete('player', 1));
    expect(changes.map((c) => [names(c.inserts), names(c.deletes), c.updates.length])).toEqual([
      [['Gus'], [], 0],
      [[], ['Alice'], 0],
    ]);
    expect(changes[0]!.table).toBe('player');
  });

  it('reports a row that stays as an update, and one that moves out or in as a delete or an insert', () => {
    const { engine, commit } = setup();
    const { changes } = watch(engine, 'SELECT * FROM player WHERE team = 1');
    commit((w) => w.update('player', player(2, 'Bob', 4, 1)));
    commit((w) => w.update('player', player(2, 'Bob', 4, 2)));
    commit((w) => w.update('player', player(3, 'Carol', 7, 1)));
    expect(changes[0]!.updates.map((u) => [u.old.level, u.new.level])).toEqual([[3, 4]]);
    expect([changes[0]!.inserts, changes[0]!.deletes]).toEqual([[], []]);
    expect(names(changes[1]!.deletes)).toEqual(['Bob']);
    expect(names(changes[2]!.inserts)).toEqual(['Carol']);
  });

  it('sends one batch per transaction, and none when the result did not change', () => {
    const { engine, commit } = setup();
    const { changes } = watch(engine, 'SELECT * FROM player WHERE level >= 5');
    commit((w) => {
      w.insert('player', player(7, 'Gus', 6, 1));
      w.insert('player', player(8, 'Hal', 8, 2));
      w.insert('player', player(9, 'Ivy', 1, 2));
    });
    commit((w) => w.insert('team', { id: 4, name: 'gold', region: 'us' }));
    commit((w) => w.update('player', { ...w.insert('player', player(10, 'Jo', 2, 3)), level: 3 }));
    commit((w) => {
      w.delete('player', 7);
      w.insert('player', player(7, 'Gus', 6, 1));
    });
    expect(changes).toHaveLength(1);
    expect(names(changes[0]!.inserts)).toEqual(['Gus', 'Hal']);
  });

  it('files plans by equality and range terms, and checks the rest against every change', () => {
    const { engine } = setup();
    expect(engine.explain('SELECT * FROM player WHERE team = 1 AND level > 2', {}, { live: true })).toBe(
      'live filter on player\n  initial: index seek player.team = 1 and player.level > 2 (index by_team_level)\n  changes: rows of player routed by player.team = 1 (equality map)',
    );
    expect(engine.explain('SELECT * FROM player WHERE score > 100', {}, { live: true })).toContain('changes: rows of player routed by player.score > 100 (threshold index)');
    expect(engine.explain('SELECT * FROM player WHERE level = 1 OR level = 2', {}, { live: true })).toContain('changes: every changed row of player is checked');
  });
});

describe('routing of non-numeric values', () => {
  it('delivers rows matched on bytes, NULL, f32 and identity values', () => {
    const store = new Store(
      schema({ blob: table({ name: 'blob', public: true }, { id: t.u32().primaryKey(), data: t.option(t.bytes()), f: t.f32(), who: t.identity() }) }).tables,
    );
    const engine = new QueryEngine(store);
    const got: Record<string, unknown[]> = {};
    for (const [name, where] of [['bytes', 'data = 0x0aff'], ['null', 'data IS NULL'], ['f32', 'f = 0.1'], ['who', `who = '${'C'.repeat(64)}'`]] as const) {
      got[name] = [];
      engine.subscribe(`SELECT * FROM blob WHERE ${where}`, {}, (c) => got[name]!.push(...c.inserts.map((r) => r.id)));
    }
    engine.applyDiff(
      write(store, (w) => {
        w.insert('blob', { id: 1, data: Uint8Array.of(10, 255), f: 0.1, who: ALICE });
        w.insert('blob', { id: 2, data: undefined, f: 0.5, who: 'c'.repeat(64) });
        w.insert('blob', { id: 3, data: Uint8Array.of(10), f: Math.fround(0.1), who: BOB });
      }),
    );
    expect(got).toEqual({ bytes: [1], null: [2], f32: [1, 3], who: [2] });
  });
});

describe('shared plans', () => {
  it('serve every subscriber of the same query however it is spelled, until the last one leaves', () => {
    const { engine, commit } = setup();
    const a = watch(engine, 'SELECT * FROM player WHERE level > 4');
    const b = watch(engine, 'select *  from player where 4 < level');
    expect(engine.liveQueries).toBe(1);
    expect(a.sub.query).toBe(b.sub.query);
    commit((w) => w.insert('player', player(7, 'Gus', 6, 1)));
    a.sub.unsubscribe();
    a.sub.unsubscribe();
    expect(engine.liveQueries).toBe(1);
    commit((w) => w.insert('player', player(8, 'Hal', 8, 2)));
    b.sub.unsubscribe();
    expect(engine.liveQueries).toBe(0);
    commit((w) => w.insert('player', player(9, 'Ivy', 9, 2)));
    expect(a.changes.map((c) => names(c.inserts))).toEqual([['Gus']]);
    expect(b.changes.map((c) => names(c.inserts))).toEqual([['Gus'], ['Hal']]);
  });

  it('are separate for each sender of a query that uses :sender', () => {
    const { engine, commit } = setup();
    const alice = watch(engine, 'SELECT * FROM player WHERE owner = :sender', ALICE);
    const bob = watch(engine, 'SELECT * FROM player WHERE owner = :sender', BOB);
    expect(engine.liveQueries).toBe(2);
    expect(names(alice.sub.rows)).toEqual(['Alice', 'Carol', 'Frank']);
    commit((w) => w.insert('player', player(7, 'Gus', 6, 1)));
    expect(alice.changes).toEqual([]);
    expect(bob.changes.map((c) => names(c.inserts))).toEqual([['Gus']]);
  });

  it('give a late subscriber the current result', () => {
    const { engine, commit } = setup();
    watch(engine, 'SELECT p.* FROM player p JOIN team t ON p.team = t.id WHERE t.region = \'us\'');
    commit((w) => w.update('team', { id: 3, name: 'green', region: 'us' }));
    expect(names(watch(engine, 'SELECT p.* FROM player p JOIN team t ON p.team = t.id WHERE t.region = \'us\'').sub.rows)).toEqual(['Carol', 'Dave', 'Frank']);
    expect([...engine.resultsByTable()].map(([table, rows]) => [table, names(rows)])).toEqual([['player', ['Carol', 'Dave', 'Frank']]]);
  });
});

describe('a live semijoin', () => {
  const sql = "SELECT p.* FROM player p JOIN team t ON p.team = t.id WHERE t.region = 'eu' AND p.level > 1";

  it('starts with the rows that have a match', () => {
    const { engine } = setup();
    expect(names(watch(engine, sql).sub.rows)).toEqual(['Alice', 'Bob']);
  });

  it('brings rows in when a matching row appears on the other side, and out when the last match goes', () => {
    const { engine, commit } = setup();
    const { changes } = watch(engine, sql);
    commit((w) => w.update('team', { id: 2, name: 'blue', region: 'eu' }));
    commit((w) => w.insert('team', { id: 9, name: 'ghost', region: 'eu' }));
    commit((w) => w.delete('team', 1));
    expect(changes.map((c) => [names(c.inserts), names(c.deletes)])).toEqual([
      [['Carol', 'Dave'], []],
      [['Eve'], []],
      [[], ['Alice', 'Bob']],
    ]);
  });

  it('keeps a row while another match remains, and follows changes of its own rows', () => {
    const { engine, commit } = setup();
    const { changes } = watch(engine, 'SELECT t.* FROM team t JOIN player p ON t.id = p.team');
    expect(watch(engine, 'SELECT t.* FROM team t JOIN player p ON t.id = p.team').sub.rows.map((r) => r.name)).toEqual(['red', 'blue', 'green']);
    commit((w) => w.delete('player', 1));
    commit((w) => w.delete('player', 2));
    commit((w) => w.update('team', { id: 2, name: 'navy', region: 'us' }));
    expect(changes.map((c) => [names(c.inserts), names(c.deletes), c.updates.map((u) => `${u.old.name}->${u.new.name}`)])).toEqual([
      [[], ['red'], []],
      [[], [], ['blue->navy']],
    ]);
  });

  it('explains its index lookups, and the scans a missing index forces', () => {
    const { engine } = setup();
    expect(engine.explain(sql, {}, { live: true })).toBe(
      [
        'live semijoin: rows of player with a matching team on p.team = t.id',
        '  initial: index range p.level > 1, count matches by index seek t.id',
        '  changes of player: rows of player routed by p.level > 1 (threshold index); count matches by index seek t.id',
        "  changes of team: rows of team routed by t.region = 'eu' (equality map); find player rows by index seek p.team (index by_team_level)",
        "  condition: p.team = t.id AND t.region = 'eu' AND p.level > 1",
      ].join('\n'),
    );
    expect(engine.explain('SELECT t.* FROM team t JOIN player p ON t.name = p.nick', {}, { live: true })).toContain('count matches by scan player (no index on p.nick)');
  });
});

describe('a live top-N', () => {
  it('keeps the first rows in order and refills from the index when one leaves', () => {
    const { engine, commit } = setup();
    const { sub, changes } = watch(engine, 'SELECT * FROM player ORDER BY level DESC LIMIT 2');
    expect(sub.rows.map((r) => r.name)).toEqual(['Eve', 'Carol']);
    commit((w) => w.insert('player', player(7, 'Gus', 8, 1)));
    commit((w) => w.delete('player', 5));
    commit((w) => w.insert('player', player(8, 'Hal', 1, 1)));
    expect(changes.map((c) => [names(c.inserts), names(c.deletes)])).toEqual([
      [['Gus'], ['Carol']],
      [['Carol'], ['Eve']],
    ]);
    expect(engine.explain('SELECT * FROM player ORDER BY level DESC LIMIT 2', {}, { live: true })).toBe(
      'live top-2 of player by player.level desc\n  initial and refill: index walk player.level desc\n  changes: every changed row of player is checked',
    );
  });

  it('reads and selects when no index has the ORDER BY order', () => {
    const { engine, commit } = setup();
    const { changes } = watch(engine, 'SELECT * FROM player WHERE team = 2 ORDER BY score LIMIT 1');
    commit((w) => w.delete('player', 3));
    expect(changes.map((c) => [names(c.inserts), names(c.deletes)])).toEqual([[['Dave'], ['Carol']]]);
    expect(engine.explain('SELECT * FROM player WHERE team = 2 ORDER BY score LIMIT 1', {}, { live: true })).toContain('initial and refill: index seek player.team = 2 (index by_team_level), select by player.score');
  });
});

describe('subscription errors', () => {
  const refuse = (sql: string, options: { allowPrivate?: boolean } = {}): QueryError => {
    const { engine } = setup();
    try {
      engine.subscribe(sql, {}, () => {}, options);
    } catch (error) {
      if (error instanceof QueryError) return error;
      throw error;
    }
    throw new Error(`expected "${sql}" to be refused`);
  };

  it.each([
    ['SELECT p.* FROM player p JOIN team t ON p.team = t.id JOIN team u ON u.id = p.team', 'Unsupported: a join of three or more tables in a subscription at 54;', 54],
    ['SELECT p.* FROM player p JOIN team t ON p.team = t.id ORDER BY p.level LIMIT 3', 'Unsupported: ORDER BY in a join subscription at 54;', 54],
    ['SELECT * FROM player p JOIN team t ON p.team = t.id', 'Unsupported: a join subscription that does not select one table at 7;', 7],
    ['SELECT p.* FROM player p JOIN team t ON p.team > t.id', 'Unsupported: this ON in a join subscription at 40; the ON must be one equality between a column of each table', 40],
    ['SELECT name FROM player', 'Unsupported: a column list in a subscription at 7;', 7],
    ['SELECT COUNT(*) FROM player', 'Unsupported: COUNT(*) in a subscription at 7;', 7],
    ['SELECT * FROM player LIMIT 3', 'Unsupported: LIMIT without ORDER BY in a subscription at 21; say which rows to keep', 21],
    ['SELECT * FROM player ORDER BY level', 'Unsupported: ORDER BY without LIMIT in a subscription at 21;', 21],
  ])('refuses %s', (sql, message, position) => {
    const error = refuse(sql);
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.position).toBe(position);
  });

  it('refuses a private table by name unless the owner allows private reads', () => {
    expect(refuse('SELECT * FROM secret').message).toBe('Table "secret" at 14 is private: only public tables can be queried or subscribed to (the module owner reads private tables with allowPrivate)');
    const { engine } = setup();
    expect(engine.subscribe('SELECT * FROM secret', {}, () => {}, { allowPrivate: true }).rows).toEqual([{ id: 1, note: 'hidden' }]);
  });
});

describe('delivery', () => {
  it('calls every listener when one throws, then rethrows its error', () => {
    const { engine, store } = setup();
    const seen: string[] = [];
    engine.subscribe('SELECT * FROM team', {}, () => {
      seen.push('first');
      throw new Error('listener broke');
    });
    engine.subscribe("SELECT * FROM team WHERE name != 'x'", {}, () => seen.push('second'));
    expect(() => engine.applyDiff(write(store, (w) => w.insert('team', { id: 4, name: 'gold', region: 'us' })))).toThrow('listener broke');
    expect(seen).toEqual(['first', 'second']);
  });

  it('stops at once for a subscriber that unsubscribes during a delivery', () => {
    const { engine, store } = setup();
    const seen: string[] = [];
    let second: { unsubscribe(): void } | undefined;
    engine.subscribe('SELECT * FROM team', {}, () => {
      seen.push('first');
      second?.unsubscribe();
    });
    second = engine.subscribe('SELECT * FROM team', {}, () => seen.push('second'));
    engine.applyDiff(write(store, (w) => w.insert('team', { id: 4, name: 'gold', region: 'us' })));
    expect(seen).toEqual(['first']);
  });

  it('applies a transaction committed by a listener after the current one is delivered', () => {
    const { engine, store } = setup();
    const order: string[] = [];
    const lateRows: unknown[][] = [];
    engine.subscribe('SELECT * FROM team', {}, (c) => {
      order.push(`a:${names(c.inserts).join()}`);
      if (c.inserts[0]?.name === 'gold') {
        engine.applyDiff(write(store, (w) => w.insert('team', { id: 5, name: 'iron', region: 'us' })));
        const late = engine.subscribe("SELECT * FROM team WHERE region = 'us'", {}, (c2) => order.push(`late:${names(c2.inserts).join()}`));
        lateRows.push(names(late.rows));
      }
    });
    engine.subscribe("SELECT * FROM team WHERE name != 'x'", {}, (c) => order.push(`b:${names(c.inserts).join()}`));
    engine.applyDiff(write(store, (w) => w.insert('team', { id: 4, name: 'gold', region: 'us' })));
    expect(order).toEqual(['a:gold', 'b:gold', 'a:iron', 'b:iron']);
    expect(lateRows).toEqual([['blue', 'gold', 'iron']]);
  });
});
