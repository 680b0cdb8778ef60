/**
 * The listener sets of the peer modules (rooms, rejoinable rooms, the worker's
 * port transport): no WebRTC in here, so workers load it too.
 */

/** A listener set whose delivery survives a listener unsubscribing or throwing mid-loop. */
export class Listeners<A extends unknown[]> {
  private readonly fns = new Set<(...args: A) => void>();

  add(fn: (...args: A) => void): () => void {
    this.fns.add(fn);
    return () => void this.fns.delete(fn);
  }

  emit(...args: A): void {
    for (const fn of [...this.fns]) {
      try {
        fn(...args);
      } catch (error) {
        // One listener's bug must not keep the event from the others; surface it on its own stack.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  clear(): void {
    this.fns.clear();
  }
}
