import { describe, expect, it } from 'vitest';
import { QueryError, SenderError } from '../errors';
import type { SubscriptionChange } from '../query/live-plan';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import { createTestDatabase } from './test-database';

const message = table({ name: 'message', public: true }, { id: t.u64().primaryKey().autoInc(), room: t.u32().index('btree'), author: t.identity(), text: t.string() });
const audit = table({ name: 'audit' }, { id: t.u64().primaryKey().autoInc(), note: t.string() });
const db = schema({ message, audit });

/** A chat module written inline: messages are public, the audit trail private. */
const chat = {
  default: db,
  send: db.reducer({ room: t.u32(), text: t.string() }, (ctx, { room, text }) => {
    ctx.db.message.insert({ id: 0n, room, author: ctx.sender, text });
    ctx.db.audit.insert({ id: 0n, note: `sent "${text}"` });
  }),
  edit: db.reducer({ id: t.u64(), text: t.string() }, (ctx, { id, text }) => {
    const row = ctx.db.message.id.find(id);
    if (row === null) throw new SenderError(`No message ${id}`);
    ctx.db.message.id.update({ ...row, text });
  }),
  remove: db.reducer({ id: t.u64() }, (ctx, { id }) => {
    ctx.db.message.id.delete(id);
  }),
};

describe('SQL on the test database', () => {
  it('answers one-off queries with rows keyed by column name or alias, private tables included', async () => {
    const test = createTestDatabase(chat);
    await test.reducers.send({ room: 7, text: 'hi' });
    await test.reducers.send({ room: 8, text: 'yo' });
    await test.reducers.send({ room: 7, text: 'hey' });
    expect(test.sql('SELECT id, text AS body FROM message WHERE room = 7 ORDER BY id DESC')).toEqual([
      { id: 3n, body: 'hey' },
      { id: 1n, body: 'hi' },
    ]);
    expect(test.sql('SELECT COUNT(*) AS n FROM audit')).toEqual([{ n: 3 }]);
  });

  it('binds :sender to the default sender or the one given', async () => {
    const test = createTestDatabase(chat);
    const alice = test.identity('alice');
    await test.reducers.send({ room: 1, text: 'from alice' }, { sender: alice });
    await test.reducers.send({ room: 1, text: 'from default' });
    expect(test.sql('SELECT text FROM message WHERE author = :sender')).toEqual([{ text: 'from default' }]);
    expect(test.sql('SELECT text FROM message WHERE author = :sender', { sender: alice })).toEqual([{ text: 'from alice' }]);
  });

  it('throws query errors with the position of the problem', () => {
    const test = createTestDatabase(chat);
    const error = (() => {
      try {
        test.sql('SELECT * FROM Message');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).message).toBe('Unknown table "Message" at 14; did you mean "message"? Tables: message, audit');
    expect((error as QueryError).position).toBe(14);
  });
});

describe('live queries on the test database', () => {
  it('start with the current rows and receive each committed change', async () => {
    const test = createTestDatabase(chat);
    await test.reducers.send({ room: 7, text: 'first' });
    const changes: SubscriptionChange[] = [];
    const sub = test.subscribe('SELECT * FROM message WHERE room = 7', (c) => changes.push(c));
    expect(sub.rows.map((r) => r.text)).toEqual(['first']);
    await test.reducers.send({ room: 7, text: 'second' });
    await test.reducers.send({ room: 9, text: 'elsewhere' });
    await test.reducers.edit({ id: 1n, text: 'first!' });
    await test.reducers.remove({ id: 2n });
    await expect(test.reducers.edit({ id: 99n, text: 'x' })).rejects.toThrow('No message 99');
    sub.unsubscribe();
    await test.reducers.send({ room: 7, text: 'unseen' });
    expect(changes.map((c) => ({ inserts: c.inserts.map((r) => r.text), deletes: c.deletes.map((r) => r.text), updates: c.updates.map((u) => `${u.old.text} -> ${u.new.text}`) }))).toEqual([
      { inserts: ['second'], deletes: [], updates: [] },
      { inserts: [], deletes: [], updates: ['first -> first!'] },
      { inserts: [], deletes: ['second'], updates: [] },
    ]);
  });

  it('read private tables', async () => {
    const test = createTestDatabase(chat);
    const notes: string[] = [];
    test.subscribe('SELECT * FROM audit', (c) => notes.push(...c.inserts.map((r) => r.note as string)));
    await test.reducers.send({ room: 1, text: 'a' });
    expect(notes).toEqual(['sent "a"']);
  });
});
