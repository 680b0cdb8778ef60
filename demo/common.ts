// What every demo shares: the room from `?room=<name>`, the connection, a bar with
// the connection's status and a link for another peer, and the devtools toggle.
import { connect, websocketSignaling, type Connection, type LockstepError } from 'lockstep';
import { mountDevtools } from 'lockstep/devtools';

/** The room this page joins (`?room=<name>`), or undefined to run alone (tabs of this browser still share it). */
export const room: string | undefined = new URLSearchParams(location.search).get('room') ?? undefined;

/** Options of {@link openDemo}. */
export interface DemoOptions {
  /** The database name; in a room the room's name is added, so each room has a database of its own. */
  readonly database: string;
  readonly worker: () => Worker;
}

/**
 * Connects a demo page: alone, or in the room of `?room=` through the signaling
 * relay the dev server serves (`/lockstep-signal`). Adds the status bar and the
 * devtools toggle to `document.body`, and exposes the connection as `window.conn`
 * (handy in the browser console).
 */
export async function openDemo<M>(options: DemoOptions): Promise<Connection<M>> {
  const conn = await connect<M>({
    database: room === undefined ? options.database : `${options.database}@${room}`,
    worker: options.worker,
    ...(room === undefined ? {} : { peers: { room, signaling: () => websocketSignaling() } }),
  });
  Object.assign(window, { conn });
  document.body.append(statusBar(conn));
  return conn;
}

/** The page's element with id `id`. */
export const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/**
 * Runs a reducer call and shows its error, if any, in the page's `#error`
 * element (cleared when the call starts); resolves true when it succeeded.
 */
export async function run(call: Promise<void>): Promise<boolean> {
  const error = $('error');
  error.textContent = '';
  try {
    await call;
    return true;
  } catch (e) {
    error.textContent = (e as LockstepError).message;
    return false;
  }
}

/** A fresh room name for "open in a room" links. */
export const newRoomName = (): string => Math.random().toString(36).slice(2, 8);

function statusBar(conn: Connection<unknown>): HTMLElement {
  const bar = document.createElement('footer');
  bar.className = 'demo-bar';
  const text = document.createElement('span');
  text.id = 'peer-status';
  const link = document.createElement('a');
  link.id = 'peer-link';
  const toggle = document.createElement('button');
  toggle.id = 'devtools-toggle';
  toggle.textContent = 'Devtools';
  let devtools: ReturnType<typeof mountDevtools> | undefined;
  toggle.addEventListener('click', () => {
    devtools ??= mountDevtools(conn);
    devtools.toggle();
  });
  if (room === undefined) {
    link.href = `?room=${newRoomName()}`;
    link.textContent = 'Share in a room';
  } else {
    link.href = location.href;
    link.target = '_blank';
    link.textContent = 'Open another peer (paste this link in another browser or a private window)';
  }
  const render = (): void => {
    const status = conn.status;
    const r = status.room;
    text.textContent = r === undefined
      ? `alone · this tab is ${status.role} · seq ${status.seq}`
      : `room ${r.name} · ${r.role ?? 'joining'} · ${r.state} · ${r.peers} peer(s) · seq ${status.seq}`;
    text.dataset.state = r?.state ?? 'alone';
  };
  render();
  conn.onStatus(render);
  const home = Object.assign(document.createElement('a'), { href: './', textContent: 'All demos' });
  bar.append(home, ' · ', text, ' · ', link, ' ', toggle);
  return bar;
}
