import { Writer } from '../codec/buffer';
import { hashBytes, hashInto, type Hash } from '../codec/hash';
import type { Store } from './store';

const CHUNK = 1 << 16;

/**
 * A hash of the whole state: every table (by name) with its rows in table order
 * and its sequence positions. Equal contents give equal hashes, whatever history
 * led there. Rows are hashed in 64 KiB chunks, so memory stays flat for large states.
 */
export function stateHash(store: Store): Hash {
  const digests = new Writer(256);
  const rows = new Writer(CHUNK * 2);
  const out = new Uint32Array(2);
  const flush = (): void => {
    hashInto(rows.view(), 0, rows.length, out);
    digests.u32(out[0]!);
    digests.u32(out[1]!);
    rows.reset();
  };
  for (const table of [...store.tables.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    rows.string(table.name);
    rows.u32(table.count());
    for (const [column, next] of table.nextSeq) rows.string(`${column}=${next}`);
    for (const row of table.scan()) {
      table.codec.encode(rows, row);
      if (rows.length >= CHUNK) flush();
    }
  }
  flush();
  return hashBytes(digests.view());
}
