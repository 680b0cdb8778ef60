// Fund transfer, in the style of SpacetimeDB's keynote benchmark module: accounts with i64
// balances and an audit table reached by its schema key (SQL name `account_change`).
// This file typechecks against 'spacetimedb/server' with only the import line changed.
import { schema, SenderError, t, table } from 'lockstep';

const accounts = table({ name: 'accounts', public: true }, {
  id: t.u32().primaryKey(),
  balance: t.i64(),
});

const accountChange = table({ name: 'account_change' }, {
  id: t.u64().primaryKey().autoInc(),
  account: t.u32().index('btree'),
  delta: t.i64(),
  by: t.identity(),
  at: t.timestamp(),
});

const spacetimedb = schema({ accounts, accountChange });
export default spacetimedb;

/** Replaces every account with `count` accounts holding `initial` each. */
export const seed = spacetimedb.reducer({ count: t.u32(), initial: t.i64() }, (ctx, { count, initial }) => {
  for (const row of ctx.db.accounts.iter()) ctx.db.accounts.delete(row);
  for (let id = 0; id < count; id++) ctx.db.accounts.insert({ id, balance: initial });
});

/** Moves `amount` from one account to another, all or nothing, and records both sides. */
export const transfer = spacetimedb.reducer({ from: t.u32(), to: t.u32(), amount: t.i64() }, (ctx, { from, to, amount }) => {
  if (from === to) throw new SenderError('Cannot transfer to the same account');
  if (amount <= 0n) throw new SenderError('The amount must be positive');
  const source = ctx.db.accounts.id.find(from);
  const target = ctx.db.accounts.id.find(to);
  if (source === null || target === null) throw new SenderError(`Account ${source === null ? from : to} does not exist`);
  if (source.balance < amount) throw new SenderError(`Account ${from} holds ${source.balance}, less than ${amount}`);
  ctx.db.accounts.id.update({ ...source, balance: source.balance - amount });
  ctx.db.accounts.id.update({ ...target, balance: target.balance + amount });
  ctx.db.accountChange.insert({ id: 0n, account: from, delta: -amount, by: ctx.sender, at: ctx.timestamp });
  ctx.db.accountChange.insert({ id: 0n, account: to, delta: amount, by: ctx.sender, at: ctx.timestamp });
});
