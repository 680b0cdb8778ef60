// The inventory race's page: the sword and its owner, each player's gold, the world's total,
// and the calls that change them. Every refusal comes from a reducer and shows under the cards.
import { Identity } from 'lockstep';
import { $, openDemo, run } from './common';
import { SWORD_ID } from './inventory.module';
import type * as inventory from './inventory.module';

const error = $<HTMLDivElement>('error');
const owner = $<HTMLDivElement>('owner');
const players = $<HTMLUListElement>('players');
const recipient = $<HTMLSelectElement>('to');
const amount = $<HTMLInputElement>('amount');

const conn = await openDemo<typeof inventory>({
  database: 'demo-inventory',
  worker: () => new Worker(new URL('./inventory.worker.ts', import.meta.url), { type: 'module' }),
});

const nameOf = (identity: Identity): string => conn.db.player.identity.find(identity)?.name ?? `${identity.toHexString().slice(0, 8)}…`;

function render(): void {
  const me = conn.db.player.identity.find(conn.identity);
  $('me').textContent = me === null ? 'Joining…' : `You are ${me.name} · ${me.gold} gold`;

  const sword = conn.db.item.id.find(SWORD_ID);
  owner.className = sword !== null && sword.owner === undefined ? 'free' : '';
  owner.textContent =
    sword === null ? 'Not laid down yet' : sword.owner === undefined ? 'Lies on the ground: grab it!' : `Owned by ${nameOf(sword.owner)}${sword.owner.isEqual(conn.identity) ? ' (you)' : ''}`;

  const rows = [...conn.db.player].sort((a, b) => a.name.localeCompare(b.name));
  players.replaceChildren(
    ...rows.map((p) => {
      const li = document.createElement('li');
      const name = Object.assign(document.createElement('span'), { className: 'name', textContent: p.identity.isEqual(conn.identity) ? `${p.name} (you)` : p.name });
      const gold = Object.assign(document.createElement('span'), { className: 'gold', textContent: `${p.gold} gold` });
      li.append(name, gold);
      return li;
    }),
  );
  const total = rows.reduce((sum, p) => sum + p.gold, 0);
  $('total').textContent = `Gold in the world: ${total}`;

  // Keep the chosen recipient across renders.
  const chosen = recipient.value;
  recipient.replaceChildren(
    ...rows.filter((p) => !p.identity.isEqual(conn.identity)).map((p) => Object.assign(document.createElement('option'), { value: p.identity.toHexString(), textContent: p.name })),
  );
  if ([...recipient.options].some((o) => o.value === chosen)) recipient.value = chosen;
}

for (const table of [conn.db.player, conn.db.item]) {
  table.onInsert(render);
  table.onUpdate(render);
  table.onDelete(render);
}
await conn.subscribe(['SELECT * FROM player', 'SELECT * FROM item']).applied;
render();

$('pick-up').addEventListener('click', () => void run(conn.reducers.pick_up({ id: SWORD_ID })));
$('reset').addEventListener('click', () => void run(conn.reducers.reset_item({ id: SWORD_ID })));
$<HTMLFormElement>('transfer').addEventListener('submit', (event) => {
  event.preventDefault();
  // The options' values are the players' identities, written by render().
  if (!recipient.value) {
    error.textContent = 'Nobody to send gold to yet: open this room in another browser';
    return;
  }
  // An empty or unreadable field becomes NaN, which the reducer refuses by name.
  const value = amount.value.trim() === '' ? Number.NaN : Number(amount.value);
  void run(conn.reducers.transfer_gold({ to: new Identity(recipient.value), amount: value }));
});
