/**
 * A room of browsers as a tab sees it: whichever tab leads its browser joins
 * the room and speaks for the browser (DESIGN §4). The authority's leading tab
 * serves its log on the room's signed link too; a member's leading tab follows
 * the authority's log into its own and relays its tabs' calls to it. What must
 * outlive a tab is kept in the database's storage: the pinned authority
 * identity (meta `room`) and the calls still waiting for the authority (meta
 * `room-outbox`), so a reload neither trusts a new authority nor loses a call
 * made offline.
 */
import type { LogRecord } from '../engine/engine';
import { SchemaError } from '../errors';
import { startPeerDepartures } from '../lifecycle/peer-departures';
import type { Storage } from '../log/storage';
import { Follower } from '../replication/follower';
import type { LeaderLog } from '../replication/leader-log';
import { LogServer } from '../replication/log-server';
import type { Call } from '../replication/messages';
import { Relay } from '../replication/relay';
import { startStallCheck } from '../replication/stall-check';
import { realTimers, type Timers } from '../replication/timers';
import type { ConnectionId, Identity } from '../schema/type-desc';
import type { TabRoom, TabRoomRole } from '../tabs/leadership';
import type { ModuleFingerprint } from './handshake';
import type { RoomStatus } from './room-status';
import type { SigningKeys } from './signed';
import { signedLink, type RawLink, type RoomCrypto, type SignedLink } from './signed-link';

/** The room's raw link while this tab leads: joined on the main thread, where WebRTC lives. */
export interface JoinedRoom {
  readonly link: RawLink;
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
   * How often a member checks for a stall: calls waiting and no entry arrived
   * since the last check. It then repeats its hello and waiting calls (a message
   * lost to a connection that broke). Default 3000 ms; 0 never.
   */
  readonly stallCheckMs?: number;
  /**
   * Authority: how long a member browser that left may take to come back before its
   * connections' `clientDisconnected` run, in ms. Default 15000; 0 at once.
   */
  readonly awayMs?: number;
  readonly timers?: Timers;
  readonly log?: (record: LogRecord) => void;
  /** The signatures of the room (default ECDSA P-256); a simulation passes cheap deterministic ones. */
  readonly crypto?: RoomCrypto;
}

interface StoredRoom {
  readonly name: string;
  readonly authority: Identity;
}

/** A {@link TabRoom}: give it to `Tab.open({ room })`. */
export function tabRoom(options: TabRoomOptions): TabRoom {
  /** A member's follower while this tab leads: the calls waiting are counted when the status is read. */
  let following: Follower | undefined;
  let status: RoomStatus = { name: options.name, role: undefined, state: 'offline', authority: options.authority, peers: 0, target: 0, waiting: 0, fetched: 0, error: undefined };
  const timers = options.timers ?? realTimers;
  const write = (log: LeaderLog, meta: Record<string, unknown>): void => {
    log.db.storage.commit({ meta }).catch((error: unknown) => options.log?.({ level: 'warn', reducer: '', message: `Room ${options.name}: could not store ${Object.keys(meta).join(', ')}: ${String(error)}` }));
  };
  const link = (joined: JoinedRoom, log: LeaderLog, authority: Identity | undefined): SignedLink => {
    const { engine } = log.db;
    return signedLink({
      room: options.name,
      raw: joined.link,
      keys: options.keys,
      identity: options.identity,
      connectionId: options.connectionId,
      fingerprint: options.fingerprint,
      authority,
      args: { encode: (reducer, args) => engine.encodeArgs(reducer, args), decode: (reducer, bytes) => engine.decodeArgs(reducer, bytes) as Readonly<Record<string, unknown>> },
      lifecycle: { connected: engine.module.clientConnected?.name, disconnected: engine.module.clientDisconnected?.name },
      onPin: (pinned) => write(log, { room: { name: options.name, authority: pinned } satisfies StoredRoom }),
      ...(options.log === undefined ? {} : { log: options.log }),
      ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
    });
  };

  const prepare = async (storage: Storage, changed: () => void): Promise<TabRoomRole> => {
    const stored = (await storage.readMeta('room')) as StoredRoom | undefined;
    if (stored !== undefined && stored.name !== options.name) {
      throw new SchemaError(`This database belongs to room "${stored.name}", not "${options.name}": open it with that room, or use another database name for this room`);
    }
    const joined = await options.join();
    const authority = stored?.authority ?? options.authority ?? ((await joined.peersAtJoin).length === 0 ? options.identity : undefined);
    const update = (next: Partial<RoomStatus>, room: SignedLink): void => {
      status = { ...status, ...next, peers: room.peers().length };
      changed();
    };

    if (authority === options.identity) {
      status = { ...status, role: 'authority', state: 'connected', authority };
      return {
        orders: true,
        attach(log, orderer) {
          if (orderer === undefined) throw new Error("The room's authority orders its calls");
          if (stored === undefined) write(log, { room: { name: options.name, authority } satisfies StoredRoom });
          const room = link(joined, log, authority);
          const server = new LogServer(log, orderer, room);
          const stop = new AbortController();
          startPeerDepartures({ link: room, ordering: orderer, disconnected: log.db.engine.module.clientDisconnected?.name, awayMs: options.awayMs ?? 15_000, timers }, stop.signal);
          const off = room.onPeer(() => update({ target: log.seq }, room));
          return {
            nudge: () => server.announce(),
            detach() {
              off();
              stop.abort();
              server.close();
              room.close();
              joined.leave();
            },
          };
        },
      };
    }

    const outbox = ((await storage.readMeta('room-outbox')) as Call[] | undefined) ?? [];
    status = { ...status, role: 'replica', authority };
    return {
      orders: false,
      attach(log) {
        const room = link(joined, log, authority);
        let everConnected = false;
        let persisted = outbox.length;
        let relay: Relay | undefined;
        const follower = new Follower({
          link: room,
          target: log,
          outbox,
          onCallFailed: (failure) => relay?.failed(failure),
          onError: (error) => options.log?.({ level: 'error', reducer: '', message: `Room ${options.name}: could not store the authority's state: ${String(error)}` }),
          onOutbox: (calls) => {
            persisted = calls.length;
            write(log, { 'room-outbox': calls });
          },
          onProgress: () => {
            const state = follower.state;
            if (state === 'connected') everConnected = true;
            if (persisted > 0 && follower.waitingCount === 0) {
              persisted = 0;
              write(log, { 'room-outbox': [] });
            }
            update({ state: state === 'offline' && everConnected ? 'reconnecting' : state, authority: room.authority, target: follower.target, waiting: follower.waitingCount, fetched: follower.fetched, error: follower.error?.message }, room);
          },
        });
        relay = new Relay(log, (call) => follower.forward(call));
        following = follower;
        const stop = new AbortController();
        startStallCheck({ follower, timers, everyMs: options.stallCheckMs ?? 3000 }, stop.signal);
        const off = room.onPeer(() => update({}, room));
        return {
          relay,
          nudge: () => follower.nudge(),
          detach() {
            off();
            stop.abort();
            if (following === follower) following = undefined;
            follower.close();
            relay?.close();
            room.close();
            joined.leave();
          },
        };
      },
    };
  };

  return { prepare, status: () => (following === undefined ? status : { ...status, waiting: following.waitingCount }) };
}
