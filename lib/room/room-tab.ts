/**
 * A room of browsers as a tab sees it: whichever tab leads its browser joins
 * the room and speaks for the browser, as the room's authority or as a follower
 * of it (./room). What must outlive a tab is kept in the database's storage:
 * the pinned authority identity (meta `room`) and the calls still waiting for
 * the authority (meta `room-outbox`), so a reload neither trusts a new authority
 * nor loses a call made offline.
 */
import type { LogRecord } from '../engine/engine';
import { SchemaError } from '../errors';
import type { Storage } from '../log/storage';
import type { ConnectionId, Identity } from '../schema/type-desc';
import type { ModuleFingerprint } from './handshake';
import type { Leader } from '../replication/leader';
import type { TabCall } from '../replication/pending-calls';
import { RoomAuthority, RoomFollower, type PeerLink, type RoomOptions } from './room';
import type { SigningKeys } from './signed';
import type { RoomStatus, TabRoom, TabRoomRole } from '../tabs/tab';

/** The room's link while this tab leads: joined on the main thread, where WebRTC lives. */
export interface JoinedRoom {
  readonly link: PeerLink;
  /**
   * The peers already in the room when this browser first joined: none means it created the room.
   * Awaited only when the authority is not known yet (stored or named), so a known room opens offline.
   */
  readonly peersAtJoin: Promise<readonly string[]>;
  /** Leaves the room (this tab stops leading). */
  leave(): void;
}

/** Options of {@link tabRoom}. */
export interface TabRoomOptions {
  readonly name: string;
  /** The authority's identity when the app names it; otherwise the browser that created the room is. */
  readonly authority?: Identity;
  readonly keys: SigningKeys;
  readonly identity: Identity;
  /** The connection that stands for this browser in the room. */
  readonly connectionId: ConnectionId;
  readonly fingerprint: ModuleFingerprint;
  /** Joins the room; called each time this tab starts leading. */
  readonly join: () => Promise<JoinedRoom>;
  /**
   * How often a follower checks for a stall: calls waiting and no entry arrived
   * since the last check. It then repeats its hello, catch-up and waiting calls
   * (a message lost to a connection that broke). Default 3000 ms; 0 never.
   */
  readonly stallCheckMs?: number;
  readonly log?: (record: LogRecord) => void;
}

interface StoredRoom {
  readonly name: string;
  readonly authority: Identity;
}

/** A {@link TabRoom}: give it to `Tab.open({ room })`. */
export function tabRoom(options: TabRoomOptions): TabRoom {
  let status: RoomStatus = { name: options.name, role: undefined, state: 'offline', authority: options.authority, peers: 0, target: 0, waiting: 0, fetched: 0, error: undefined };
  const write = (leader: Leader, meta: Record<string, unknown>): void => {
    leader.db.storage.commit({ meta }).catch((error: unknown) => options.log?.({ level: 'warn', reducer: '', message: `Room ${options.name}: could not store ${Object.keys(meta).join(', ')}: ${String(error)}` }));
  };

  const prepare = async (storage: Storage, changed: () => void): Promise<TabRoomRole> => {
    const stored = (await storage.readMeta('room')) as StoredRoom | undefined;
    if (stored !== undefined && stored.name !== options.name) {
      throw new SchemaError(`This database belongs to room "${stored.name}", not "${options.name}": open it with that room, or use another database name for this room`);
    }
    const joined = await options.join();
    const roomOptions: RoomOptions = { room: options.name, link: joined.link, keys: options.keys, identity: options.identity, connectionId: options.connectionId, fingerprint: options.fingerprint, ...(options.log === undefined ? {} : { log: options.log }) };
    const authority = stored?.authority ?? options.authority ?? ((await joined.peersAtJoin).length === 0 ? options.identity : undefined);
    const peers = (): number => joined.link.peers().length;

    if (authority === options.identity) {
      status = { ...status, role: 'authority', state: 'connected', authority, peers: peers() };
      return {
        attach(leader) {
          if (stored === undefined) write(leader, { room: { name: options.name, authority } satisfies StoredRoom });
          const role = new RoomAuthority(roomOptions, leader);
          const off = joined.link.onPeer(() => {
            status = { ...status, peers: peers(), target: leader.db.seq };
            changed();
          });
          return () => {
            off();
            role.close();
            joined.leave();
          };
        },
      };
    }

    const outbox = ((await storage.readMeta('room-outbox')) as TabCall[] | undefined) ?? [];
    let leader: Leader | undefined;
    let everConnected = false;
    let persisted = outbox.length;
    const follower = new RoomFollower(roomOptions, {
      pinned: authority,
      outbox,
      onPin: (pinned) => leader !== undefined && write(leader, { room: { name: options.name, authority: pinned } satisfies StoredRoom }),
      onOutbox: (calls) => {
        persisted = calls.length;
        if (leader !== undefined) write(leader, { 'room-outbox': calls });
      },
      onSnapshot: (seq, chunks) => {
        const current = leader;
        if (current === undefined) return;
        // Replace this browser's log by the authority's state, then lead again from it.
        current.db
          .flush()
          .then(() => current.db.storage.commit({ truncateSegmentsFrom: 0, snapshot: { seq, chunks } }))
          .then(
            () => current.stepDown(`loaded the state of room ${options.name}'s authority at seq ${seq}`),
            (error: unknown) => options.log?.({ level: 'error', reducer: '', message: `Room ${options.name}: could not store the authority's state: ${String(error)}` }),
          );
      },
      onProgress: () => {
        const state = follower.state;
        if (state === 'connected') everConnected = true;
        if (leader !== undefined && persisted > 0 && follower.waiting.length === 0) {
          persisted = 0;
          write(leader, { 'room-outbox': [] });
        }
        status = {
          ...status,
          role: 'replica',
          state: state === 'offline' && everConnected ? 'reconnecting' : state,
          authority: follower.pinned,
          peers: peers(),
          target: follower.target,
          waiting: follower.waiting.length,
          fetched: follower.fetched,
          error: follower.error?.message,
        };
        changed();
      },
    });
    status = { ...status, role: 'replica', authority, peers: peers() };
    return {
      upstream: follower.upstream,
      attach(attached) {
        leader = attached;
        follower.attach(attached);
        const off = joined.link.onPeer(() => {
          status = { ...status, peers: peers() };
          changed();
        });
        let seenSeq = attached.db.seq;
        const every = options.stallCheckMs ?? 3000;
        const stallCheck =
          every > 0
            ? setInterval(() => {
                const seq = attached.db.seq;
                if ((follower.waiting.length > 0 || follower.state !== 'connected') && seq === seenSeq) follower.nudge();
                seenSeq = seq;
              }, every)
            : undefined;
        return () => {
          if (stallCheck !== undefined) clearInterval(stallCheck);
          off();
          follower.close();
          joined.leave();
        };
      },
    };
  };

  return { prepare, status: () => status };
}
