/**
 * A transport carries one kind of message between the members of a group:
 * BroadcastChannel between tabs, a MessagePort, an RTCDataChannel. It knows
 * nothing about what it carries; the roles above it (leader, replica) speak
 * a protocol module's messages over it.
 */

/**
 * Sends and receives messages of type `M`. Delivery is best effort: roles must
 * tolerate loss, duplicates and reordering (the simulation's fake network does
 * all three), so a transport does not need to hide them.
 * @example
 * const off = transport.onMessage((m) => console.log(m.type));
 * transport.send({ type: 'hello-replica', replicaId: 'tab-2', fromSeq: 0 });
 * off();
 * transport.close();
 */
export interface Transport<M> {
  /** Sends to every other member; never delivered back to the sender. */
  send(message: M): void;
  /** Calls `fn` for every message received; returns a function that stops it. */
  onMessage(fn: (message: M) => void): () => void;
  /** Leaves the group: nothing more is sent or received. */
  close(): void;
}

/** The part of `BroadcastChannel` the transport uses (so Node tests can pass their own). */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  close(): void;
}

/**
 * A {@link Transport} over a `BroadcastChannel` (same origin, every tab and
 * worker that opened the channel's name). Messages are structured-cloned.
 * @example
 * const transport = broadcastTransport<TabMessage>(new BroadcastChannel('lockstep:chat'));
 */
export function broadcastTransport<M>(channel: BroadcastChannelLike): Transport<M> {
  const listeners = new Set<(event: { readonly data: unknown }) => void>();
  let closed = false;
  return {
    send(message) {
      if (!closed) channel.postMessage(message);
    },
    onMessage(fn) {
      const listener = (event: { readonly data: unknown }): void => fn(event.data as M);
      listeners.add(listener);
      channel.addEventListener('message', listener);
      return () => {
        listeners.delete(listener);
        channel.removeEventListener('message', listener);
      };
    },
    close() {
      closed = true;
      for (const listener of listeners) channel.removeEventListener('message', listener);
      listeners.clear();
      channel.close();
    },
  };
}
