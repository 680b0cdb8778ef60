import { connect, type LockstepError } from 'lockstep';
import type * as todo from './todo.module';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const list = $<HTMLUListElement>('list');
const error = $<HTMLDivElement>('error');

const conn = await connect<typeof todo>({
  database: 'demo-todo',
  worker: () => new Worker(new URL('./todo.worker.ts', import.meta.url), { type: 'module' }),
});

/** Runs a call and shows its error, if any, under the form. */
async function run(call: Promise<void>): Promise<void> {
  error.textContent = '';
  try {
    await call;
  } catch (e) {
    error.textContent = (e as LockstepError).message;
  }
}

function render(): void {
  const rows = [...conn.db.todo.iter()].sort((a, b) => (a.created < b.created ? -1 : 1));
  list.replaceChildren(
    ...rows.map((row) => {
      const li = document.createElement('li');
      li.className = row.done ? 'done' : '';
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', checked: row.done });
      box.addEventListener('change', () => void run(conn.reducers.toggle_todo({ id: row.id })));
      const text = Object.assign(document.createElement('span'), { textContent: row.text });
      const remove = Object.assign(document.createElement('button'), { textContent: 'Delete' });
      remove.addEventListener('click', () => void run(conn.reducers.delete_todo({ id: row.id })));
      li.append(box, text, remove);
      return li;
    }),
  );
  $('status').textContent = `${rows.length} todo(s) · identity ${conn.identity.slice(0, 12)}…`;
}

conn.db.todo.onInsert(render);
conn.db.todo.onUpdate(render);
conn.db.todo.onDelete(render);
await conn.subscribe(`SELECT * FROM todo WHERE owner = :sender`).applied;
render();

$<HTMLFormElement>('add').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('text');
  void run(conn.reducers.add_todo({ text: input.value })).then(() => {
    if (!error.textContent) input.value = '';
  });
});
