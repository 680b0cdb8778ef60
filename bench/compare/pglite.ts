/**
 * PGlite (Postgres in WebAssembly) as a contender: its IndexedDB file system
 * (`idb://`, each statement synced before it resolves), a primary key and an index
 * on `owner`, live queries through its `live` extension.
 */
import { PGlite } from '@electric-sql/pglite';
import { live, type PGliteWithLive } from '@electric-sql/pglite/live';
import type { ItemRow } from '../browser/rows';
import type { Contender } from './contender';

/** Opens PGlite database `name` in IndexedDB, creating table `item` if needed. */
export async function openPGlite(name: string): Promise<Contender> {
  const pg = (await PGlite.create(`idb://${name}`, { extensions: { live } })) as PGliteWithLive;
  await pg.exec('CREATE TABLE IF NOT EXISTS item (id integer PRIMARY KEY, owner integer NOT NULL, label text NOT NULL, amount float8 NOT NULL); CREATE INDEX IF NOT EXISTS item_owner ON item (owner);');
  const rows = async (sql: string, params: unknown[]): Promise<ItemRow[]> => (await pg.query<ItemRow>(sql, params)).rows;
  const stops: (() => Promise<void>)[] = [];
  return {
    write: (row) => pg.query('INSERT INTO item VALUES ($1, $2, $3, $4)', [row.id, row.owner, row.label, row.amount]).then(() => undefined),
    bulk: (all) =>
      pg
        .query('INSERT INTO item SELECT * FROM unnest($1::integer[], $2::integer[], $3::text[], $4::float8[])', [
          all.map((r) => r.id),
          all.map((r) => r.owner),
          all.map((r) => r.label),
          all.map((r) => r.amount),
        ])
        .then(() => undefined),
    get: async (id) => (await rows('SELECT * FROM item WHERE id = $1', [id]))[0],
    byOwner: (owner) => rows('SELECT * FROM item WHERE owner = $1', [owner]),
    async live(owners, changed) {
      for (const owner of owners) {
        let initial = true;
        const query = await pg.live.query('SELECT * FROM item WHERE owner = $1', [owner], () => {
          if (!initial) changed(owner);
        });
        initial = false;
        stops.push(query.unsubscribe);
      }
    },
    count: async () => Number((await pg.query<{ n: number }>('SELECT COUNT(*)::integer AS n FROM item')).rows[0]?.n),
    async close() {
      for (const stop of stops) await stop();
      await pg.close();
    },
  };
}
