/**
 * Shared fixtures of the query tests: a small game schema, a store with rows,
 * and a helper that runs writes as one committed transaction.
 */
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import type { Identity } from '../schema/type-desc';
import type { Row } from '../store/index-store';
import { Store } from '../store/store';
import type { TxDiff } from '../store/transaction';

/** Players, teams and a private table. */
export const game = schema({
  player: table(
    { name: 'player', public: true, indexes: [{ accessor: 'by_team_level', columns: ['team', 'level'] }] },
    {
      id: t.u32().primaryKey(),
      name: t.string().unique(),
      level: t.u32().index('btree'),
      team: t.u32(),
      score: t.u64(),
      nick: t.option(t.string()),
      owner: t.identity(),
      alive: t.bool(),
    },
  ),
  team: table({ name: 'team', public: true }, { id: t.u32().primaryKey(), name: t.string(), region: t.string() }),
  secret: table({ name: 'secret' }, { id: t.u32().primaryKey(), note: t.string() }),
});

/** An identity. */
export const ALICE = 'a'.repeat(64) as Identity;
/** Another identity. */
export const BOB = 'b'.repeat(64) as Identity;

/** A store of the game schema with 3 teams and 6 players. */
export function gameStore(): Store {
  const store = new Store(game.tables);
  write(store, (w) => {
    w.insert('team', { id: 1, name: 'red', region: 'eu' });
    w.insert('team', { id: 2, name: 'blue', region: 'us' });
    w.insert('team', { id: 3, name: 'green', region: 'eu' });
    const players: [number, string, number, number, bigint, string | undefined, Identity, boolean][] = [
      [1, 'Alice', 5, 1, 100n, 'al', ALICE, true],
      [2, 'Bob', 3, 1, 250n, undefined, BOB, true],
      [3, 'Carol', 7, 2, 50n, 'cc', ALICE, false],
      [4, 'Dave', 5, 2, 300n, undefined, BOB, true],
      [5, 'Eve', 9, 9, 10n, undefined, BOB, true],
      [6, 'Frank', 1, 3, 999n, 'fr', ALICE, false],
    ];
    for (const [id, name, level, team, score, nick, owner, alive] of players) w.insert('player', { id, name, level, team, score, nick, owner, alive });
    w.insert('secret', { id: 1, note: 'hidden' });
  });
  return store;
}

/** Writes of one transaction. */
export interface Writer {
  insert(table: string, row: Record<string, unknown>): Row;
  /** Replaces the row with the same primary key. */
  update(table: string, row: Record<string, unknown>): Row;
  /** Deletes the row with this primary key. */
  delete(table: string, key: unknown): void;
}

/** Runs `fn`'s writes as one committed transaction and returns its diff. */
export function write(store: Store, fn: (w: Writer) => void): TxDiff {
  const tx = store.begin();
  try {
    fn({
      insert: (name, row) => {
        const table = store.table(name);
        return table.insertPrepared(table.prepare(row, tx), tx);
      },
      update: (name, row) => {
        const table = store.table(name);
        return table.update(table.prepare(row, tx), tx);
      },
      delete: (name, key) => {
        const table = store.table(name);
        const row = table.get(key);
        if (row === undefined) throw new Error(`no ${name} row with key ${String(key)}`);
        table.deleteRow(row, tx);
      },
    });
  } catch (error) {
    store.rollback();
    throw error;
  }
  store.commit();
  return tx.diff();
}
