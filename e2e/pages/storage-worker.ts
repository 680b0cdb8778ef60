/** Worker side of storage.html: runs contract cases and latency probes against IndexedDB. */
import { storageContract } from '../../lib/log/storage-contract';
import type { Storage } from '../../lib/log/storage';
import { deleteIdbStorage, openIdbStorage } from '../../worker/idb-storage';

/** A request from the page. */
export type StorageRequest =
  | { readonly kind: 'case'; readonly name: string }
  | { readonly kind: 'latency'; readonly durability: IDBTransactionDurability; readonly commits: number };
/** The outcome of one contract case. */
export type StorageCaseResult = { readonly ok: true } | { readonly ok: false; readonly message: string };
/** Lone-commit latency in milliseconds. */
export interface StorageLatency {
  readonly ok: true;
  readonly median: number;
  readonly p90: number;
}

addEventListener('message', (event: MessageEvent<StorageRequest>) => {
  const request = event.data;
  const reply = request.kind === 'case' ? runCase(request.name) : measure(request.durability, request.commits);
  void reply.then(
    (result) => postMessage(result),
    (error: unknown) => postMessage({ ok: false, message: `storage worker failed: ${String(error)}` }),
  );
});

async function runCase(name: string): Promise<StorageCaseResult> {
  const contractCase = storageContract.find((c) => c.name === name);
  if (contractCase === undefined) return { ok: false, message: `no storage contract case is called "${name}"` };
  // A fresh prefix gives every run empty databases; reopening a name within the run reaches the same one.
  const prefix = `contract-${crypto.randomUUID()}-`;
  const opened: Storage[] = [];
  const names = new Set<string>();
  try {
    await contractCase.run(async (storageName) => {
      names.add(prefix + storageName);
      const storage = await openIdbStorage(prefix + storageName);
      opened.push(storage);
      return storage;
    });
    return { ok: true };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  } finally {
    for (const storage of opened) storage.close();
    await Promise.all([...names].map(deleteIdbStorage));
  }
}

async function measure(durability: IDBTransactionDurability, commits: number): Promise<StorageLatency> {
  const name = `latency-${crypto.randomUUID()}`;
  const storage = await openIdbStorage(name, { durability });
  const bytes = new Uint8Array(200).fill(1);
  const times: number[] = [];
  for (let seq = 1; seq <= commits; seq++) {
    const start = performance.now();
    await storage.commit({ segments: [{ firstSeq: seq, lastSeq: seq, bytes }] });
    times.push(performance.now() - start);
  }
  storage.close();
  await deleteIdbStorage(name);
  times.sort((a, b) => a - b);
  return { ok: true, median: times[Math.floor(commits / 2)]!, p90: times[Math.floor(commits * 0.9)]! };
}
