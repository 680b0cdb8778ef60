// The module of the devtools tests: a public table with a column of each kind the reducer
// form generates a field for, and a private audit table the Tables tab must show too.
import { schema, SenderError, t, table } from 'lockstep';

const kind = t.enum('Kind', { tool: t.unit(), food: t.object('Food', { days: t.u32() }) });

const item = table(
  { name: 'item', public: true },
  {
    id: t.u64().primaryKey().autoInc(),
    name: t.string(),
    qty: t.u32(),
    price: t.u64(),
    fragile: t.bool(),
    note: t.option(t.string()),
    tags: t.array(t.string()),
    kind,
    owner: t.identity(),
  },
);
const audit = table({ name: 'audit' }, { id: t.u64().primaryKey().autoInc(), what: t.string() });

const db = schema({ item, audit });
export default db;

export const add_item = db.reducer(
  { name: t.string(), qty: t.u32(), price: t.u64(), fragile: t.bool(), note: t.option(t.string()), tags: t.array(t.string()), kind },
  (ctx, args) => {
    if (!args.name) throw new SenderError('An item needs a name');
    ctx.log.info(`adding ${args.name}`);
    ctx.db.item.insert({ id: 0n, ...args, owner: ctx.sender });
    ctx.db.audit.insert({ id: 0n, what: `add ${args.name}` });
  },
);

export const remove_item = db.reducer({ id: t.u64() }, (ctx, { id }) => {
  if (!ctx.db.item.id.delete(id)) throw new SenderError(`No item ${id}`);
  ctx.db.audit.insert({ id: 0n, what: `remove ${id}` });
});
