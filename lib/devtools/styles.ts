/**
 * The panel's styles, injected once per document while a panel is mounted and
 * scoped under `.lockstep-devtools`, so they neither leak into the page nor
 * depend on it.
 */

const CSS = `
.lockstep-devtools { position: fixed; left: 0; right: 0; bottom: 0; height: 45vh; min-height: 220px; z-index: 2147483000;
  display: flex; flex-direction: column; box-sizing: border-box; background: #16181d; color: #d7dae0; border-top: 2px solid #3b82f6;
  font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; text-align: left; }
.lockstep-devtools[hidden] { display: none; }
.lockstep-devtools *, .lockstep-devtools *::before, .lockstep-devtools *::after { box-sizing: border-box; }
.lockstep-devtools button, .lockstep-devtools input, .lockstep-devtools select, .lockstep-devtools textarea { font: inherit; color: inherit; }
.lockstep-devtools button { background: #2a2e37; border: 1px solid #414754; border-radius: 3px; padding: 2px 8px; cursor: pointer; }
.lockstep-devtools button:hover { background: #353a45; }
.lockstep-devtools button:disabled { opacity: .5; cursor: default; }
.lockstep-devtools input[type=text], .lockstep-devtools select, .lockstep-devtools textarea { background: #0f1115; border: 1px solid #414754; border-radius: 3px; padding: 2px 5px; }
.lockstep-devtools textarea { width: 100%; resize: vertical; }
.lockstep-devtools .ls-bar { display: flex; align-items: center; gap: 4px; padding: 3px 6px; background: #1e2128; border-bottom: 1px solid #2c313b; flex: none; }
.lockstep-devtools .ls-title { font-weight: bold; margin-right: 8px; white-space: nowrap; }
.lockstep-devtools .ls-badge { padding: 0 5px; border-radius: 3px; background: #2a2e37; color: #9aa3b2; margin-right: 8px; }
.lockstep-devtools .ls-tab[aria-selected=true] { background: #3b82f6; border-color: #3b82f6; color: #fff; }
.lockstep-devtools .ls-spacer { flex: 1; }
.lockstep-devtools .ls-body { flex: 1; min-height: 0; overflow: auto; }
.lockstep-devtools .ls-view { padding: 6px 8px; height: 100%; overflow: auto; }
.lockstep-devtools .ls-view[hidden] { display: none; }
.lockstep-devtools .ls-split { display: flex; gap: 8px; height: 100%; padding: 0; }
.lockstep-devtools .ls-side { flex: none; width: 190px; overflow: auto; border-right: 1px solid #2c313b; padding: 6px 4px; }
.lockstep-devtools .ls-main { flex: 1; min-width: 0; overflow: auto; padding: 6px 8px 6px 0; }
.lockstep-devtools .ls-table-item { display: flex; width: 100%; justify-content: space-between; gap: 6px; margin: 0 0 2px; background: transparent; border-color: transparent; text-align: left; }
.lockstep-devtools .ls-table-item[aria-selected=true] { background: #2a2e37; border-color: #414754; }
.lockstep-devtools .ls-count { color: #9aa3b2; }
.lockstep-devtools .ls-private { color: #f0b429; }
.lockstep-devtools .ls-muted { color: #8a93a3; }
.lockstep-devtools .ls-heading { margin: 0 0 6px; font-weight: bold; }
.lockstep-devtools .ls-grid { border-collapse: collapse; width: max-content; min-width: 100%; }
.lockstep-devtools .ls-grid th, .lockstep-devtools .ls-grid td { border: 1px solid #2c313b; padding: 1px 6px; max-width: 360px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: top; }
.lockstep-devtools .ls-grid th { position: sticky; top: 0; background: #1e2128; text-align: left; }
.lockstep-devtools .ls-error { border: 1px solid #7f1d1d; background: #2a1215; color: #fecaca; padding: 4px 8px; border-radius: 3px; margin: 6px 0; white-space: pre-wrap; }
.lockstep-devtools .ls-ok { border: 1px solid #14532d; background: #0f2318; color: #bbf7d0; padding: 4px 8px; border-radius: 3px; margin: 6px 0; white-space: pre-wrap; }
.lockstep-devtools .ls-pointer { margin: 4px 0 0; color: #fca5a5; font: inherit; }
.lockstep-devtools .ls-form { display: grid; grid-template-columns: max-content minmax(200px, 520px); gap: 4px 8px; align-items: start; margin: 6px 0; }
.lockstep-devtools .ls-form label { padding-top: 3px; }
.lockstep-devtools .ls-type { color: #8a93a3; }
.lockstep-devtools .ls-field { display: flex; gap: 4px; align-items: flex-start; flex-wrap: wrap; }
.lockstep-devtools .ls-field > input[type=text], .lockstep-devtools .ls-field > textarea { flex: 1; min-width: 160px; }
.lockstep-devtools .ls-row { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 0 0 6px; }
.lockstep-devtools .ls-log { margin: 0; padding: 0; list-style: none; }
.lockstep-devtools .ls-line { padding: 1px 0; border-bottom: 1px solid #1f232a; white-space: pre-wrap; word-break: break-word; }
.lockstep-devtools .ls-line[data-level=warn] { color: #fcd34d; }
.lockstep-devtools .ls-line[data-level=error], .lockstep-devtools .ls-line[data-ok=false] { color: #fca5a5; }
.lockstep-devtools .ls-line[data-kind=commit] { color: #a5d8ff; }
.lockstep-devtools .ls-status { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
.lockstep-devtools .ls-status dt { color: #8a93a3; }
.lockstep-devtools .ls-status dd { margin: 0; word-break: break-all; }
`;

const STYLE_ID = 'lockstep-devtools-style';
const mounted = new WeakMap<Document, number>();

/** Adds the styles to `doc` (once, however many panels mount); returns a function that removes them with the last panel. */
export function injectStyles(doc: Document): () => void {
  const count = mounted.get(doc) ?? 0;
  mounted.set(doc, count + 1);
  if (count === 0 && doc.getElementById(STYLE_ID) === null) {
    const style = doc.createElement('style');
    style.id = STYLE_ID;
    style.textContent = CSS;
    doc.head.append(style);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (mounted.get(doc) ?? 1) - 1;
    mounted.set(doc, left);
    if (left === 0) doc.getElementById(STYLE_ID)?.remove();
  };
}
