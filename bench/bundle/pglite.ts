// The minimal PGlite app: a database in IndexedDB, one live query.
import { PGlite } from '@electric-sql/pglite';
import { live, type PGliteWithLive } from '@electric-sql/pglite/live';

const pg = (await PGlite.create('idb://app', { extensions: { live } })) as PGliteWithLive;
await pg.live.query('SELECT * FROM item WHERE owner = 1', [], (result) => console.log(result.rows.length));
