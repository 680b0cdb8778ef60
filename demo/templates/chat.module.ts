// A chat, in the style of SpacetimeDB's chat quickstart: users by identity with an online
// flag, messages with sender and time, names set by reducers named in snake_case (clients
// call them as conn.reducers.setName / sendMessage).
// This file typechecks against 'spacetimedb/server' with only the import line changed.
import { schema, SenderError, t, table, type ReducerCtx } from 'lockstep';

const user = table({ name: 'user', public: true }, {
  identity: t.identity().primaryKey(),
  name: t.string().optional(),
  online: t.bool(),
});

const message = table({ name: 'message', public: true }, {
  id: t.u64().primaryKey().autoInc(),
  sender: t.identity().index('btree'),
  sent: t.timestamp(),
  text: t.string(),
});

const spacetimedb = schema({ user, message });
export default spacetimedb;

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new SenderError('Names must not be empty');
  return trimmed;
}

function known(ctx: ReducerCtx<typeof spacetimedb.schemaType>) {
  const me = ctx.db.user.identity.find(ctx.sender);
  if (me === null) throw new SenderError('Cannot act for an unknown user: connect first');
  return me;
}

export const set_name = spacetimedb.reducer({ name: t.string() }, (ctx, { name }) => {
  const me = known(ctx);
  const wanted = validName(name);
  for (const other of ctx.db.user.iter()) {
    if (!other.identity.isEqual(ctx.sender) && other.name === wanted) throw new SenderError(`The name "${wanted}" is taken`);
  }
  ctx.db.user.identity.update({ ...me, name: wanted });
});

export const send_message = spacetimedb.reducer({ text: t.string() }, (ctx, { text }) => {
  known(ctx);
  if (text.trim() === '') throw new SenderError('Messages must not be empty');
  ctx.db.message.insert({ id: 0n, sender: ctx.sender, sent: ctx.timestamp, text });
});

export const onConnect = spacetimedb.clientConnected((ctx) => {
  const me = ctx.db.user.identity.find(ctx.sender);
  if (me !== null) ctx.db.user.identity.update({ ...me, online: true });
  else ctx.db.user.insert({ identity: ctx.sender, name: undefined, online: true });
});

export const onDisconnect = spacetimedb.clientDisconnected((ctx) => {
  const me = ctx.db.user.identity.find(ctx.sender);
  if (me !== null) ctx.db.user.identity.update({ ...me, online: false });
  else console.warn(`Disconnect of unknown identity ${ctx.sender.toHexString()}`);
});
