/**
 * The tab protocol: messages between the workers of one database's tabs (the
 * leader and its replicas) over a broadcast {@link Transport}. Plain
 * structured-clonable data and no logic, so the same messages can later run
 * over WebRTC data channels.
 *
 * Every message goes to every tab; `to` names the one a reply is meant for
 * (others may still use it). Epochs fence stale leaders: a tab refuses
 * `entries` stamped with an epoch lower than the highest it has seen, and a
 * leader that learns of a higher epoch steps down.
 *
 * @see ./transport
 */
import type { LockstepErrorName } from '../errors';
import type { ConnectionId, Identity } from '../schema/type-desc';

/** The leader announces itself: when it takes over, and in answer to a newcomer's hello or a stale announcement. */
export interface LeaderMessage {
  readonly type: 'leader';
  readonly epoch: number;
  readonly leaderId: string;
  /** Its latest durable seq, so replicas can tell how far behind they are. */
  readonly seq: number;
}

/** A replica asks for what it lacks: the entries after `fromSeq`, or a whole snapshot with `resync`. */
export interface HelloReplicaMessage {
  readonly type: 'hello-replica';
  readonly replicaId: string;
  readonly fromSeq: number;
  /** Set after a diverged replay: the replica wants a snapshot, not entries. */
  readonly resync?: boolean;
}

/**
 * Ordered, durable log entries `firstSeq..lastSeq`, encoded with `encodeEntries`
 * (chain hashes included). `bytes` is empty when a catch-up had nothing to send.
 */
export interface EntriesMessage {
  readonly type: 'entries';
  /** The sending leader's epoch (entries inside may be from earlier epochs). */
  readonly epoch: number;
  readonly leaderId: string;
  readonly to?: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly bytes: Uint8Array;
}

/** A call made through a tab: `client` numbers its calls with `callId`, increasing. */
export interface TabCall {
  readonly client: string;
  readonly callId: number;
  readonly reducer: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly sender: Identity;
  readonly connectionId: ConnectionId | null;
  /** Only `clientConnected` / `clientDisconnected` may be internal. */
  readonly internal?: boolean;
}

/** A call a replica forwards to the leader; `client` + `callId` make retries safe. */
export interface CallMessage extends TabCall {
  readonly type: 'call';
  /** The epoch the replica believes current; a leader with a lower one knows it is stale. */
  readonly epoch: number;
  readonly replicaId: string;
}

/** A call that failed without a log entry (unknown reducer, bad arguments): its final answer. */
export interface CallFailedMessage {
  readonly type: 'call-failed';
  readonly epoch: number;
  readonly to: string;
  readonly client: string;
  readonly callId: number;
  readonly name: LockstepErrorName;
  readonly message: string;
}

/** A call this tab will not order (it is a stale leader or cannot write); the replica keeps it pending. */
export interface CallRefusedMessage {
  readonly type: 'call-refused';
  readonly epoch: number;
  readonly leaderId: string;
  readonly to: string;
  readonly client: string;
  readonly callId: number;
  readonly reason: string;
}

/** A whole durable state for a replica that diverged or is behind the kept log: `encodeSnapshot` chunks. */
export interface ResyncMessage {
  readonly type: 'resync';
  readonly epoch: number;
  readonly leaderId: string;
  readonly to: string;
  readonly seq: number;
  readonly chain: string;
  readonly chunks: readonly Uint8Array[];
}

/** Everything tabs send each other. */
export type TabMessage = LeaderMessage | HelloReplicaMessage | EntriesMessage | CallMessage | CallFailedMessage | CallRefusedMessage | ResyncMessage;
