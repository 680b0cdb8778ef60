/**
 * Decides which live plan a query needs, or refuses it: subscriptions are
 * `SELECT * FROM t [WHERE ...]`, the same with `ORDER BY ... LIMIT n` (a live
 * top-N), or the two-table semijoin `SELECT a.* FROM a JOIN b ON a.x = b.y [WHERE ...]`.
 */
import type { SelectAst } from './ast';
import type { BoundQuery } from './bound';
import { FilterPlan } from './live-filter';
import type { LivePlan } from './live-plan';
import { SemijoinPlan } from './live-semijoin';
import { TopNPlan } from './live-top-n';
import { unsupported } from './parser';

const FORMS = 'subscriptions are SELECT * FROM t [WHERE ...] [ORDER BY col [DESC] LIMIT n] or SELECT a.* FROM a JOIN b ON a.x = b.y [WHERE ...]';

/** The live plan for a bound query; throws {@link QueryError} naming what a subscription cannot do. */
export function createLivePlan(query: BoundQuery, ast: SelectAst): LivePlan {
  const select = query.select;
  const itemPos = ast.select[0]!.pos;
  if (select.kind === 'count') unsupported('COUNT(*) in a subscription', itemPos, FORMS);
  if (query.tables.length > 2) unsupported('a join of three or more tables in a subscription', ast.joins[1]!.pos, FORMS);
  if (query.tables.length === 1) {
    if (select.shape === 'list') unsupported('a column list in a subscription', itemPos, `subscribe to whole rows; ${FORMS}`);
    if (query.orderBy.length > 0 && query.limit === undefined) unsupported('ORDER BY without LIMIT in a subscription', ast.orderByPos!, `a live result is a set; add LIMIT n for a live top-N`);
    if (query.limit !== undefined && query.orderBy.length === 0) unsupported('LIMIT without ORDER BY in a subscription', ast.limit!.pos, 'say which rows to keep: ORDER BY col [DESC] LIMIT n');
    return query.limit === undefined ? new FilterPlan(query) : new TopNPlan(query);
  }
  if (select.shape !== 'table-star') unsupported('a join subscription that does not select one table', itemPos, `select one table's rows: ${FORMS}`);
  if (query.orderBy.length > 0) unsupported('ORDER BY in a join subscription', ast.orderByPos!, FORMS);
  if (query.limit !== undefined) unsupported('LIMIT in a join subscription', ast.limit!.pos, FORMS);
  const on = query.joinOns[0]!;
  if (on.kind !== 'cmp' || on.op !== '=' || on.right.kind !== 'column' || on.right.col.table === on.left.table) {
    unsupported('this ON in a join subscription', ast.joins[0]!.on.pos, 'the ON must be one equality between a column of each table, like a.x = b.y; put other conditions in WHERE');
  }
  return new SemijoinPlan(query, select.starTable!.slot, on);
}
