/**
 * A link carries messages between the nodes of one level of replication: the
 * tabs of a browser (a BroadcastChannel), the browsers of a room (signed data
 * channels, see room/signed-link), a worker and its page (a MessagePort), or a
 * simulation's fake network. It knows nothing about what it carries; the parts
 * above it (orderer, log server, follower) speak the messages of ./messages.
 */

/** A peer of a link came or went. */
export interface LinkPeerEvent {
  readonly type: 'connected' | 'disconnected';
  readonly peer: string;
}

/**
 * Sends and receives messages of type `M`. Delivery is best effort: the parts
 * above must tolerate loss, duplicates and reordering (the simulation's fake
 * network does all three), so a link does not need to hide them.
 * @example
 * const off = link.onMessage((message, from) => console.log(from, message.type));
 * link.send({ type: 'hello', epoch: 0, fromSeq: 0 });
 * off();
 * link.close();
 */
export interface Link<M> {
  /** Sends to the peer `to`, or without it to every peer; never delivered back to the sender. */
  send(message: M, to?: string): void;
  /** Calls `fn` for every message received, with the peer that sent it; returns a function that stops it. */
  onMessage(fn: (message: M, from: string) => void): () => void;
  /** The peers connected now. A broadcast link has no connections: it reaches whoever listens, and lists none. */
  peers(): readonly string[];
  /** Calls `fn` when a peer connects or disconnects (never, on a broadcast link); returns a function that stops it. */
  onPeer(fn: (event: LinkPeerEvent) => void): () => void;
  /** Leaves: nothing more is sent or received. */
  close(): void;
}

/** The part of `BroadcastChannel` the link uses (so Node tests can pass their own). */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  close(): void;
}

/** What travels on a broadcast channel: the message, its sender and, for a reply, the one peer it is for. */
interface Envelope<M> {
  readonly from: string;
  readonly to?: string;
  readonly message: M;
}

/**
 * A {@link Link} over a `BroadcastChannel` (same origin, every tab and worker
 * that opened the channel's name), as the node `self`. Messages are
 * structured-cloned; one addressed to another node is dropped on arrival.
 * @example
 * const link = broadcastLink<ReplicationMessage>(new BroadcastChannel('lockstep:chat'), tabId);
 */
export function broadcastLink<M>(channel: BroadcastChannelLike, self: string): Link<M> {
  const listeners = new Set<(event: { readonly data: unknown }) => void>();
  let closed = false;
  return {
    send(message, to) {
      if (!closed) channel.postMessage((to === undefined ? { from: self, message } : { from: self, to, message }) satisfies Envelope<M>);
    },
    onMessage(fn) {
      const listener = (event: { readonly data: unknown }): void => {
        const envelope = event.data as Envelope<M>;
        if (envelope.to === undefined || envelope.to === self) fn(envelope.message, envelope.from);
      };
      listeners.add(listener);
      channel.addEventListener('message', listener);
      return () => {
        listeners.delete(listener);
        channel.removeEventListener('message', listener);
      };
    },
    peers: () => [],
    onPeer: () => () => {},
    close() {
      closed = true;
      for (const listener of listeners) channel.removeEventListener('message', listener);
      listeners.clear();
      channel.close();
    },
  };
}
