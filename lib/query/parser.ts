/**
 * A recursive-descent parser for the SQL subset:
 * `SELECT * | items FROM t [JOIN u ON cond]... [WHERE cond] [ORDER BY col [ASC|DESC], ...] [LIMIT n]`.
 * Keywords are case-insensitive; names keep their case. Errors say what was
 * expected and where (`at 14`, and `QueryError.position`); constructs of full
 * SQL outside the subset are named as unsupported rather than as typos.
 */
import type { ColumnRefAst, CompareOp, ExprAst, JoinAst, Literal, Name, OperandAst, OrderItemAst, SelectAst, SelectItemAst, TableRefAst } from './ast';
import { syntax, tokenize, type Token } from './lexer';

/** Words that cannot be table or column names unless written in double quotes. */
const RESERVED = new Set([
  'SELECT', 'FROM', 'WHERE', 'JOIN', 'INNER', 'ON', 'AND', 'OR', 'NOT', 'ORDER', 'BY', 'ASC', 'DESC', 'LIMIT', 'AS', 'IS', 'NULL', 'TRUE', 'FALSE',
  'GROUP', 'HAVING', 'DISTINCT', 'UNION', 'INTERSECT', 'EXCEPT', 'LEFT', 'RIGHT', 'FULL', 'OUTER', 'CROSS', 'NATURAL', 'OFFSET', 'IN', 'LIKE',
  'BETWEEN', 'EXISTS', 'WITH', 'CASE', 'USING',
]);

/** Full-SQL constructs that are recognised only to be refused by name. */
const UNSUPPORTED: Record<string, string> = {
  GROUP: 'GROUP BY',
  HAVING: 'HAVING',
  DISTINCT: 'DISTINCT',
  UNION: 'UNION',
  INTERSECT: 'INTERSECT',
  EXCEPT: 'EXCEPT',
  OFFSET: 'OFFSET',
  IN: 'IN (...)',
  LIKE: 'LIKE',
  BETWEEN: 'BETWEEN',
  EXISTS: 'EXISTS (subquery)',
  CASE: 'CASE',
  WITH: 'WITH',
  USING: 'JOIN ... USING',
};

const SUBSET = 'Lockstep SQL supports SELECT ... FROM t [JOIN u ON ...] [WHERE ...] [ORDER BY ...] [LIMIT n]';

/**
 * Parses one SELECT statement. Throws {@link QueryError} with the offset of the
 * problem in `position`.
 * @example
 * parse('SELECT name FROM player WHERE level > 3 ORDER BY name LIMIT 10').limit?.value; // 10
 */
export function parse(sql: string): SelectAst {
  return new Parser(tokenize(sql)).statement();
}

/** An error for a construct outside the subset. */
export function unsupported(what: string, pos: number, hint = SUBSET): never {
  throw syntax(`Unsupported: ${what} at ${pos}; ${hint}`, pos);
}

class Parser {
  private i = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  statement(): SelectAst {
    const first = this.peek();
    if (!this.keyword('SELECT')) {
      if (first.kind === 'ident' && !first.quoted && ['INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', 'WITH'].includes(first.text.toUpperCase())) {
        unsupported(first.text.toUpperCase(), first.pos, 'queries are read-only SELECT statements');
      }
      this.fail('SELECT');
    }
    this.refuseWord();
    const select = [this.selectItem()];
    while (this.punct(',')) select.push(this.selectItem());
    if (!this.keyword('FROM')) this.fail(select.length === 1 && select[0]!.kind === 'star' ? 'FROM' : ', or FROM');
    const from = this.tableRef();
    const joins: JoinAst[] = [];
    for (;;) {
      if (this.peek().text === ',') unsupported('comma joins', this.peek().pos, 'write JOIN u ON t.a = u.b');
      const pos = this.peek().pos;
      const outer = ['LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'OUTER'].find((k) => this.isKeyword(this.peek(), k));
      if (outer !== undefined) unsupported(`${outer} JOIN`, pos, 'only inner JOIN ... ON is supported');
      const inner = this.keyword('INNER');
      if (!this.keyword('JOIN')) {
        if (inner) this.fail('JOIN');
        break;
      }
      const table = this.tableRef();
      if (!this.keyword('ON')) this.fail('ON');
      joins.push({ table, on: this.expr(), pos });
    }
    const where = this.keyword('WHERE') ? this.expr() : undefined;
    this.refuseWord();
    let orderBy: OrderItemAst[] = [];
    let orderByPos: number | undefined;
    if (this.isKeyword(this.peek(), 'ORDER')) {
      orderByPos = this.next().pos;
      if (!this.keyword('BY')) this.fail('BY');
      orderBy = [this.orderItem()];
      while (this.punct(',')) orderBy.push(this.orderItem());
    }
    let limit: SelectAst['limit'];
    if (this.isKeyword(this.peek(), 'LIMIT')) {
      const pos = this.next().pos;
      const token = this.peek();
      if (token.kind !== 'int') this.fail('a whole number after LIMIT');
      this.i++;
      const value = Number(token.text);
      if (!Number.isSafeInteger(value)) throw syntax(`LIMIT ${token.text} at ${token.pos} is too large`, token.pos);
      limit = { value, pos };
    }
    this.refuseWord();
    this.punct(';');
    if (this.peek().kind !== 'eof') this.fail('the end of the query');
    return { select, from, joins, where, orderBy, orderByPos, limit };
  }

  private selectItem(): SelectItemAst {
    const token = this.peek();
    if (this.punct('*')) return { kind: 'star', pos: token.pos };
    if (this.isKeyword(token, 'COUNT') && this.peekAt(1).text === '(') {
      this.i += 2;
      const arg = this.peek();
      if (arg.text !== '*' || arg.kind !== 'punct') unsupported('COUNT of a column', arg.pos, 'use COUNT(*)');
      this.i++;
      if (!this.punct(')')) this.fail(')');
      return { kind: 'count', alias: this.alias(), pos: token.pos };
    }
    this.refuseWord();
    if (token.kind === 'ident' && this.peekAt(1).text === '.' && this.peekAt(2).text === '*') {
      this.i += 3;
      return { kind: 'table-star', table: { name: token.text, pos: token.pos }, pos: token.pos };
    }
    if (token.kind !== 'ident' || (this.reserved(token) && !this.isKeyword(token, 'COUNT'))) this.fail('*, a column or COUNT(*)');
    const ref = this.columnRef();
    return { kind: 'column', ref, alias: this.alias(), pos: token.pos };
  }

  private alias(): Name | undefined {
    if (this.keyword('AS')) return this.name('an alias after AS');
    const token = this.peek();
    return token.kind === 'ident' && !this.reserved(token) ? this.name('an alias') : undefined;
  }

  private tableRef(): TableRefAst {
    const token = this.peek();
    if (token.text === '(' && token.kind === 'punct') unsupported('subqueries', token.pos);
    const name = this.name('a table name');
    return { name, alias: this.alias() };
  }

  private orderItem(): OrderItemAst {
    const ref = this.columnRef();
    if (this.keyword('DESC')) return { ref, desc: true };
    this.keyword('ASC');
    return { ref, desc: false };
  }

  private columnRef(): ColumnRefAst {
    const pos = this.peek().pos;
    const first = this.name('a column name');
    if (this.peek().text === '(' && this.peek().kind === 'punct') unsupported(`function calls (${first.name})`, pos);
    if (!this.punct('.')) return { kind: 'column', table: undefined, column: first, pos };
    return { kind: 'column', table: first, column: this.name('a column name after "."'), pos };
  }

  private expr(): ExprAst {
    let left = this.conjunction();
    while (this.isKeyword(this.peek(), 'OR')) {
      this.i++;
      left = { kind: 'or', left, right: this.conjunction(), pos: left.pos };
    }
    return left;
  }

  private conjunction(): ExprAst {
    let left = this.negation();
    while (this.isKeyword(this.peek(), 'AND')) {
      this.i++;
      left = { kind: 'and', left, right: this.negation(), pos: left.pos };
    }
    return left;
  }

  private negation(): ExprAst {
    const token = this.peek();
    if (this.keyword('NOT')) return { kind: 'not', expr: this.negation(), pos: token.pos };
    return this.predicate();
  }

  private predicate(): ExprAst {
    const token = this.peek();
    if (token.kind === 'punct' && token.text === '(') {
      if (this.isKeyword(this.peekAt(1), 'SELECT')) unsupported('subqueries', this.peekAt(1).pos);
      this.i++;
      const inner = this.expr();
      if (!this.punct(')')) this.fail(') or a condition operator (AND, OR)');
      return inner;
    }
    const left = this.operand();
    const op = this.peek();
    if (op.kind === 'op') {
      this.i++;
      const right = this.operand();
      return { kind: 'compare', op: op.text === '<>' ? '!=' : (op.text as CompareOp), left, right, pos: left.pos };
    }
    if (this.keyword('IS')) {
      const negated = this.keyword('NOT');
      if (!this.keyword('NULL')) this.fail('NULL after IS');
      return { kind: 'is-null', operand: left, negated, pos: left.pos };
    }
    const afterNot = this.isKeyword(op, 'NOT') ? this.peekAt(1) : op;
    const word = afterNot.kind === 'ident' && !afterNot.quoted ? UNSUPPORTED[afterNot.text.toUpperCase()] : undefined;
    if (word !== undefined) unsupported(word, afterNot.pos, 'use comparisons (= != < <= > >=) joined by AND, OR, NOT');
    return { kind: 'operand', operand: left, pos: left.pos };
  }

  private operand(): OperandAst {
    const token = this.peek();
    const pos = token.pos;
    let operand: OperandAst | undefined;
    const literal = (value: Literal): OperandAst => ({ kind: 'literal', literal: value, pos });
    if (token.kind === 'punct' && token.text === '-' && (this.peekAt(1).kind === 'int' || this.peekAt(1).kind === 'float')) {
      this.i++;
      const number = this.next();
      operand = literal(number.kind === 'int' ? { type: 'int', value: -BigInt(number.text), text: `-${number.text}` } : { type: 'float', value: -Number(number.text), text: `-${number.text}` });
    } else if (token.kind === 'int') {
      this.i++;
      operand = literal({ type: 'int', value: BigInt(token.text), text: token.text });
    } else if (token.kind === 'float') {
      this.i++;
      operand = literal({ type: 'float', value: Number(token.text), text: token.text });
    } else if (token.kind === 'string') {
      this.i++;
      operand = literal({ type: 'string', value: token.text });
    } else if (token.kind === 'hex') {
      this.i++;
      operand = literal({ type: 'hex', digits: token.text });
    } else if (token.kind === 'param') {
      this.i++;
      operand = { kind: 'param', name: token.text, pos };
    } else if (this.keyword('TRUE')) operand = literal({ type: 'bool', value: true });
    else if (this.keyword('FALSE')) operand = literal({ type: 'bool', value: false });
    else if (this.keyword('NULL')) operand = literal({ type: 'null' });
    else if (token.kind === 'punct' && token.text === '(' && this.isKeyword(this.peekAt(1), 'SELECT')) unsupported('subqueries', this.peekAt(1).pos);
    else if (token.kind === 'ident' && (!this.reserved(token) || token.quoted)) operand = this.columnRef();
    else {
      const word = token.kind === 'ident' && !token.quoted ? UNSUPPORTED[token.text.toUpperCase()] : undefined;
      if (word !== undefined) unsupported(word, pos);
      this.fail('a column, a literal or :sender');
    }
    const after = this.peek();
    if (after.kind === 'punct' && '+-*/%|'.includes(after.text)) unsupported(`arithmetic (${after.text})`, after.pos, 'compare a column with a literal or another column');
    return operand;
  }

  /** Refuses a full-SQL keyword at the current token by name. */
  private refuseWord(): void {
    const token = this.peek();
    const word = token.kind === 'ident' && !token.quoted ? UNSUPPORTED[token.text.toUpperCase()] : undefined;
    if (word !== undefined) unsupported(word, token.pos);
  }

  private name(what: string): Name {
    const token = this.peek();
    if (token.kind !== 'ident' || (this.reserved(token) && !token.quoted)) {
      this.refuseWord();
      this.fail(what);
    }
    this.i++;
    return { name: token.text, pos: token.pos };
  }

  private reserved(token: Token): boolean {
    return token.quoted !== true && RESERVED.has(token.text.toUpperCase());
  }

  private isKeyword(token: Token, word: string): boolean {
    return token.kind === 'ident' && token.quoted !== true && token.text.toUpperCase() === word;
  }

  private keyword(word: string): boolean {
    if (!this.isKeyword(this.peek(), word)) return false;
    this.i++;
    return true;
  }

  private punct(text: string): boolean {
    const token = this.peek();
    if (token.kind !== 'punct' || token.text !== text) return false;
    this.i++;
    return true;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private peekAt(offset: number): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    return this.tokens[this.i++]!;
  }

  private fail(expected: string): never {
    const token = this.peek();
    throw syntax(`Expected ${expected} at ${token.pos}, found ${describe(token)}`, token.pos);
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the query';
    case 'string':
      return `'${token.text.replaceAll("'", "''")}'`;
    case 'hex':
      return `0x${token.text}`;
    case 'param':
      return `:${token.text}`;
    default:
      return `"${token.text}"`;
  }
}
