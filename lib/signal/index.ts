/**
 * `lockstep/signal`: the Node side of WebRTC signaling — the relay, a stand-alone
 * starter and the Vite plugin. The browser clients are in `./browser` (re-exported
 * by the main entry), since this module needs `node:http`.
 */
export { createSignalRelay, startSignalRelay } from './relay';
export type {
  SignalRelay,
  SignalRelayOptions,
  SignalRelayStats,
  StartSignalRelayOptions,
  RunningSignalRelay,
  UpgradeEmitter,
  UpgradeListener,
} from './relay';
export { lockstepSignal } from './vite-plugin';
export type { LockstepSignalOptions } from './vite-plugin';
export { DEFAULT_SIGNAL_PATH, DEFAULT_MAX_MESSAGE_BYTES, MAX_NAME_LENGTH } from './protocol';
export type {
  ClientMessage,
  RelayMessage,
  JoinMessage,
  SendSignalMessage,
  LeaveMessage,
  PeersMessage,
  JoinedMessage,
  LeftMessage,
  ReceivedSignalMessage,
  ErrorMessage,
} from './protocol';
