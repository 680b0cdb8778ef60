/**
 * What every live query plan shares: the change batch it delivers, how it is
 * fed changed rows, and how deletes and inserts of the same primary key become
 * updates.
 */
import type { Row } from '../store/index-store';
import type { TableStore } from '../store/table-store';
import type { BoundExpr } from './bound';

/** The rows that entered and left a live query's result in one transaction. */
export interface SubscriptionChange {
  /** The table whose rows the query returns. */
  readonly table: string;
  readonly inserts: readonly Row[];
  readonly deletes: readonly Row[];
  /** Rows that stayed in the result with new values (same primary key). */
  readonly updates: readonly { readonly old: Row; readonly new: Row }[];
}

/** The empty list of a change batch (shared, frozen). */
export const NONE: readonly never[] = Object.freeze([]);

/** Receives a live query's change batch: at most one per transaction, never empty. */
export type ChangeListener = (change: SubscriptionChange) => void;

/** How changed rows of one table reach a plan: by an equality or range term of its WHERE, or all of them. */
export type Route =
  | { readonly kind: 'eq'; readonly column: string; readonly key: unknown; readonly bytes: boolean }
  | { readonly kind: 'range'; readonly column: string; readonly op: '<' | '<=' | '>' | '>='; readonly value: unknown; readonly compare: (a: unknown, b: unknown) => number }
  | { readonly kind: 'all' };

/** A plan's registration on one table (a semijoin has one per side). */
export interface Sink {
  readonly plan: LivePlan;
  /** Table slot of the query this sink feeds (0 = FROM, 1 = JOIN). */
  readonly side: number;
  readonly table: string;
  readonly route: Route;
  /** The route's condition, for plans. */
  readonly routeTerm: BoundExpr | undefined;
}

/** An incrementally maintained query, shared by every subscriber of the same text and sender. */
export interface LivePlan {
  /** The result table. */
  readonly table: string;
  /** Where changed rows come in. */
  readonly sinks: readonly Sink[];
  /** Set by the engine: the transaction this plan last collected rows of. */
  epoch: number;
  /** Set by the engine: the subscribers, replaced (never changed in place) when one comes or goes. */
  listeners: readonly ChangeListener[];
  /** Set by the engine: how many transactions the engine had received when the plan was made (its state includes them). */
  since: number;
  /** Takes one changed row routed here; returns true when it may change the result. */
  accept(side: number, row: Row, inserted: boolean): boolean;
  /** After every changed row of a transaction was offered: the change, if any, and reset. */
  finish(): SubscriptionChange | undefined;
  /** The current result. */
  rows(): Row[];
  /** How the plan is maintained, as readable lines. */
  explain(): string;
}

let lastRow: Row | undefined;
let lastInserted = false;
let lastChange: SubscriptionChange | undefined;

/**
 * The change of a single row entering (or leaving) a result, frozen and shared:
 * when one insert wakes many live queries, they all deliver the same object
 * instead of allocating one each.
 */
export function singleChange(table: string, row: Row, inserted: boolean): SubscriptionChange {
  if (lastChange !== undefined && lastRow === row && lastInserted === inserted && lastChange.table === table) return lastChange;
  const rows: readonly Row[] = Object.freeze([row]);
  lastRow = row;
  lastInserted = inserted;
  lastChange = Object.freeze({ table, inserts: inserted ? rows : NONE, deletes: inserted ? NONE : rows, updates: NONE });
  return lastChange;
}

/**
 * The change for `deletes` and `inserts`, pairing a delete and an insert with
 * the same primary key into an update, and dropping pairs whose rows are equal
 * (a rewrite that changed nothing). Without a primary key only equal pairs drop.
 */
export function buildChange(store: TableStore, deletes: readonly Row[], inserts: readonly Row[]): SubscriptionChange | undefined {
  const table = store.name;
  if (deletes.length === 0 || inserts.length === 0) {
    return deletes.length === 0 && inserts.length === 0 ? undefined : { table, inserts, deletes, updates: NONE };
  }
  const keyed = store.schema.primaryKey !== undefined;
  const same = keyed ? (a: Row, b: Row) => store.compareKeys(store.rowKey(a), store.rowKey(b)) === 0 : (a: Row, b: Row) => store.compareRows(a, b) === 0;
  const updates: { old: Row; new: Row }[] = [];
  const keptDeletes: Row[] = [];
  const paired = new Uint8Array(inserts.length);
  if (deletes.length * inserts.length <= 256) {
    for (const old of deletes) {
      const j = inserts.findIndex((row, k) => paired[k] === 0 && same(old, row));
      if (j < 0) keptDeletes.push(old);
      else {
        paired[j] = 1;
        if (keyed && store.compareRows(old, inserts[j]!) !== 0) updates.push({ old, new: inserts[j]! });
      }
    }
  } else {
    const order = keyed ? (a: Row, b: Row) => store.compareKeys(store.rowKey(a), store.rowKey(b)) : store.compareRows;
    const ins = inserts.map((row, k) => ({ row, k })).sort((x, y) => order(x.row, y.row));
    const dels = [...deletes].sort(order);
    let j = 0;
    for (const old of dels) {
      while (j < ins.length && order(ins[j]!.row, old) < 0) j++;
      const hit = ins[j];
      if (hit === undefined || order(hit.row, old) !== 0) keptDeletes.push(old);
      else {
        paired[hit.k] = 1;
        j++;
        if (keyed && store.compareRows(old, hit.row) !== 0) updates.push({ old, new: hit.row });
      }
    }
  }
  const keptInserts = inserts.filter((_, k) => paired[k] === 0);
  if (keptDeletes.length === 0 && keptInserts.length === 0 && updates.length === 0) return undefined;
  return { table, inserts: keptInserts, deletes: keptDeletes, updates: updates.length === 0 ? NONE : updates };
}
