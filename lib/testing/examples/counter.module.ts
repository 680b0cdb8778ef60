// The counter from the unit-testing tutorial: checked arithmetic in the reducers.
import { schema, SenderError, t, table } from '../../index';

const counter = table({ name: 'counter', public: true }, {
  id: t.u64().primaryKey(),
  value: t.u32(),
});

const db = schema({ counter });
export default db;

const U32_MAX = 4_294_967_295;

export const create_counter = db.reducer({ id: t.u64(), initial_value: t.u32() }, (ctx, { id, initial_value }) => {
  if (ctx.db.counter.id.find(id) !== null) throw new SenderError(`Counter with id ${id} already exists.`);
  ctx.db.counter.insert({ id, value: initial_value });
});

export const increment_counter = db.reducer({ id: t.u64(), amount: t.u32() }, (ctx, { id, amount }) => {
  const row = ctx.db.counter.id.find(id);
  if (row === null) throw new SenderError(`Counter with id ${id} not found.`);
  if (row.value + amount > U32_MAX) throw new SenderError('Counter overflowed!');
  ctx.db.counter.id.update({ ...row, value: row.value + amount });
});

export const decrement_counter = db.reducer({ id: t.u64(), amount: t.u32() }, (ctx, { id, amount }) => {
  const row = ctx.db.counter.id.find(id);
  if (row === null) throw new SenderError(`Counter with id ${id} not found.`);
  if (amount > row.value) throw new SenderError('Cannot decrement below zero!');
  ctx.db.counter.id.update({ ...row, value: row.value - amount });
});

/** No check of its own: the engine refuses a value that does not fit in u32. */
export const add_unchecked = db.reducer({ id: t.u64(), amount: t.u32() }, (ctx, { id, amount }) => {
  const row = ctx.db.counter.id.find(id);
  if (row === null) throw new SenderError(`Counter with id ${id} not found.`);
  ctx.db.counter.id.update({ ...row, value: row.value + amount });
});
