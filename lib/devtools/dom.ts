/**
 * A few DOM helpers for the devtools panel: element creation, a grid of rows,
 * and short spellings of ids and sizes. No framework: the panel must mount in
 * any page without bringing one along.
 */
import { formatValue } from './values';

/** Something {@link h} can append: a node, text, or nothing (`null`, `undefined`, `false`). */
export type Child = Node | string | null | undefined | false;

/** Attributes and listeners of {@link h}: `class`, `on<event>` functions, and attributes (`true` sets an empty one, `false`/`undefined` none). */
export type Props = Readonly<Record<string, string | number | boolean | undefined | ((event: Event) => void)>>;

/**
 * Creates an element in `doc` with attributes, listeners and children.
 * @example
 * h(document, 'button', { class: 'ls-run', onclick: run }, 'Run');
 */
export function h<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = doc.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (typeof value === 'function') element.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'class') element.className = String(value);
    else if (value === true) element.setAttribute(key, '');
    else if (value !== false && value !== undefined) element.setAttribute(key, String(value));
  }
  element.append(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
  return element;
}

/**
 * A table of rows under `columns`, each cell written with `formatValue` (the
 * full text in its `title` when it is long). `types` labels the headers.
 */
export function grid(doc: Document, columns: readonly string[], rows: readonly Readonly<Record<string, unknown>>[], types: Readonly<Record<string, string>> = {}): HTMLTableElement {
  const head = h(doc, 'tr', {}, ...columns.map((c) => h(doc, 'th', { title: types[c] === undefined ? c : `${c}: ${types[c]}` }, c)));
  const body = rows.map((row) =>
    h(
      doc,
      'tr',
      {},
      ...columns.map((c) => {
        const text = formatValue(row[c]);
        return h(doc, 'td', text.length > 40 ? { title: text, 'data-column': c } : { 'data-column': c }, text);
      }),
    ),
  );
  return h(doc, 'table', { class: 'ls-grid' }, h(doc, 'thead', {}, head), h(doc, 'tbody', {}, ...body));
}

/** An identity or id cut to its first 8 digits, for lists. */
export const shortId = (id: string | null | undefined): string => (id === null || id === undefined ? '∅' : id.length > 10 ? `${id.slice(0, 8)}…` : id);

/** A byte count as B, KiB, MiB or GiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** An error as `Name: message`. */
export const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
