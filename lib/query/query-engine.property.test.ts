import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConstraintError } from '../errors';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import type { Row } from '../store/index-store';
import { Store } from '../store/store';
import type { TableStore } from '../store/table-store';
import type { SubscriptionChange } from './live-plan';
import { QueryEngine, type Subscription } from './query-engine';
import { write, type Writer } from './test-util';

/** `a` has a primary key, a unique column, a B-tree column and a two-column index; `b` a B-tree column; `c` no primary key. */
const model = schema({
  a: table(
    { name: 'a', public: true, indexes: [{ accessor: 'by_g_h', columns: ['g', 'h'] }] },
    { id: t.u32().primaryKey(), u: t.u32().unique(), g: t.u8().index('btree'), h: t.u8(), s: t.string(), o: t.option(t.u8()) },
  ),
  b: table({ name: 'b', public: true }, { id: t.u32().primaryKey(), r: t.u8().index('btree'), k: t.u8(), w: t.u8() }),
  c: table({ name: 'c', public: true }, { x: t.u8().index('btree'), y: t.u8() }),
});

const small = fc.integer({ min: 0, max: 4 });
const aValues = fc.record({ u: fc.integer({ min: 0, max: 25 }), g: small, h: small, s: fc.constantFrom('x', 'y', 'z'), o: fc.option(small, { nil: undefined }) });
const bValues = fc.record({ r: small, k: small, w: small });
const op = fc.oneof(
  fc.record({ table: fc.constant('a' as const), kind: fc.constantFrom('insert', 'update', 'delete', 'rewrite'), id: fc.integer({ min: 0, max: 14 }), values: aValues }),
  fc.record({ table: fc.constant('b' as const), kind: fc.constantFrom('insert', 'update', 'delete', 'rewrite'), id: fc.integer({ min: 0, max: 10 }), values: bValues }),
  fc.record({ table: fc.constant('c' as const), kind: fc.constantFrom('insert', 'delete'), id: fc.constant(0), values: fc.record({ x: fc.integer({ min: 0, max: 3 }), y: fc.integer({ min: 0, max: 3 }) }) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
const transactions = fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 14 });

/** Column name → literal generator, per table. */
const COLUMNS: Record<string, Record<string, fc.Arbitrary<string>>> = {
  a: { id: fc.integer({ min: 0, max: 14 }).map(String), u: fc.integer({ min: 0, max: 25 }).map(String), g: small.map(String), h: small.map(String), s: fc.constantFrom("'x'", "'y'", "'z'", "'w'") },
  b: { id: fc.integer({ min: 0, max: 10 }).map(String), r: small.map(String), k: small.map(String), w: small.map(String) },
  c: { x: small.map(String), y: small.map(String) },
};

/** A random condition over the given aliased tables. */
function condition(aliases: Record<string, 'a' | 'b' | 'c'>): fc.Arbitrary<string> {
  const leaves = Object.entries(aliases).flatMap(([alias, tableName]) => {
    const cmp = Object.entries(COLUMNS[tableName]!).map(([col, lit]) => fc.tuple(fc.constantFrom('=', '!=', '<>', '<', '<=', '>', '>='), lit).map(([o, v]) => `${alias}.${col} ${o} ${v}`));
    const nulls = tableName === 'a' ? [fc.constantFrom(`${alias}.o IS NULL`, `${alias}.o IS NOT NULL`, `${alias}.o = NULL`, `${alias}.o != NULL`), small.map((v) => `${alias}.o >= ${v}`)] : [];
    return [...cmp, ...nulls];
  });
  const { expr } = fc.letrec<{ expr: string; leaf: string }>((tie) => ({
    leaf: fc.oneof(...leaves),
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('leaf'),
      fc.tuple(tie('expr'), tie('expr')).map(([l, r]) => `(${l} AND ${r})`),
      fc.tuple(tie('expr'), tie('expr')).map(([l, r]) => `(${l} OR ${r})`),
      tie('expr').map((e) => `NOT (${e})`),
    ),
  }));
  return expr;
}

const where = (aliases: Record<string, 'a' | 'b' | 'c'>) => fc.option(condition(aliases), { nil: undefined }).map((w) => (w === undefined ? '' : ` WHERE ${w}`));

/** Random live queries of every supported form, with the table whose rows they return. */
const liveQuery: fc.Arbitrary<{ sql: string; table: 'a' | 'b' | 'c' }> = fc.oneof(
  where({ a: 'a' }).map((w) => ({ sql: `SELECT * FROM a${w}`, table: 'a' as const })),
  where({ b: 'b' }).map((w) => ({ sql: `SELECT * FROM b${w}`, table: 'b' as const })),
  where({ c: 'c' }).map((w) => ({ sql: `SELECT * FROM c${w}`, table: 'c' as const })),
  where({ a: 'a', b: 'b' }).map((w) => ({ sql: `SELECT a.* FROM a JOIN b ON a.g = b.r${w}`, table: 'a' as const })),
  where({ a: 'a', b: 'b' }).map((w) => ({ sql: `SELECT b.* FROM a JOIN b ON a.h = b.w${w}`, table: 'b' as const })),
  where({ a: 'a', b: 'b' }).map((w) => ({ sql: `SELECT a.* FROM a JOIN b ON b.k = a.id${w}`, table: 'a' as const })),
  where({ x: 'a', y: 'a' }).map((w) => ({ sql: `SELECT x.* FROM a x JOIN a y ON x.g = y.h${w}`, table: 'a' as const })),
  where({ c: 'c', b: 'b' }).map((w) => ({ sql: `SELECT c.* FROM c JOIN b ON c.x = b.k${w}`, table: 'c' as const })),
  fc
    .tuple(where({ a: 'a' }), fc.constantFrom('id', 'u', 'g', 'h', 's', 'o', 'g, h', 'g DESC, h DESC', 'h DESC, g'), fc.boolean(), fc.integer({ min: 0, max: 5 }))
    .map(([w, order, desc, n]) => ({ sql: `SELECT * FROM a${w} ORDER BY ${order}${desc && !order.includes(',') ? ' DESC' : ''} LIMIT ${n}`, table: 'a' as const })),
  fc
    .tuple(where({ c: 'c' }), fc.constantFrom('x', 'y', 'x DESC'), fc.integer({ min: 1, max: 3 }))
    .map(([w, order, n]) => ({ sql: `SELECT * FROM c${w} ORDER BY ${order} LIMIT ${n}`, table: 'c' as const })),
);

/** Random one-off queries. */
const oneOffQuery = fc.oneof(
  fc.tuple(where({ a: 'a' }), fc.constantFrom('', ' ORDER BY g', ' ORDER BY u DESC', ' ORDER BY g, h', ' ORDER BY g DESC, h DESC', ' ORDER BY id DESC', ' ORDER BY s, id'), fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }))
    .map(([w, order, n]) => `SELECT * FROM a${w}${order}${n === undefined ? '' : ` LIMIT ${n}`}`),
  // Shapes where an index both narrows and orders (ordered seeks, prefix + order, walks).
  fc
    .tuple(
      fc.constantFrom('a.u > 4', 'a.u <= 20', 'a.g >= 2', 'a.g = 1', 'a.g = 3 AND a.h > 1', 'a.id < 9', 'a.o >= 1'),
      fc.constantFrom('u', 'g', 'h', 'id', 'o', 'g, h'),
      fc.boolean(),
      fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    )
    .map(([w, order, desc, n]) => `SELECT * FROM a WHERE ${w} ORDER BY ${desc ? order.replaceAll(/(\w)(,|$)/g, '$1 DESC$2') : order}${n === undefined ? '' : ` LIMIT ${n}`}`),
  where({ a: 'a' }).map((w) => `SELECT COUNT(*) AS n FROM a${w}`),
  fc.tuple(where({ a: 'a', b: 'b' }), fc.constantFrom('a.g = b.r', 'b.k = a.id', 'a.h = b.w', 'a.u = b.id')).map(([w, on]) => `SELECT a.id, b.id AS bid, a.s FROM a JOIN b ON ${on}${w}`),
  where({ c: 'c', b: 'b' }).map((w) => `SELECT * FROM c JOIN b ON c.x = b.r${w} ORDER BY b.id DESC, c.y LIMIT 4`),
);

function apply(w: Writer, store: Store, o: Op): void {
  try {
    if (o.table === 'c') {
      const row = { x: o.values.x, y: 'y' in o.values ? o.values.y : 0 };
      if (o.kind === 'insert') w.insert('c', row);
      else if (store.table('c').get(row) !== undefined) w.delete('c', row);
      return;
    }
    const existing = store.table(o.table).get(o.id);
    const exists = existing !== undefined;
    // A rewrite stores the same values again: a delete and an insert of equal rows.
    if (o.kind === 'rewrite' && exists) w.update(o.table, { ...existing });
    else if (o.kind === 'insert') w.insert(o.table, { id: o.id, ...o.values });
    else if (o.kind === 'update' && exists) w.update(o.table, { id: o.id, ...o.values });
    else if (o.kind === 'delete' && exists) w.delete(o.table, o.id);
  } catch (error) {
    if (!(error instanceof ConstraintError)) throw error;
  }
}

/** The rows of a one-off query as objects keyed by column name. */
function objects(engine: QueryEngine, sql: string): Row[] {
  const { columns, rows } = engine.query(sql, {}, { forceScan: true });
  return rows.map((values) => Object.fromEntries(columns.map((c, i) => [c, values[i]])));
}

function sorted(store: TableStore, rows: readonly Row[], distinct = false): Row[] {
  const out = [...rows].sort(store.compareRows);
  return distinct ? out.filter((row, i) => i === 0 || store.compareRows(out[i - 1]!, row) !== 0) : out;
}

/** A subscriber that keeps its own copy of the result from the change batches. */
class Follower {
  rows: Row[];
  readonly sub: Subscription;
  batches = 0;

  constructor(
    engine: QueryEngine,
    readonly sql: string,
    readonly store: TableStore,
  ) {
    this.sub = engine.subscribe(sql, {}, (change) => this.apply(change));
    this.rows = [...this.sub.rows];
  }

  apply(change: SubscriptionChange): void {
    this.batches++;
    expect(change.inserts.length + change.deletes.length + change.updates.length).toBeGreaterThan(0);
    const remove = (row: Row) => {
      const i = this.rows.findIndex((r) => this.store.compareRows(r, row) === 0);
      expect(i, `${this.sql}: a deleted row is not in the result`).toBeGreaterThanOrEqual(0);
      this.rows.splice(i, 1);
    };
    const add = (row: Row) => {
      expect(this.rows.some((r) => this.store.compareRows(r, row) === 0), `${this.sql}: an inserted row is already in the result`).toBe(false);
      this.rows.push(row);
    };
    change.deletes.forEach(remove);
    for (const u of change.updates) {
      remove(u.old);
      add(u.new);
    }
    change.inserts.forEach(add);
  }
}

describe('live queries under random transactions', () => {
  // Property runs take seconds on a loaded 2-core machine: a generous timeout, not a speed check.
  it('match running the same query from scratch after every transaction', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.array(liveQuery, { minLength: 1, maxLength: 6 }), transactions, fc.nat(20), (queries, txs, lateAt) => {
        const store = new Store(model.tables);
        const engine = new QueryEngine(store);
        const follow = () => queries.map((q) => new Follower(engine, q.sql, store.table(q.table)));
        const followers = follow();
        const check = (f: Follower) => {
          const oracle = objects(engine, f.sql);
          const isJoin = f.sql.includes('JOIN');
          expect(sorted(f.store, f.rows), f.sql).toEqual(sorted(f.store, oracle, isJoin));
        };
        txs.forEach((ops, i) => {
          // Late subscribers join the shared plans and must get their current result.
          if (i === lateAt % txs.length) followers.push(...follow().map((f) => (check(f), f)));
          const before = followers.map((f) => f.batches);
          engine.applyDiff(write(store, (w) => ops.forEach((o) => apply(w, store, o))));
          followers.forEach((f, j) => {
            expect(f.batches - before[j]!).toBeLessThanOrEqual(1);
            check(f);
          });
        });
        for (const f of followers) f.sub.unsubscribe();
        expect(engine.liveQueries).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});

describe('one-off queries on random data', () => {
  it('return what the full-scan plan returns', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(transactions, fc.array(oneOffQuery, { minLength: 1, maxLength: 8 }), (txs, queries) => {
        const store = new Store(model.tables);
        const engine = new QueryEngine(store);
        for (const ops of txs) write(store, (w) => ops.forEach((o) => apply(w, store, o)));
        for (const sql of queries) {
          const planned = engine.query(sql);
          const scanned = engine.query(sql, {}, { forceScan: true });
          expect(planned.columns).toEqual(scanned.columns);
          if (sql.includes('ORDER BY')) expect(planned.rows, sql).toEqual(scanned.rows);
          else if (sql.includes('LIMIT')) {
            const all = engine.query(sql.replace(/ LIMIT \d+$/, ''), {}, { forceScan: true }).rows.map((r) => JSON.stringify(r));
            expect(planned.rows.length).toBe(scanned.rows.length);
            for (const row of planned.rows) expect(all).toContain(JSON.stringify(row));
          } else {
            const key = (rows: readonly (readonly unknown[])[]) => rows.map((r) => JSON.stringify(r)).sort();
            expect(key(planned.rows), sql).toEqual(key(scanned.rows));
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
