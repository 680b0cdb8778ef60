import type { Row } from './index-store';
import type { TableStore } from './table-store';

/** Kinds of recorded operations. */
const INSERT = 0;
const DELETE = 1;
const SEQUENCE = 2;

type Op =
  | { readonly kind: typeof INSERT; readonly table: TableStore; readonly row: Row }
  | { readonly kind: typeof DELETE; readonly table: TableStore; readonly row: Row }
  | { readonly kind: typeof SEQUENCE; readonly table: TableStore; readonly column: string; readonly previous: number | bigint };

/** The rows a committed transaction added to and removed from one table. */
export interface TableChange {
  readonly table: string;
  readonly inserts: readonly Row[];
  readonly deletes: readonly Row[];
}

/**
 * The net row changes of a transaction, per table, in the order tables were
 * first touched. A row inserted and deleted in the same transaction does not
 * appear. An update is a delete of the old row plus an insert of the new one.
 */
export interface TxDiff {
  readonly changes: readonly TableChange[];
}

/** An empty diff. */
export const EMPTY_DIFF: TxDiff = { changes: [] };

/**
 * The undo record of one transaction: every insert, delete and sequence step
 * in order. `rollback` reverses them; after commit the record stays available
 * (`undo`) so a speculative transaction can be rolled back later.
 */
export class Transaction {
  private readonly ops: Op[] = [];

  recordInsert(table: TableStore, row: Row): void {
    this.ops.push({ kind: INSERT, table, row });
  }

  recordDelete(table: TableStore, row: Row): void {
    this.ops.push({ kind: DELETE, table, row });
  }

  recordSequence(table: TableStore, column: string, previous: number | bigint): void {
    this.ops.push({ kind: SEQUENCE, table, column, previous });
  }

  /** True when nothing was written. */
  get empty(): boolean {
    return this.ops.length === 0;
  }

  /** A position in the record, for {@link undoTo}. */
  mark(): number {
    return this.ops.length;
  }

  /** Undoes every recorded operation, newest first. */
  undo(): void {
    this.undoTo(0);
  }

  /** Undoes the operations recorded after `mark`, newest first (one failed write inside a reducer that goes on). */
  undoTo(mark: number): void {
    for (let i = this.ops.length - 1; i >= mark; i--) {
      const op = this.ops[i]!;
      if (op.kind === INSERT) op.table.remove(op.row);
      else if (op.kind === DELETE) op.table.restore(op.row);
      else op.table.nextSeq.set(op.column, op.previous);
    }
    this.ops.length = mark;
  }

  /** The net row changes, grouped by table in first-touch order. */
  diff(): TxDiff {
    if (this.ops.length === 0) return EMPTY_DIFF;
    // Fast path: one row changed (the common single-insert reducer).
    if (this.ops.length <= 2) {
      const rowOps = this.ops.filter((op) => op.kind !== SEQUENCE);
      if (rowOps.length === 1) {
        const op = rowOps[0] as { kind: number; table: TableStore; row: Row };
        return { changes: [{ table: op.table.name, inserts: op.kind === INSERT ? [op.row] : [], deletes: op.kind === DELETE ? [op.row] : [] }] };
      }
    }
    const inserted = new Set<Row>();
    const cancelled = new Set<Row>();
    for (const op of this.ops) {
      if (op.kind === INSERT) inserted.add(op.row);
      else if (op.kind === DELETE && inserted.has(op.row)) cancelled.add(op.row);
    }
    const byTable = new Map<string, { table: string; inserts: Row[]; deletes: Row[] }>();
    for (const op of this.ops) {
      if (op.kind === SEQUENCE || cancelled.has(op.row)) continue;
      let change = byTable.get(op.table.name);
      if (change === undefined) byTable.set(op.table.name, (change = { table: op.table.name, inserts: [], deletes: [] }));
      (op.kind === INSERT ? change.inserts : change.deletes).push(op.row);
    }
    return { changes: [...byTable.values()] };
  }
}
