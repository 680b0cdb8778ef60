/**
 * Resolves a parsed query against the store: tables and aliases, columns
 * (qualified or not), literal types and `:sender`. Every failure is a
 * {@link QueryError} with the offset of the offending name or literal.
 */
import { QueryError } from '../errors';
import { isBigintKind, isNumberKind, typeName, type Identity, type TypeDesc } from '../schema/type-desc';
import type { Store } from '../store/store';
import type { ColumnRefAst, ExprAst, OperandAst, SelectAst } from './ast';
import type { BoundColumn, BoundExpr, BoundOperand, BoundOrder, BoundQuery, BoundSelect, BoundTable, OutputColumn } from './bound';
import { columnLabel, describeLiteral, isComparable, typeLiteral } from './literal';
import { unsupported } from './parser';
import { renderQuery } from './render';
import { didYouMean } from './suggest';

/** Inputs of binding besides the query. */
export interface BindOptions {
  /** The value of `:sender`. */
  readonly sender?: Identity | undefined;
  /** Allow private tables (the module owner, tests). */
  readonly allowPrivate?: boolean | undefined;
}

const FLIP = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;

/** Binds a parsed SELECT. */
export function bind(ast: SelectAst, store: Store, options: BindOptions = {}): BoundQuery {
  return new Binder(store, options).query(ast);
}

class Binder {
  private readonly tables: BoundTable[] = [];
  /** Tables visible to the condition being bound (ON sees only the tables joined so far). */
  private visible = 0;
  private usesSender = false;

  constructor(
    private readonly store: Store,
    private readonly options: BindOptions,
  ) {}

  query(ast: SelectAst): BoundQuery {
    for (const ref of [ast.from, ...ast.joins.map((j) => j.table)]) {
      const { name, pos } = ref.name;
      const store = this.store.tables.get(name);
      if (store === undefined) {
        const names = [...this.store.tables.keys()];
        throw new QueryError(`Unknown table "${name}" at ${pos}${didYouMean(name, names)} Tables: ${names.join(', ')}`, { position: pos, table: name });
      }
      if (!store.schema.public && this.options.allowPrivate !== true) {
        throw new QueryError(`Table "${name}" at ${pos} is private: only public tables can be queried or subscribed to (the module owner reads private tables with allowPrivate)`, { position: pos, table: name });
      }
      const alias = ref.alias?.name ?? name;
      if (this.tables.some((t) => t.alias === alias)) {
        throw new QueryError(`Table name "${alias}" at ${ref.alias?.pos ?? pos} is used twice; give each use its own alias (JOIN ${name} AS ${name}2)`, { position: ref.alias?.pos ?? pos, table: name });
      }
      this.tables.push({ slot: this.tables.length, alias, store, schema: store.schema });
    }
    const joinOns = ast.joins.map((join, i) => {
      this.visible = i + 2;
      return this.expr(join.on);
    });
    this.visible = this.tables.length;
    const where = ast.where === undefined ? undefined : this.expr(ast.where);
    const select = this.select(ast);
    const orderBy = ast.orderBy.map((item): BoundOrder => ({ col: this.orderColumn(item.ref, select), desc: item.desc }));
    if (select.kind === 'count' && orderBy.length > 0) unsupported('ORDER BY with COUNT(*)', ast.orderByPos ?? 0, 'COUNT(*) returns one row');
    const bound = { tables: this.tables, joinOns, where, select, orderBy, limit: ast.limit?.value, usesSender: this.usesSender };
    return { ...bound, text: renderQuery(bound) };
  }

  private select(ast: SelectAst): BoundSelect {
    const items = ast.select;
    const count = items.find((i) => i.kind === 'count');
    if (count !== undefined) {
      if (items.length > 1) unsupported('COUNT(*) beside other columns', items.find((i) => i !== count)!.pos, 'GROUP BY is not supported, so COUNT(*) stands alone');
      return { kind: 'count', name: count.kind === 'count' && count.alias !== undefined ? count.alias.name : 'count' };
    }
    const parts: { col: BoundColumn; alias: string | undefined }[] = [];
    let starTable: BoundTable | undefined;
    for (const item of items) {
      if (item.kind === 'star') for (const t of this.tables) parts.push(...this.allColumns(t));
      else if (item.kind === 'table-star') {
        starTable = this.table(item.table.name, item.table.pos, `${item.table.name}.*`);
        parts.push(...this.allColumns(starTable));
      } else if (item.kind === 'column') parts.push({ col: this.column(item.ref), alias: item.alias?.name });
    }
    // Plain column names unless two output columns would share one.
    const counts = new Map<string, number>();
    for (const p of parts) counts.set(p.col.column.name, (counts.get(p.col.column.name) ?? 0) + 1);
    const columns: OutputColumn[] = parts.map((p) => ({ col: p.col, name: p.alias ?? ((counts.get(p.col.column.name) ?? 0) > 1 ? columnLabel(p.col) : p.col.column.name) }));
    const only = items.length === 1 ? items[0]!.kind : undefined;
    const shape = only === 'star' ? 'star' : only === 'table-star' ? 'table-star' : 'list';
    return { kind: 'columns', columns, shape, starTable: shape === 'table-star' ? starTable : shape === 'star' && this.tables.length === 1 ? this.tables[0] : undefined };
  }

  private allColumns(table: BoundTable): { col: BoundColumn; alias: undefined }[] {
    return table.schema.columns.map((column) => ({ col: this.columnOf(table, column.name, 0)!, alias: undefined }));
  }

  private orderColumn(ref: ColumnRefAst, select: BoundSelect): BoundColumn {
    if (ref.table === undefined && select.kind === 'columns') {
      const byAlias = select.columns.find((c) => c.name === ref.column.name);
      const owners = this.tables.filter((t) => t.schema.columns.some((c) => c.name === ref.column.name));
      if (byAlias !== undefined && owners.length === 0) return byAlias.col;
    }
    return this.column(ref);
  }

  private expr(ast: ExprAst): BoundExpr {
    switch (ast.kind) {
      case 'and':
      case 'or':
        return { kind: ast.kind, left: this.expr(ast.left), right: this.expr(ast.right) };
      case 'not':
        return { kind: 'not', expr: this.expr(ast.expr) };
      case 'is-null': {
        const col = this.nullableColumn(ast.operand, ast.pos);
        return { kind: 'null', col, negated: ast.negated };
      }
      case 'operand': {
        const operand = ast.operand;
        if (operand.kind === 'literal' && operand.literal.type === 'bool') return { kind: 'const', value: operand.literal.value };
        if (operand.kind === 'column') {
          const col = this.column(operand);
          if (col.type.kind === 'bool') return { kind: 'cmp', op: '=', left: col, right: { kind: 'value', value: true, sql: 'true' } };
          throw new QueryError(`Expected a condition at ${ast.pos}: ${columnLabel(col)} is ${typeName(col.column.type)}, not bool; compare it with a value`, { position: ast.pos, column: col.column.name });
        }
        throw new QueryError(`Expected a condition at ${ast.pos}, found a lone value; compare a column with it`, { position: ast.pos });
      }
      case 'compare':
        return this.compare(ast);
    }
  }

  private compare(ast: ExprAst & { kind: 'compare' }): BoundExpr {
    let { left, right, op } = ast;
    if (left.kind !== 'column') {
      if (right.kind !== 'column') unsupported('comparing two values', ast.pos, 'compare a column with a value or another column');
      [left, right] = [right, left];
      op = FLIP[op];
    }
    const col = this.column(left);
    if (right.kind === 'literal' && right.literal.type === 'null') {
      if (op !== '=' && op !== '!=') throw new QueryError(`NULL at ${right.pos} can only be compared with = or != (or IS [NOT] NULL)`, { position: right.pos });
      this.requireOptional(col, right.pos);
      return { kind: 'null', col, negated: op === '!=' };
    }
    this.requireComparable(col, left.pos);
    return { kind: 'cmp', op, left: col, right: this.operand(right, col) };
  }

  private operand(ast: OperandAst, against: BoundColumn): BoundOperand {
    if (ast.kind === 'column') {
      const col = this.column(ast);
      this.requireComparable(col, ast.pos);
      if (family(col.type) !== family(against.type)) {
        throw new QueryError(`Type mismatch at ${ast.pos}: ${columnLabel(against)} is ${typeName(against.column.type)} but ${columnLabel(col)} is ${typeName(col.column.type)}`, { position: ast.pos, column: col.column.name });
      }
      return { kind: 'column', col };
    }
    if (ast.kind === 'param') {
      if (ast.name !== 'sender') throw new QueryError(`Unknown parameter :${ast.name} at ${ast.pos}; the only parameter is :sender`, { position: ast.pos });
      if (against.type.kind !== 'identity') {
        throw new QueryError(`Type mismatch at ${ast.pos}: :sender is an identity but ${columnLabel(against)} is ${typeName(against.column.type)}`, { position: ast.pos, column: against.column.name });
      }
      if (this.options.sender === undefined) throw new QueryError(`The query uses :sender at ${ast.pos} but no sender was given`, { position: ast.pos });
      this.usesSender = true;
      return { kind: 'value', value: this.options.sender, sql: ':sender' };
    }
    return typeLiteral(ast.literal, against, ast.pos);
  }

  private nullableColumn(ast: OperandAst, pos: number): BoundColumn {
    if (ast.kind !== 'column') throw new QueryError(`Expected a column before IS NULL at ${pos}, found ${ast.kind === 'literal' ? describeLiteral(ast.literal) : `:${ast.name}`}`, { position: pos });
    const col = this.column(ast);
    this.requireOptional(col, pos);
    return col;
  }

  private requireOptional(col: BoundColumn, pos: number): void {
    if (!col.optional) {
      throw new QueryError(`Type mismatch at ${pos}: ${columnLabel(col)} is ${typeName(col.column.type)}, not optional, so it is never NULL`, { position: pos, table: col.table.schema.name, column: col.column.name });
    }
  }

  private requireComparable(col: BoundColumn, pos: number): void {
    if (!isComparable(col.type)) {
      unsupported(`comparing ${columnLabel(col)} of type ${typeName(col.column.type)}`, pos, 'only scalar columns (numbers, strings, bool, bytes, identities) can be compared');
    }
  }

  private column(ref: OperandAst & { kind: 'column' }): BoundColumn {
    const { name, pos } = ref.column;
    if (ref.table !== undefined) {
      const table = this.table(ref.table.name, ref.table.pos, `${ref.table.name}.${name}`);
      const col = this.columnOf(table, name, pos);
      if (col === undefined) {
        const names = table.schema.columns.map((c) => c.name);
        const elsewhere = this.tables.filter((t) => t !== table && t.schema.columns.some((c) => c.name === name)).map((t) => t.alias);
        const hint = elsewhere.length > 0 ? ` (it is a column of ${elsewhere.map((a) => `"${a}"`).join(', ')})` : '';
        throw new QueryError(`Unknown column "${name}" at ${pos} in table "${table.schema.name}"${hint}${didYouMean(name, names)} Columns: ${names.join(', ')}`, { position: pos, table: table.schema.name, column: name });
      }
      return col;
    }
    const owners = this.tables.filter((t) => t.schema.columns.some((c) => c.name === name));
    if (owners.length > 1) {
      throw new QueryError(`Ambiguous column "${name}" at ${pos}: it is in ${owners.map((t) => `"${t.alias}"`).join(' and ')}; qualify it (${owners[0]!.alias}.${name})`, { position: pos, column: name });
    }
    if (owners.length === 0) {
      const names = this.tables.flatMap((t) => t.schema.columns.map((c) => c.name));
      const where = this.tables.length === 1 ? `table "${this.tables[0]!.schema.name}"` : `tables ${this.tables.map((t) => `"${t.alias}"`).join(', ')}`;
      throw new QueryError(`Unknown column "${name}" at ${pos} in ${where}${didYouMean(name, names)} Columns: ${names.join(', ')}`, { position: pos, table: this.tables[0]!.schema.name, column: name });
    }
    return this.columnOf(owners[0]!, name, pos)!;
  }

  private columnOf(table: BoundTable, name: string, pos: number): BoundColumn | undefined {
    const column = table.schema.columns.find((c) => c.name === name);
    if (column === undefined) return undefined;
    if (table.slot >= this.visible && this.visible > 0) {
      throw new QueryError(`Column ${table.alias}.${name} at ${pos} cannot be used here: "${table.alias}" is joined later; move the condition to WHERE or a later ON`, { position: pos, column: name });
    }
    const optional = column.type.kind === 'option';
    return { table, column, type: column.type.kind === 'option' ? column.type.inner : column.type, optional };
  }

  private table(name: string, pos: number, written: string): BoundTable {
    const byAlias = this.tables.find((t) => t.alias === name);
    const byName = this.tables.filter((t) => t.schema.name === name);
    const table = byAlias ?? (byName.length === 1 ? byName[0] : undefined);
    if (table !== undefined) return table;
    const aliases = this.tables.map((t) => t.alias);
    throw new QueryError(`Unknown table "${name}" in ${written} at ${pos}: the query reads ${aliases.map((a) => `"${a}"`).join(', ')}${didYouMean(name, aliases)}`, { position: pos, table: name });
  }
}

/** Columns compare when their values are the same kind of JS value: any number kinds, any bigint kinds, else the same type. */
function family(type: TypeDesc): string {
  return isNumberKind(type.kind) ? 'number' : isBigintKind(type.kind) ? 'bigint' : typeName(type);
}
