/**
 * Runs a {@link QueryPlan}: nested loops over the access paths, one reused
 * environment array, rows projected as they come (or collected and sorted when
 * the plan sorts), stopping as soon as LIMIT is reached.
 */
import { forEachAccess } from './access';
import type { QueryPlan } from './planner';
import type { Env } from './predicate';

/** The answer of a one-off query: column names and one array of values per row. */
export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/** Runs a plan against the current state of its tables. */
export function executePlan(plan: QueryPlan): QueryResult {
  const { query, levels } = plan;
  const select = query.select;
  const columns = select.kind === 'count' ? [select.name] : select.columns.map((c) => c.name);
  const limit = query.limit ?? Infinity;
  if (plan.countTable) return { columns, rows: limit > 0 ? [[levels[0]!.table.store.count()]] : [] };
  const sorted = plan.compare !== undefined;
  const matches = collect(plan, select.kind === 'count' || sorted ? Infinity : limit, sorted && limit <= TOP_K_MAX ? limit : undefined);
  if (select.kind === 'count') return { columns, rows: limit > 0 ? [[matches.length]] : [] };
  if (sorted && limit > TOP_K_MAX) matches.sort(plan.compare);
  const n = Math.min(limit, matches.length);
  const rows: unknown[][] = new Array(n);
  const width = columns.length;
  const slots = select.columns.map((c) => c.col.table.slot);
  const names = select.columns.map((c) => c.col.column.name);
  for (let i = 0; i < n; i++) {
    const env = matches[i]!;
    const values: unknown[] = new Array(width);
    for (let j = 0; j < width; j++) values[j] = env[slots[j]!]![names[j]!];
    rows[i] = values;
  }
  return { columns, rows };
}

/** Up to this LIMIT, a sorting plan keeps only the best rows as it goes instead of sorting all. */
const TOP_K_MAX = 1000;

/**
 * Environments of every match (up to `limit`), in access order; with `top`,
 * only the first `top` in the plan's sort order, sorted.
 */
export function collect(plan: QueryPlan, limit = Infinity, top?: number): Env[] {
  const { levels } = plan;
  const last = levels.length - 1;
  const env: Env = new Array(levels.length);
  const found: Env[] = [];
  if (limit <= 0) return found;
  const visit = (depth: number): boolean => {
    const level = levels[depth]!;
    const { filter } = level;
    let more = true;
    forEachAccess(
      level.access,
      level.table.store,
      env,
      (row) => {
        env[depth] = row;
        if (!filter(env)) return true;
        if (depth === last) {
          if (top === undefined) {
            found.push(last === 0 ? [row] : env.slice());
            more = found.length < limit;
          } else keep(found, env, top, plan.compare!);
        } else more = visit(depth + 1);
        return more;
      },
      depth === 0 && plan.ordering === 'index' && plan.desc,
    );
    return more;
  };
  visit(0);
  return found;
}

/** Inserts a copy of `env` into the sorted `best` when it is among the first `k`. */
function keep(best: Env[], env: Env, k: number, compare: (a: Env, b: Env) => number): void {
  if (k === 0 || (best.length === k && compare(env, best[k - 1]!) >= 0)) return;
  let lo = 0;
  let hi = best.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(best[mid]!, env) <= 0) lo = mid + 1;
    else hi = mid;
  }
  best.splice(lo, 0, env.slice());
  if (best.length > k) best.pop();
}
