import { DeterminismError } from '../errors';
import type { ModuleLogger } from '../schema/handles';

/**
 * Determinism guards. While a reducer runs, the clock, the global random
 * generators, timers and the network throw a {@link DeterminismError} naming the
 * safe alternative, and `console.*` goes to the module log. Replicas replay
 * reducers and must compute exactly what the authority computed.
 */

type Patch = readonly [target: object, key: string, replacement: unknown];

const g = globalThis as Record<string, any>;

function banned(api: string, instead: string): () => never {
  return () => {
    throw new DeterminismError(`${api} is not allowed inside a reducer: it would differ between replicas. Use ${instead} instead.`);
  };
}

function bannedPatches(): Patch[] {
  const patches: Patch[] = [
    [Math, 'random', banned('Math.random()', 'ctx.random()')],
    [Date, 'now', banned('Date.now()', 'ctx.timestamp')],
    [g, 'setTimeout', banned('setTimeout', 'a scheduled reducer (a schedule table with ScheduleAt.time)')],
    [g, 'setInterval', banned('setInterval', 'a scheduled reducer (a schedule table with ScheduleAt.interval)')],
    [g, 'fetch', banned('fetch', 'a call from the UI that passes the data as reducer arguments')],
  ];
  if (typeof g.performance === 'object' && g.performance !== null) patches.push([g.performance, 'now', banned('performance.now()', 'ctx.timestamp')]);
  if (typeof g.crypto === 'object' && g.crypto !== null) patches.push([g.crypto, 'getRandomValues', banned('crypto.getRandomValues()', 'ctx.random.fill()')]);
  if (typeof g.setImmediate === 'function') patches.push([g, 'setImmediate', banned('setImmediate', 'a scheduled reducer')]);
  if (typeof g.queueMicrotask === 'function') patches.push([g, 'queueMicrotask', banned('queueMicrotask', 'synchronous code')]);
  const RealDate = Date;
  // `new Date()` with no arguments reads the clock; with arguments it is pure.
  const GuardedDate = function (this: unknown, ...args: unknown[]) {
    if (args.length === 0) banned('new Date()', 'new Date(Number(ctx.timestamp / 1000n))')();
    return new.target === undefined ? RealDate() : Reflect.construct(RealDate, args, new.target);
  } as unknown as DateConstructor;
  Object.setPrototypeOf(GuardedDate, RealDate);
  (GuardedDate as unknown as { prototype: unknown }).prototype = RealDate.prototype;
  patches.push([g, 'Date', GuardedDate]);
  return patches;
}

let depth = 0;
let patches: Patch[] | undefined;
let saved: unknown[] = [];
let logger: ModuleLogger | undefined;

function allPatches(): Patch[] {
  const c = console as unknown as Record<string, unknown>;
  return [
    ...bannedPatches(),
    [c, 'log', (...a: unknown[]) => logger?.info(...a)],
    [c, 'info', (...a: unknown[]) => logger?.info(...a)],
    [c, 'debug', (...a: unknown[]) => logger?.debug(...a)],
    [c, 'warn', (...a: unknown[]) => logger?.warn(...a)],
    [c, 'error', (...a: unknown[]) => logger?.error(...a)],
  ];
}

/**
 * Runs `fn` with the guards installed, e.g. around a batch of calls: swapping
 * globals is far costlier than a small reducer, so a host that runs many calls
 * installs once and each call only points the log at its reducer.
 */
export function withGuards<T>(log: ModuleLogger, fn: () => T): T {
  install(log);
  try {
    return fn();
  } finally {
    uninstall();
  }
}

/** Installs the guards (or, when already installed, points `console.*` at `log`) until {@link uninstall}. */
export function install(log: ModuleLogger): void {
  logger = log;
  if (depth++ > 0) return;
  // Built once: the replacements are stateless apart from `logger`.
  patches ??= allPatches();
  saved.length = patches.length;
  for (let i = 0; i < patches.length; i++) {
    const [target, key, value] = patches[i]!;
    saved[i] = (target as Record<string, unknown>)[key];
    (target as Record<string, unknown>)[key] = value;
  }
}

/** Undoes one {@link install}; the last one restores every global. */
export function uninstall(): void {
  if (--depth > 0) return;
  const list = patches!;
  for (let i = 0; i < list.length; i++) {
    const [target, key] = list[i]!;
    (target as Record<string, unknown>)[key] = saved[i];
  }
  logger = undefined;
}

/** True while guards are installed. */
export function guarded(): boolean {
  return depth > 0;
}
