// The gallery: a card per demo, each with a link into a fresh room and one to run it alone.
import { newRoomName } from './common';

const DEMOS = [
  { page: 'whiteboard', title: 'Whiteboard', text: 'Draw together: each stroke is one reducer call, with live cursors; only the board’s owner may clear it.' },
  { page: 'game', title: 'Cursor game', text: 'Circles follow each player’s mouse; a reducer scheduled every 100 ms spawns coins from ctx.random().' },
  { page: 'chat', title: 'Chat', text: 'Names, messages and who is online, with a color per person drawn by ctx.random() that every peer sees alike.' },
  { page: 'todo', title: 'Todo, offline first', text: 'Add, tick and delete with the network off; the changes reach the others, each once, when it is back.' },
  { page: 'inventory', title: 'Inventory race', text: 'Two players click for one sword: exactly one gets it. Gold moves between players and the total never changes.' },
] as const;

const list = document.getElementById('demos')!;
for (const demo of DEMOS) {
  const card = document.createElement('li');
  card.className = 'card';
  const title = Object.assign(document.createElement('h2'), { textContent: demo.title });
  const text = Object.assign(document.createElement('p'), { textContent: demo.text });
  const links = Object.assign(document.createElement('div'), { className: 'links' });
  const inRoom = Object.assign(document.createElement('a'), { className: 'room', href: `./${demo.page}.html?room=${demo.page}-${newRoomName()}`, textContent: 'Open in a room' });
  const alone = Object.assign(document.createElement('a'), { href: `./${demo.page}.html`, textContent: 'alone' });
  links.append(inRoom, alone);
  card.append(title, text, links);
  card.dataset['demo'] = demo.page;
  list.append(card);
}
