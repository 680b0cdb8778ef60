/**
 * Types for simple-peer's self-contained browser bundle, the subset `room.ts`
 * uses. The bundle is imported instead of the package's main entry because it
 * carries its own `Buffer`/`process` shims, which Vite 8 no longer provides
 * (docs/testing.md).
 */
declare module 'simple-peer/simplepeer.min.js' {
  /** Options of the `SimplePeer` constructor (the subset Lockstep passes). */
  export interface SimplePeerOptions {
    /** Whether this side creates the offer. Exactly one side of a pair may. */
    readonly initiator?: boolean;
    /** Send ICE candidates as they come (true) or wait and put them all into the offer/answer (false). */
    readonly trickle?: boolean;
    /** Passed to `new RTCPeerConnection` (an `RTCConfiguration`; `object` so worker builds, without DOM types, check too). */
    readonly config?: object;
    /** Passed to `createDataChannel` (an `RTCDataChannelInit`). */
    readonly channelConfig?: object;
    /** Streams in object mode: each `write` is one data channel message, strings stay strings. */
    readonly objectMode?: boolean;
  }

  /** One WebRTC peer connection with one data channel (a Node-style duplex stream). */
  export interface SimplePeerInstance {
    /** True once the data channel is open. */
    readonly connected: boolean;
    /** True once `destroy` ran (or an error destroyed it). */
    readonly destroyed: boolean;
    /** Feeds in a signal the other side emitted. */
    signal(data: unknown): void;
    /** Queues one message; data channel backpressure is handled by the stream. Returns false when the queue is over its mark. */
    write(chunk: Uint8Array | string): boolean;
    /** Sends at once, bypassing the stream's queue. */
    send(chunk: Uint8Array | string): void;
    /** Closes the connection; `close` follows (and `error` first when `error` is given). */
    destroy(error?: Error): void;
    on(event: 'signal', listener: (data: unknown) => void): this;
    on(event: 'connect' | 'close', listener: () => void): this;
    on(event: 'data', listener: (data: Uint8Array | string) => void): this;
    on(event: 'error', listener: (error: Error & { readonly code?: string }) => void): this;
    removeAllListeners(): this;
  }

  /** The `SimplePeer` constructor. */
  const SimplePeer: {
    new (options?: SimplePeerOptions): SimplePeerInstance;
    /** Whether this environment has WebRTC. */
    readonly WEBRTC_SUPPORT: boolean;
  };
  export default SimplePeer;
}
