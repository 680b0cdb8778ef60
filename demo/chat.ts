// The chat page: the people with their online dot and color, the messages with
// their sender's name in that color, and two forms (display name, message).
import { $, openDemo, run } from './common';
import { displayName } from './chat.module';
import type * as chat from './chat.module';

const users = $<HTMLUListElement>('users');
const messages = $<HTMLOListElement>('messages');

const conn = await openDemo<typeof chat>({
  database: 'demo-chat',
  worker: () => new Worker(new URL('./chat.worker.ts', import.meta.url), { type: 'module' }),
});

const element = <K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text = ''): HTMLElementTagNameMap[K] =>
  Object.assign(document.createElement(tag), { className, textContent: text });

function renderUsers(): void {
  // Online first, then by name.
  const rows = [...conn.db.user.iter()].sort((a, b) => Number(b.online) - Number(a.online) || displayName(a).localeCompare(displayName(b)));
  users.replaceChildren(
    ...rows.map((row) => {
      const li = document.createElement('li');
      li.dataset.identity = row.identity.toHexString();
      li.dataset.online = String(row.online);
      li.title = `${row.online ? 'online' : 'offline'} · identity ${row.identity.toHexString().slice(0, 12)}…`;
      const name = element('span', 'name', displayName(row));
      name.style.color = row.color;
      li.append(element('span', 'dot'), name);
      if (row.identity.isEqual(conn.identity)) li.append(element('span', 'you', '(you)'));
      return li;
    }),
  );
}

function renderMessages(): void {
  const atBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
  const rows = [...conn.db.message.iter()];
  if (rows.length === 0) {
    messages.replaceChildren(element('li', 'empty', 'No messages yet: say hello.'));
    return;
  }
  messages.replaceChildren(
    ...rows.map((row) => {
      const li = element('li', 'message');
      li.dataset.identity = row.sender.toHexString();
      const sender = conn.db.user.identity.find(row.sender);
      const author = element('span', 'author', sender === null ? `guest ${row.sender.toHexString().slice(0, 6)}` : displayName(sender));
      if (sender !== null) author.style.color = sender.color;
      const sent = row.sent.toDate();
      const time = element('time', '', sent.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
      time.dateTime = sent.toISOString();
      li.append(author, element('span', 'text', row.text), time);
      return li;
    }),
  );
  if (atBottom) messages.scrollTop = messages.scrollHeight;
}

/** Renders once per transaction, however many rows it changed. */
let queued = false;
function render(): void {
  if (queued) return;
  queued = true;
  queueMicrotask(() => {
    queued = false;
    renderUsers();
    renderMessages();
  });
}

conn.db.user.onInsert(render);
conn.db.user.onUpdate(render);
conn.db.user.onDelete(render);
conn.db.message.onInsert(render);
conn.db.message.onDelete(render);

$<HTMLFormElement>('name-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('name');
  void run(conn.reducers.set_name({ name: input.value })).then((ok) => {
    if (ok) input.value = '';
  });
});

$<HTMLFormElement>('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('text');
  void run(conn.reducers.send_message({ text: input.value })).then((ok) => {
    if (ok) input.value = '';
  });
});

await conn.subscribe(['SELECT * FROM user', 'SELECT * FROM message']).applied;
renderUsers();
renderMessages();
