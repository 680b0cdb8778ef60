/**
 * Sends one request to a fresh dedicated worker and resolves with its first
 * reply; a worker that fails to load or throws resolves as a failure instead of
 * hanging the test.
 */
export function callWorker<T>(worker: Worker, request: unknown): Promise<T | { ok: false; message: string }> {
  return new Promise((resolve) => {
    const finish = (result: T | { ok: false; message: string }): void => {
      worker.terminate();
      resolve(result);
    };
    worker.addEventListener('message', (event: MessageEvent<T>) => finish(event.data));
    worker.addEventListener('error', (event) => finish({ ok: false, message: `worker error: ${event.message || 'failed to load'}` }));
    worker.addEventListener('messageerror', () => finish({ ok: false, message: 'worker reply could not be deserialized' }));
    worker.postMessage(request);
  });
}
