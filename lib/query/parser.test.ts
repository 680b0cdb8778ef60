import { describe, expect, it } from 'vitest';
import { QueryError } from '../errors';
import { tokenize } from './lexer';
import { parse } from './parser';

/** The QueryError a query throws. */
function failure(sql: string): QueryError {
  try {
    parse(sql);
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error(`expected "${sql}" to fail`);
}

describe('the lexer', () => {
  it('reads strings with doubled quotes, quoted names, hex, parameters and numbers', () => {
    const tokens = tokenize(`SELECT "Weird Name" FROM t WHERE a = 'it''s' AND b = 0xDEAD AND c = :sender AND d = 1.5e3 AND e = 42`);
    expect(tokens.map((t) => [t.kind, t.text])).toEqual([
      ['ident', 'SELECT'], ['ident', 'Weird Name'], ['ident', 'FROM'], ['ident', 't'], ['ident', 'WHERE'],
      ['ident', 'a'], ['op', '='], ['string', "it's"], ['ident', 'AND'],
      ['ident', 'b'], ['op', '='], ['hex', 'dead'], ['ident', 'AND'],
      ['ident', 'c'], ['op', '='], ['param', 'sender'], ['ident', 'AND'],
      ['ident', 'd'], ['op', '='], ['float', '1.5e3'], ['ident', 'AND'],
      ['ident', 'e'], ['op', '='], ['int', '42'], ['eof', ''],
    ]);
    expect(tokens[1]!.quoted).toBe(true);
  });

  it('skips line comments and records each token offset', () => {
    const tokens = tokenize('SELECT * -- all of it\nFROM t');
    expect(tokens.map((t) => t.pos)).toEqual([0, 7, 22, 27, 28]);
  });

  it('reports an unterminated string at its opening quote', () => {
    expect(() => tokenize("SELECT * FROM t WHERE a = 'oops")).toThrow("Unterminated string starting at 26: add the closing '");
  });

  it('reports a character no token starts with', () => {
    const error = failure('SELECT * FROM t WHERE a = #1');
    expect(error.message).toBe('Unexpected character "#" at 26');
    expect(error.position).toBe(26);
  });
});

describe('the parser', () => {
  it('reads keywords in any case and keeps the case of names', () => {
    const ast = parse('select Name from Player p where p.Level >= 3 order by Name desc limit 5');
    expect(ast.from).toEqual({ name: { name: 'Player', pos: 17 }, alias: { name: 'p', pos: 24 } });
    expect(ast.select).toEqual([{ kind: 'column', ref: { kind: 'column', table: undefined, column: { name: 'Name', pos: 7 }, pos: 7 }, alias: undefined, pos: 7 }]);
    expect(ast.orderBy[0]).toMatchObject({ desc: true, ref: { column: { name: 'Name' } } });
    expect(ast.limit).toEqual({ value: 5, pos: 64 });
  });

  it('gives AND precedence over OR and reads NOT and parentheses', () => {
    const ast = parse('SELECT * FROM t WHERE a = 1 OR NOT b = 2 AND (c < 3 OR d <> 4)');
    const where = ast.where!;
    expect(where.kind).toBe('or');
    if (where.kind !== 'or') return;
    expect(where.right.kind).toBe('and');
    if (where.right.kind !== 'and') return;
    expect(where.right.left.kind).toBe('not');
    expect(where.right.right).toMatchObject({ kind: 'or', right: { kind: 'compare', op: '!=' } });
  });

  it('reads joins, aliases, COUNT(*), negative numbers and IS [NOT] NULL', () => {
    const ast = parse('SELECT COUNT(*) AS n FROM a JOIN b AS bb ON a.x = bb.y INNER JOIN c ON c.z = a.x WHERE a.v > -5 AND a.w IS NOT NULL;');
    expect(ast.select).toEqual([{ kind: 'count', alias: { name: 'n', pos: 19 }, pos: 7 }]);
    expect(ast.joins.map((j) => [j.table.name.name, j.table.alias?.name])).toEqual([['b', 'bb'], ['c', undefined]]);
    expect(ast.where).toMatchObject({ kind: 'and', left: { right: { kind: 'literal', literal: { type: 'int', value: -5n } } }, right: { kind: 'is-null', negated: true } });
  });

  it.each([
    ['SELECT * FORM t', 'Expected FROM at 9, found "FORM"', 9],
    ['SELECT a b c FROM t', 'Expected , or FROM at 11, found "c"', 11],
    ['SELECT * FROM', 'Expected a table name at 13, found the end of the query', 13],
    ['SELECT * FROM t WHERE', 'Expected a column, a literal or :sender at 21, found the end of the query', 21],
    ['SELECT * FROM t WHERE a = ', 'Expected a column, a literal or :sender at 26, found the end of the query', 26],
    ['SELECT * FROM t WHERE (a = 1', 'Expected ) or a condition operator (AND, OR) at 28, found the end of the query', 28],
    ['SELECT * FROM t JOIN u WHERE a = 1', 'Expected ON at 23, found "WHERE"', 23],
    ['SELECT * FROM t LIMIT x', 'Expected a whole number after LIMIT at 22, found "x"', 22],
    ['SELECT * FROM t WHERE a IS 5', 'Expected NULL after IS at 27, found "5"', 27],
    ['SELECT * FROM t ORDER name', 'Expected BY at 22, found "name"', 22],
    ['SELECT * FROM t extra junk', 'Expected the end of the query at 22, found "junk"', 22],
    ['FROM t', 'Expected SELECT at 0, found "FROM"', 0],
  ])('says what it expected and where: %s', (sql, message, position) => {
    const error = failure(sql);
    expect(error.message).toBe(message);
    expect(error.position).toBe(position);
    expect(error.code).toBe('INVALID_QUERY');
  });

  it.each([
    ['SELECT * FROM t GROUP BY a', 'Unsupported: GROUP BY at 16;', 16],
    ['SELECT * FROM t WHERE a = 1 GROUP BY a', 'Unsupported: GROUP BY at 28;', 28],
    ['SELECT DISTINCT a FROM t', 'Unsupported: DISTINCT at 7;', 7],
    ['SELECT * FROM t WHERE a IN (SELECT b FROM u)', 'Unsupported: IN (...) at 24;', 24],
    ['SELECT * FROM t WHERE a = (SELECT b FROM u)', 'Unsupported: subqueries at 27;', 27],
    ['SELECT * FROM (SELECT * FROM u)', 'Unsupported: subqueries at 14;', 14],
    ['SELECT * FROM t LEFT JOIN u ON t.a = u.b', 'Unsupported: LEFT JOIN at 16; only inner JOIN ... ON is supported', 16],
    ['SELECT * FROM t, u', 'Unsupported: comma joins at 15; write JOIN u ON t.a = u.b', 15],
    ['SELECT * FROM t WHERE a + 1 = 2', 'Unsupported: arithmetic (+) at 24;', 24],
    ['SELECT * FROM t WHERE lower(a) = 2', 'Unsupported: function calls (lower) at 22;', 22],
    ['SELECT * FROM t WHERE a LIKE 2', 'Unsupported: LIKE at 24;', 24],
    ['SELECT * FROM t WHERE a NOT BETWEEN 1 AND 2', 'Unsupported: BETWEEN at 28;', 28],
    ['SELECT COUNT(a) FROM t', 'Unsupported: COUNT of a column at 13; use COUNT(*)', 13],
    ['SELECT * FROM t LIMIT 1 OFFSET 2', 'Unsupported: OFFSET at 24;', 24],
    ['SELECT * FROM t UNION SELECT * FROM u', 'Unsupported: UNION at 16;', 16],
    ['DELETE FROM t', 'Unsupported: DELETE at 0; queries are read-only SELECT statements', 0],
  ])('names unsupported constructs: %s', (sql, message, position) => {
    const error = failure(sql);
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.position).toBe(position);
  });

  it('accepts reserved words as names when double-quoted', () => {
    expect(parse('SELECT "order" FROM "group"').from.name.name).toBe('group');
  });
});
