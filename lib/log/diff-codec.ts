import { Reader, Writer } from '../codec/buffer';
import { hashInto, hashToHex, type Hash } from '../codec/hash';
import { DecodeError } from '../errors';
import type { Row } from '../store/index-store';
import type { Store } from '../store/store';
import type { TableStore } from '../store/table-store';
import type { TableChange, TxDiff } from '../store/transaction';

const scratch = new Writer(4096);
const out = new Uint32Array(2);

/**
 * Encodes a transaction's row diff: each changed table's name, then its deleted
 * and inserted rows, in the order the diff lists them. The same transaction
 * computed on two engines encodes to the same bytes.
 */
export function encodeDiff(store: Store, diff: TxDiff): Uint8Array {
  scratch.reset();
  for (const change of diff.changes) {
    const codec = store.table(change.table).codec;
    scratch.string(change.table);
    scratch.u32(change.deletes.length);
    for (const row of change.deletes) codec.encode(scratch, row);
    scratch.u32(change.inserts.length);
    for (const row of change.inserts) codec.encode(scratch, row);
  }
  return scratch.finish();
}

/** The hash of encoded diff bytes: the `txHash` replicas compare. */
export function hashDiff(bytes: Uint8Array): Hash {
  hashInto(bytes, 0, bytes.length, out);
  return hashToHex(out[0]!, out[1]!);
}

/** Decodes diff bytes with the store's row codecs. */
export function decodeDiff(store: Store, bytes: Uint8Array): TxDiff {
  const r = new Reader(bytes);
  const changes: TableChange[] = [];
  while (!r.done()) {
    const table = store.table(r.string());
    const deletes: Row[] = [];
    for (let n = r.u32(); n > 0; n--) deletes.push(Object.freeze(table.codec.decode(r)));
    const inserts: Row[] = [];
    for (let n = r.u32(); n > 0; n--) inserts.push(Object.freeze(table.codec.decode(r)));
    changes.push({ table: table.name, inserts, deletes });
  }
  return { changes };
}

/**
 * Applies a committed diff directly to the store, outside any transaction
 * (recovery and catch-up). Sequences move past inserted values exactly as the
 * engine moved them. Returns the diff as applied, with the stored row objects.
 */
export function applyDiff(store: Store, diff: TxDiff): TxDiff {
  return {
    changes: diff.changes.map((change) => {
      const table = store.table(change.table);
      const deletes = change.deletes.map((row) => {
        const stored = table.get(table.rowKey(row));
        if (stored === undefined || table.compareRows(stored, row) !== 0) {
          throw new DecodeError(`Cannot apply the log: ${table.name} has no row ${JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))} to delete`);
        }
        table.remove(stored);
        return stored;
      });
      for (const row of change.inserts) {
        table.restore(row);
        advanceSequences(table, row);
      }
      return { table: change.table, inserts: change.inserts, deletes };
    }),
  };
}

function advanceSequences(table: TableStore, row: Row): void {
  for (const [column, next] of table.nextSeq) {
    const value = row[column] as number | bigint;
    if (value >= next) table.nextSeq.set(column, typeof value === 'bigint' ? value + 1n : (value as number) + 1);
  }
}
