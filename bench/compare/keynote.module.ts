// The fund-transfer module of SpacetimeDB's keynote benchmark, written the way a
// SpacetimeDB 2.x TypeScript module is (only the import line differs): accounts
// with a balance, a transfer that checks both accounts and the balance first.
import { schema, SenderError, t, table } from 'lockstep';

const spacetimedb = schema({
  accounts: table({ name: 'accounts', public: true }, {
    id: t.u32().primaryKey(),
    balance: t.i64(),
  }),
});
export default spacetimedb;

/** Creates accounts `0 .. n - 1`, each holding `balance`. */
export const seed = spacetimedb.reducer({ n: t.u32(), balance: t.i64() }, (ctx, { n, balance }) => {
  for (let id = 0; id < n; id++) ctx.db.accounts.insert({ id, balance });
});

/** Moves `amount` from account `from` to account `to`. */
export const transfer = spacetimedb.reducer({ from: t.u32(), to: t.u32(), amount: t.i64() }, (ctx, { from, to, amount }) => {
  const byId = ctx.db.accounts.id;
  const fromRow = byId.find(from);
  const toRow = byId.find(to);
  if (fromRow === null || toRow === null) throw new SenderError('account not found');
  if (fromRow.balance < amount) throw new SenderError('insufficient funds');
  byId.update({ ...fromRow, balance: fromRow.balance - amount });
  byId.update({ ...toRow, balance: toRow.balance + amount });
});
