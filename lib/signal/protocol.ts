/**
 * The signaling relay's wire protocol: JSON text frames over one WebSocket per
 * peer. The relay forwards `data` opaquely (WebRTC offers, answers, ICE
 * candidates) and keeps nothing but which live socket is which peer in which room.
 */

/** The path the relay answers on, unless configured otherwise. */
export const DEFAULT_SIGNAL_PATH = '/lockstep-signal';

/** Longest room name or peer id, in characters. */
export const MAX_NAME_LENGTH = 128;

/** Largest message the relay accepts by default (1 MiB); bigger closes the socket with 1009. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/** Client → relay: enter `room` as `peer` (one room per socket). Answered by {@link PeersMessage} or an error. */
export interface JoinMessage {
  readonly type: 'join';
  readonly room: string;
  readonly peer: string;
}

/** Client → relay: forward `data` to the peer `to` in the same room. */
export interface SendSignalMessage {
  readonly type: 'signal';
  readonly to: string;
  readonly data: unknown;
}

/** Client → relay: leave the room (the socket stays open and may join again). */
export interface LeaveMessage {
  readonly type: 'leave';
}

/** Every message a client sends to the relay. */
export type ClientMessage = JoinMessage | SendSignalMessage | LeaveMessage;

/** Relay → client: the answer to a join, naming the peers that were already in the room. */
export interface PeersMessage {
  readonly type: 'peers';
  readonly room: string;
  readonly peers: readonly string[];
}

/** Relay → client: `peer` entered the room. */
export interface JoinedMessage {
  readonly type: 'joined';
  readonly peer: string;
}

/** Relay → client: `peer` left the room (said so, or its socket closed). */
export interface LeftMessage {
  readonly type: 'left';
  readonly peer: string;
}

/** Relay → client: `from` sent `data` to this peer. */
export interface ReceivedSignalMessage {
  readonly type: 'signal';
  readonly from: string;
  readonly data: unknown;
}

/** Relay → client: the last message was refused; `message` says why and what to do. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

/** Every message the relay sends to a client. */
export type RelayMessage = PeersMessage | JoinedMessage | LeftMessage | ReceivedSignalMessage | ErrorMessage;
