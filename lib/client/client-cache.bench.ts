// Client cache benchmarks: point reads and indexed filters on 100k cached rows,
// and a call's round trip to its own callback through the in-process fake host
// (structured clone both ways; the browser figure needs a real worker).
// Run from bench/ with `export { run } from '../lib/client/client-cache.bench';`.
import { Identity } from '../values/identity';
import { median, perSecond, timeMs, type BenchRow } from '../../bench/harness';
import { connectFake, identity, subscribeFake } from './fake-host.test-util';
import * as m from './test-module.test-util';

const ROWS = 100_000;
const READS = 1_000_000;

/** Measures the client cache; each figure beside a baseline from the same process. */
export async function run(): Promise<Omit<BenchRow, 'group'>[]> {
  const { host, conn } = await connectFake(m);
  const players = Array.from({ length: ROWS }, (_, id) => ({ id, owner: identity(id), name: `p${id}`, gold: id % 100 }));
  const { request } = await subscribeFake(host, conn, 'SELECT * FROM player', [players]);

  const byId = conn.db.player.id;
  let sink = 0;
  const findMs = timeMs(() => {
    for (let i = 0; i < READS; i++) sink += byId.find(i % ROWS)!.gold;
  });
  const map = new Map(players.map((p) => [p.id, p]));
  const mapMs = timeMs(() => {
    for (let i = 0; i < READS; i++) sink += map.get(i % ROWS)!.gold;
  });
  const byOwner = conn.db.player.owner;
  const owners = players.slice(0, 1000).map((p) => new Identity(p.owner));
  const uniqueMs = timeMs(() => {
    for (let i = 0; i < READS; i++) sink += byOwner.find(owners[i % 1000]!)!.gold;
  });

  const FILTERS = 200;
  const filterMs = timeMs(() => {
    for (let i = 0; i < FILTERS; i++) for (const row of conn.db.player.gold.filter(i % 100)) sink += row.gold;
  });
  const scanMs = timeMs(() => {
    for (let i = 0; i < FILTERS; i++) for (const row of players) if (row.gold === i % 100) sink += row.gold;
  });

  const queryId = request.queries[0]!.queryId;
  let next = ROWS;
  let seen = 0;
  conn.db.player.onInsert(() => void seen++);
  const trips: number[] = [];
  for (let i = 0; i < 500; i++) {
    const id = next++;
    const start = performance.now();
    const call = conn.reducers.add_player({ id, name: 'x', gold: 1 });
    host.answerCall(await host.next('call'), [{ queryId, inserts: [{ id, owner: identity(id), name: 'x', gold: 1 }] }]);
    await call;
    trips.push(performance.now() - start);
  }
  const bare: number[] = [];
  for (let i = 0; i < 500; i++) {
    const start = performance.now();
    const query = conn.sql('SELECT 1');
    host.reply(await host.next('sql'), { columns: [], rows: [] });
    await query;
    bare.push(performance.now() - start);
  }
  if (sink === -1 || seen !== 500) throw new Error('unreachable: keeps the loops alive');
  const closing = conn.close();
  host.reply(await host.next('close'));
  await closing;

  return [
    { name: `find by primary key, ${ROWS / 1000}k rows`, value: perSecond(READS, findMs), unit: 'ops/s', baselineName: 'Map.get', baselineValue: perSecond(READS, mapMs) },
    { name: `find by unique identity column, ${ROWS / 1000}k rows`, value: perSecond(READS, uniqueMs), unit: 'ops/s', baselineName: 'Map.get', baselineValue: perSecond(READS, mapMs) },
    { name: `index filter returning ~${ROWS / 100} rows`, value: perSecond(FILTERS, filterMs), unit: 'queries/s', baselineName: 'array scan', baselineValue: perSecond(FILTERS, scanMs) },
    { name: 'own call → onInsert (fake host, in-process)', value: median(trips) * 1000, unit: 'µs p50', baselineName: 'sql() round trip, no rows', baselineValue: median(bare) * 1000 },
  ];
}
