/**
 * Throughput page: many durable calls in flight, beside the same records written
 * with raw IndexedDB (1000 puts per transaction) and with Dexie's `bulkPut`,
 * measured in turns in the same page.
 */
import Dexie from 'dexie';
import { connect } from 'lockstep';
import type * as bench from './bench.module';
import { openBaseline, putBatched } from './idb-baseline';
import { itemRows, type ItemRow } from './rows';

/** Milliseconds to write `count` records, one per round, for each contender. */
export interface ThroughputSamples {
  /** `count` `add_item` calls fired at once (`confirmed`), until the last resolved. */
  readonly lockstep: number[];
  /** Raw IndexedDB: 1000 puts per transaction, every transaction issued at once, until all committed. */
  readonly idbBatched: number[];
  /** One Dexie `bulkPut` of all the records. */
  readonly dexie: number[];
}

/** Writes `count` fresh records with each contender, `rounds` times in turn, after one untimed warm-up round of `warmup` records. */
export async function measureThroughput(count: number, rounds: number, warmup: number): Promise<ThroughputSamples> {
  const run = crypto.randomUUID();
  const conn = await connect<typeof bench>({
    database: `throughput-${run}`,
    worker: () => new Worker(new URL('./bench-worker.ts', import.meta.url), { type: 'module' }),
  });
  const idb = await openBaseline(`throughput-idb-${run}`, 'rows');
  const dexie = new Dexie(`throughput-dexie-${run}`);
  dexie.version(1).stores({ item: 'id' });
  const dexieItems = dexie.table<ItemRow, number>('item');

  const contenders = {
    lockstep: (rows: ItemRow[]) => Promise.all(rows.map((row) => conn.reducers.add_item(row))),
    idbBatched: (rows: ItemRow[]) => putBatched(idb, rows),
    dexie: (rows: ItemRow[]) => dexieItems.bulkPut(rows),
  };
  const samples: ThroughputSamples = { lockstep: [], idbBatched: [], dexie: [] };
  let next = 0;
  for (const write of Object.values(contenders)) await write(itemRows(next, warmup));
  next += warmup;
  for (let r = 0; r < rounds; r++) {
    for (const [name, write] of Object.entries(contenders) as [keyof ThroughputSamples, (rows: ItemRow[]) => Promise<unknown>][]) {
      const rows = itemRows(next, count);
      const start = performance.now();
      await write(rows);
      samples[name].push(performance.now() - start);
    }
    next += count;
  }

  await conn.close();
  idb.close();
  dexie.close();
  return samples;
}

Object.assign(window, { bench: { measureThroughput } });
