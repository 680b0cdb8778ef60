/** The options, events and status of a {@link Tab}: plain types. */
import type { Engine, LogRecord } from '../engine/engine';
import type { LogEntry } from '../log/entry';
import type { Migration } from '../log/migrate';
import type { Storage } from '../log/storage';
import type { ModuleDef } from '../schema/module';
import type { Identity } from '../schema/type-desc';
import type { Link } from '../replication/link';
import type { ReplicationMessage } from '../replication/messages';
import type { RoomStatus } from '../room/room-status';
import type { TabRoom } from './leadership';
import type { TabLocks } from './locks';
import type { Tab } from './tab';

/** What a tab is doing for its database. */
export type TabRole = 'replica' | 'leader' | 'closed';

/** `conn.status`: the tab's role, the epoch, the leader it follows and how far behind it is. */
export interface TabStatus {
  readonly role: TabRole;
  readonly epoch: number;
  /** The leading tab's id (this tab's own when leading); undefined until one is known. */
  readonly leader: string | undefined;
  /** Durable entries this tab has not applied yet (0 for the leader). */
  readonly lag: number;
  readonly seq: number;
  /** Set when the database is in a room of browsers. */
  readonly room?: RoomStatus;
}

/** Options of {@link Tab.open}. Clock, randomness, locks, link and storage are injected, so a simulation can drive many tabs. */
export interface TabOptions {
  readonly module: ModuleDef;
  /** Unique per tab (and per reopening of one): its node id on the link. */
  readonly id: string;
  readonly identity: Identity;
  /** The link between this database's tabs (a BroadcastChannel in browsers). */
  readonly link: Link<ReplicationMessage>;
  readonly locks: TabLocks;
  /** The Web Lock's name; default `lockstep:leader`. */
  readonly lockName?: string;
  /** Opens this database's storage (each role opens its own handle on the shared data). */
  readonly openStorage: () => Promise<Storage>;
  readonly clock?: () => bigint;
  readonly seeds?: () => bigint;
  readonly log?: (record: LogRecord) => void;
  readonly keepEntries?: number;
  readonly snapshotEvery?: number;
  /** A room of browsers that this tab speaks for while it leads. */
  readonly room?: TabRoom;
  /** What the leader does with an incompatible stored schema (see `Database.open`); default refuse. */
  readonly onSchemaMismatch?: 'refuse' | 'reset' | Migration;
}

/** What a tab tells the host serving its connections. All optional. */
export interface TabEvents {
  /** An entry was applied to this tab's state: logged by the leader (`durable` settles when it is), or replayed by a replica (already durable). */
  readonly onApplied?: (entry: LogEntry, durable: Promise<void>) => void;
  /** The tab's state now lives in another engine: a role change or a resync. */
  readonly onEngine?: (engine: Engine) => void;
}

