import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors';
import type { TypeDesc } from '../schema/type-desc';
import { typeName } from '../schema/type-desc';
import { codecFor, compile } from './codec';
import { NOWHERE } from './compiled';
import { SAMPLE_TYPES, T, arbitraryFor } from './test-util';

/** The ValueError that validating `value` throws (fails the test when none is thrown). */
function errorOf(type: TypeDesc, value: unknown, path = 'v'): ValueError {
  try {
    codecFor(type).validate(value, path);
  } catch (e) {
    expect(e).toBeInstanceOf(ValueError);
    return e as ValueError;
  }
  throw new Error(`expected ${typeName(type)} to refuse ${String(value)}`);
}

const messageOf = (type: TypeDesc, value: unknown, path = 'v'): string => errorOf(type, value, path).message;

const u32 = T.prim('u32');
const vec2 = T.object('Vec2', { x: T.prim('f32'), y: T.prim('f32') });
const shape = T.enum('Shape', {
  Circle: T.object('Circle', { radius: u32 }),
  Empty: T.unit(),
});

describe('validate: number kinds', () => {
  it('refuses integers out of range, fractions and non-finite numbers', () => {
    expect(messageOf(u32, -1, 'player.health')).toBe('player.health: expected u32 (0 to 4294967295), got -1');
    expect(messageOf(u32, 1.5, 'player.health')).toBe('player.health: expected u32 (0 to 4294967295), got 1.5');
    expect(messageOf(u32, 4294967296)).toBe('v: expected u32 (0 to 4294967295), got 4294967296');
    expect(messageOf(T.prim('i8'), 128)).toBe('v: expected i8 (-128 to 127), got 128');
    expect(messageOf(T.prim('u8'), 256)).toBe('v: expected u8 (0 to 255), got 256');
    expect(messageOf(T.prim('i16'), -32769)).toBe('v: expected i16 (-32768 to 32767), got -32769');
    expect(messageOf(T.prim('u16'), NaN)).toBe('v: expected u16 (0 to 65535), got NaN');
    expect(messageOf(T.prim('i32'), Infinity)).toBe('v: expected i32 (-2147483648 to 2147483647), got Infinity');
  });

  it('accepts the bounds of every integer kind', () => {
    const cases: [string, number, number][] = [
      ['i8', -128, 127],
      ['u8', 0, 255],
      ['i16', -32768, 32767],
      ['u16', 0, 65535],
      ['i32', -2147483648, 2147483647],
      ['u32', 0, 4294967295],
    ];
    for (const [kind, lo, hi] of cases) {
      const codec = codecFor({ kind } as TypeDesc);
      expect(codec.check(lo) && codec.check(hi)).toBe(true);
      expect(codec.check(lo - 1) || codec.check(hi + 1)).toBe(false);
    }
  });

  it('names the JS type and suggests the fix when given a bigint or a string', () => {
    expect(messageOf(u32, 5n)).toBe('v: expected number for u32, got bigint 5n (write 5)');
    expect(messageOf(u32, '5')).toBe('v: expected number for u32, got string "5"');
    expect(messageOf(u32, undefined)).toBe('v: expected number for u32, got undefined');
  });

  it('accepts any number for f32 and f64, NaN included, and nothing else', () => {
    for (const kind of ['f32', 'f64'] as const) {
      const codec = codecFor(T.prim(kind));
      for (const v of [NaN, -0, Infinity, 1e300, 0.1]) expect(codec.check(v)).toBe(true);
      expect(messageOf(T.prim(kind), '1')).toBe(`v: expected number for ${kind}, got string "1"`);
      expect(messageOf(T.prim(kind), 1n)).toBe(`v: expected number for ${kind}, got bigint 1n (write 1)`);
    }
  });
});

describe('validate: bigint kinds', () => {
  it('asks for a bigint and shows how to write one', () => {
    expect(messageOf(T.prim('u64'), 5, 'player.id')).toBe('player.id: expected bigint for u64, got number 5 (write 5n)');
    expect(messageOf(T.prim('i128'), 1.5)).toBe('v: expected bigint for i128, got number 1.5');
    expect(messageOf(T.prim('u64'), null)).toBe('v: expected bigint for u64, got null');
  });

  it('refuses bigints out of range', () => {
    expect(messageOf(T.prim('u64'), -1n)).toBe('v: expected u64 (0 to 18446744073709551615), got -1n');
    expect(messageOf(T.prim('u64'), 2n ** 64n)).toBe('v: expected u64 (0 to 18446744073709551615), got 18446744073709551616n');
    expect(messageOf(T.prim('i64'), 2n ** 63n)).toMatch(/^v: expected i64 \(-9223372036854775808 to 9223372036854775807\), got/);
    expect(messageOf(T.prim('u128'), 2n ** 128n)).toMatch(/^v: expected u128 \(0 to 340282366920938463463374607431768211455\)/);
    expect(messageOf(T.prim('i128'), -(2n ** 127n) - 1n)).toMatch(/^v: expected i128 /);
  });

  it('treats timestamp and timeDuration as i64 microseconds', () => {
    expect(messageOf(T.prim('timestamp'), 5)).toBe('v: expected bigint for timestamp, got number 5 (write 5n)');
    expect(messageOf(T.prim('timeDuration'), 2n ** 63n)).toBe(
      'v: expected timeDuration (i64 microseconds, -9223372036854775808 to 9223372036854775807), got 9223372036854775808n',
    );
    expect(codecFor(T.prim('timestamp')).check(-(2n ** 63n))).toBe(true);
  });
});

describe('validate: text and bytes', () => {
  it('refuses non-strings', () => {
    expect(messageOf(T.prim('string'), undefined)).toBe('v: expected string, got undefined');
    expect(messageOf(T.prim('string'), 5)).toBe('v: expected string, got number 5');
  });

  it('refuses strings with a lone surrogate, which UTF-8 cannot carry', () => {
    expect(messageOf(T.prim('string'), 'ab\ud800')).toBe(
      'v: expected well-formed text, got "ab\\ud800" (lone surrogate at index 2 cannot be encoded as UTF-8)',
    );
    expect(codecFor(T.prim('string')).check('\udc00x')).toBe(false);
    expect(codecFor(T.prim('string')).check('😀')).toBe(true);
  });

  it('refuses bytes that are not a Uint8Array', () => {
    expect(messageOf(T.prim('bytes'), [1, 2])).toBe('v: expected bytes (a Uint8Array), got array [1,2]');
    expect(codecFor(T.prim('bytes')).check(new Uint8Array(2))).toBe(true);
  });

  it('refuses booleans given as numbers', () => {
    expect(messageOf(T.prim('bool'), 1)).toBe('v: expected bool, got number 1');
  });
});

describe('validate: identities and ids', () => {
  const lower = 'ab'.repeat(32);

  it('accepts 64 lowercase hex digits for an identity', () => {
    expect(codecFor(T.prim('identity')).check(lower)).toBe(true);
  });

  it('refuses uppercase hex and says to lowercase it', () => {
    expect(messageOf(T.prim('identity'), lower.toUpperCase(), 'msg.sender')).toBe(
      `msg.sender: expected identity (64 lowercase hex digits), got "${lower.toUpperCase()}" (hex digits must be lowercase: use .toLowerCase())`,
    );
  });

  it('refuses the wrong length or a non-string', () => {
    expect(messageOf(T.prim('identity'), 'abc')).toBe('v: expected identity (64 lowercase hex digits), got "abc"');
    expect(messageOf(T.prim('identity'), 5)).toBe('v: expected identity (64 lowercase hex digits), got number 5');
    expect(messageOf(T.prim('connectionId'), 'ab'.repeat(17))).toMatch(/^v: expected connectionId \(32 lowercase hex digits\)/);
  });

  it('accepts only the canonical lowercase uuid text', () => {
    const codec = codecFor(T.prim('uuid'));
    expect(codec.check('123e4567-e89b-12d3-a456-426614174000')).toBe(true);
    expect(codec.check('123e4567e89b12d3a456426614174000')).toBe(false);
    expect(messageOf(T.prim('uuid'), '123E4567-E89B-12D3-A456-426614174000')).toMatch(
      /^v: expected uuid \(lowercase 8-4-4-4-12 hex digits.*\(hex digits must be lowercase: use \.toLowerCase\(\)\)$/,
    );
  });
});

describe('validate: scheduleAt', () => {
  const type = T.prim('scheduleAt');

  it('accepts Interval and Time with a bigint', () => {
    expect(codecFor(type).check({ tag: 'Interval', value: 1000n })).toBe(true);
    expect(codecFor(type).check({ tag: 'Time', value: -5n })).toBe(true);
  });

  it('names the faulty part', () => {
    expect(messageOf(type, 5)).toBe('v: expected scheduleAt ({ tag: "Interval" | "Time", value: bigint }), got number 5');
    expect(messageOf(type, { tag: 'Once', value: 1n })).toBe('v.tag: expected "Interval" or "Time", got string "Once"');
    expect(messageOf(type, { tag: 'Time', value: 1 })).toBe('v.value: expected bigint for i64, got number 1 (write 1n)');
    expect(messageOf(type, { tag: 'Time', value: 1n, at: 2 })).toBe('v: unknown field "at"');
  });
});

describe('validate: option', () => {
  const type = T.option(u32);

  it('accepts undefined and valid inner values', () => {
    expect(codecFor(type).check(undefined)).toBe(true);
    expect(codecFor(type).check(3)).toBe(true);
  });

  it('refuses null and says none is undefined', () => {
    expect(messageOf(type, null)).toBe('v: expected option<u32> (undefined for none), got null');
  });

  it('reports an invalid inner value at the same path', () => {
    expect(messageOf(type, -1, 'player.level')).toBe('player.level: expected u32 (0 to 4294967295), got -1');
  });
});

describe('validate: array', () => {
  const tags = T.array(T.prim('string'));

  it('refuses non-arrays', () => {
    expect(messageOf(tags, 'abc', 'player.tags')).toBe('player.tags: expected array<string>, got string "abc"');
    expect(messageOf(tags, { length: 0 }, 'player.tags')).toBe('player.tags: expected array<string>, got object {"length":0}');
  });

  it('points at the bad element', () => {
    expect(messageOf(tags, ['a', 'b', 'c', 4], 'player.tags')).toBe('player.tags[3]: expected string, got number 4');
  });
});

describe('validate: object', () => {
  const player = T.object('Player', { pos: vec2, nick: T.option(T.prim('string')) });

  it('points at a bad nested field', () => {
    expect(messageOf(player, { pos: { x: 1, y: 'up' }, nick: undefined }, 'player')).toBe(
      'player.pos.y: expected number for f32, got string "up"',
    );
  });

  it('refuses a missing field', () => {
    expect(messageOf(vec2, { x: 1 }, 'player.pos')).toBe('player.pos: missing field "y"');
  });

  it('suggests undefined for a missing option field', () => {
    expect(messageOf(player, { pos: { x: 1, y: 2 } }, 'player')).toBe(
      'player: missing field "nick" (set it to undefined for none)',
    );
    expect(codecFor(player).check({ pos: { x: 1, y: 2 }, nick: undefined })).toBe(true);
  });

  it('refuses an extra field', () => {
    expect(messageOf(vec2, { x: 1, y: 2, z: 3 }, 'player.pos')).toBe('player.pos: unknown field "z"');
  });

  it('mentions a misspelt field next to the missing one', () => {
    expect(messageOf(vec2, { x: 1, why: 2 }, 'p')).toBe('p: missing field "y" (found unknown field "why")');
  });

  it('refuses arrays, null and class instances', () => {
    expect(messageOf(vec2, [1, 2], 'p')).toBe('p: expected Vec2 (an object with fields x, y), got array [1,2]');
    expect(messageOf(vec2, null, 'p')).toBe('p: expected Vec2 (an object with fields x, y), got null');
    expect(messageOf(vec2, new Date(0), 'p')).toBe(
      'p: expected Vec2 (an object with fields x, y) as a plain object, got an instance of Date',
    );
  });

  it('accepts objects without a prototype', () => {
    const o = Object.assign(Object.create(null) as object, { x: 1, y: 2 });
    expect(codecFor(vec2).check(o)).toBe(true);
  });
});

describe('validate: enum', () => {
  it('accepts each variant with its payload', () => {
    expect(codecFor(shape).check({ tag: 'Circle', value: { radius: 2 } })).toBe(true);
    expect(codecFor(shape).check({ tag: 'Empty', value: {} })).toBe(true);
    expect(codecFor(shape).check({ tag: 'Empty' })).toBe(true);
  });

  it('refuses an unknown tag and lists the variants', () => {
    expect(messageOf(shape, { tag: 'Square', value: {} }, 'shape')).toBe(
      'shape.tag: expected a variant of Shape ("Circle" | "Empty"), got "Square"',
    );
    expect(messageOf(shape, { value: {} }, 'shape')).toBe(
      'shape.tag: expected a variant of Shape ("Circle" | "Empty"), got undefined',
    );
  });

  it('points at a bad payload', () => {
    expect(messageOf(shape, { tag: 'Circle', value: { radius: -3 } }, 'shape')).toBe(
      'shape.value.radius: expected u32 (0 to 4294967295), got -3',
    );
    expect(messageOf(shape, { tag: 'Circle' }, 'shape')).toBe(
      'shape.value: expected Circle (an object with fields radius), got undefined',
    );
  });

  it('refuses extra fields and non-objects', () => {
    expect(messageOf(shape, { tag: 'Empty', value: {}, extra: 1 }, 'shape')).toBe('shape: unknown field "extra"');
    expect(messageOf(shape, { tag: 'Empty', extra: 1 }, 'shape')).toBe('shape: unknown field "extra"');
    expect(messageOf(shape, 'Circle', 'shape')).toBe('shape: expected Shape ({ tag, value }), got string "Circle"');
  });
});

describe('validate: errors', () => {
  it('carry the value as text and the INVALID_VALUE code', () => {
    const error = errorOf(T.prim('u64'), 5, 'argument id of reducer kick');
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.value).toBe('5');
    expect(error.message).toBe('argument id of reducer kick: expected bigint for u64, got number 5 (write 5n)');
  });

  it('describe the innermost offending value', () => {
    expect(errorOf(vec2, { x: 1, y: 'up' }, 'p').value).toBe('"up"');
  });
});

describe('check and validate agree', () => {
  const anything = fc.oneof(
    fc.anything({ withBigInt: true, withTypedArray: true, withNullPrototype: true, withDate: true }),
    ...SAMPLE_TYPES.map((t) => arbitraryFor(t)),
  );

  for (const type of SAMPLE_TYPES) {
    it(`explains exactly the ${typeName(type)} values that check refuses`, () => {
      const parts = compile(type);
      fc.assert(
        fc.property(anything, (value) => {
          let explained = false;
          try {
            parts.explain(value, 'v', NOWHERE);
          } catch (e) {
            expect(e).toBeInstanceOf(ValueError);
            explained = true;
          }
          expect(explained).toBe(!parts.check(value));
        }),
        { numRuns: 300 },
      );
    }, 30_000);
  }

  it('accepts every generated valid value', () => {
    for (const type of SAMPLE_TYPES) {
      fc.assert(
        fc.property(arbitraryFor(type), (value) => {
          codecFor(type).validate(value, 'v');
        }),
        { numRuns: 100 },
      );
    }
  }, 30_000);
});

describe('hex-string kinds', () => {
  for (const kind of ['identity', 'connectionId', 'uuid'] as const) {
    it(`refuses an empty string as ${kind}`, () => {
      const fresh = compile({ kind });
      expect(fresh.check('')).toBe(false);
      expect(() => fresh.explain('', 'v', NOWHERE)).toThrow(ValueError);
    });
  }
});
