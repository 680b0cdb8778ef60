/**
 * Test page for worker/idb-storage.ts: each call runs in a new module worker,
 * where the engine's storage will live.
 */
import { callWorker } from './call-worker';
import type { StorageCaseResult, StorageLatency, StorageRequest } from './storage-worker';

declare global {
  interface Window {
    /** Runs the storage-contract case `name` against IndexedDB in a worker. */
    runStorageCase(name: string): Promise<StorageCaseResult>;
    /** Times `commits` lone one-segment commits with the given durability. */
    measureCommitLatency(durability: IDBTransactionDurability, commits: number): Promise<StorageLatency | StorageCaseResult>;
  }
}

const call = <T>(request: StorageRequest) =>
  callWorker<T>(new Worker(new URL('./storage-worker.ts', import.meta.url), { type: 'module' }), request);

window.runStorageCase = (name) => call<StorageCaseResult>({ kind: 'case', name });
window.measureCommitLatency = (durability, commits) => call<StorageLatency>({ kind: 'latency', durability, commits });
