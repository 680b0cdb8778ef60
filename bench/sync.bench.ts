/**
 * Replica replay throughput in Node: a follower over a replica's state that
 * starts from nothing catches up on a leader's log, fed `entries` messages the
 * way a log server sends them, beside the leader executing the same calls in the
 * same process.
 */
import { Database } from '../lib/log/database';
import { encodeEntries, type LogEntry } from '../lib/log/entry';
import { MemoryStorage } from '../lib/log/memory-storage';
import { loadModule } from '../lib/schema/module';
import { schema } from '../lib/schema/schema';
import { table } from '../lib/schema/table';
import { t } from '../lib/schema/type-builders';
import type { Identity } from '../lib/schema/type-desc';
import { readDurableTail } from '../lib/replication/durable-log';
import { Follower } from '../lib/replication/follower';
import { MemoryReplica } from '../lib/replication/memory-replica';
import type { EntriesMessage, ReplicationMessage } from '../lib/replication/messages';
import type { Link } from '../lib/replication/link';
import { median, perSecond, type BenchRow } from './harness';

const IDENTITY = '5e'.repeat(32) as Identity;
const SENDER = 'a1'.repeat(32) as Identity;
/** Calls in the log. */
const N = 20_000;
/** Entries per `entries` message, as a leader batches its catch-up. */
const PER_MESSAGE = 256;
const RUNS = 3;

function itemModule() {
  const item = table({ name: 'item', public: true }, {
    id: t.u32().primaryKey(),
    owner: t.u32().index('btree'),
    label: t.string(),
  });
  const db = schema({ item });
  return loadModule({
    default: db,
    add_item: db.reducer({ id: t.u32(), owner: t.u32(), label: t.string() }, (ctx, row) => {
      ctx.db.item.insert(row);
    }),
  });
}

/** A link that goes nowhere: the benchmark hands messages to the follower itself. */
const silent: Link<ReplicationMessage> = { send() {}, onMessage: () => () => {}, peers: () => [], onPeer: () => () => {}, close() {} };

/**
 * The leader's side: N one-row calls into a fresh database. Returns the
 * milliseconds of the submit loop alone (execution, diff encoding, sealing; the
 * group commit to memory runs after it) and the entries as stored.
 */
async function lead(module: ReturnType<typeof itemModule>): Promise<{ ms: number; entries: LogEntry[] }> {
  // A counter clock and seeds: the defaults read the wall clock and crypto, neither of which this measures.
  let tick = 1_700_000_000_000_000n;
  let seed = 1n;
  const db = await Database.open(module, {
    storage: new MemoryStorage('leader'),
    identity: IDENTITY,
    clock: () => tick++,
    seeds: () => seed++,
    // Keep the whole log, so the replica can start from seq 0.
    keepEntries: Infinity,
  });
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const submitted = db.submit({ reducer: 'add_item', args: { id: i, owner: i % 1000, label: 'sword' }, sender: SENDER, connectionId: null, caller: { client: 'bench', callId: i + 1 } });
    if (!submitted.outcome.ok) throw submitted.outcome.error;
  }
  const ms = performance.now() - start;
  await db.flush();
  const tail = await readDurableTail(db.storage, 0);
  if (!tail.complete || tail.entries.length !== N) throw new Error(`The leader stored ${tail.entries.length} of ${N} entries`);
  return { ms, entries: tail.entries };
}

/** The catch-up a leader would send: `PER_MESSAGE` entries per message. */
function messages(entries: readonly LogEntry[]): EntriesMessage[] {
  const out: EntriesMessage[] = [];
  for (let i = 0; i < entries.length; i += PER_MESSAGE) {
    const batch = entries.slice(i, i + PER_MESSAGE);
    out.push({ type: 'entries', epoch: 1, firstSeq: batch[0]!.seq, lastSeq: batch.at(-1)!.seq, bytes: encodeEntries(batch), target: entries.length });
  }
  return out;
}

/** A replica from empty storage applies every message; the milliseconds until its seq is N. */
async function replay(module: ReturnType<typeof itemModule>, batches: readonly EntriesMessage[]): Promise<number> {
  const replica = await MemoryReplica.open(module, { storage: new MemoryStorage('replica'), identity: IDENTITY });
  const follower = new Follower({ link: silent, target: replica, epoch: replica.epoch });
  const start = performance.now();
  for (const message of batches) follower.receive(message, 'leader');
  const ms = performance.now() - start;
  // Correctness, not timing: a replay that diverged would measure the wrong thing.
  if (replica.seq !== N) throw new Error(`The replica reached seq ${replica.seq} of ${N}${follower.diverged ? `: ${follower.diverged.reason}` : ''}`);
  follower.close();
  return ms;
}

export async function run(): Promise<BenchRow[]> {
  const module = itemModule();
  const leaderMs: number[] = [];
  const replicaMs: number[] = [];
  // One untimed round first, to warm the JIT for both sides.
  for (let r = 0; r <= RUNS; r++) {
    const { ms, entries } = await lead(module);
    const replayed = await replay(module, messages(entries));
    if (r === 0) continue;
    leaderMs.push(ms);
    replicaMs.push(replayed);
  }
  return [
    {
      group: 'sync',
      name: `replica replay from empty (${N / 1000}k one-row calls, ${PER_MESSAGE} per message)`,
      value: perSecond(N, median(replicaMs)),
      unit: 'entries/s',
      baselineName: 'leader db.submit of the same calls',
      baselineValue: perSecond(N, median(leaderMs)),
      note: `median of ${RUNS}; replay = decode + chain check + re-run + diff hash; submit excludes storage waits`,
    },
  ];
}
