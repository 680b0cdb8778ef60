import type { Link } from './link';

/** Fault rates of a {@link FakeNetwork}, each a probability per delivery. */
export interface NetworkFaults {
  /** A message is lost. */
  readonly drop?: number;
  /** A message is delivered twice. */
  readonly duplicate?: number;
  /** A message other than the oldest in flight is delivered next (delay and reordering). */
  readonly reorder?: number;
}

type Listener = (message: unknown, from: string) => void;

interface InFlight {
  readonly from: string;
  readonly to: string;
  readonly message: unknown;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An in-memory broadcast bus for simulations: every message a member sends is
 * queued for every other member (structured-cloned, like BroadcastChannel) and
 * delivered only when the test steps the network. With faults it drops,
 * duplicates, delays and reorders, deterministically for its seed; members can
 * be partitioned from each other, or paused (a frozen tab receives nothing until resumed).
 */
export class FakeNetwork {
  private readonly members = new Map<string, Set<Listener>>();
  private readonly inFlight: InFlight[] = [];
  private readonly cut = new Set<string>();
  private readonly paused = new Set<string>();
  private readonly random: () => number;
  faults: NetworkFaults;
  /** Messages delivered so far. */
  delivered = 0;

  constructor(seed: number, faults: NetworkFaults = {}) {
    this.random = seededRandom(seed);
    this.faults = faults;
  }

  /**
   * Joins the bus as `id`: a broadcast {@link Link} (a message without `to` goes to
   * every other member). Closing the link leaves the bus (messages to it are discarded).
   */
  join<M>(id: string): Link<M> {
    const listeners = new Set<Listener>();
    this.members.set(id, listeners);
    return {
      send: (message, to) => {
        if (this.members.get(id) !== listeners) return;
        for (const member of this.members.keys()) {
          if (member !== id && (to === undefined || to === member)) this.inFlight.push({ from: id, to: member, message: structuredClone(message) });
        }
      },
      onMessage: (fn) => {
        const listener = fn as Listener;
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      peers: () => [],
      onPeer: () => () => {},
      close: () => this.leave(id, listeners),
    };
  }

  /** Removes a member at once (a crashed tab): what it sent is still in flight, what was sent to it is gone. */
  remove(id: string): void {
    const listeners = this.members.get(id);
    if (listeners !== undefined) this.leave(id, listeners);
  }

  /** Stops delivery between `a` and `b`, both ways. */
  partition(a: string, b: string): void {
    this.cut.add(pairKey(a, b));
  }

  /** Heals every partition. */
  heal(): void {
    this.cut.clear();
  }

  /** Holds messages to `id` until {@link resume}. */
  pause(id: string): void {
    this.paused.add(id);
  }

  resume(id: string): void {
    this.paused.delete(id);
  }

  /** Messages waiting to be delivered (including held ones). */
  get pending(): number {
    return this.inFlight.length;
  }

  /** Delivers (or drops) one message; false when none can move. Applies the faults. */
  step(): boolean {
    const ready = this.readyIndexes();
    if (ready.length === 0) return false;
    const { drop = 0, duplicate = 0, reorder = 0 } = this.faults;
    const at = this.random() < reorder ? ready[Math.floor(this.random() * ready.length)]! : ready[0]!;
    const flight = this.inFlight[at]!;
    if (this.random() < drop) {
      this.inFlight.splice(at, 1);
      return true;
    }
    if (this.random() >= duplicate) this.inFlight.splice(at, 1);
    this.deliver(flight);
    return true;
  }

  /** Delivers every message that can move, oldest first, with no faults; true if any moved. */
  flush(limit = 100_000): boolean {
    let moved = false;
    for (let n = 0; n < limit; n++) {
      const at = this.readyIndexes()[0];
      if (at === undefined) return moved;
      const [flight] = this.inFlight.splice(at, 1);
      this.deliver(flight!);
      moved = true;
    }
    throw new Error(`The network did not quiesce after ${limit} messages`);
  }

  /** Flushes, letting timers and promises run between rounds, until nothing moves twice in a row. */
  async settle(): Promise<void> {
    const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
    for (let round = 0; round < 1000; round++) {
      await tick();
      if (this.flush()) continue;
      await tick();
      if (!this.flush()) return;
    }
    throw new Error('The tabs did not settle');
  }

  private readyIndexes(): number[] {
    const ready: number[] = [];
    for (let i = this.inFlight.length - 1; i >= 0; i--) {
      if (!this.members.has(this.inFlight[i]!.to)) this.inFlight.splice(i, 1);
    }
    this.inFlight.forEach(({ from, to }, i) => {
      if (!this.paused.has(to) && !this.cut.has(pairKey(from, to))) ready.push(i);
    });
    return ready;
  }

  private deliver(flight: InFlight): void {
    this.delivered++;
    for (const fn of [...(this.members.get(flight.to) ?? [])]) fn(structuredClone(flight.message), flight.from);
  }

  private leave(id: string, listeners: Set<Listener>): void {
    if (this.members.get(id) === listeners) this.members.delete(id);
    listeners.clear();
  }
}

const pairKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
