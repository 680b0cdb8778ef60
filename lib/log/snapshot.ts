import { Reader, Writer } from '../codec/buffer';
import { DecodeError, type LockstepErrorName } from '../errors';
import type { Hash } from '../codec/hash';
import type { Row } from '../store/index-store';
import type { Store } from '../store/store';
import type { TableStore } from '../store/table-store';
import { hashToHex } from '../codec/hash';

/** The last call of each client, kept so a resubmitted call is answered, not applied again. */
export interface LedgerEntry {
  readonly callId: number;
  readonly seq: number;
  readonly outcome: { readonly ok: true } | { readonly ok: false; readonly name: LockstepErrorName; readonly message: string };
}

/** What a snapshot records besides the tables. */
export interface SnapshotHeader {
  readonly seq: number;
  readonly epoch: number;
  readonly chain: Hash;
  readonly ledger: ReadonlyMap<string, LedgerEntry>;
}

const TABLE = 1;
const ROWS = 2;
const CHUNK_BYTES = 1 << 20;

/**
 * Encodes the whole state as chunks of about 1 MiB, each a run of records
 * (`TABLE name sequences` then `ROWS n row…`), so no stored value grows without
 * bound and a chunk can be decoded on its own.
 */
export function encodeSnapshot(store: Store, header: SnapshotHeader): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const w = new Writer(CHUNK_BYTES + 4096);
  w.u8(1);
  w.f64(header.seq);
  w.u32(header.epoch);
  w.string(header.chain);
  w.u32(header.ledger.size);
  for (const [client, e] of header.ledger) {
    w.string(client);
    w.u32(e.callId);
    w.f64(e.seq);
    w.bool(e.outcome.ok);
    if (!e.outcome.ok) {
      w.string(e.outcome.name);
      w.string(e.outcome.message);
    }
  }
  for (const table of store.tables.values()) {
    const startTable = (): void => {
      w.u8(TABLE);
      w.string(table.name);
      w.u32(table.nextSeq.size);
      for (const [column, next] of table.nextSeq) {
        w.string(column);
        w.string(next.toString());
      }
    };
    startTable();
    let countAt = -1;
    let count = 0;
    const closeRows = (): void => {
      if (countAt >= 0) {
        const view = w.view();
        new DataView(view.buffer, view.byteOffset).setUint32(countAt, count, true);
      }
      countAt = -1;
      count = 0;
    };
    for (const row of table.scan()) {
      if (countAt < 0) {
        w.u8(ROWS);
        countAt = w.length;
        w.u32(0);
      }
      table.codec.encode(w, row);
      count++;
      if (w.length >= CHUNK_BYTES) {
        closeRows();
        chunks.push(w.finish());
        w.reset();
        startTable();
      }
    }
    closeRows();
  }
  chunks.push(w.finish());
  return chunks;
}

/**
 * Loads a snapshot into an empty store (each table's rows, in primary order, build
 * its indexes in bulk; no transaction) and returns its header. Throws {@link DecodeError} naming the chunk.
 */
export function loadSnapshot(store: Store, chunks: readonly Uint8Array[]): SnapshotHeader {
  let header: SnapshotHeader | undefined;
  // Rows per table across all chunks, in primary order; each table is built in bulk at the end.
  const rows = new Map<TableStore, Row[]>();
  chunks.forEach((chunk, i) => {
    const r = new Reader(chunk);
    try {
      if (i === 0) header = readHeader(r);
      let table: TableStore | undefined;
      let into: Row[] = [];
      while (!r.done()) {
        const kind = r.u8();
        if (kind === TABLE) {
          table = store.table(r.string());
          into = rows.get(table) ?? [];
          rows.set(table, into);
          for (let n = r.u32(); n > 0; n--) {
            const column = r.string();
            const text = r.string();
            const current = table.nextSeq.get(column);
            table.nextSeq.set(column, typeof current === 'bigint' ? BigInt(text) : Number(text));
          }
        } else if (kind === ROWS && table !== undefined) {
          const codec = table.codec;
          for (let n = r.u32(); n > 0; n--) into.push(Object.freeze(codec.decode(r)));
        } else throw new DecodeError(`unknown record ${kind}`);
      }
    } catch (error) {
      throw new DecodeError(`Snapshot chunk ${i} is corrupt: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  });
  if (header === undefined) throw new DecodeError('Snapshot has no chunks');
  for (const [table, list] of rows) {
    try {
      table.restoreSorted(list);
    } catch (error) {
      throw new DecodeError(`Snapshot rows of table "${table.name}" are corrupt: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return header;
}

function readHeader(r: Reader): SnapshotHeader {
  const version = r.u8();
  if (version !== 1) throw new DecodeError(`unknown snapshot format ${version}`);
  const seq = r.f64();
  const epoch = r.u32();
  const chain = r.string() as Hash;
  if (!/^[0-9a-f]{16}$/.test(chain)) throw new DecodeError(`bad chain hash "${chain}"`);
  const ledger = new Map<string, LedgerEntry>();
  for (let n = r.u32(); n > 0; n--) {
    const client = r.string();
    const callId = r.u32();
    const seq2 = r.f64();
    const outcome = r.bool() ? { ok: true as const } : { ok: false as const, name: r.string() as LockstepErrorName, message: r.string() };
    ledger.set(client, { callId, seq: seq2, outcome });
  }
  return { seq, epoch, chain: hashToHex(parseInt(chain.slice(8), 16), parseInt(chain.slice(0, 8), 16)), ledger };
}
