/**
 * The Tables tab: every table of the module, private ones included, with its
 * row count, and the rows of the selected one, kept live.
 *
 * Rows are read with one-off queries (`conn.sql`), which the host runs with
 * private tables allowed (the local page belongs to the module's owner), not
 * with subscriptions: those refuse private tables, and rows they brought into
 * the client cache would fire the app's own `onInsert` callbacks. "Live" is the
 * commit stream: an entry that changed a table re-reads that table's count and,
 * when it is shown, its rows (gathered, at most every {@link REFRESH_MS}).
 */
import type { TableSchema } from '../schema/table';
import { typeName } from '../schema/type-desc';
import { describeError, grid, h } from './dom';
import type { DevtoolsContext, View } from './view';

/** Rows shown of the selected table. */
export const ROW_LIMIT = 200;
/** How long changes are gathered before the tab re-reads them. */
const REFRESH_MS = 80;

/** Creates the Tables tab. */
export function tablesView(ctx: DevtoolsContext): View {
  const { conn, doc } = ctx;
  const tables = [...conn.describe().tables].sort((a, b) => a.name.localeCompare(b.name));
  let selected: TableSchema | undefined = tables.find((t) => t.public) ?? tables[0];
  let visible = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Tables whose count changed since it was read; `rows` when the selected table's rows did. */
  const stale = new Set<string>(tables.map((t) => t.name));
  let rowsStale = true;
  let generation = 0;

  const counts = new Map<string, HTMLElement>();
  const side = h(doc, 'div', { class: 'ls-side', role: 'listbox', 'aria-label': 'Tables' });
  const items = new Map<string, HTMLButtonElement>();
  for (const table of tables) {
    const count = h(doc, 'span', { class: 'ls-count' }, '…');
    counts.set(table.name, count);
    const item = h(
      doc,
      'button',
      { class: 'ls-table-item', type: 'button', role: 'option', 'data-table': table.name, 'aria-selected': String(table === selected), onclick: () => select(table) },
      h(doc, 'span', {}, table.name, table.public ? null : h(doc, 'span', { class: 'ls-private', title: 'private: clients cannot subscribe to it' }, ' ●')),
      count,
    );
    items.set(table.name, item);
    side.append(item);
  }
  const main = h(doc, 'div', { class: 'ls-main' });
  const element = h(doc, 'div', { class: 'ls-view ls-split', 'data-view': 'tables' }, side, main);
  if (tables.length === 0) main.append(h(doc, 'p', { class: 'ls-muted' }, 'The module has no tables.'));

  const select = (table: TableSchema): void => {
    selected = table;
    for (const [name, item] of items) item.setAttribute('aria-selected', String(name === table.name));
    rowsStale = true;
    refresh();
  };

  const schedule = (): void => {
    if (!visible || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      refresh();
    }, REFRESH_MS);
  };

  const refresh = (): void => {
    if (!visible) return;
    const names = [...stale];
    stale.clear();
    for (const name of names) void readCount(name);
    if (rowsStale && selected !== undefined) {
      rowsStale = false;
      void readRows(selected);
    }
  };

  const readCount = async (name: string): Promise<void> => {
    const label = counts.get(name);
    if (label === undefined) return;
    try {
      const { rows } = await conn.sql(`SELECT COUNT(*) AS n FROM ${name}`);
      label.textContent = String(rows[0]?.n ?? '?');
      label.title = '';
    } catch (error) {
      label.textContent = '!';
      label.title = describeError(error);
    }
  };

  const readRows = async (table: TableSchema): Promise<void> => {
    const mine = ++generation;
    let content: Node[];
    try {
      const result = await conn.sql(`SELECT * FROM ${table.name} LIMIT ${ROW_LIMIT + 1}`);
      const types = Object.fromEntries(table.columns.map((c) => [c.name, `${typeName(c.type)}${c.primaryKey ? ' primary key' : c.unique ? ' unique' : ''}${c.autoInc ? ' autoInc' : ''}`]));
      const more = result.rows.length > ROW_LIMIT;
      const rows = more ? result.rows.slice(0, ROW_LIMIT) : result.rows;
      content = [
        h(
          doc,
          'p',
          { class: 'ls-heading' },
          table.name,
          h(doc, 'span', { class: 'ls-muted' }, ` · ${table.public ? 'public' : 'private'} · ${more ? `first ${ROW_LIMIT} rows` : `${rows.length} row${rows.length === 1 ? '' : 's'}`}`),
        ),
        rows.length === 0 ? h(doc, 'p', { class: 'ls-muted' }, 'No rows.') : grid(doc, result.columns, rows, types),
      ];
    } catch (error) {
      content = [h(doc, 'div', { class: 'ls-error' }, describeError(error))];
    }
    if (mine === generation) main.replaceChildren(...content);
  };

  const offCommit = ctx.onCommit((entry) => {
    for (const change of entry.changes) {
      stale.add(change.table);
      if (change.table === selected?.name) rowsStale = true;
    }
    if (entry.changes.length > 0) schedule();
  });
  // A role change, a resync or a restored backup replaces the state without entries: read everything again.
  let epoch = conn.status.epoch;
  const offStatus = conn.onStatus((status) => {
    if (status.epoch === epoch) return;
    epoch = status.epoch;
    for (const table of tables) stale.add(table.name);
    rowsStale = true;
    schedule();
  });

  return {
    element,
    show() {
      visible = true;
      refresh();
    },
    hide() {
      visible = false;
    },
    destroy() {
      visible = false;
      if (timer !== undefined) clearTimeout(timer);
      offCommit();
      offStatus();
    },
  };
}
