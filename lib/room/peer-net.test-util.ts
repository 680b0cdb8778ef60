import { FakeNetwork, type NetworkFaults } from '../replication/fake-network.test-util';
import type { RawLink } from './signed-link';

/** Peers on a fake network: each link sees only messages addressed to it; connections are announced by the test. */
export class PeerNet {
  readonly network: FakeNetwork;
  private readonly listeners = new Map<string, Set<(e: { type: 'connected' | 'disconnected'; peer: string }) => void>>();
  private readonly connected = new Map<string, Set<string>>();

  constructor(seed: number, faults: NetworkFaults = {}) {
    this.network = new FakeNetwork(seed, faults);
  }

  link(id: string): RawLink {
    const transport = this.network.join<{ from: string; to: string; data: string | Uint8Array }>(id);
    const peers = new Set<string>();
    const listeners = new Set<(e: { type: 'connected' | 'disconnected'; peer: string }) => void>();
    this.connected.set(id, peers);
    this.listeners.set(id, listeners);
    return {
      send: (data, to) => {
        for (const peer of to === undefined ? peers : [to]) if (peers.has(peer)) transport.send({ from: id, to: peer, data }, peer);
      },
      onMessage: (fn) => transport.onMessage((m) => void (m.to === id && peers.has(m.from) && fn(m.data, m.from))),
      onPeer: (fn) => (listeners.add(fn), () => void listeners.delete(fn)),
      peers: () => [...peers],
      close: () => {},
    };
  }

  connect(a: string, b: string): void {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      this.connected.get(x)!.add(y);
      for (const fn of [...this.listeners.get(x)!]) fn({ type: 'connected', peer: y });
    }
  }

  /** The peers `id` is connected to. */
  connectedTo(id: string): string[] {
    return [...(this.connected.get(id) ?? [])];
  }

  /** A peer leaves the room for good (its page closed or crashed): disconnected from all, gone from the network. */
  remove(id: string): void {
    for (const other of this.connectedTo(id)) this.disconnect(id, other);
    this.network.remove(id);
  }

  disconnect(a: string, b: string): void {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      this.connected.get(x)!.delete(y);
      for (const fn of [...this.listeners.get(x)!]) fn({ type: 'disconnected', peer: y });
    }
  }
}

