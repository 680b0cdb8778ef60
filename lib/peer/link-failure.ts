/**
 * Why a WebRTC connection to a peer never opened, told apart by the ICE
 * candidates each side sent: none at all (Chromium on loopback without
 * camera / microphone permission, or a browser that blocks WebRTC), or some
 * but no pair of them connected (different networks without a STUN / TURN server).
 */

/** Why a room is not connected; see `conn.status.room.reason`. */
export type RoomProblemReason = 'relay-unreachable' | 'no-peers' | 'no-candidates' | 'connection-failed' | 'peer-refused';

/** A reason with a sentence saying what happened and what to do. */
export interface RoomProblem {
  readonly reason: RoomProblemReason;
  readonly message: string;
}

/** The number of ICE candidates a simple-peer signal carries (trickled, or inside an offer / answer SDP). */
export function candidatesIn(signal: unknown): number {
  if (typeof signal !== 'object' || signal === null) return 0;
  const { type, sdp, candidate } = signal as { type?: unknown; sdp?: unknown; candidate?: { candidate?: unknown } };
  if (type === 'candidate') return typeof candidate?.candidate === 'string' && candidate.candidate !== '' ? 1 : 0;
  return typeof sdp === 'string' ? (sdp.match(/^a=candidate:/gm)?.length ?? 0) : 0;
}

/** The problem of a connection to `peer` that closed before it opened. */
export function linkFailure(peer: string, sent: number, received: number, error: string): RoomProblem {
  if (sent === 0 || received === 0) {
    const who = sent === 0 ? 'this browser' : `peer ${JSON.stringify(peer)}`;
    return {
      reason: 'no-candidates',
      message: `${who} gathered no ICE candidates for the WebRTC connection (${error}). Check that WebRTC is not blocked; Chromium gathers none on loopback unless the page may use the camera and microphone. Across networks, add a STUN server to peers.rtcConfig.`,
    };
  }
  return {
    reason: 'connection-failed',
    message: `the WebRTC connection to peer ${JSON.stringify(peer)} failed (${error}): no pair of ICE candidates connected. Across networks or NATs, add STUN and TURN servers to peers.rtcConfig.`,
  };
}
