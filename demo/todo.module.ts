// The todo list: each todo belongs to the browser profile that made it (ctx.sender).
import { schema, SenderError, t, table, type ReducerCtx } from 'lockstep';

const todo = table({ name: 'todo', public: true }, {
  id: t.u64().primaryKey().autoInc(),
  owner: t.identity().index('btree'),
  text: t.string(),
  done: t.bool(),
  created: t.timestamp(),
});

const db = schema({ todo });
export default db;

export const add_todo = db.reducer({ text: t.string() }, (ctx, { text }) => {
  const trimmed = text.trim();
  if (!trimmed) throw new SenderError('A todo needs some text');
  if (trimmed.length > 200) throw new SenderError('Keep a todo under 200 characters');
  ctx.db.todo.insert({ id: 0n, owner: ctx.sender, text: trimmed, done: false, created: ctx.timestamp });
});

function mine(ctx: ReducerCtx<typeof db.schemaType>, id: bigint) {
  const row = ctx.db.todo.id.find(id);
  if (row === null) throw new SenderError(`No todo ${id}`);
  if (!row.owner.isEqual(ctx.sender)) throw new SenderError('Not your todo');
  return row;
}

export const toggle_todo = db.reducer({ id: t.u64() }, (ctx, { id }) => {
  const row = mine(ctx, id);
  ctx.db.todo.id.update({ ...row, done: !row.done });
});

export const delete_todo = db.reducer({ id: t.u64() }, (ctx, { id }) => {
  mine(ctx, id);
  ctx.db.todo.id.delete(id);
});
