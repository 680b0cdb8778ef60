/**
 * Lifecycle calls: a connection's `clientConnected` (call 1) and
 * `clientDisconnected` (call 2), numbered as calls of a client of their own,
 * `lifecycle:<identity>:<connectionId>`, so each runs exactly once whoever
 * submits it (the connection's own tab, the leader that saw its tab go, the
 * room's authority that saw its browser go), and the ledger alone tells who is
 * connected. The watchers beside this file submit the disconnects nobody said.
 */
import type { Call } from '../replication/messages';
import type { ConnectionId, Identity } from '../schema/type-desc';

const LIFECYCLE = 'lifecycle:';

/** The lifecycle call `callId` (1: connected, 2: disconnected) of a connection. */
export function lifecycleCall(connectionId: ConnectionId, sender: Identity, reducer: string, callId: 1 | 2): Call {
  return { client: `${LIFECYCLE}${sender}:${connectionId}`, callId, reducer, args: {}, sender, connectionId, internal: true };
}

/** The identity and connection of a lifecycle client (see {@link lifecycleCall}), or undefined for any other client. */
export function lifecycleClient(client: string): { readonly sender: Identity; readonly connectionId: ConnectionId } | undefined {
  if (!client.startsWith(LIFECYCLE)) return undefined;
  const [sender, connectionId] = client.slice(LIFECYCLE.length).split(':');
  return sender === undefined || connectionId === undefined ? undefined : { sender: sender as Identity, connectionId: connectionId as ConnectionId };
}
