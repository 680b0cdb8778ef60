/** Plan text shared by the live plans. */
import type { Sink } from './live-plan';
import { renderExpr } from './render';

/** How changed rows of a sink's table reach its plan. */
export function describeRoute(sink: Sink): string {
  const term = sink.routeTerm === undefined ? '' : renderExpr(sink.routeTerm);
  switch (sink.route.kind) {
    case 'eq':
      return `rows of ${sink.table} routed by ${term} (equality map)`;
    case 'range':
      return `rows of ${sink.table} routed by ${term} (threshold index)`;
    case 'all':
      return `every changed row of ${sink.table} is checked`;
  }
}
