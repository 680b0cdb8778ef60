/**
 * Peer benchmark page. The Node driver opens it in separate browser contexts
 * (separate storage), each one browser of a room joined through a signaling
 * relay on 127.0.0.1; the first to join is the authority.
 *
 * One-way times compare the clocks of two pages, as in the cross-tab page: the
 * caller stamps `performance.timeOrigin + performance.now()` in the row and the
 * observer subtracts it from its own on `onInsert`. All contexts run in one
 * browser on one machine, on the same monotonic clock.
 */
import { connect, websocketSignaling, type Connection } from 'lockstep';
import { joinRoom, type Room } from '../../lib/peer/room';
import type * as peers from './peers.module';

let conn: Connection<typeof peers> | undefined;
/** Latency of each ping seen inserted here, by id, while observing. */
const seen = new Map<number, number>();
let observing = false;
let echoRoom: Room | undefined;

const clock = (): number => performance.timeOrigin + performance.now();
const worker = (): Worker => new Worker(new URL('./peers-worker.ts', import.meta.url), { type: 'module' });

/** Resolves once `done()` holds, checked at each status change. */
function until(c: Connection<typeof peers>, done: () => boolean): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const off = c.onStatus(() => {
      if (!done()) return;
      off();
      resolve();
    });
  });
}

/** Connects to `database` in `room` and waits until connected in `role`; resolves with the ms it took. */
export async function join(relay: string, room: string, database: string, role: 'authority' | 'replica'): Promise<number> {
  const start = performance.now();
  const opened = await connect<typeof peers>({ database, worker, peers: { room, signaling: () => websocketSignaling(relay) } });
  conn = opened;
  await until(opened, () => opened.status.room?.role === role && opened.status.room.state === 'connected');
  await opened.subscribe('SELECT * FROM ping').applied;
  opened.db.ping.onInsert((_ctx, row) => {
    if (observing) seen.set(row.id, clock() - row.sentAt);
  });
  return performance.now() - start;
}

/** Records the latency of every ping inserted from now on. (Every step answers something: the driver reads undefined as "still running".) */
export function observe(): true {
  observing = true;
  return true;
}

/** The latencies seen for `ids` (waits until all are in), in ms. */
export async function seenFor(from: number, count: number): Promise<number[]> {
  const ids = Array.from({ length: count }, (_, i) => from + i);
  while (!ids.every((id) => seen.has(id))) await new Promise((resolve) => setTimeout(resolve, 5));
  return ids.map((id) => seen.get(id)!);
}

/** Calls `ping` `count` times one at a time (ids `from`…): each starts once the previous one resolved here. */
export async function callTurn(from: number, count: number): Promise<number> {
  const c = joined();
  for (let id = from; id < from + count; id++) await c.reducers.ping({ id, sentAt: clock() });
  return count;
}

/** Streams `count` pings (ids `from`…) with `window` in flight; resolves with the ms until all resolved. */
export function burst(from: number, count: number, window: number): Promise<number> {
  const c = joined();
  const start = performance.now();
  let sent = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const send = (): void => {
      if (sent >= count) return;
      const id = from + sent++;
      c.reducers.ping({ id, sentAt: clock() }).then(() => (++done === count ? resolve(performance.now() - start) : send()), reject);
    };
    for (let i = 0; i < window; i++) send();
  });
}

/** Waits until this browser has applied every entry up to the authority's seq `seq`. */
export async function reached(seq: number): Promise<number> {
  const c = joined();
  await until(c, () => c.status.seq >= seq);
  return c.status.seq;
}

/** This browser's last applied seq. */
export const seq = (): number => joined().status.seq;

/** Inserts `rows` benchmark rows, 1000 per call, 8 calls in flight; resolves with the seq reached and the rows held. */
export async function fill(rows: number): Promise<{ seq: number; rows: number }> {
  const c = joined();
  const calls: Promise<void>[] = [];
  for (let from = 0; from < rows; from += 1000) {
    calls.push(c.reducers.fill({ from, count: Math.min(1000, rows - from) }));
    if (calls.length >= 8) await calls.shift();
  }
  await Promise.all(calls);
  const count = await c.sql('SELECT COUNT(*) AS n FROM item');
  return { seq: (await c.inspect()).seq, rows: Number(count.rows[0]?.['n']) };
}

/**
 * A browser that has never seen the room joins it and catches up to the
 * authority's `seq`: resolves with the ms from `connect()` until then, the rows
 * it holds, and the entries it fetched (the rest came in a snapshot).
 */
export async function catchUp(relay: string, room: string, database: string, target: number): Promise<{ ms: number; rows: number; fetched: number }> {
  const start = performance.now();
  const c = await connect<typeof peers>({ database, worker, peers: { room, signaling: () => websocketSignaling(relay) } });
  conn = c;
  await until(c, () => c.status.room?.state === 'connected' && c.status.seq >= target);
  const ms = performance.now() - start;
  const result = await c.sql('SELECT COUNT(*) AS n FROM item');
  return { ms, rows: Number(result.rows[0]?.['n']), fetched: c.status.room?.fetched ?? 0 };
}

/** Closes the connection, then opens the same database again (its room, its own storage) and counts its rows: the local cold open. */
export async function reopen(relay: string, room: string, database: string): Promise<{ ms: number; rows: number }> {
  await conn?.close();
  const start = performance.now();
  const c = await connect<typeof peers>({ database, worker, peers: { room, signaling: () => websocketSignaling(relay) } });
  conn = c;
  const result = await c.sql('SELECT COUNT(*) AS n FROM item');
  return { ms: performance.now() - start, rows: Number(result.rows[0]?.['n']) };
}

/** Joins the bare data-channel room `room` and echoes every message back to its sender. */
export async function echo(relay: string, room: string): Promise<true> {
  echoRoom = joinRoom({ room, peerId: crypto.randomUUID(), signaling: websocketSignaling(relay) });
  echoRoom.onMessage((from, data) => echoRoom!.send(from, data));
  await echoRoom.joined;
  return true;
}

/** Joins `room` (where a page runs {@link echo}) and times `count` round trips of a small message, one at a time, in ms. */
export async function echoTurn(relay: string, room: string, count: number): Promise<number[]> {
  const r = joinRoom({ room, peerId: crypto.randomUUID(), signaling: websocketSignaling(relay) });
  await r.joined;
  while (r.peers().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  const [peer] = r.peers();
  let answered: (() => void) | undefined;
  r.onMessage(() => answered?.());
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const back = new Promise<void>((resolve) => (answered = resolve));
    const start = performance.now();
    r.send(peer!, JSON.stringify({ id: i, sentAt: clock() }));
    await back;
    samples.push(performance.now() - start);
  }
  r.close();
  return samples;
}

/** Closes the connection and the echo room. */
export async function leave(): Promise<void> {
  echoRoom?.close();
  await conn?.close();
}

function joined(): Connection<typeof peers> {
  if (conn === undefined) throw new Error('Call join() first');
  return conn;
}

Object.assign(window, { bench: { join, observe, seenFor, callTurn, burst, reached, seq, fill, catchUp, reopen, echo, echoTurn, leave } });
