/**
 * `mountDevtools(conn)`: the panel and its tabs (Tables, SQL, Reducers, Log,
 * Status, Backup) for one connection, in plain DOM with its own scoped styles.
 */
import type { Connection, ModuleLogLine } from '../client/connection';
import type { CommittedEntry } from '../host/client-protocol';
import { backupView } from './backup-view';
import { h } from './dom';
import { logView } from './log-view';
import { reducerView } from './reducer-view';
import { sqlView } from './sql-view';
import { statusView } from './status-view';
import { injectStyles } from './styles';
import { tablesView } from './tables-view';
import type { DevtoolsContext, View } from './view';

/** A mounted devtools panel. */
export interface Devtools {
  /** Shows the panel when hidden, hides it when shown. */
  toggle(): void;
  /** Shows the panel. */
  show(): void;
  /** Hides the panel (it keeps collecting the log). */
  hide(): void;
  /** Selects a tab, as its button does. */
  select(tab: DevtoolsTab): void;
  /** Removes the panel from the page and stops listening to the connection. */
  destroy(): void;
}

/** The panel's tabs. */
export const DEVTOOLS_TABS = ['tables', 'sql', 'reducers', 'log', 'status', 'backup'] as const;
/** One of {@link DEVTOOLS_TABS}. */
export type DevtoolsTab = (typeof DEVTOOLS_TABS)[number];

/** Options of {@link mountDevtools}. */
export interface DevtoolsOptions {
  /** Where the panel goes; default `document.body`. */
  readonly parent?: HTMLElement;
  /** The tab shown first; default `tables`. */
  readonly tab?: DevtoolsTab;
}

const LABELS: Record<DevtoolsTab, string> = { tables: 'Tables', sql: 'SQL', reducers: 'Reducers', log: 'Log', status: 'Status', backup: 'Backup' };

/**
 * Mounts the devtools panel for an open connection (hidden until shown). It
 * listens to the connection's module log and committed entries from now on
 * (`conn.onLog`, `conn.onCommit`), so the Log tab has the tail when opened.
 * The worker must answer the devtools' requests (the default; see
 * `serve(module, { devtools })`).
 * @example
 * const devtools = mountDevtools(conn);
 * button.onclick = () => devtools.toggle();
 */
export function mountDevtools<M>(connection: Connection<M>, options: DevtoolsOptions = {}): Devtools {
  // The panel reads the module's shape at run time (conn.describe()), not from M.
  const conn = connection as unknown as Connection<unknown>;
  const parent = options.parent ?? document.body;
  const doc = parent.ownerDocument;
  const releaseStyles = injectStyles(doc);
  const commitListeners = new Set<(entry: CommittedEntry) => void>();
  const logListeners = new Set<(line: ModuleLogLine) => void>();
  const fanOut =
    <T>(listeners: Set<(value: T) => void>) =>
    (value: T): void => {
      for (const listener of listeners) listener(value);
    };
  const subscribe =
    <T>(listeners: Set<(value: T) => void>) =>
    (cb: (value: T) => void): (() => void) => {
      listeners.add(cb);
      return () => void listeners.delete(cb);
    };
  // Status messages are not queued behind durability like entries are, so either may arrive first:
  // keep the highest seq heard within an epoch.
  let seq = conn.status.seq;
  let epoch = conn.status.epoch;
  const offCommit = conn.onCommit((entry) => {
    seq = Math.max(seq, entry.seq);
    fanOut(commitListeners)(entry);
  });
  // Before the tabs' own status listeners, so they read the new seq.
  const offStatusSeq = conn.onStatus((status) => {
    seq = status.epoch === epoch ? Math.max(seq, status.seq) : status.seq;
    epoch = status.epoch;
  });
  const offLog = conn.onLog(fanOut(logListeners));
  const ctx: DevtoolsContext = { conn, doc, onCommit: subscribe(commitListeners), onLog: subscribe(logListeners), seq: () => seq };

  const views: Record<DevtoolsTab, View> = {
    tables: tablesView(ctx),
    sql: sqlView(ctx),
    reducers: reducerView(ctx),
    log: logView(ctx),
    status: statusView(ctx),
    backup: backupView(ctx),
  };
  let active: DevtoolsTab = options.tab ?? 'tables';
  const buttons = DEVTOOLS_TABS.map((tab) => h(doc, 'button', { type: 'button', class: 'ls-tab', role: 'tab', 'data-tab': tab, 'aria-selected': String(tab === active), onclick: () => select(tab) }, LABELS[tab]));
  const role = h(doc, 'span', { class: 'ls-badge ls-role' });
  const showRole = (): void => {
    const { status } = conn;
    role.textContent = `${status.role} · epoch ${status.epoch} · seq ${seq}${status.room === undefined ? '' : ` · room ${status.room.name} (${status.room.state})`}`;
  };
  showRole();
  const offStatus = conn.onStatus(showRole);
  const offSeq = ctx.onCommit(showRole);
  const body = h(doc, 'div', { class: 'ls-body' }, ...DEVTOOLS_TABS.map((tab) => views[tab].element));
  const panel = h(
    doc,
    'section',
    { class: 'lockstep-devtools', hidden: true, 'aria-label': `Lockstep devtools for ${conn.database}` },
    h(doc, 'div', { class: 'ls-bar', role: 'tablist' }, h(doc, 'span', { class: 'ls-title' }, `Lockstep · ${conn.database}`), role, ...buttons, h(doc, 'span', { class: 'ls-spacer' }), h(doc, 'button', { type: 'button', class: 'ls-close', title: 'Hide', 'aria-label': 'Hide the devtools', onclick: () => hide() }, '×')),
    body,
  );
  for (const tab of DEVTOOLS_TABS) views[tab].element.hidden = tab !== active;
  parent.append(panel);

  const select = (tab: DevtoolsTab): void => {
    if (!DEVTOOLS_TABS.includes(tab)) throw new RangeError(`No devtools tab "${String(tab)}"; the tabs are ${DEVTOOLS_TABS.join(', ')}`);
    if (!panel.hidden) views[active].hide();
    active = tab;
    for (const [i, name] of DEVTOOLS_TABS.entries()) {
      buttons[i]!.setAttribute('aria-selected', String(name === tab));
      views[name].element.hidden = name !== tab;
    }
    if (!panel.hidden) views[tab].show();
  };
  const show = (): void => {
    if (!panel.hidden) return;
    panel.hidden = false;
    views[active].show();
  };
  const hide = (): void => {
    if (panel.hidden) return;
    panel.hidden = true;
    views[active].hide();
  };
  let destroyed = false;
  return {
    toggle: () => (panel.hidden ? show() : hide()),
    show,
    hide,
    select,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const view of Object.values(views)) view.destroy();
      offCommit();
      offLog();
      offStatus();
      offStatusSeq();
      offSeq();
      panel.remove();
      releaseStyles();
    },
  };
}
