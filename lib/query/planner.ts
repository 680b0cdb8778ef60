/**
 * Plans one-off queries: an access path per table in FROM order (index seeks
 * for literal equalities and ranges, index nested-loop joins for equalities
 * with earlier tables, scans otherwise), each condition checked at the first
 * table where all its columns are bound, and ORDER BY served by an index walk
 * when one fits, else by a sort.
 */
import { compareFor } from '../codec/compare';
import type { Row } from '../store/index-store';
import { chooseAccess, describeAccess, pathOver, type Access } from './access';
import type { BoundExpr, BoundQuery, BoundTable } from './bound';
import { compileExpr, conjoin, conjuncts, slotsOf, type Env, type EnvPredicate } from './predicate';
import { renderColumn, renderExpr } from './render';

/** One table of a plan. */
export interface PlanLevel {
  readonly table: BoundTable;
  readonly access: Access;
  /** Every condition whose last table is this one (including those the access path stands for). */
  readonly filter: EnvPredicate;
  /** Conditions beyond what the access path guarantees, for the plan text. */
  readonly residual: readonly BoundExpr[];
}

/** How rows come out in ORDER BY order. */
export type Ordering = 'none' | 'index' | 'sort';

/** An executable plan of a one-off query. */
export interface QueryPlan {
  readonly query: BoundQuery;
  readonly levels: readonly PlanLevel[];
  readonly ordering: Ordering;
  /** With `ordering: 'index'`, walk the first table's path backwards. */
  readonly desc: boolean;
  /** `SELECT COUNT(*) FROM t` alone: the table's size. */
  readonly countTable: boolean;
  /** Orders result environments by ORDER BY, ties by each table's primary order. */
  readonly compare: ((a: Env, b: Env) => number) | undefined;
}

/** Plans a bound query; with `forceScan` every table is scanned and ORDER BY sorts (the reference plan). */
export function planQuery(query: BoundQuery, forceScan = false): QueryPlan {
  const terms = [...query.joinOns.flatMap((on) => conjuncts(on)), ...conjuncts(query.where)];
  const bySlot = query.tables.map((): BoundExpr[] => []);
  for (const term of terms) bySlot[Math.max(0, ...slotsOf(term))]!.push(term);
  const levels = query.tables.map((table, slot): PlanLevel => {
    const conds = bySlot[slot]!;
    const access = forceScan ? ({ kind: 'scan' } as const) : chooseAccess(table, conds);
    const used = access.kind === 'seek' ? access.used : [];
    return { table, access, filter: compileExpr(conjoin(conds)), residual: conds.filter((c) => !used.includes(c)) };
  });
  const countTable = query.select.kind === 'count' && levels.length === 1 && terms.length === 0;
  let ordering: Ordering = query.orderBy.length === 0 ? 'none' : 'sort';
  let desc = false;
  const first = levels[0]!;
  const sameDirection = query.orderBy.every((o) => o.desc === query.orderBy[0]?.desc);
  if (!forceScan && ordering === 'sort' && levels.length === 1 && sameDirection) {
    const columns = query.orderBy.map((o) => o.col.column);
    const path = pathOver(first.table.store, columns);
    const access = first.access;
    desc = query.orderBy[0]!.desc;
    if (access.kind === 'seek' && access.point) ordering = 'none';
    else if (access.kind === 'seek') {
      const rest = access.path.columns.slice(access.eq.length);
      if (rest.length === columns.length && rest.every((c, i) => c === columns[i])) ordering = 'index';
    } else if (path !== undefined) {
      levels[0] = { ...first, access: { kind: 'walk', path, desc } };
      ordering = 'index';
    }
  }
  return { query, levels, ordering, desc, countTable, compare: ordering === 'sort' ? envComparator(query) : undefined };
}

/** The plan as readable lines. */
export function explainPlan(plan: QueryPlan): string {
  const { query } = plan;
  const lines: string[] = [];
  const limit = query.limit === undefined ? '' : ` limit ${query.limit}`;
  if (plan.countTable) return `count ${query.tables[0]!.schema.name}`;
  plan.levels.forEach((level, i) => {
    let line = describeAccess(level.access, level.table);
    if (i === 0 && plan.ordering === 'index') line += `${level.access.kind === 'seek' ? ` in order${plan.desc ? ' desc' : ''}` : ''}${limit}`;
    if (i > 0) line = level.access.kind === 'seek' ? `index nested-loop join: ${line}` : `nested-loop join: ${line}`;
    lines.push(line);
    if (level.residual.length > 0) lines.push(`  filter ${level.residual.map((c) => renderExpr(c, true)).join(' AND ')}`);
  });
  if (plan.ordering === 'sort') lines.push(`sort by ${query.orderBy.map((o) => `${renderColumn(o.col)}${o.desc ? ' desc' : ''}`).join(', ')}`);
  if (query.limit !== undefined && plan.ordering !== 'index') lines.push(`limit ${query.limit}`);
  if (query.select.kind === 'count') lines.push('count');
  return lines.join('\n');
}

/**
 * ORDER BY keys, then each table's primary order in the direction of the last
 * key — the order an index walk yields, so walks and sorts agree.
 */
export function envComparator(query: BoundQuery): (a: Env, b: Env) => number {
  const keys = query.orderBy.map((o) => ({ slot: o.col.table.slot, name: o.col.column.name, cmp: compareFor(o.col.column.type), sign: o.desc ? -1 : 1 }));
  const tieSign = query.orderBy[query.orderBy.length - 1]?.desc === true ? -1 : 1;
  const ties = query.tables.map((t) => ({ slot: t.slot, rowKey: t.store.rowKey, cmp: t.store.compareKeys }));
  return (a, b) => {
    for (const k of keys) {
      const c = k.cmp(a[k.slot]![k.name], b[k.slot]![k.name]);
      if (c !== 0) return c * k.sign;
    }
    for (const t of ties) {
      const c = t.cmp(t.rowKey(a[t.slot] as Row), t.rowKey(b[t.slot] as Row));
      if (c !== 0) return c * tieSign;
    }
    return 0;
  };
}
