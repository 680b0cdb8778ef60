import { describe, expect, it } from 'vitest';
import { FakeLocks } from './fake-locks.test-util';
import { drainMicrotasks } from './tab-sim.test-util';

/** Requests the lock for `owner`; the returned `release` ends its hold. */
function hold(locks: FakeLocks, owner: string) {
  let release!: () => void;
  const granted: string[] = [];
  const done = locks.forOwner(owner).request('db', {}, async () => {
    granted.push(owner);
    await new Promise<void>((resolve) => (release = resolve));
  });
  done.catch(() => {});
  return { granted, done, release: () => release() };
}

describe('fake Web Locks', () => {
  it('grants one holder at a time, in the order requested', async () => {
    const locks = new FakeLocks();
    const a = hold(locks, 'a');
    const b = hold(locks, 'b');
    const c = hold(locks, 'c');
    await drainMicrotasks();
    expect([locks.holder('db'), locks.waiting('db')]).toEqual(['a', ['b', 'c']]);
    a.release();
    await drainMicrotasks();
    expect([locks.holder('db'), locks.waiting('db')]).toEqual(['b', ['c']]);
  });

  it('releases the lock of a crashed holder, while a frozen one keeps it', async () => {
    const locks = new FakeLocks();
    hold(locks, 'a');
    hold(locks, 'b');
    await drainMicrotasks();
    locks.freeze('a');
    await drainMicrotasks();
    expect(locks.holder('db')).toBe('a');
    locks.crash('a');
    await drainMicrotasks();
    expect(locks.holder('db')).toBe('b');
  });

  it('hands the lock to a stealer at once and tells a frozen holder only when it thaws', async () => {
    const locks = new FakeLocks();
    const a = hold(locks, 'a');
    await drainMicrotasks();
    locks.freeze('a');
    let aborted = false;
    a.done.catch(() => (aborted = true));
    void locks.forOwner('b').request('db', { steal: true }, () => new Promise(() => {}));
    await drainMicrotasks();
    expect([locks.holder('db'), aborted]).toEqual(['b', false]);
    locks.thaw('a');
    await drainMicrotasks();
    expect(aborted).toBe(true);
    a.release(); // settling a stolen hold releases nothing
    await drainMicrotasks();
    expect(locks.holder('db')).toBe('b');
  });
});
