import { describe, expect, it } from 'vitest';
import { describeChange, diffSchemas, summarizeDifferences } from './diff';
import { loadModule } from './module';
import { schema } from './schema';
import { table, type AnyTableDef } from './table';
import { t } from './type-builders';

/** The resolved tables of a schema whose tables are given by name. */
const tables = (defs: Record<string, AnyTableDef>) => loadModule({ default: schema(defs) }).tables;

const item = (columns: Record<string, unknown> = { id: t.u64().primaryKey(), name: t.string() }, options: Record<string, unknown> = {}) =>
  table({ name: 'item', public: true, ...options } as never, columns as never) as AnyTableDef;
const tag = table({ name: 'tag' }, { label: t.string() });

describe('diffSchemas', () => {
  it('finds no change between two declarations of the same tables', () => {
    expect(diffSchemas(tables({ item: item(), tag }), tables({ item: item(), tag }))).toEqual([]);
  });

  it('reports an added table as additive and a removed one as breaking', () => {
    expect(diffSchemas(tables({ item: item() }), tables({ item: item(), tag }))).toEqual([{ kind: 'table-added', table: 'tag', breaking: false }]);
    expect(diffSchemas(tables({ item: item(), tag }), tables({ item: item() }))).toEqual([{ kind: 'table-removed', table: 'tag', breaking: true }]);
  });

  it('calls a trailing column additive only when existing rows get a value for it', () => {
    const before = tables({ item: item() });
    const withDefault = tables({ item: item({ id: t.u64().primaryKey(), name: t.string(), qty: t.u32().default(1) }) });
    const optional = tables({ item: item({ id: t.u64().primaryKey(), name: t.string(), qty: t.u32().optional() }) });
    const bare = tables({ item: item({ id: t.u64().primaryKey(), name: t.string(), qty: t.u32() }) });
    expect(diffSchemas(before, withDefault)).toEqual([{ kind: 'column-added', table: 'item', column: 'qty', position: 2, breaking: false }]);
    expect(diffSchemas(before, optional)).toEqual([{ kind: 'column-added', table: 'item', column: 'qty', position: 2, breaking: false }]);
    expect(diffSchemas(before, bare)).toEqual([{ kind: 'column-added', table: 'item', column: 'qty', position: 2, breaking: true }]);
    expect(diffSchemas(withDefault, before)).toEqual([{ kind: 'column-removed', table: 'item', column: 'qty', position: 2, breaking: true }]);
  });

  it('matches columns by position, so a renamed or reordered column is named with its position', () => {
    const changes = diffSchemas(tables({ item: item() }), tables({ item: item({ id: t.u64().primaryKey(), title: t.string() }) }));
    expect(changes).toEqual([{ kind: 'column-renamed', table: 'item', column: 'name', position: 1, to: 'title', breaking: true }]);
  });

  it('reports a changed type with both types, a flipped flag with its new value, and a changed default as not breaking', () => {
    const a = tables({ item: item({ id: t.u64().primaryKey(), name: t.string(), qty: t.u32().default(1) }) });
    const retyped = tables({ item: item({ id: t.u64().primaryKey(), name: t.bytes(), qty: t.u32().default(1) }) });
    const flagged = tables({ item: item({ id: t.u64().primaryKey(), name: t.string().unique(), qty: t.u32().default(1) }) });
    const defaulted = tables({ item: item({ id: t.u64().primaryKey(), name: t.string(), qty: t.u32().default(2) }) });
    expect(diffSchemas(a, retyped)).toEqual([{ kind: 'column-retyped', table: 'item', column: 'name', from: { kind: 'string' }, to: { kind: 'bytes' }, breaking: true }]);
    expect(diffSchemas(a, flagged)).toContainEqual({ kind: 'flag-changed', table: 'item', column: 'name', flag: 'unique', to: true, breaking: true });
    expect(diffSchemas(flagged, a)).toContainEqual({ kind: 'flag-changed', table: 'item', column: 'name', flag: 'unique', to: false, breaking: true });
    expect(diffSchemas(a, defaulted)).toEqual([{ kind: 'default-changed', table: 'item', column: 'qty', breaking: false }]);
  });

  it('reports indexes by accessor: added is additive, removed and changed are breaking, with the columns by name', () => {
    const columns = { id: t.u64().primaryKey(), name: t.string(), qty: t.u32() };
    const plain = tables({ item: item(columns) });
    const byName = tables({ item: item(columns, { indexes: [{ accessor: 'by_x', columns: ['name'] }] }) });
    const byQty = tables({ item: item(columns, { indexes: [{ accessor: 'by_x', columns: ['qty', 'name'] }] }) });
    expect(diffSchemas(plain, byName)).toEqual([{ kind: 'index-added', table: 'item', index: 'by_x', breaking: false }]);
    expect(diffSchemas(byName, plain)).toEqual([{ kind: 'index-removed', table: 'item', index: 'by_x', breaking: true }]);
    expect(diffSchemas(byName, byQty)).toEqual([
      { kind: 'index-changed', table: 'item', index: 'by_x', from: { columns: ['name'], unique: false }, to: { columns: ['qty', 'name'], unique: false }, breaking: true },
    ]);
  });

  it('reports a visibility change with the new visibility, as additive', () => {
    expect(diffSchemas(tables({ item: item() }), tables({ item: item(undefined, { public: false }) }))).toEqual([{ kind: 'visibility-changed', table: 'item', public: false, breaking: false }]);
  });

  it('lists every change in one order from either side: tables by name, then columns, indexes, visibility', () => {
    const a = tables({ tag, item: item() });
    const b = tables({ item: item({ id: t.u64().primaryKey(), name: t.u32(), extra: t.bool().default(false) }, { public: false }), zone: table({ name: 'zone' }, { z: t.u8() }) });
    const forward = diffSchemas(a, b);
    const backward = diffSchemas(b, a);
    expect(forward.map((c) => [c.kind, c.table])).toEqual([
      ['column-retyped', 'item'],
      ['column-added', 'item'],
      ['visibility-changed', 'item'],
      ['table-removed', 'tag'],
      ['table-added', 'zone'],
    ]);
    expect(backward.map((c) => [c.kind, c.table])).toEqual([
      ['column-retyped', 'item'],
      ['column-removed', 'item'],
      ['visibility-changed', 'item'],
      ['table-added', 'tag'],
      ['table-removed', 'zone'],
    ]);
  });
});

describe('describeChange', () => {
  const sides = { from: 'in the backup', to: 'here' };
  const columns = { id: t.u64().primaryKey(), name: t.string() };

  it('names the side a table, column or index exists on', () => {
    const [added] = diffSchemas(tables({ item: item() }), tables({ item: item(), tag }));
    const [removed] = diffSchemas(tables({ item: item(columns, { indexes: [{ accessor: 'by_name', columns: ['name'] }] }) }), tables({ item: item() }));
    expect(describeChange(added!, sides)).toBe('table "tag" exists only here');
    expect(describeChange(removed!, sides)).toBe('index "item.by_name" exists only in the backup');
  });

  it('names both sides of a changed column, index or visibility, and which side has a flag (and its index)', () => {
    const a = tables({ item: item(columns, { indexes: [{ accessor: 'by_x', columns: ['name'] }] }) });
    const b = tables({ item: item({ id: t.u64().primaryKey(), name: t.u32() }, { public: false, indexes: [{ accessor: 'by_x', columns: ['id', 'name'] }] }) });
    expect(diffSchemas(a, b).map((c) => describeChange(c, sides))).toEqual([
      'column "item.name" is string in the backup and u32 here',
      'index "item.by_x" is (name) in the backup and (id, name) here',
      'table "item" is public in the backup and private here',
    ]);
    const unique = diffSchemas(tables({ item: item() }), tables({ item: item({ id: t.u64().primaryKey(), name: t.string().unique() }) }));
    expect(unique.map((c) => describeChange(c, sides))).toEqual(['column "item.name" is unique here but not in the backup', 'index "item.name" exists only here']);
  });

  it('summarizes up to three differences and counts the rest', () => {
    expect(summarizeDifferences(['a', 'b', 'c'])).toBe('a; b; c');
    expect(summarizeDifferences(['a', 'b', 'c', 'd', 'e'])).toBe('a; b; c; and 2 more');
  });
});
