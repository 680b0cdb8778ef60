import type { ScheduleAt } from '../schema/type-desc';
import type { ModuleReducer } from '../schema/module';
import { BTree } from '../store/btree';
import type { Row } from '../store/index-store';
import type { Store } from '../store/store';
import type { TableStore } from '../store/table-store';
import type { Transaction, TxDiff } from '../store/transaction';

interface Slot {
  readonly at: bigint;
  readonly table: number;
  readonly key: unknown;
}

/** A scheduled reducer run that is due. */
export interface DueRun {
  readonly reducer: string;
  readonly row: Row;
  readonly at: bigint;
}

/**
 * When each row of each schedule table is due. Kept up to date from committed
 * diffs, so it is the same on the authority and on replicas; only the authority
 * asks it what is due. `ScheduleAt.time` rows run once and are deleted in the
 * same transaction; `ScheduleAt.interval` rows run every interval from when they
 * were inserted (at least 1 µs apart).
 */
export class Scheduler {
  private readonly tables: TableStore[];
  private readonly queue: BTree<Slot, true>;
  private readonly slots: Map<string, BTree<unknown, Slot>>;

  constructor(store: Store) {
    this.tables = [...store.tables.values()].filter((t) => t.schema.scheduled !== undefined);
    this.slots = new Map(this.tables.map((t) => [t.name, new BTree<unknown, Slot>(t.compareKeys)]));
    this.queue = new BTree<Slot, true>((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.table - b.table || this.tables[a.table]!.compareKeys(a.key, b.key)));
  }

  /** The earliest due time, if anything is scheduled. */
  nextDue(): bigint | undefined {
    return this.queue.first()?.[0].at;
  }

  /** The first run due at or before `now`. */
  firstDue(now: bigint): DueRun | undefined {
    const first = this.queue.first()?.[0];
    if (first === undefined || first.at > now) return undefined;
    const table = this.tables[first.table]!;
    return { reducer: table.schema.scheduled!.reducer, row: table.get(first.key)!, at: first.at };
  }

  /** Inside a scheduled run's transaction: a one-shot (`time`) row is deleted once it has run. */
  finishRun(reducer: ModuleReducer, args: unknown, tx: Transaction): void {
    const row = (args as { arg: Row }).arg;
    const table = this.tables.find((t) => t.name === reducer.scheduleTable)!;
    const stored = table.get(table.rowKey(row));
    if (stored !== undefined && this.scheduleOf(table, stored).tag === 'Time') table.deleteRow(stored, tx);
  }

  /** Updates due times from a committed diff; `ran` is the scheduled row whose run this diff is, if any. */
  afterCommit(diff: TxDiff, timestamp: bigint, ran?: { readonly table: string; readonly row: Row }): void {
    if (this.tables.length === 0) return;
    if (ran !== undefined) {
      // First move an interval row on by one interval; a change of the row in the diff below overrides it.
      const index = this.tables.findIndex((t) => t.name === ran.table);
      const table = this.tables[index];
      const key = table?.rowKey(ran.row);
      const slot = table === undefined ? undefined : this.slots.get(table.name)!.get(key);
      const stored = table?.get(key);
      if (slot !== undefined && stored !== undefined) {
        const at = this.scheduleOf(table!, stored);
        if (at.tag === 'Interval') this.schedule(index, key, slot.at + clampInterval(at.value));
      }
    }
    for (const change of diff.changes) {
      const index = this.tables.findIndex((t) => t.name === change.table);
      if (index < 0) continue;
      const table = this.tables[index]!;
      for (const row of change.deletes) this.unschedule(table, table.rowKey(row));
      for (const row of change.inserts) {
        const at = this.scheduleOf(table, row);
        this.schedule(index, table.rowKey(row), at.tag === 'Time' ? at.value : timestamp + clampInterval(at.value));
      }
    }
  }

  /**
   * After a scheduled run failed (and rolled back): a one-shot row is not retried,
   * an interval row waits for its next interval. This is the authority's memory only;
   * a new authority would try a failed one-shot row once more.
   */
  skip(tableName: string, row: Row): void {
    const index = this.tables.findIndex((t) => t.name === tableName);
    const table = this.tables[index];
    if (table === undefined) return;
    const key = table.rowKey(row);
    const stored = table.get(key);
    if (stored !== undefined && this.scheduleOf(table, stored).tag === 'Interval') this.afterCommit({ changes: [] }, 0n, { table: tableName, row: stored });
    else this.unschedule(table, key);
  }

  /** Recomputes every due time from the tables (after loading a snapshot); intervals restart at `now`. */
  rebuild(now: bigint): void {
    this.queue.clear();
    this.tables.forEach((table, index) => {
      this.slots.get(table.name)!.clear();
      for (const row of table.scan()) {
        const at = this.scheduleOf(table, row);
        this.schedule(index, table.rowKey(row), at.tag === 'Time' ? at.value : now + clampInterval(at.value));
      }
    });
  }

  private scheduleOf(table: TableStore, row: Row): ScheduleAt {
    return row[table.schema.columns[table.schema.scheduled!.atColumn]!.name] as ScheduleAt;
  }

  private schedule(table: number, key: unknown, at: bigint): void {
    const name = this.tables[table]!.name;
    this.unschedule(this.tables[table]!, key);
    const slot: Slot = { at, table, key };
    this.slots.get(name)!.set(key, slot);
    this.queue.set(slot, true);
  }

  private unschedule(table: TableStore, key: unknown): void {
    const slots = this.slots.get(table.name)!;
    const slot = slots.get(key);
    if (slot === undefined) return;
    slots.delete(key);
    this.queue.delete(slot);
  }
}

function clampInterval(micros: bigint): bigint {
  return micros < 1n ? 1n : micros;
}
