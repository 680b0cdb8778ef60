// The minimal Lockstep app, page side: connect, one subscription. The worker is
// built on its own (lockstep-worker.ts), so each side's size is measured alone.
import { connect } from 'lockstep';
import type * as app from '../browser/bench.module';

/** Where the app serves its worker bundle. */
const WORKER_URL = '/worker.js';

const conn = await connect<typeof app>({ database: 'app', worker: () => new Worker(WORKER_URL, { type: 'module' }) });
conn.subscribe('SELECT * FROM item WHERE owner = 1');
conn.db.item.onInsert((_ctx, row) => console.log(row.label));
