import type { Identity } from '../schema/type-desc';

/** Where this browser stands in its room (see ./room-tab): on `conn.status.room`. */
export interface RoomStatus {
  readonly name: string;
  /** `authority`: this browser orders the room's calls; `replica`: it follows the authority's log. Undefined until this tab leads. */
  readonly role: 'authority' | 'replica' | undefined;
  /** `connected`: the authority is reachable (or this is it); `reconnecting`: it was, and is being looked for; `offline`: not yet found; `refused`: the handshake failed (see `error`). */
  readonly state: 'connected' | 'reconnecting' | 'offline' | 'refused';
  readonly authority: Identity | undefined;
  /** Peers connected now. */
  readonly peers: number;
  /** The authority's last seq as last heard (a catch-up's goal). */
  readonly target: number;
  /** Calls waiting for the authority. */
  readonly waiting: number;
  /** Entries this browser received from the authority since its tab started leading (not counting a snapshot). */
  readonly fetched: number;
  readonly error: string | undefined;
}
