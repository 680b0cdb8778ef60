/**
 * The replication protocol: the messages an orderer's log server and its
 * followers exchange over a {@link Link}, at both levels (the tabs of a browser,
 * the browsers of a room). Plain structured-clonable data and no logic; the room
 * link signs and checks them on the wire (room/signed-link), the tab link
 * carries them as they are.
 *
 * Epochs fence stale orderers: a follower refuses messages stamped with an
 * epoch lower than the highest it has seen, and a log server that hears of a
 * higher one steps down.
 *
 * @see ./link
 */
import type { LockstepErrorName } from '../errors';
import type { ConnectionId, Identity } from '../schema/type-desc';

/** A reducer call on its way to be ordered: `client` numbers its calls with `callId`, increasing. */
export interface Call {
  readonly client: string;
  readonly callId: number;
  readonly reducer: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly sender: Identity;
  readonly connectionId: ConnectionId | null;
  /** Only `clientConnected` / `clientDisconnected` may be internal. */
  readonly internal?: boolean;
}

/** A log server says what it serves: its epoch and its last durable seq (when it starts, and to every hello). */
export interface AnnounceMessage {
  readonly type: 'announce';
  readonly epoch: number;
  readonly seq: number;
}

/** A follower asks for what it lacks: the entries after `fromSeq`, or the whole state with `snapshot`. */
export interface HelloMessage {
  readonly type: 'hello';
  /** The highest epoch the follower has seen: a log server with a lower one knows it is stale. */
  readonly epoch: number;
  readonly fromSeq: number;
  readonly snapshot?: boolean;
}

/**
 * Ordered, durable log entries `firstSeq..lastSeq`, encoded with `encodeEntries`
 * (chain hashes included). `bytes` is empty when a catch-up had nothing to send.
 */
export interface EntriesMessage {
  readonly type: 'entries';
  /** The sending log server's epoch (entries inside may be from earlier epochs). */
  readonly epoch: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly bytes: Uint8Array;
  /** The server's last durable seq: how far a catch-up has to go. */
  readonly target: number;
}

/** A whole durable state at `seq`, `encodeSnapshot` chunks, for a follower that diverged or is behind the kept log. */
export interface SnapshotMessage {
  readonly type: 'snapshot';
  readonly epoch: number;
  readonly seq: number;
  readonly chunks: readonly Uint8Array[];
  readonly target: number;
}

/** Calls a follower forwards to be ordered, in the order made; `client` + `callId` make retries safe. */
export interface CallsMessage {
  readonly type: 'calls';
  /** The highest epoch the follower has seen. */
  readonly epoch: number;
  readonly calls: readonly Call[];
}

/** A call that failed without a log entry (unknown reducer, bad arguments): its final answer. */
export interface CallFailedMessage {
  readonly type: 'call-failed';
  readonly client: string;
  readonly callId: number;
  readonly name: LockstepErrorName;
  readonly message: string;
}

/** A call this log server will not order (it is stepping down): the follower keeps it for the next one. */
export interface CallRefusedMessage {
  readonly type: 'call-refused';
  readonly epoch: number;
  readonly client: string;
  readonly callId: number;
  readonly reason: string;
}

/** The peer will not serve this node at all (a handshake failed: another module version); says why. */
export interface RefusedMessage {
  readonly type: 'refused';
  readonly name: LockstepErrorName;
  readonly message: string;
}

/** Everything log servers and followers send each other. */
export type ReplicationMessage = AnnounceMessage | HelloMessage | EntriesMessage | SnapshotMessage | CallsMessage | CallFailedMessage | CallRefusedMessage | RefusedMessage;
