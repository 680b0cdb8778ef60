/**
 * Splits query text into tokens, each with its 0-based character offset, so
 * every later error can point at the exact place in the query.
 */
import { QueryError } from '../errors';

/** Kinds of tokens. Keywords are identifiers; the parser matches them case-insensitively. */
export type TokenKind = 'ident' | 'int' | 'float' | 'string' | 'hex' | 'param' | 'op' | 'punct' | 'eof';

/** One token of a query. */
export interface Token {
  readonly kind: TokenKind;
  /** The identifier (unquoted), operator or punctuation, the string's value, or the literal's digits. */
  readonly text: string;
  /** 0-based offset of the token's first character. */
  readonly pos: number;
  /** Set for identifiers written in double quotes: never a keyword, exact spelling. */
  readonly quoted?: true;
}

const OPERATORS = ['<>', '!=', '<=', '>=', '=', '<', '>'] as const;
const PUNCTUATION = '*,.();-+/%|';

/**
 * Tokenizes a query. Throws {@link QueryError} (with `position`) for an
 * unterminated string or quoted name and for characters no token starts with.
 * @example
 * tokenize("SELECT * FROM t WHERE name = 'x'").map((t) => t.text);
 * // ['SELECT', '*', 'FROM', 't', 'WHERE', 'name', '=', 'x', '']
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    const ch = sql[i]!;
    if (ch === '-' && sql[i + 1] === '-') {
      // A line comment.
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(sql.charCodeAt(i))) i++;
      tokens.push({ kind: 'ident', text: sql.slice(start, i), pos: start });
      continue;
    }
    if (ch === '0' && (sql[i + 1] === 'x' || sql[i + 1] === 'X')) {
      i += 2;
      while (i < n && isHexDigit(sql.charCodeAt(i))) i++;
      if (i === start + 2) throw syntax(`Expected hex digits after 0x at ${start}`, start);
      if (i < n && isIdentPart(sql.charCodeAt(i))) throw syntax(`Unexpected character "${sql[i]}" in hex literal at ${i}`, i);
      tokens.push({ kind: 'hex', text: sql.slice(start + 2, i).toLowerCase(), pos: start });
      continue;
    }
    if (isDigit(c) || (ch === '.' && isDigit(sql.charCodeAt(i + 1)))) {
      i = scanNumber(sql, i, tokens);
      continue;
    }
    if (ch === "'") {
      i = scanQuoted(sql, i, "'", (value) => tokens.push({ kind: 'string', text: value, pos: start }));
      continue;
    }
    if (ch === '"') {
      i = scanQuoted(sql, i, '"', (value) => tokens.push({ kind: 'ident', text: value, pos: start, quoted: true }));
      continue;
    }
    if (ch === ':' && isIdentStart(sql.charCodeAt(i + 1))) {
      i++;
      while (i < n && isIdentPart(sql.charCodeAt(i))) i++;
      tokens.push({ kind: 'param', text: sql.slice(start + 1, i), pos: start });
      continue;
    }
    const op = OPERATORS.find((o) => sql.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ kind: 'op', text: op, pos: start });
      i += op.length;
      continue;
    }
    if (PUNCTUATION.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch, pos: start });
      i++;
      continue;
    }
    throw syntax(`Unexpected character "${ch}" at ${start}`, start);
  }
  tokens.push({ kind: 'eof', text: '', pos: n });
  return tokens;
}

/** A syntax error at `pos`. */
export function syntax(message: string, pos: number): QueryError {
  return new QueryError(message, { position: pos });
}

function scanNumber(sql: string, i: number, tokens: Token[]): number {
  const start = i;
  const n = sql.length;
  let float = false;
  while (i < n && isDigit(sql.charCodeAt(i))) i++;
  if (sql[i] === '.' && isDigit(sql.charCodeAt(i + 1))) {
    float = true;
    i++;
    while (i < n && isDigit(sql.charCodeAt(i))) i++;
  }
  if ((sql[i] === 'e' || sql[i] === 'E') && (isDigit(sql.charCodeAt(i + 1)) || ((sql[i + 1] === '+' || sql[i + 1] === '-') && isDigit(sql.charCodeAt(i + 2))))) {
    float = true;
    i += 2;
    while (i < n && isDigit(sql.charCodeAt(i))) i++;
  }
  if (i < n && isIdentPart(sql.charCodeAt(i))) throw syntax(`Unexpected character "${sql[i]}" after the number at ${start}`, i);
  tokens.push({ kind: float ? 'float' : 'int', text: sql.slice(start, i), pos: start });
  return i;
}

/** Scans a quoted string or name; a doubled quote stands for one quote. */
function scanQuoted(sql: string, i: number, quote: string, push: (value: string) => void): number {
  const start = i;
  let value = '';
  i++;
  for (;;) {
    const next = sql.indexOf(quote, i);
    if (next < 0) {
      const what = quote === "'" ? 'string' : 'quoted name';
      throw syntax(`Unterminated ${what} starting at ${start}: add the closing ${quote}`, start);
    }
    value += sql.slice(i, next);
    if (sql[next + 1] === quote) {
      value += quote;
      i = next + 2;
      continue;
    }
    push(value);
    return next + 1;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}
