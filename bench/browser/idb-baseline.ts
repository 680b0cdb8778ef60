/**
 * The baselines written with the plain IndexedDB API (no wrapper): one put per
 * transaction, batched puts, and rows packed 1000 to a stored value. Every
 * function uses the browser's default durability, as Lockstep does.
 */
import { itemRows, type ItemRow } from './rows';

/** Rows per stored value in the packed layout, and puts per transaction in the batched one. */
export const PER_VALUE = 1000;

/** Opens (creating) database `name` with one object store `item`, keyed by `id` (rows) or by a chunk number (packed). */
export function openBaseline(name: string, layout: 'rows' | 'packed'): Promise<IDBDatabase> {
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => void open.result.createObjectStore('item', layout === 'rows' ? { keyPath: 'id' } : undefined);
  return request(open);
}

/** Writes one row in its own transaction and resolves once it has committed. */
export function putOne(db: IDBDatabase, row: ItemRow): Promise<void> {
  const tx = db.transaction('item', 'readwrite');
  tx.objectStore('item').put(row);
  return committed(tx);
}

/** Writes rows as puts, {@link PER_VALUE} per transaction, all transactions issued at once; resolves when all have committed. */
export function putBatched(db: IDBDatabase, rows: readonly ItemRow[]): Promise<void> {
  const done: Promise<void>[] = [];
  for (let i = 0; i < rows.length; i += PER_VALUE) {
    const tx = db.transaction('item', 'readwrite');
    const store = tx.objectStore('item');
    for (const row of rows.slice(i, i + PER_VALUE)) store.put(row);
    done.push(committed(tx));
  }
  return Promise.all(done).then(() => undefined);
}

/** Writes rows packed {@link PER_VALUE} to a value (an array of rows), in one transaction. */
export function writePacked(db: IDBDatabase, rows: readonly ItemRow[]): Promise<void> {
  const tx = db.transaction('item', 'readwrite');
  const store = tx.objectStore('item');
  for (let i = 0; i < rows.length; i += PER_VALUE) store.put(rows.slice(i, i + PER_VALUE), i / PER_VALUE);
  return committed(tx);
}

/** Opens packed database `name` and reads every row back; resolves with the number of rows. */
export async function readPacked(name: string): Promise<number> {
  const db = await openBaseline(name, 'packed');
  const chunks = await request(db.transaction('item').objectStore('item').getAll() as IDBRequest<ItemRow[][]>);
  db.close();
  let rows = 0;
  for (const chunk of chunks) rows += chunk.length;
  return rows;
}

/** Writes rows 0 .. size-1 packed into IndexedDB database `name`; resolves with the milliseconds the write took. */
export async function timePackedWrite(name: string, size: number): Promise<number> {
  const rows = itemRows(0, size);
  const db = await openBaseline(name, 'packed');
  const start = performance.now();
  await writePacked(db, rows);
  const ms = performance.now() - start;
  db.close();
  return ms;
}

/** Opens packed database `name` and reads every row; resolves with the milliseconds from opening and the rows read. */
export async function timePackedRead(name: string): Promise<{ readonly ms: number; readonly rows: number }> {
  const start = performance.now();
  const rows = await readPacked(name);
  return { ms: performance.now() - start, rows };
}

/** Resolves with a request's result, rejects with its error. */
export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Resolves when a transaction has committed, rejects when it fails or aborts. */
export function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}
