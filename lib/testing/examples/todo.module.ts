// The first tutorial's todo list; created_by is the caller.
import { schema, SenderError, t, table } from '../../index';

const todo = table({ name: 'todo', public: true }, {
  id: t.u32().primaryKey(),
  description: t.string(),
  completed: t.bool(),
  created_by: t.identity().index('btree'),
  due_date: t.string().optional(),
});

const db = schema({ todo });
export default db;

export const create_todo = db.reducer({ id: t.u32(), description: t.string(), due_date: t.option(t.string()) }, (ctx, { id, description, due_date }) => {
  if (ctx.db.todo.id.find(id) !== null) throw new SenderError(`Todo with ID ${id} already exists.`);
  ctx.db.todo.insert({ id, description, completed: false, created_by: ctx.sender, due_date });
});

export const toggle_todo = db.reducer({ id: t.u32() }, (ctx, { id }) => {
  const row = ctx.db.todo.id.find(id);
  if (row === null) throw new SenderError(`Todo with ID ${id} not found.`);
  ctx.db.todo.id.update({ ...row, completed: !row.completed });
});
