import { describe, expect, it } from 'vitest';
import { compareFor } from '../codec/compare';
import type { Row } from '../store/index-store';
import { chooseRoute } from './keys';
import type { LivePlan, Route, Sink } from './live-plan';
import { TableRouter } from './router';
import { bind } from './bind';
import { parse } from './parser';
import { conjuncts } from './predicate';
import { gameStore } from './test-util';

const u32 = compareFor({ kind: 'u32' });

/** A sink with a name, for routes built by hand. */
function sink(name: string, route: Route): Sink & { name: string } {
  return { name, plan: {} as LivePlan, side: 0, table: 'player', route, routeTerm: undefined };
}

/** The names of the sinks `row` reaches. */
function reached(router: TableRouter, row: Row): string[] {
  const names: string[] = [];
  router.route(row, (s) => names.push((s as Sink & { name: string }).name));
  return names.sort();
}

describe('the router', () => {
  it('offers a row only to the plans filed under its value, the thresholds it passes, and the catch-all plans', () => {
    const router = new TableRouter();
    router.add(sink('room7', { kind: 'eq', column: 'room', key: 7, bytes: false }));
    router.add(sink('room8', { kind: 'eq', column: 'room', key: 8, bytes: false }));
    router.add(sink('over10', { kind: 'range', column: 'score', op: '>', value: 10, compare: u32 }));
    router.add(sink('atLeast20', { kind: 'range', column: 'score', op: '>=', value: 20, compare: u32 }));
    router.add(sink('under15', { kind: 'range', column: 'score', op: '<', value: 15, compare: u32 }));
    router.add(sink('upTo5', { kind: 'range', column: 'score', op: '<=', value: 5, compare: u32 }));
    router.add(sink('all', { kind: 'all' }));
    expect(reached(router, { room: 7, score: 12 })).toEqual(['all', 'over10', 'room7', 'under15']);
    expect(reached(router, { room: 9, score: 20 })).toEqual(['all', 'atLeast20', 'over10']);
    expect(reached(router, { room: 8, score: 5 })).toEqual(['all', 'room8', 'under15', 'upTo5']);
    // A threshold equal to the value is offered (the plan decides): `> 10` sees 10.
    expect(reached(router, { room: 1, score: 10 })).toEqual(['all', 'over10', 'under15']);
    expect(router.count).toBe(7);
  });

  it('forgets removed plans', () => {
    const router = new TableRouter();
    const a = sink('a', { kind: 'eq', column: 'room', key: 7, bytes: false });
    const b = sink('b', { kind: 'range', column: 'score', op: '>', value: 1, compare: u32 });
    router.add(a);
    router.add(b);
    router.remove(a);
    router.remove(b);
    expect(reached(router, { room: 7, score: 12 })).toEqual([]);
    expect(router.count).toBe(0);
  });

  it('files bytes by their hex text, and a missing value under undefined', () => {
    const router = new TableRouter();
    router.add(sink('none', { kind: 'eq', column: 'data', key: undefined, bytes: true }));
    router.add(sink('blob', { kind: 'eq', column: 'data', key: '0aff', bytes: true }));
    expect(reached(router, { data: Uint8Array.of(10, 255) })).toEqual(['blob']);
    expect(reached(router, { data: Uint8Array.of(10) })).toEqual([]);
    expect(reached(router, { data: undefined })).toEqual(['none']);
  });
});

describe('route choice', () => {
  const store = gameStore();
  const routeOf = (where: string) => chooseRoute(conjuncts(bind(parse(`SELECT * FROM player WHERE ${where}`), store).where), 0).route;

  it('prefers an equality, then a range, then every row', () => {
    expect(routeOf('level > 3 AND team = 2')).toEqual({ kind: 'eq', column: 'team', key: 2, bytes: false });
    expect(routeOf('level > 3 AND alive')).toMatchObject({ kind: 'eq', column: 'alive', key: true });
    expect(routeOf("name != 'x' AND score <= 9")).toMatchObject({ kind: 'range', column: 'score', op: '<=', value: 9n });
    expect(routeOf('nick IS NULL')).toEqual({ kind: 'eq', column: 'nick', key: undefined, bytes: false });
    expect(routeOf('level = 1 OR team = 2')).toEqual({ kind: 'all' });
    expect(routeOf('NOT level = 1')).toEqual({ kind: 'all' });
  });
});
