import type { Engine } from '../engine/engine';
import type { DatabaseOptions } from '../log/database';
import type { LogEntry } from '../log/entry';
import type { Storage } from '../log/storage';
import type { ModuleDef } from '../schema/module';
import { LeaderLog } from '../replication/leader-log';
import type { Link } from '../replication/link';
import { LogServer } from '../replication/log-server';
import type { ReplicationMessage } from '../replication/messages';
import { Orderer } from '../replication/orderer';
import type { CallFailure, Ordering } from '../replication/ordering';
import type { Relay } from '../replication/relay';
import type { RoomStatus } from '../room/room-status';

/** What a room does while this tab leads its browser (see room/room-tab). */
export interface TabRoomRole {
  /** False when another browser orders the room's calls: this browser's log then takes its `init` from that browser's. */
  readonly orders: boolean;
  /**
   * Starts speaking for the browser: the authority serves `orderer`'s log to the room; a
   * member follows the authority into `log` and returns the relay that hands calls to it.
   * `nudge` repeats what a lost message may have dropped; `detach` stops it.
   */
  attach(log: LeaderLog, orderer: Orderer | undefined): AttachedRoom;
}

/** A room's role, speaking for the browser while this tab leads. */
export interface AttachedRoom {
  /** Set for a member: hands this browser's calls to the authority. */
  readonly relay?: Relay;
  /** Repeats what a lost message may have dropped (the authority announces itself, a member says hello and sends its waiting calls again). */
  nudge(): void;
  detach(): void;
}

/** A room a tab joins while it leads (see room/room-tab). */
export interface TabRoom {
  /** Called when this tab is about to lead, with its storage: decides the role. `changed` reports status changes. */
  prepare(storage: Storage, changed: () => void): Promise<TabRoomRole>;
  status(): RoomStatus;
}

/** What a leading tab needs to open its log: the database's options, and the tab link and room. */
export interface LeadOptions extends Pick<DatabaseOptions, 'identity' | 'clock' | 'seeds' | 'log' | 'keepEntries' | 'snapshotEvery' | 'onSchemaMismatch'> {
  readonly module: ModuleDef;
  readonly link: Link<ReplicationMessage>;
  readonly room?: TabRoom;
}

/** What a tab tells its leadership's listeners. */
export interface LeadEvents {
  /** An entry was applied to the log's state (`durable` settles when it is durable). */
  readonly onLogged: (entry: LogEntry, durable: Promise<void>) => void;
  /** Entries became durable here, in seq order. */
  readonly onDurable: (entries: readonly LogEntry[]) => void;
  /** A call of this tab's own clients failed later, without an entry. */
  readonly onFailed: (failure: CallFailure) => void;
  /** The room's status changed. */
  readonly onRoomChanged: () => void;
}

/**
 * What a tab is made of while it leads (DESIGN §4): its log; an orderer, unless
 * the browser follows a room's authority (then a relay); the log server on the
 * tab link; and, in a room, what the room's role adds on the room's link.
 */
export class Leadership {
  private roomStopped = false;

  private constructor(
    readonly log: LeaderLog,
    readonly ordering: Ordering,
    /** Set when this tab orders (no room, or the room's authority): it also runs the scheduled reducers. */
    readonly orderer: Orderer | undefined,
    readonly server: LogServer,
    private readonly room: AttachedRoom | undefined,
  ) {}

  /** Opens the log (bumping the epoch) and composes the roles around it. Call it only while holding the database's lock. */
  static async start(storage: Storage, options: LeadOptions, events: LeadEvents): Promise<Leadership> {
    const room = await options.room?.prepare(storage, events.onRoomChanged);
    const { module, link: _link, room: _room, ...database } = options;
    const log = await LeaderLog.open(module, { ...database, storage, init: room?.orders ?? true });
    log.onLogged(events.onLogged);
    log.onDurable(events.onDurable);
    const orderer = room === undefined || room.orders ? new Orderer(log) : undefined;
    const attached = room?.attach(log, orderer);
    const ordering = orderer ?? attached?.relay;
    if (ordering === undefined) throw new Error('A room member must relay its calls to the authority');
    const server = new LogServer(log, ordering, options.link);
    ordering.onFailed((failure, from) => (from === undefined ? events.onFailed(failure) : server.fail(from, failure)));
    const leadership = new Leadership(log, ordering, orderer, server, attached);
    log.onStepDown(() => leadership.stopRoom());
    return leadership;
  }

  get engine(): Engine {
    return this.log.db.engine;
  }

  /** Repeats what a lost message may have dropped, on the tab link and in the room. */
  nudge(): void {
    this.server.announce();
    this.room?.nudge();
  }

  /** Stops leading (idempotent): the log server and the room's role stop with the log. */
  stop(reason: string): void {
    this.log.stepDown(reason);
    this.stopRoom();
  }

  private stopRoom(): void {
    if (this.roomStopped) return;
    this.roomStopped = true;
    this.server.close();
    this.room?.detach();
  }
}
