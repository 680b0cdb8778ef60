// Test harness page: drives a real connection to a worker-hosted database for Playwright.
import { connect, websocketSignaling, type Connection, type LockstepError } from 'lockstep';
import type * as runtime from './runtime.module';

type Variant = 'runtime' | 'runtime-v2' | 'runtime-v3' | 'tabs' | 'tabs-v2';
type Outcome = { ok: true } | { ok: false; name: string; code: string; message: string };

const workers: Record<Variant, () => Worker> = {
  runtime: () => new Worker(new URL('./runtime-worker.ts', import.meta.url), { type: 'module' }),
  'runtime-v2': () => new Worker(new URL('./runtime-v2-worker.ts', import.meta.url), { type: 'module' }),
  'runtime-v3': () => new Worker(new URL('./runtime-v3-worker.ts', import.meta.url), { type: 'module' }),
  tabs: () => new Worker(new URL('./tabs-worker.ts', import.meta.url), { type: 'module' }),
  'tabs-v2': () => new Worker(new URL('./tabs-v2-worker.ts', import.meta.url), { type: 'module' }),
};

/** Makes values JSON-safe for Playwright: bigints become "123n". */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
const outcome = (error: unknown): Outcome => {
  const e = error as LockstepError;
  return { ok: false, name: e.name, code: e.code, message: e.message };
};

let conn: Connection<typeof runtime> | undefined;
let worker: Worker | undefined;
const events: unknown[] = [];
const resolved: number[] = [];
const statuses: unknown[] = [];
const failures: string[] = [];
const divergences: unknown[] = [];
const logs: string[] = [];
let joins = 0;

const window_ = window;

const rt = {
  async open(database: string, durability: 'confirmed' | 'fast' = 'confirmed', variant: Variant = 'runtime', room?: { name: string; relay: string }): Promise<unknown> {
    // Each join of the room (the first, and every rejoin) takes a new signaling: counted for rt.joins().
    const peers = room === undefined ? {} : { peers: { room: room.name, signaling: () => (joins++, websocketSignaling(room.relay)) } };
    conn = await connect<typeof runtime>({ database, durability, worker: () => (worker = workers[variant]()), ...peers });
    conn.onStatus((status) => statuses.push(plain(status)));
    conn.onDiverged((divergence) => divergences.push(plain(divergence)));
    conn.onLog((line) => logs.push(`${line.level}: ${line.message}`));
    if (variant.startsWith('tabs')) return plain({ identity: conn.identity, connectionId: conn.connectionId, status: conn.status });
    conn.db.note.onInsert((ctx, row) => events.push(plain({ kind: 'insert', own: ctx.event.kind === 'reducer' && ctx.event.own, reducer: ctx.event.kind === 'reducer' ? ctx.event.reducer : ctx.event.kind, text: row.text, stars: row.stars, notes: conn!.db.note.count() })));
    conn.db.note.onUpdate((ctx, old, row) => events.push(plain({ kind: 'update', own: ctx.event.kind === 'reducer' && ctx.event.own, from: old.stars, to: row.stars })));
    conn.db.note.onDelete((_ctx, row) => events.push(plain({ kind: 'delete', text: row.text })));
    return plain({ identity: conn.identity });
  },
  async openError(database: string, variant: Variant): Promise<Outcome> {
    try {
      await connect<typeof runtime>({ database, worker: () => workers[variant]() });
      return { ok: true };
    } catch (error) {
      return outcome(error);
    }
  },
  async call(reducer: string, args: Record<string, unknown> = {}): Promise<Outcome> {
    const revived = Object.fromEntries(Object.entries(args).map(([k, v]) => [k, typeof v === 'string' && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v]));
    try {
      await conn!.call(reducer as never, revived as never);
      return { ok: true };
    } catch (error) {
      return outcome(error);
    }
  },
  /** A failing call's error class and detail fields, as the page receives them from the worker. */
  async details(reducer: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const error = (await conn!.call(reducer as never, args as never).then(() => undefined, (e: unknown) => e)) as LockstepError | undefined;
    return error === undefined ? { ok: true } : plain({ name: error.name, table: error.table, column: error.column, value: error.value, reducer: error.reducer });
  },
  async subscribe(queries: string[]): Promise<Outcome> {
    try {
      await conn!.subscribe(queries).applied;
      return { ok: true };
    } catch (error) {
      return outcome(error);
    }
  },
  rows: (table: string): unknown => plain([...(conn!.db as unknown as Record<string, { iter(): Iterable<unknown> }>)[table]!.iter()]),
  count: (table: string): number => (conn!.db as unknown as Record<string, { count(): number }>)[table]!.count(),
  status: (): unknown => plain(conn!.status),
  statuses: (): unknown[] => statuses.splice(0),
  divergences: (): unknown[] => divergences.splice(0),
  /** Every module and worker log line so far, as "level: message". */
  logs: (): string[] => [...logs],
  events: (): unknown[] => events.splice(0),
  /**
   * Streams `count` burst calls, keeping `window` in flight: each answer sends the
   * next. Each resolved id is recorded (and reported to the test when it exposed
   * `reportResolved`). With `killAfter`, the worker is terminated the moment that
   * many calls have resolved, with the window still in flight; the promise
   * resolves then (or when all are answered) with the number of calls sent.
   */
  burst(from: number, count: number, batch: number, killAfter?: number, window = 16): Promise<number> {
    const report = (window_ as unknown as { reportResolved?: (id: number) => void }).reportResolved;
    let sent = 0;
    let done = 0;
    let stopped = false;
    return new Promise<number>((finished) => {
      const send = (): void => {
        if (stopped || sent >= count) return;
        const id = from + sent++;
        conn!.reducers.burst({ id, batch }).then(
          () => {
            if (stopped) return;
            resolved.push(id);
            report?.(id);
            if (++done === killAfter) {
              stopped = true;
              rt.terminate();
              finished(sent);
            } else if (done === count) finished(sent);
            else send();
          },
          (error: unknown) => {
            // A call that failed is answered too: record it (the test checks), and go on.
            if (stopped) return;
            failures.push(`${id}: ${(error as Error).name}: ${(error as Error).message}`);
            if (++done === count) finished(sent);
            else send();
          },
        );
      };
      for (let i = 0; i < window; i++) send();
    });
  },
  /** Takes this browser out of its room (conn.goOffline), or back in. */
  offline: (): void => conn!.goOffline(),
  /** How many times this page has joined (or begun to join) its room. */
  joins: (): number => joins,
  online: (): void => conn!.goOnline(),
  resolved: (): number[] => resolved.splice(0),
  failures: (): string[] => failures.splice(0),
  terminate(): void {
    worker?.terminate();
    conn = undefined;
  },
  async inspect(replay = false): Promise<unknown> {
    return plain(await conn!.inspect({ replay }));
  },
  async close(): Promise<void> {
    await conn?.close();
  },
};

Object.assign(window, { rt });
document.getElementById('status')!.textContent = 'ready';
