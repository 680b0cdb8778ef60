/**
 * The Status tab: this tab's role and epoch, the room (name, role, state,
 * peers, authority), lag, entries per second (the seq's advance over time),
 * the latest snapshot's seq, and storage: the log and snapshots' bytes and the
 * origin's usage and quota (`navigator.storage.estimate()`). `inspect()` reads
 * every stored byte, so it is polled only while the tab is shown.
 */
import type { InspectResult } from '../host/client-protocol';
import { describeError, formatBytes, h, shortId } from './dom';
import { RateMeter } from './rate';
import type { DevtoolsContext, View } from './view';

/** How often the shown tab asks the host for `inspect()` and the browser for its storage estimate. */
const POLL_MS = 2000;

/** Creates the Status tab. */
export function statusView(ctx: DevtoolsContext): View {
  const { conn, doc } = ctx;
  const list = h(doc, 'dl', { class: 'ls-status' });
  const problem = h(doc, 'div', {});
  const element = h(doc, 'div', { class: 'ls-view', 'data-view': 'status' }, list, problem);
  const meter = new RateMeter();
  let inspected: InspectResult | undefined;
  let storage: { usage?: number; quota?: number } | undefined;
  let visible = false;
  let poll: ReturnType<typeof setInterval> | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;

  const sample = (): void => meter.add(performance.now(), ctx.seq());
  sample();
  const offStatus = conn.onStatus(() => {
    sample();
    if (visible) render();
  });
  const offCommit = ctx.onCommit(sample);

  const render = (): void => {
    const status = conn.status;
    const room = status.room;
    const rows: [string, string, string][] = [
      ['role', 'role', `${status.role}${inspected === undefined ? '' : ` (${inspected.role} of the calls)`}`],
      ['epoch', 'epoch', String(status.epoch)],
      ['leader', 'leading tab', status.leader ?? 'none yet'],
      ['seq', 'seq', String(ctx.seq())],
      ['lag', 'lag', `${status.lag} entr${status.lag === 1 ? 'y' : 'ies'}`],
      ['rate', 'entries/s', meter.rate(performance.now()).toFixed(1)],
      ['snapshot', 'snapshot seq', inspected === undefined ? '…' : String(inspected.snapshotSeq)],
      ['state', 'state hash', inspected?.stateHash ?? '…'],
      ['queries', 'live queries', inspected === undefined ? '…' : String(inspected.liveQueries)],
      ['pending', 'calls pending', inspected === undefined ? '…' : String(inspected.pendingCalls)],
      ['log-bytes', 'log + snapshots', inspected === undefined ? '…' : formatBytes(inspected.storageBytes)],
      ['storage', 'origin storage', storage?.usage === undefined ? 'unknown' : `${formatBytes(storage.usage)} used${storage.quota === undefined ? '' : ` of ${formatBytes(storage.quota)}`}`],
      ['identity', 'identity', conn.identity.toHexString()],
      ['connection', 'connection', conn.connectionId.toHexString()],
      ['room', 'room', room === undefined ? 'none (this browser only)' : `${room.name} · ${room.role ?? 'joining'} · ${room.state}`],
    ];
    if (room !== undefined) {
      rows.push(
        ['authority', 'authority', room.authority === undefined ? 'unknown' : room.authority === conn.identity.toHexString() ? `this browser (${shortId(room.authority)})` : room.authority],
        ['peers', 'peers', String(room.peers)],
        ['waiting', 'calls waiting', String(room.waiting)],
        ['target', 'authority seq', String(room.target)],
      );
      if (room.error !== undefined) rows.push(['room-error', 'room error', room.error]);
    }
    for (const warning of inspected?.warnings ?? []) rows.push(['warning', 'warning', warning]);
    list.replaceChildren(...rows.flatMap(([key, label, value]) => [h(doc, 'dt', {}, label), h(doc, 'dd', { 'data-key': key }, value)]));
  };

  const refresh = async (): Promise<void> => {
    try {
      inspected = await conn.inspect();
      sample();
      problem.replaceChildren();
    } catch (error) {
      problem.replaceChildren(h(doc, 'div', { class: 'ls-error' }, `inspect() failed: ${describeError(error)}`));
    }
    storage = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
    if (visible) render();
  };

  return {
    element,
    show() {
      visible = true;
      render();
      void refresh();
      poll ??= setInterval(() => void refresh(), POLL_MS);
      ticker ??= setInterval(render, 500);
    },
    hide() {
      visible = false;
      clearInterval(poll);
      clearInterval(ticker);
      poll = ticker = undefined;
    },
    destroy() {
      this.hide();
      offStatus();
      offCommit();
    },
  };
}
