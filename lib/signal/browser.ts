/**
 * The browser side of signaling: one {@link Signaling} interface and its three
 * ways. Safe in any JavaScript environment (no `node:*`); the main entry
 * re-exports it. The relay itself is in `lockstep/signal` (Node).
 */
export { SignalingError, SIGNALING_ERROR_CODES, checkSignalName } from './signaling';
export type { Signaling, SignalEvent, SignalingErrorCode } from './signaling';
export { websocketSignaling } from './websocket-signaling';
export type { WebSocketLike, WebSocketSignalingOptions } from './websocket-signaling';
export { broadcastSignaling } from './broadcast-signaling';
export type { BroadcastSignalingOptions, SignalChannelLike } from './broadcast-signaling';
export { manualSignaling, encodeSignalBlob, decodeSignalBlob } from './manual-signaling';
export type { ManualSignaling, ManualSignalingOptions, SignalBlob } from './manual-signaling';
export { DEFAULT_SIGNAL_PATH } from './protocol';
