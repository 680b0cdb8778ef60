/**
 * What the panel's tabs share: the connection, and one subscription each to its
 * committed entries and module log, fanned out to the tabs that listen.
 */
import type { Connection, ModuleLogLine } from '../client/connection';
import type { CommittedEntry } from '../host/client-protocol';

/** One tab of the panel. */
export interface View {
  /** Its content, shown while the tab is selected. */
  readonly element: HTMLElement;
  /** The tab became visible: refresh and start any polling. */
  show(): void;
  /** The tab or the panel was hidden: stop polling. */
  hide(): void;
  /** The panel is going away: drop listeners and timers. */
  destroy(): void;
}

/** What every tab gets. */
export interface DevtoolsContext {
  readonly conn: Connection<unknown>;
  readonly doc: Document;
  /** Calls `cb` for each committed entry; returns a function that stops it. */
  onCommit(cb: (entry: CommittedEntry) => void): () => void;
  /** Calls `cb` for each module log line; returns a function that stops it. */
  onLog(cb: (line: ModuleLogLine) => void): () => void;
  /**
   * The seq of this tab's state as last heard: the highest from committed entries and status
   * messages since the epoch changed (a leader's `conn.status.seq` moves only with its role, so the
   * entries keep it current).
   */
  seq(): number;
}
