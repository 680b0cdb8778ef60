import { $, openDemo, room, run } from './common';
import type * as todo from './todo.module';

const list = $<HTMLUListElement>('list');
const network = $<HTMLButtonElement>('network');

const conn = await openDemo<typeof todo>({
  database: 'demo-todo',
  worker: () => new Worker(new URL('./todo.worker.ts', import.meta.url), { type: 'module' }),
});

/** Calls made while offline, still waiting for the room's authority. */
const waiting = (): number => conn.status.room?.waiting ?? 0;

/**
 * What this page asked for and the database has not applied yet: in a room, a
 * call made offline waits for the authority, so the page shows it greyed until then.
 */
const pendingAdds = new Map<number, string>();
const pendingRows = new Set<bigint>();
let nextPending = 0;

/** Runs `call` with `row` (or a new todo's `text`) shown as pending until it is applied or fails. */
function tracked(call: () => Promise<void>, mark: { readonly row: bigint } | { readonly text: string }): Promise<boolean> {
  const key = nextPending++;
  if ('row' in mark) pendingRows.add(mark.row);
  else pendingAdds.set(key, mark.text);
  render();
  return run(call()).finally(() => {
    if ('row' in mark) pendingRows.delete(mark.row);
    else pendingAdds.delete(key);
    render();
  });
}

function render(): void {
  const rows = [...conn.db.todo.iter()].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
  list.replaceChildren(
    ...rows.map((row) => {
      const li = document.createElement('li');
      li.className = `${row.done ? 'done' : ''}${pendingRows.has(row.id) ? ' pending' : ''}`;
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', checked: row.done });
      box.addEventListener('change', () => void tracked(() => conn.reducers.toggle_todo({ id: row.id }), { row: row.id }));
      const text = Object.assign(document.createElement('span'), { textContent: row.text });
      const who = Object.assign(document.createElement('span'), { className: 'who', textContent: row.owner.isEqual(conn.identity) ? 'you' : `${row.owner.toHexString().slice(0, 8)}…` });
      const remove = Object.assign(document.createElement('button'), { textContent: 'Delete' });
      remove.addEventListener('click', () => void tracked(() => conn.reducers.delete_todo({ id: row.id }), { row: row.id }));
      li.append(box, text, who, remove);
      return li;
    }),
    ...[...pendingAdds.values()].map((text) => {
      const li = Object.assign(document.createElement('li'), { className: 'pending' });
      li.append(Object.assign(document.createElement('span'), { textContent: text }), Object.assign(document.createElement('span'), { className: 'who', textContent: 'waiting to sync' }));
      return li;
    }),
  );
  const pending = waiting() > 0 ? ` · ${waiting()} change(s) waiting to sync` : '';
  $('status').textContent = `${rows.length} todo(s)${pending}`;
}

conn.db.todo.onInsert(render);
conn.db.todo.onUpdate(render);
conn.db.todo.onDelete(render);
conn.onStatus(render);
// Alone, the list is this browser's own; in a room, everyone's.
await conn.subscribe(room === undefined ? 'SELECT * FROM todo WHERE owner = :sender' : 'SELECT * FROM todo').applied;
render();

// In a room, a button that cuts this browser off, as a lost network would (the browser's own offline/online events do the same).
if (room !== undefined) {
  let offline = false;
  network.hidden = false;
  network.addEventListener('click', () => {
    offline = !offline;
    if (offline) conn.goOffline();
    else conn.goOnline();
    network.textContent = offline ? 'Go online' : 'Go offline';
  });
}

$<HTMLFormElement>('add').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('text');
  const text = input.value;
  input.value = '';
  // In a room, a call made offline resolves once the authority has it: the form does not wait.
  void tracked(() => conn.reducers.add_todo({ text }), { text }).then((ok) => {
    if (!ok) input.value = text;
  });
});
