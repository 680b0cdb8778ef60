// A module written the way SpacetimeDB 2.x TypeScript modules are (accessors by schema
// key, SQL names by the name option, console logging, lifecycle, bigint columns
// compared with number literals, iteration while deleting). Only the import differs.
import { schema, SenderError, t, table } from '../../index';

const user = table({ name: 'user', public: true }, {
  identity: t.identity().primaryKey(),
  name: t.string().optional(),
  online: t.bool(),
});

const message = table({ name: 'message', public: true }, {
  sender: t.identity(),
  sent: t.timestamp(),
  text: t.string(),
});

const spacetimedb = schema({
  user,
  message,
  accounts: table({ name: 'accounts', public: true }, {
    id: t.u32().primaryKey().index('hash'),
    balance: t.i64(),
  }),
  transferAudit: table({ name: 'transfer_audit' }, {
    id: t.u64().primaryKey().autoInc(),
    from: t.u32(),
    to: t.u32(),
    amount: t.i64(),
    ts: t.timestamp(),
  }),
});
export default spacetimedb;

export const set_name = spacetimedb.reducer({ name: t.string() }, (ctx, { name }) => {
  if (!name) throw new SenderError('Names must not be empty');
  const user = ctx.db.user.identity.find(ctx.sender);
  if (!user) throw new SenderError('Cannot set name for unknown user');
  console.info(`User ${ctx.sender} sets name to ${name}`);
  ctx.db.user.identity.update({ ...user, name });
});

export const send_message = spacetimedb.reducer({ text: t.string() }, (ctx, { text }) => {
  if (!text) throw new SenderError('Messages must not be empty');
  ctx.db.message.insert({ sender: ctx.sender, text, sent: ctx.timestamp });
});

export const init = spacetimedb.init((_ctx) => {});

export const onConnect = spacetimedb.clientConnected((ctx) => {
  const user = ctx.db.user.identity.find(ctx.sender);
  if (user) ctx.db.user.identity.update({ ...user, online: true });
  else ctx.db.user.insert({ name: undefined, identity: ctx.sender, online: true });
});

export const onDisconnect = spacetimedb.clientDisconnected((ctx) => {
  const user = ctx.db.user.identity.find(ctx.sender);
  if (user) ctx.db.user.identity.update({ ...user, online: false });
  else console.warn(`Disconnect event for unknown user with identity ${ctx.sender}`);
});

export const seed = spacetimedb.reducer({ n: t.u32(), initialBalance: t.i64() }, (ctx, { n, initialBalance }) => {
  const accounts = ctx.db.accounts;
  for (const row of accounts) accounts.delete(row);
  for (let id = 0; id < n; id++) accounts.insert({ id, balance: initialBalance });
});

export const transfer_with_audit = spacetimedb.reducer(
  { from: t.u32(), to: t.u32(), amount: t.i64(), fraudLimit: t.i64() },
  (ctx, { from, to, amount, fraudLimit }) => {
    if (from === to) throw new SenderError('same_account');
    if (amount <= 0) throw new SenderError('non_positive_amount');
    if (amount > fraudLimit) throw new SenderError('fraud_limit_exceeded');
    const byId = ctx.db.accounts.id;
    const fromRow = byId.find(from);
    const toRow = byId.find(to);
    if (fromRow === null || toRow === null) throw new SenderError('account_missing');
    if (fromRow.balance < amount) throw new SenderError('insufficient_funds');
    byId.update({ id: from, balance: fromRow.balance - amount });
    byId.update({ id: to, balance: toRow.balance + amount });
    ctx.db.transferAudit.insert({ id: 0n, from, to, amount, ts: ctx.timestamp });
  },
);
