/**
 * Latency page: one call at a time (each awaited), beside a postMessage round
 * trip to an echo worker and a one-put IndexedDB transaction, measured in turns
 * in the same page so a change of machine load hits all of them alike.
 */
import { wrap } from 'comlink';
import { connect, type Connection } from 'lockstep';
import type * as bench from './bench.module';
import { openBaseline, putOne } from './idb-baseline';
import { itemRow } from './rows';

/** Times in milliseconds, one per sample, in the order taken. */
export interface LatencySamples {
  /** Echo worker round trip of a call-sized message. */
  readonly echo: number[];
  /** `durability: 'confirmed'`: call → the caller's own `onInsert` callback. */
  readonly confirmedCallback: number[];
  /** `durability: 'confirmed'`: call → the call's promise resolved (the entry is durable). */
  readonly confirmedResolved: number[];
  /** `durability: 'fast'`: call → own `onInsert` callback. */
  readonly fastCallback: number[];
  /** One raw IndexedDB `put` in its own transaction → `complete`. */
  readonly idbPut: number[];
  /** Whether `performance.now()` has microsecond resolution (COOP/COEP). */
  readonly isolated: boolean;
}

/**
 * Takes `rounds × perRound` samples of each kind after `warmup` untimed ones,
 * each kind's batch in turn within a round.
 */
export async function measureLatency(rounds: number, perRound: number, warmup: number): Promise<LatencySamples> {
  const run = crypto.randomUUID();
  const confirmed = await openTimedConnection(`latency-confirmed-${run}`, 'confirmed');
  const fast = await openTimedConnection(`latency-fast-${run}`, 'fast');
  const echo = echoTimer(new Worker(new URL('./echo-worker.ts', import.meta.url), { type: 'module' }));
  const idb = await openBaseline(`latency-idb-${run}`, 'rows');
  const samples: LatencySamples = { echo: [], confirmedCallback: [], confirmedResolved: [], fastCallback: [], idbPut: [], isolated: crossOriginIsolated };

  // Each kind writes the same ids, each to its own database.
  let next = 0;
  const turn = async (count: number, record: boolean): Promise<void> => {
    const ids = Array.from({ length: count }, (_, i) => next + i);
    next += count;
    for (const id of ids) {
      const ms = await echo({ type: 'call', requestId: id, reducer: 'add_item', args: itemRow(id), callId: id });
      if (record) samples.echo.push(ms);
    }
    for (const id of ids) {
      const [callback, resolved] = await confirmed.time(id);
      if (!record) continue;
      samples.confirmedCallback.push(callback);
      samples.confirmedResolved.push(resolved);
    }
    for (const id of ids) {
      const [callback] = await fast.time(id);
      if (record) samples.fastCallback.push(callback);
    }
    for (const id of ids) {
      const row = itemRow(id);
      const start = performance.now();
      await putOne(idb, row);
      if (record) samples.idbPut.push(performance.now() - start);
    }
  };
  await turn(warmup, false);
  for (let r = 0; r < rounds; r++) await turn(perRound, true);

  await Promise.all([confirmed.conn.close(), fast.conn.close()]);
  echo.worker.terminate();
  idb.close();
  return samples;
}

/** Times in milliseconds of the three kinds {@link measureComlink} takes in turns. */
export interface ComlinkSamples {
  /** `durability: 'fast'`: call → own `onInsert` callback, through the connection's plain call port. */
  readonly fastCallback: number[];
  /** Echo worker round trip of a call-sized message over `postMessage`. */
  readonly echo: number[];
  /** The same message's round trip as a comlink method call (`wrap` / `expose`). */
  readonly comlink: number[];
  readonly isolated: boolean;
}

/**
 * What comlink would add to a `fast` call: a fast call's latency, and in turns
 * beside it the round trip of a call-sized message over a bare `postMessage` and
 * as a comlink method call. Moving calls onto comlink would add the difference
 * of the last two to every call.
 */
export async function measureComlink(rounds: number, perRound: number, warmup: number): Promise<ComlinkSamples> {
  const fast = await openTimedConnection(`comlink-fast-${crypto.randomUUID()}`, 'fast');
  const echo = echoTimer(new Worker(new URL('./echo-worker.ts', import.meta.url), { type: 'module' }));
  const comlinkWorker = new Worker(new URL('./comlink-echo-worker.ts', import.meta.url), { type: 'module' });
  const remote = wrap<{ echo(message: unknown): unknown }>(comlinkWorker);
  const samples: ComlinkSamples = { fastCallback: [], echo: [], comlink: [], isolated: crossOriginIsolated };
  let next = 0;
  const turn = async (count: number, record: boolean): Promise<void> => {
    const ids = Array.from({ length: count }, (_, i) => next + i);
    next += count;
    const message = (id: number) => ({ type: 'call', requestId: id, reducer: 'add_item', args: itemRow(id), callId: id });
    for (const id of ids) {
      const [callback] = await fast.time(id);
      if (record) samples.fastCallback.push(callback);
    }
    for (const id of ids) {
      const ms = await echo(message(id));
      if (record) samples.echo.push(ms);
    }
    for (const id of ids) {
      const start = performance.now();
      await remote.echo(message(id));
      if (record) samples.comlink.push(performance.now() - start);
    }
  };
  await turn(warmup, false);
  for (let r = 0; r < rounds; r++) await turn(perRound, true);
  await fast.conn.close();
  echo.worker.terminate();
  comlinkWorker.terminate();
  return samples;
}

/** A connection subscribed to `item`, with a timer of one `add_item` call: to its own `onInsert`, and to its promise. */
async function openTimedConnection(database: string, durability: 'confirmed' | 'fast') {
  const conn: Connection<typeof bench> = await connect<typeof bench>({
    database,
    durability,
    worker: () => new Worker(new URL('./bench-worker.ts', import.meta.url), { type: 'module' }),
  });
  await conn.subscribe('SELECT * FROM item').applied;
  let onOwnInsert: ((at: number) => void) | undefined;
  conn.db.item.onInsert((ctx) => {
    if (ctx.event.kind === 'reducer' && ctx.event.own) onOwnInsert?.(performance.now());
  });
  const time = async (id: number): Promise<[callback: number, resolved: number]> => {
    const row = itemRow(id);
    const inserted = new Promise<number>((resolve) => (onOwnInsert = resolve));
    const start = performance.now();
    await conn.reducers.add_item(row);
    const resolved = performance.now() - start;
    return [(await inserted) - start, resolved];
  };
  return { conn, time };
}

/** Times one message's round trip through an echo worker. */
function echoTimer(worker: Worker) {
  let onReply: ((at: number) => void) | undefined;
  worker.addEventListener('message', () => onReply?.(performance.now()));
  const time = async (message: unknown): Promise<number> => {
    const reply = new Promise<number>((resolve) => (onReply = resolve));
    const start = performance.now();
    worker.postMessage(message);
    return (await reply) - start;
  };
  return Object.assign(time, { worker });
}

Object.assign(window, { bench: { measureLatency, measureComlink } });
