// The module the browser runtime tests run: notes with callbacks, and crash markers.
// `noteColumns` lets the schema-change tests open the same data with a changed note table.
import { schema, SenderError, t, table, type BuilderMap } from 'lockstep';

const baseNote = {
  id: t.u64().primaryKey().autoInc(),
  author: t.identity().index('btree'),
  text: t.string(),
  stars: t.u32().default(0),
};

/** The note columns of a later module version (see runtime-v2-worker.ts, runtime-v3-worker.ts). */
export const noteVersions = {
  v2: { ...baseNote, tag: t.string().default('none') },
  v3: { ...baseNote, stars: t.u64().default(0n) },
} satisfies Record<string, BuilderMap>;

const note = table({ name: 'note', public: true }, baseNote);
// Every burst call writes one marker and one pair in one transaction: a half-applied call would show as a marker without its pair.
export const marker = table({ name: 'marker', public: true }, { id: t.u32().primaryKey(), batch: t.u32().index('btree') });
export const pair = table({ name: 'pair', public: true }, { id: t.u32().primaryKey(), batch: t.u32() });
export const initLog = table({ name: 'init_log', public: true }, { id: t.u64().primaryKey().autoInc(), at: t.timestamp() });

const db = schema({ note, marker, pair, initLog });
export default db;

export const init = db.init((ctx) => {
  ctx.db.initLog.insert({ id: 0n, at: ctx.timestamp });
});

export const add_note = db.reducer({ text: t.string() }, (ctx, { text }) => {
  if (!text) throw new SenderError('A note must not be empty');
  ctx.db.note.insert({ id: 0n, author: ctx.sender, text });
});

export const star = db.reducer({ id: t.u64() }, (ctx, { id }) => {
  const row = ctx.db.note.id.find(id);
  if (row === null) throw new SenderError(`No note ${id}`);
  ctx.db.note.id.update({ ...row, stars: row.stars + 1 });
});

export const remove_note = db.reducer({ id: t.u64() }, (ctx, { id }) => {
  if (!ctx.db.note.id.delete(id)) throw new SenderError(`No note ${id}`);
});

/** Fails as asked, so the tests can check each error detail field after it crossed the worker. */
export const misfit = db.reducer({ how: t.string() }, (ctx, { how }) => {
  if (how === 'duplicate') for (let i = 0; i < 2; i++) ctx.db.note.insert({ id: 77n, author: ctx.sender, text: 'twice' });
  if (how === 'value') ctx.db.note.insert({ id: 0n, author: ctx.sender, text: 5 as unknown as string });
  if (how === 'random') Math.random();
  if (how === 'find') (ctx.db.note as unknown as { text: { find(v: string): unknown } }).text.find('x');
});

export const broken = db.reducer((ctx) => {
  ctx.db.note.insert({ id: 0n, author: ctx.sender, text: 'never stored' });
  (undefined as unknown as { crash(): void }).crash();
});

export const burst = db.reducer({ id: t.u32(), batch: t.u32() }, (ctx, { id, batch }) => {
  ctx.db.marker.insert({ id, batch });
  ctx.db.pair.insert({ id, batch });
});
