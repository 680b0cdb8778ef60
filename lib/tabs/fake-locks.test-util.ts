import type { HeldLock, LockRequestOptions, TabLocks } from './locks';

interface Request {
  readonly owner: string;
  readonly callback: (lock: HeldLock | null) => Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  /** Set when stolen: settling the callback then releases nothing. */
  stolen: boolean;
}

/**
 * Web Locks in memory, for Node tests: one exclusive lock per name, granted in
 * FIFO order, held until the holder's callback promise settles. `crash(owner)`
 * models a tab that dies (its held lock is released, its queued requests
 * vanish); a frozen tab simply never settles, so it keeps the lock — unless a
 * `steal` takes it, whose notice (the AbortError) a frozen owner gets only when thawed.
 */
export class FakeLocks {
  private readonly holders = new Map<string, Request>();
  private readonly queues = new Map<string, Request[]>();
  private readonly frozen = new Map<string, (() => void)[]>();

  /** The lock manager one tab sees. */
  forOwner(owner: string): TabLocks {
    return { request: (name, options, callback) => this.request(owner, name, options, callback) };
  }

  /** Who holds `name`, if anyone. */
  holder(name: string): string | undefined {
    return this.holders.get(name)?.owner;
  }

  /** Owners waiting for `name`, in grant order. */
  waiting(name: string): string[] {
    return (this.queues.get(name) ?? []).map((r) => r.owner);
  }

  /** The owner's context died: its locks are released and its queued requests dropped. */
  crash(owner: string): void {
    for (const [name, queue] of this.queues) this.queues.set(name, queue.filter((r) => r.owner !== owner));
    for (const [name, held] of [...this.holders]) {
      if (held.owner !== owner) continue;
      held.stolen = true; // its callback will never settle
      this.holders.delete(name);
      this.grantNext(name);
    }
  }

  /** Holds back notices (a stolen lock) to `owner` until {@link thaw}. */
  freeze(owner: string): void {
    if (!this.frozen.has(owner)) this.frozen.set(owner, []);
  }

  /** Delivers the notices held back while `owner` was frozen. */
  thaw(owner: string): void {
    const held = this.frozen.get(owner) ?? [];
    this.frozen.delete(owner);
    for (const notify of held) notify();
  }

  private request(owner: string, name: string, options: LockRequestOptions, callback: (lock: HeldLock | null) => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const request: Request = { owner, callback, resolve, reject, stolen: false };
      if (options.steal === true) {
        const previous = this.holders.get(name);
        if (previous !== undefined) {
          previous.stolen = true;
          this.notify(previous.owner, () => previous.reject(Object.assign(new Error(`The lock "${name}" was stolen`), { name: 'AbortError' })));
        }
        this.grant(name, request);
        return;
      }
      const queue = this.queues.get(name) ?? [];
      queue.push(request);
      this.queues.set(name, queue);
      if (!this.holders.has(name)) this.grantNext(name);
    });
  }

  private grantNext(name: string): void {
    const next = this.queues.get(name)?.shift();
    if (next !== undefined) this.grant(name, next);
  }

  private grant(name: string, request: Request): void {
    this.holders.set(name, request);
    Promise.resolve()
      .then(() => request.callback({ name }))
      .then(
        () => this.settle(name, request, () => request.resolve()),
        (error: unknown) => this.settle(name, request, () => request.reject(error)),
      );
  }

  private settle(name: string, request: Request, finish: () => void): void {
    if (request.stolen) return;
    if (this.holders.get(name) === request) {
      this.holders.delete(name);
      this.grantNext(name);
    }
    finish();
  }

  private notify(owner: string, notice: () => void): void {
    const held = this.frozen.get(owner);
    if (held !== undefined) held.push(notice);
    else notice();
  }
}
