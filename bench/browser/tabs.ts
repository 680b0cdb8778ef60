/**
 * Cross-tab latency page. The Node driver opens it several times in one browser
 * context on one database: the first page to connect leads, the others are
 * replicas. One page observes; another calls, one call at a time, and each
 * sample is call → `onInsert` in the observing page. Baselines between the same
 * pages: a bare BroadcastChannel message one way, and a round trip.
 *
 * One-way times compare clocks of two pages: the caller stamps
 * `performance.timeOrigin + performance.now()` and the observer subtracts it from
 * its own. Both pages run in one browser on one machine, so their time origins
 * derive from the same monotonic clock; the one-way baseline, taken the same way,
 * beside half the round trip (one clock only) shows how closely they agree.
 */
import { connect, type Connection, type ConnectionStatus } from 'lockstep';
import type * as tabs from './tabs.module';

/** What a page reports once it has joined the database in the expected role. */
export interface Joined {
  readonly role: ConnectionStatus['role'];
  /** Whether `performance.now()` has microsecond resolution (COOP/COEP). */
  readonly isolated: boolean;
  /** A hidden page may be throttled; every page should be visible. */
  readonly visible: boolean;
}

/** Messages between the benchmark pages, on their own channel beside the database's. */
type Control =
  | { readonly type: 'probe'; readonly id: number; readonly sentAt: number }
  | { readonly type: 'echo'; readonly id: number }
  | { readonly type: 'seen'; readonly id: number; readonly ms: number }
  | { readonly type: 'echoed'; readonly id: number };

let conn: Connection<typeof tabs> | undefined;
let control: BroadcastChannel | undefined;
let observing = false;
/** The reply the caller waits for: one at a time. */
let waiting: { readonly id: number; readonly resolve: (ms: number) => void } | undefined;

const clock = (): number => performance.timeOrigin + performance.now();

/**
 * Connects to `database` and waits until this page is `role` (a replica also
 * waits until it knows the leader). Subscribes to every ping.
 */
export async function join(database: string, role: 'leader' | 'replica'): Promise<Joined> {
  const opened: Connection<typeof tabs> = await connect<typeof tabs>({
    database,
    durability: 'confirmed',
    worker: () => new Worker(new URL('./tabs-worker.ts', import.meta.url), { type: 'module' }),
  });
  conn = opened;
  await opened.subscribe('SELECT * FROM ping').applied;
  const ready = (): boolean => opened.status.role === role && opened.status.leader !== undefined;
  if (!ready()) {
    await new Promise<void>((resolve) => {
      const off = opened.onStatus(() => {
        if (!ready()) return;
        off();
        resolve();
      });
    });
  }
  opened.db.ping.onInsert((_ctx, row) => {
    if (observing) reply({ type: 'seen', id: row.id, ms: clock() - row.sentAt });
  });
  control = new BroadcastChannel(`lockstep-bench-tabs-${database}`);
  control.onmessage = (event: MessageEvent<Control>) => receive(event.data);
  return { role: opened.status.role, isolated: crossOriginIsolated, visible: document.visibilityState === 'visible' };
}

/** Makes this page the observer: it answers probes and echoes, and reports each ping it sees inserted. */
export function observe(): void {
  observing = true;
}

/** Calls `ping` `count` times, one at a time (ids `from`…): call → the observer's `onInsert`, in ms. */
export async function callTurn(from: number, count: number): Promise<number[]> {
  const { reducers } = joined();
  const samples: number[] = [];
  for (let id = from; id < from + count; id++) {
    const seen = answerTo(id);
    const called = reducers.ping({ id, sentAt: clock() });
    samples.push(await seen);
    // The next call starts only once this one is done in the caller too.
    await called;
  }
  return samples;
}

/** Posts `count` probes one at a time: post → the observer's `message` event, in ms, stamped like a ping. */
export async function probeTurn(from: number, count: number): Promise<number[]> {
  const channel = controlChannel();
  const samples: number[] = [];
  for (let id = from; id < from + count; id++) {
    const seen = answerTo(id);
    channel.postMessage({ type: 'probe', id, sentAt: clock() } satisfies Control);
    samples.push(await seen);
  }
  return samples;
}

/** Posts `count` echoes one at a time: post → the observer's answer back here, in ms, on this page's clock alone. */
export async function echoTurn(from: number, count: number): Promise<number[]> {
  const channel = controlChannel();
  const samples: number[] = [];
  for (let id = from; id < from + count; id++) {
    const echoed = answerTo(id);
    const start = performance.now();
    channel.postMessage({ type: 'echo', id } satisfies Control);
    samples.push((await echoed) - start);
  }
  return samples;
}

/** Closes the connection. */
export async function leave(): Promise<void> {
  control?.close();
  await conn?.close();
}

function joined(): Connection<typeof tabs> {
  if (conn === undefined) throw new Error('Call join() first');
  return conn;
}

function controlChannel(): BroadcastChannel {
  if (control === undefined) throw new Error('Call join() first');
  return control;
}

function receive(message: Control): void {
  switch (message.type) {
    case 'probe':
      if (observing) reply({ type: 'seen', id: message.id, ms: clock() - message.sentAt });
      return;
    case 'echo':
      if (observing) reply({ type: 'echoed', id: message.id });
      return;
    case 'seen':
      if (waiting?.id === message.id) waiting.resolve(message.ms);
      return;
    case 'echoed':
      if (waiting?.id === message.id) waiting.resolve(performance.now());
      return;
  }
}

function reply(message: Control): void {
  control?.postMessage(message);
}

/** The observer's answer about `id`: the time it reported, or (for an echo) when the answer arrived here. */
function answerTo(id: number): Promise<number> {
  return new Promise<number>((resolve) => (waiting = { id, resolve }));
}

Object.assign(window, { bench: { join, observe, callTurn, probeTurn, echoTurn, leave } });
