import { describe, expect, it } from 'vitest';
import { ReducerError } from '../errors';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import { createTestDatabase } from '../testing/test-database';
import { compileArgs, MAX_ARGUMENT_BYTES } from './args';

const note = table({ name: 'note', public: true }, { id: t.u32().primaryKey(), text: t.string() });
const db = schema({ note });
const module = { default: db, add: db.reducer({ id: t.u32(), text: t.string() }, (ctx, { id, text }) => void ctx.db.note.insert({ id, text })) };

describe('the size of a call', () => {
  it('refuses arguments over the limit with a ReducerError naming the reducer, the size and the limit', () => {
    const codec = compileArgs('add', [{ name: 'id', type: { kind: 'u32' } }, { name: 'text', type: { kind: 'string' } }]);
    const error = (() => {
      try {
        codec.validate({ id: 1, text: 'x'.repeat(50 * 1024 * 1024) });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ReducerError);
    expect((error as ReducerError).reducer).toBe('add');
    expect((error as ReducerError).message).toMatch(/^Bad arguments for reducer "add": they encode to 52,428,8\d\d bytes, over the limit of 1,048,576 per call/);
  });

  it('takes arguments up to the limit, counting what they encode to, not a guess', () => {
    const codec = compileArgs('add', [{ name: 'id', type: { kind: 'u32' } }, { name: 'text', type: { kind: 'string' } }]);
    // Three bytes a character would pass the guess; one byte a character encodes well under the limit.
    expect(() => codec.validate({ id: 1, text: 'x'.repeat(MAX_ARGUMENT_BYTES / 2) })).not.toThrow();
  });

  it('changes nothing when a call is refused for its size', async () => {
    const test = createTestDatabase(module);
    await test.reducers.add({ id: 1, text: 'small' });
    await expect(test.reducers.add({ id: 2, text: 'y'.repeat(2 * MAX_ARGUMENT_BYTES) })).rejects.toThrow(/over the limit of 1,048,576 per call/);
    expect(test.db.note.count()).toBe(1);
  });
});
