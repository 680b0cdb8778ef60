/**
 * Values in the devtools: how a row's value is shown, and how what a developer
 * types into a reducer form becomes a value of the parameter's type. Pure: no
 * DOM, so it is tested in Node.
 */
import { ValueError } from '../errors';
import { isBigintKind, isIntegerKind, isNumberKind, typeName, type TypeDesc } from '../schema/type-desc';

/**
 * A value as one line of text for a table cell or a log line: bigints as
 * digits, bytes as `0x…` hex, `undefined` (an empty option) as `∅`, enums as
 * `Tag(value)`, other objects and arrays as JSON.
 * @example
 * formatValue(5n); // '5'
 * formatValue({ tag: 'Circle', value: { r: 2 } }); // 'Circle({"r":2})'
 */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '∅';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return `0x${hex(value)}`;
  if (isTagged(value)) {
    const payload = value.value;
    const empty = typeof payload === 'object' && payload !== null && !Array.isArray(payload) && !(payload instanceof Uint8Array) && Object.keys(payload).length === 0;
    return empty ? value.tag : `${value.tag}(${typeof payload === 'bigint' || typeof payload === 'string' ? String(payload) : toJson(payload)})`;
  }
  return toJson(value);
}

/**
 * JSON for any value the engine holds: bigints as digit strings and bytes as
 * hex strings, which {@link fromJson} reads back for the right types.
 * @example
 * toJson({ id: 5n, data: new Uint8Array([1, 255]) }); // '{"id":"5","data":"0x01ff"}'
 */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? `0x${hex(v)}` : v === undefined ? null : v), indent) ?? 'null';
}

/**
 * Reads the text of a form field as a value of a primitive type: numbers for
 * number kinds, bigints for 64/128-bit integers and timestamps (`5`, `5n`,
 * `-3`), hex for bytes (`0x01ff`), lowercase hex for identities and ids.
 * Composite types (option, array, object, enum, scheduleAt) are read as JSON
 * with {@link fromJson}. Throws a {@link ValueError} naming `path` and the text.
 * @example
 * parseText({ kind: 'u64' }, '42', 'id'); // 42n
 */
export function parseText(type: TypeDesc, text: string, path: string): unknown {
  const kind = type.kind;
  const trimmed = text.trim();
  if (kind === 'string') return text;
  if (kind === 'bool') {
    if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
    throw bad(path, type, text, 'true or false');
  }
  if (isNumberKind(kind)) {
    const n = trimmed === '' ? NaN : Number(trimmed);
    if (!Number.isFinite(n)) throw bad(path, type, text, 'a number');
    if (isIntegerKind(kind) && !Number.isInteger(n)) throw bad(path, type, text, 'a whole number');
    return n;
  }
  if (isBigintKind(kind)) {
    if (!/^-?\d+n?$/.test(trimmed)) throw bad(path, type, text, 'a whole number, like 42');
    return BigInt(trimmed.replace(/n$/, ''));
  }
  if (kind === 'identity' || kind === 'connectionId' || kind === 'uuid') return trimmed.toLowerCase();
  if (kind === 'bytes') {
    const digits = trimmed.replace(/^0x/i, '');
    if (!/^([0-9a-f]{2})*$/i.test(digits)) throw bad(path, type, text, 'hex bytes, like 0x01ff');
    return Uint8Array.from(digits.match(/../g) ?? [], (h) => parseInt(h, 16));
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed === '' ? 'null' : trimmed);
  } catch (error) {
    throw new ValueError(`${path}: not valid JSON for ${typeName(type)}: ${error instanceof Error ? error.message : String(error)}`, { column: path, value: text });
  }
  return fromJson(type, json, path);
}

/**
 * Converts parsed JSON to a value of `type`: integers in strings or numbers
 * become bigints where the type wants them, hex strings become bytes, `null`
 * an empty option, `"Tag"` or `{ "tag": "Tag", "value": … }` an enum. Throws
 * a {@link ValueError} naming the path (`args.items[2].qty`) of the first value
 * that does not fit. Range checks are left to the reducer's argument check.
 * @example
 * fromJson({ kind: 'array', element: { kind: 'u64' } }, [1, '2'], 'ids'); // [1n, 2n]
 */
export function fromJson(type: TypeDesc, json: unknown, path: string): unknown {
  switch (type.kind) {
    case 'option':
      return json === null || json === undefined ? undefined : fromJson(type.inner, json, path);
    case 'array':
      if (!Array.isArray(json)) throw bad(path, type, json, 'a JSON array');
      return json.map((item, i) => fromJson(type.element, item, `${path}[${i}]`));
    case 'object': {
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad(path, type, json, 'a JSON object');
      const record = json as Record<string, unknown>;
      const unknown = Object.keys(record).filter((key) => !type.fields.some((f) => f.name === key));
      if (unknown.length > 0) throw new ValueError(`${path}: ${type.name} has no field "${unknown[0]}"; its fields are ${type.fields.map((f) => f.name).join(', ') || '(none)'}`, { column: path });
      return Object.fromEntries(type.fields.map((f) => [f.name, fromJson(f.type, record[f.name], `${path}.${f.name}`)]));
    }
    case 'enum': {
      const tagged = typeof json === 'string' ? { tag: json, value: {} } : json;
      if (!isTagged(tagged)) throw bad(path, type, json, `"Tag" or {"tag": …, "value": …} with a tag of ${type.variants.map((v) => v.name).join(', ')}`);
      const variant = type.variants.find((v) => v.name === tagged.tag);
      if (variant === undefined) throw new ValueError(`${path}: ${type.name} has no variant "${tagged.tag}"; its variants are ${type.variants.map((v) => v.name).join(', ')}`, { column: path, value: tagged.tag });
      return { tag: variant.name, value: fromJson(variant.type, tagged.value ?? {}, `${path}.${variant.name}`) };
    }
    case 'scheduleAt': {
      if (!isTagged(json) || (json.tag !== 'Interval' && json.tag !== 'Time')) throw bad(path, type, json, '{"tag": "Interval" or "Time", "value": microseconds}');
      return { tag: json.tag, value: fromJson({ kind: 'i64' }, json.value, `${path}.value`) };
    }
    case 'bool':
      if (typeof json !== 'boolean') throw bad(path, type, json, 'true or false');
      return json;
    default:
      if (isBigintKind(type.kind) && typeof json === 'number') {
        if (!Number.isSafeInteger(json)) throw bad(path, type, json, 'a whole number (write large ones as strings: "12345678901234567890")');
        return BigInt(json);
      }
      if (isNumberKind(type.kind) && typeof json === 'number') return json;
      if (typeof json !== 'string') throw bad(path, type, json, isNumberKind(type.kind) || isBigintKind(type.kind) ? 'a number' : 'a string');
      return parseText(type, json, path);
  }
}

/**
 * A starting JSON text for a field of a composite type, showing its shape:
 * `[]`, `{"x": 0, "label": ""}`, `"Red"`, `null`.
 */
export function jsonTemplate(type: TypeDesc): string {
  return toJson(sample(type));
}

function sample(type: TypeDesc): unknown {
  switch (type.kind) {
    case 'option':
      return null;
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries(type.fields.map((f) => [f.name, sample(f.type)]));
    case 'enum': {
      const first = type.variants[0];
      if (first === undefined) return null;
      return first.type.kind === 'object' && first.type.fields.length === 0 ? first.name : { tag: first.name, value: sample(first.type) };
    }
    case 'scheduleAt':
      return { tag: 'Interval', value: '1000000' };
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return '0x';
    default:
      return isNumberKind(type.kind) ? 0 : isBigintKind(type.kind) ? '0' : '';
  }
}

/** Where a query error's `position` points: 1-based line and column, the line's text, and a caret under the spot. */
export interface QueryPointer {
  readonly line: number;
  readonly column: number;
  readonly text: string;
  readonly caret: string;
}

/**
 * Locates a 0-based character offset in a query, for showing a parse error
 * under the text it is about. Positions past the end point just after it.
 * @example
 * pointAt('SELECT *\nFROM nope', 14); // { line: 2, column: 6, text: 'FROM nope', caret: '     ^' }
 */
export function pointAt(sql: string, position: number): QueryPointer {
  const at = Math.max(0, Math.min(position, sql.length));
  const start = at === 0 ? 0 : sql.lastIndexOf('\n', at - 1) + 1;
  const end = sql.indexOf('\n', at);
  const column = at - start + 1;
  return { line: sql.slice(0, start).split('\n').length, column, text: sql.slice(start, end < 0 ? sql.length : end), caret: `${' '.repeat(column - 1)}^` };
}

function isTagged(value: unknown): value is { tag: string; value: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { tag?: unknown }).tag === 'string' && Object.keys(value).every((k) => k === 'tag' || k === 'value');
}

function bad(path: string, type: TypeDesc, value: unknown, wanted: string): ValueError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : value === undefined ? 'nothing' : toJson(value);
  return new ValueError(`${path}: expected ${wanted} for ${typeName(type)}, got ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`, { column: path, value: shown });
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
