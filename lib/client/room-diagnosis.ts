/**
 * Why a connection's room is not connected, as `conn.status.room.reason`: the
 * room's main-thread side (signaling, WebRTC) knows what the worker's status
 * cannot, so the client lays it over the worker's status while the room is not
 * connected. The first reason is logged once with `console.warn`.
 */
import { ClosedError } from '../errors';
import type { RoomProblem, RoomProblemReason } from '../peer/link-failure';
import type { JoinRoomOptions, Room } from '../peer/room';
import type { RoomStatus } from '../room/room-status';
import type { TabStatus } from '../tabs/tab';

export type { RoomProblemReason };

/** A room's status as `conn.status.room` gives it. */
export interface ConnectionRoomStatus extends RoomStatus {
  /**
   * Why the room is not connected, while it is not and the reason is known:
   * `relay-unreachable` (the signaling relay cannot be reached, or dropped),
   * `no-peers` (no other peer is in the room yet), `no-candidates` (WebRTC
   * gathered no ICE candidates), `connection-failed` (candidates, but no pair
   * connected: add STUN / TURN servers), `peer-refused` (the handshake failed).
   */
  readonly reason?: RoomProblemReason;
  /** What happened and what to do, in a sentence. */
  readonly reasonMessage?: string;
}

/** The status of a connection: its tab's role and its room's, see `conn.status`. */
export type ConnectionStatus = Omit<TabStatus, 'room'> & { readonly room?: ConnectionRoomStatus };

/** Keeps the last problem of a connection's room and lays it over the worker's status. */
export class RoomDiagnosis {
  #problem: RoomProblem | undefined;
  #warned = false;

  /**
   * @param status - the worker's latest status
   * @param changed - called when the reason may have changed, to re-emit the status
   */
  constructor(
    private readonly room: string,
    private readonly status: () => TabStatus,
    private readonly changed: () => void,
    private readonly warn: (message: string) => void = (message) => console.warn(message),
  ) {}

  /**
   * Records a problem (the latest wins). The first one shown while the room is not
   * connected is logged, and so is a failure before the worker's status names the
   * room (a new browser's `connect()` waits for its first join).
   */
  note(problem: RoomProblem): void {
    this.#problem = problem;
    if (this.status().room === undefined && problem.reason !== 'no-peers') this.#warnOnce(problem);
    this.changed();
  }

  /**
   * Wraps a room's `joinRoom` call (see `rejoinableRoom`) so that its signaling
   * failures, failed connections, joins and connected peers reach this diagnosis.
   */
  watch(open: (options: Pick<JoinRoomOptions, 'onError' | 'onLinkFailed'>) => Room): (onError: (error: Error) => void) => Room {
    return (onError) => {
      const room = open({
        onError: (error) => {
          if (error instanceof ClosedError || error.name === 'SignalingError') this.note(relayProblem(error));
          onError(error);
        },
        onLinkFailed: (problem) => this.note(problem),
      });
      room.joined.then((peers) => (peers.some((peer) => peer !== room.peerId) ? this.clear() : this.note(NO_PEERS)), () => {});
      room.onPeer((event) => void (event.type === 'connected' && this.clear()));
      return room;
    };
  }

  /** Forgets the problem: a peer connected. */
  clear(): void {
    if (this.#problem === undefined) return;
    this.#problem = undefined;
    this.changed();
  }

  /** `status` with the room's reason, while the room is not connected. */
  apply(status: TabStatus): ConnectionStatus {
    const room = status.room;
    if (room === undefined || room.state === 'connected') return status;
    const problem: RoomProblem | undefined = room.state === 'refused' ? { reason: 'peer-refused', message: room.error ?? 'a peer refused the handshake' } : this.#problem;
    if (problem === undefined) return status;
    this.#warnOnce(problem);
    return { ...status, room: { ...room, reason: problem.reason, reasonMessage: problem.message } };
  }

  #warnOnce(problem: RoomProblem): void {
    if (this.#warned) return;
    this.#warned = true;
    this.warn(`Lockstep: room ${JSON.stringify(this.room)} is not connected (${problem.reason}): ${problem.message}`);
  }
}

/** The problem a failed signaling (a lost or refused join) stands for. */
export function relayProblem(error: Error): RoomProblem {
  return {
    reason: 'relay-unreachable',
    message: `${error.message}. Check that the signaling relay runs (npx lockstep-signal, or the lockstepSignal Vite plugin) and, for a page served over HTTPS, that it is reached over wss://.`,
  };
}

/** The problem of a room joined with nobody else in it. */
export const NO_PEERS: RoomProblem = {
  reason: 'no-peers',
  message: 'no other peer is in the room yet; open the same room in another browser (the authority, or any peer once it is known)',
};
