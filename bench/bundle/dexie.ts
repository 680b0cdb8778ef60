// The minimal Dexie app: open, one live query.
import Dexie, { liveQuery } from 'dexie';

const db = new Dexie('app');
db.version(1).stores({ item: 'id, owner' });
liveQuery(() => db.table('item').where('owner').equals(1).toArray()).subscribe((rows) => console.log(rows.length));
