/**
 * The benchmark row (4 columns, ~40 bytes encoded), made from its id, so the
 * Lockstep module, the raw IndexedDB baseline and Dexie all store the same records.
 */

/** Distinct owners: 100k rows give ~1k rows per owner, the indexed query's answer. */
export const OWNERS = 100;

/** One benchmark record. */
export interface ItemRow {
  readonly id: number;
  readonly owner: number;
  readonly label: string;
  readonly amount: number;
}

/** The record with id `id`. */
export function itemRow(id: number): ItemRow {
  return { id, owner: id % OWNERS, label: `item-${id.toString(36).padStart(8, '0')}`, amount: (id % 10_000) / 100 };
}

/** The records with ids `from` .. `from + count - 1`. */
export function itemRows(from: number, count: number): ItemRow[] {
  return Array.from({ length: count }, (_, i) => itemRow(from + i));
}
