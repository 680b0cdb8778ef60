/**
 * The Log tab: the tail of the module log (`ctx.log` and `console.*` inside
 * reducers, and the host's own warnings) interleaved with the committed
 * entries: seq, reducer and arguments, sender, outcome, rows changed, and how
 * long the reducer ran in this tab's engine. Kept from the moment the panel is
 * mounted, hidden or not, up to {@link MAX_LINES}.
 */
import type { ModuleLogLine } from '../client/connection';
import type { CommittedEntry } from '../host/client-protocol';
import { h, shortId } from './dom';
import { formatValue } from './values';
import type { DevtoolsContext, View } from './view';

/** Lines kept; older ones are dropped. */
export const MAX_LINES = 1000;

/** Creates the Log tab. */
export function logView(ctx: DevtoolsContext): View {
  const { conn, doc } = ctx;
  const list = h(doc, 'ol', { class: 'ls-log' });
  const showCommits = h(doc, 'input', { type: 'checkbox', checked: true, class: 'ls-show-commits' });
  const showLogs = h(doc, 'input', { type: 'checkbox', checked: true, class: 'ls-show-logs' });
  const filter = (): void => {
    list.dataset.commits = String(showCommits.checked);
    list.dataset.logs = String(showLogs.checked);
    for (const line of list.children) (line as HTMLElement).hidden = !visibleKind((line as HTMLElement).dataset.kind);
  };
  const visibleKind = (kind: string | undefined): boolean => (kind === 'commit' ? showCommits.checked : showLogs.checked);
  showCommits.addEventListener('change', filter);
  showLogs.addEventListener('change', filter);
  const scroller = h(doc, 'div', { class: 'ls-log-scroll' }, list);
  const element = h(
    doc,
    'div',
    { class: 'ls-view', 'data-view': 'log' },
    h(
      doc,
      'div',
      { class: 'ls-row' },
      h(doc, 'label', {}, showCommits, ' committed entries'),
      h(doc, 'label', {}, showLogs, ' module log'),
      h(doc, 'button', { type: 'button', class: 'ls-clear', onclick: () => list.replaceChildren() }, 'Clear'),
      h(doc, 'span', { class: 'ls-muted' }, 'duration: the reducer\'s run in this tab\'s engine'),
    ),
    scroller,
  );

  const add = (line: HTMLElement): void => {
    // Follow the tail unless the reader scrolled up.
    const follow = element.scrollTop + element.clientHeight >= element.scrollHeight - 8;
    line.hidden = !visibleKind(line.dataset.kind);
    list.append(line);
    while (list.childElementCount > MAX_LINES) list.firstElementChild?.remove();
    if (follow) element.scrollTop = element.scrollHeight;
  };

  const offLog = ctx.onLog((line: ModuleLogLine) => {
    add(h(doc, 'li', { class: 'ls-line', 'data-kind': 'log', 'data-level': line.level }, `${clock(Date.now())} ${line.level.padEnd(5)} ${line.reducer === '' ? '' : `${line.reducer}: `}${line.message}`));
  });
  const offCommit = ctx.onCommit((entry: CommittedEntry) => {
    const args = entry.args === undefined ? '…' : Object.entries(entry.args).map(([k, v]) => `${k}: ${short(formatValue(v))}`).join(', ');
    const who = entry.sender === conn.identity.toHexString() ? 'you' : shortId(entry.sender);
    const outcome = entry.outcome.ok ? 'ok' : `${entry.outcome.name}: ${entry.outcome.message}`;
    const changes = entry.changes.map((c) => `${c.table} +${c.inserts} −${c.deletes}`).join(', ');
    const duration = entry.durationMs === undefined ? '' : ` · ${entry.durationMs < 1 ? entry.durationMs.toFixed(3) : entry.durationMs.toFixed(1)} ms`;
    add(
      h(
        doc,
        'li',
        { class: 'ls-line', 'data-kind': 'commit', 'data-ok': String(entry.outcome.ok), 'data-seq': entry.seq, 'data-reducer': entry.reducer },
        `${clock(Number(entry.timestamp / 1000n))} #${entry.seq} ${entry.reducer}(${args})${entry.internal ? ' [internal]' : ''} by ${who} · ${outcome}${changes === '' ? '' : ` · ${changes}`}${duration}`,
      ),
    );
  });

  return {
    element,
    show: () => void (element.scrollTop = element.scrollHeight),
    hide: () => {},
    destroy: () => {
      offLog();
      offCommit();
    },
  };
}

/** Local time of day with milliseconds. */
function clock(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const short = (text: string): string => (text.length > 48 ? `${text.slice(0, 45)}...` : text);
