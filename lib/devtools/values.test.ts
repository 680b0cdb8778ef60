import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors';
import type { TypeDesc } from '../schema/type-desc';
import { formatValue, fromJson, jsonTemplate, parseText, pointAt, toJson } from './values';

const shape: TypeDesc = {
  kind: 'enum',
  name: 'Shape',
  variants: [
    { name: 'Dot', type: { kind: 'object', name: 'unit', fields: [] } },
    { name: 'Circle', type: { kind: 'object', name: 'Circle', fields: [{ name: 'r', type: { kind: 'u64' } }] } },
  ],
};

describe('showing values', () => {
  it('writes bigints as digits, bytes as hex, empty options as ∅ and enums as Tag(value)', () => {
    expect(formatValue(5n)).toBe('5');
    expect(formatValue(new Uint8Array([1, 255]))).toBe('0x01ff');
    expect(formatValue(undefined)).toBe('∅');
    expect(formatValue({ tag: 'Dot', value: {} })).toBe('Dot');
    expect(formatValue({ tag: 'Circle', value: { r: 2n } })).toBe('Circle({"r":"2"})');
    expect(formatValue(['a', 1n])).toBe('["a","1"]');
    expect(formatValue('text')).toBe('text');
  });

  it('writes JSON that fromJson reads back into the same typed value', () => {
    const type: TypeDesc = { kind: 'object', name: 'Row', fields: [{ name: 'id', type: { kind: 'u128' } }, { name: 'data', type: { kind: 'bytes' } }, { name: 'shape', type: shape }] };
    const value = { id: 2n ** 100n, data: new Uint8Array([0, 9]), shape: { tag: 'Circle', value: { r: 7n } } };
    expect(fromJson(type, JSON.parse(toJson(value)), 'row')).toEqual(value);
  });
});

describe('reading form fields', () => {
  it('reads numbers, bigints, booleans, bytes and identities from text', () => {
    expect(parseText({ kind: 'u32' }, ' 42 ', 'qty')).toBe(42);
    expect(parseText({ kind: 'f64' }, '1.5', 'x')).toBe(1.5);
    expect(parseText({ kind: 'u64' }, '18446744073709551615', 'id')).toBe(18446744073709551615n);
    expect(parseText({ kind: 'i64' }, '-7n', 'delta')).toBe(-7n);
    expect(parseText({ kind: 'bool' }, 'true', 'on')).toBe(true);
    expect(parseText({ kind: 'bytes' }, '0x01FF', 'data')).toEqual(new Uint8Array([1, 255]));
    expect(parseText({ kind: 'identity' }, ' AB ', 'who')).toBe('ab');
    expect(parseText({ kind: 'string' }, ' keep spaces ', 'text')).toBe(' keep spaces ');
  });

  it('reads composite types as JSON', () => {
    expect(parseText({ kind: 'array', element: { kind: 'u64' } }, '[1, "2"]', 'ids')).toEqual([1n, 2n]);
    expect(parseText({ kind: 'option', inner: { kind: 'string' } }, '', 'note')).toBeUndefined();
    expect(parseText({ kind: 'option', inner: { kind: 'string' } }, '"x"', 'note')).toBe('x');
    expect(parseText(shape, '"Dot"', 'shape')).toEqual({ tag: 'Dot', value: {} });
    expect(parseText({ kind: 'scheduleAt' }, '{"tag":"Interval","value":1000}', 'at')).toEqual({ tag: 'Interval', value: 1000n });
  });

  it('refuses what does not fit with a ValueError naming the field path and the text', () => {
    expect(() => parseText({ kind: 'u32' }, 'abc', 'qty')).toThrow(new ValueError('qty: expected a number for u32, got "abc"', { column: 'qty', value: '"abc"' }));
    expect(() => parseText({ kind: 'u32' }, '1.5', 'qty')).toThrow('qty: expected a whole number for u32, got "1.5"');
    expect(() => parseText({ kind: 'u64' }, '1e3', 'id')).toThrow('id: expected a whole number, like 42 for u64');
    expect(() => parseText({ kind: 'bytes' }, '0x1', 'data')).toThrow('data: expected hex bytes');
    expect(() => parseText({ kind: 'array', element: { kind: 'u8' } }, '[1, "x"]', 'list')).toThrow('list[1]: expected a number for u8, got "x"');
    expect(() => parseText(shape, '{"tag":"Square","value":{}}', 'shape')).toThrow('shape: Shape has no variant "Square"; its variants are Dot, Circle');
    expect(() => parseText({ kind: 'array', element: { kind: 'u8' } }, '[1,', 'list')).toThrow(/list: not valid JSON for array<u8>/);
    expect(() => fromJson(shape.variants[1]!.type, { r: 1, s: 2 }, 'c')).toThrow('c: Circle has no field "s"; its fields are r');
  });

  it('offers a JSON template that shows the shape of a composite type', () => {
    expect(jsonTemplate({ kind: 'array', element: { kind: 'string' } })).toBe('[]');
    expect(jsonTemplate(shape)).toBe('"Dot"');
    expect(jsonTemplate(shape.variants[1]!.type)).toBe('{"r":"0"}');
    expect(fromJson(shape.variants[1]!.type, JSON.parse(jsonTemplate(shape.variants[1]!.type)), 'c')).toEqual({ r: 0n });
  });
});

describe('pointing at a query error', () => {
  it('turns an offset into a line, a column and a caret under it', () => {
    expect(pointAt('SELECT *\nFROM nope', 14)).toEqual({ line: 2, column: 6, text: 'FROM nope', caret: '     ^' });
    expect(pointAt('SELEC * FROM t', 0)).toEqual({ line: 1, column: 1, text: 'SELEC * FROM t', caret: '^' });
    expect(pointAt('SELECT', 99)).toMatchObject({ line: 1, column: 7 });
  });
});
