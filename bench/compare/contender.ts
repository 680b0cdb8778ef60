/**
 * What every database in the comparison offers the workloads: the same records
 * (bench/browser/rows.ts), the same operations, each awaited as its API allows.
 * One implementation per system: Lockstep, Dexie, TinyBase, PGlite and raw IndexedDB.
 */
import type { ItemRow } from '../browser/rows';

/** One database under test, opened on one named store. */
export interface Contender {
  /** A durable single write, resolved once the system says it is stored. */
  write(row: ItemRow): Promise<void>;
  /** Stores all `rows` in as few operations as the system offers (one bulk call), resolved once stored. */
  bulk(rows: readonly ItemRow[]): Promise<void>;
  /** The row with primary key `id`, from wherever the system answers reads. */
  get(id: number): ItemRow | undefined | Promise<ItemRow | undefined>;
  /** The rows of one owner, through an index on `owner`. */
  byOwner(owner: number): readonly ItemRow[] | Promise<readonly ItemRow[]>;
  /**
   * Opens one live query per owner in `owners` (rows of that owner); `changed(owner)`
   * is called from a live query's callback when its answer changed after a write.
   * Resolves once all are live. Absent for raw IndexedDB, which has none.
   */
  live?(owners: readonly number[], changed: (owner: number) => void): Promise<void>;
  /** The first answer after opening: the number of rows. */
  count(): Promise<number>;
  close(): Promise<void>;
}

/** Opens (creating) the store `name`. */
export type OpenContender = (name: string) => Promise<Contender>;
