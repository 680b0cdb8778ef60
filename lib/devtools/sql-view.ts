/**
 * The SQL tab: one-off queries against the database (`conn.sql`, private
 * tables included), results as a table, and errors with the spot they point
 * at: a `QueryError` carries the 0-based offset of the problem in `position`
 * (the lexer, parser and binder all set it), shown as a caret under the line.
 */
import type { LockstepError } from '../errors';
import { describeError, grid, h } from './dom';
import { pointAt } from './values';
import type { DevtoolsContext, View } from './view';

/** Creates the SQL tab. */
export function sqlView(ctx: DevtoolsContext): View {
  const { conn, doc } = ctx;
  const first = conn.describe().tables.find((t) => t.public) ?? conn.describe().tables[0];
  const input = h(doc, 'textarea', { class: 'ls-sql-input', rows: 4, spellcheck: 'false', 'aria-label': 'SQL query' });
  input.value = first === undefined ? '' : `SELECT * FROM ${first.name} LIMIT 50`;
  const run = h(doc, 'button', { class: 'ls-run', type: 'button', title: 'Ctrl+Enter', onclick: () => void execute() }, 'Run');
  const output = h(doc, 'div', { class: 'ls-sql-output', 'aria-live': 'polite' });
  const element = h(
    doc,
    'div',
    { class: 'ls-view', 'data-view': 'sql' },
    input,
    h(doc, 'div', { class: 'ls-row' }, run, h(doc, 'span', { class: 'ls-muted' }, 'SELECT … FROM t [JOIN u ON …] [WHERE …] [ORDER BY …] [LIMIT n] · Ctrl+Enter runs')),
    output,
  );
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void execute();
    }
  });

  let generation = 0;
  const execute = async (): Promise<void> => {
    const sql = input.value;
    const mine = ++generation;
    run.disabled = true;
    const started = performance.now();
    let content: Node[];
    try {
      const result = await conn.sql(sql);
      const ms = performance.now() - started;
      content = [
        h(doc, 'p', { class: 'ls-muted ls-sql-summary' }, `${result.rows.length} row${result.rows.length === 1 ? '' : 's'} · ${ms.toFixed(1)} ms`),
        result.rows.length === 0 ? h(doc, 'p', { class: 'ls-muted' }, 'No rows.') : grid(doc, result.columns, result.rows),
      ];
    } catch (error) {
      content = [queryError(doc, sql, error)];
    }
    if (mine !== generation) return;
    run.disabled = false;
    output.replaceChildren(...content);
  };

  return { element, show: () => input.focus(), hide: () => {}, destroy: () => void generation++ };
}

/** An error box; for an error with a position, the query line and a caret under the spot. */
function queryError(doc: Document, sql: string, error: unknown): HTMLElement {
  const position = (error as Partial<LockstepError>).position;
  const box = h(doc, 'div', { class: 'ls-error', role: 'alert' }, describeError(error));
  if (typeof position !== 'number') return box;
  const at = pointAt(sql, position);
  box.dataset.position = String(position);
  box.append(h(doc, 'div', { class: 'ls-error-where' }, `at line ${at.line}, column ${at.column}`), h(doc, 'pre', { class: 'ls-pointer' }, `${at.text}\n${at.caret}`));
  return box;
}
