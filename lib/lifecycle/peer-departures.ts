import type { Ordering } from '../replication/ordering';
import type { Timers } from '../replication/timers';
import type { ConnectionId, Identity } from '../schema/type-desc';
import type { SignedLink } from '../room/signed-link';
import { lifecycleCall, lifecycleClient } from './calls';

/** What {@link startPeerDepartures} needs. */
export interface PeerDeparturesDeps {
  /** The room's link, at its authority. */
  readonly link: SignedLink;
  /** Orders the disconnects. */
  readonly ordering: Ordering;
  /** The module's `clientDisconnected`, if it has one. */
  readonly disconnected: string | undefined;
  /**
   * How long a member browser that left may take to come back (a network blip, a relay
   * drop, going offline) before its connections' `clientDisconnected` run, in ms. Back in
   * time (proven again under the same identity), its connections go on as if it never left.
   */
  readonly awayMs: number;
  readonly timers: Timers;
}

/**
 * The room authority's watch over its members' connections: the connection events
 * each member browser forwarded (its `clientConnected` calls) are noted, and when
 * that browser leaves and does not come back within `awayMs`, their
 * `clientDisconnected` run here. The ledger keeps each once, so the browser's own
 * later one is a duplicate.
 */
export function startPeerDepartures(deps: PeerDeparturesDeps, signal: AbortSignal): void {
  const { link, timers } = deps;
  /** The connections each member peer announced, until they disconnect. */
  const connections = new Map<string, Map<ConnectionId, Identity>>();
  /** The connections of browsers that left, by identity, until they come back or their time is up. */
  const away = new Map<Identity, { readonly connections: Map<ConnectionId, Identity>; readonly timer: unknown }>();

  const disconnectAll = (gone: ReadonlyMap<ConnectionId, Identity>): void => {
    if (deps.disconnected === undefined || signal.aborted) return;
    for (const [connectionId, identity] of gone) deps.ordering.order(lifecycleCall(connectionId, identity, deps.disconnected, 2));
  };
  /** The connections that `identity`'s browser left with, taken back (their timer stopped). */
  const comeBack = (identity: Identity): Map<ConnectionId, Identity> | undefined => {
    const left = away.get(identity);
    if (left === undefined) return undefined;
    timers.clearTimeout(left.timer);
    away.delete(identity);
    return left.connections;
  };

  const offs = [
    link.onMessage((message, from) => {
      if (message.type !== 'calls') return;
      for (const call of message.calls) {
        const lifecycle = lifecycleClient(call.client);
        if (lifecycle === undefined) continue;
        let open = connections.get(from);
        if (open === undefined) connections.set(from, (open = new Map()));
        if (call.callId === 1) open.set(lifecycle.connectionId, lifecycle.sender);
        else open.delete(lifecycle.connectionId);
      }
    }),
    link.onPeer((event) => {
      const identity = link.identityOf(event.peer);
      if (event.type === 'connected') {
        const back = identity === undefined ? undefined : comeBack(identity);
        if (back !== undefined) connections.set(event.peer, new Map([...(connections.get(event.peer) ?? []), ...back]));
        return;
      }
      const left = connections.get(event.peer);
      connections.delete(event.peer);
      if (left === undefined || left.size === 0) return;
      if (identity === undefined || deps.awayMs <= 0) return disconnectAll(left);
      comeBack(identity); // a second peer of the same browser that left: one wait for all
      const timer = timers.setTimeout(() => {
        away.delete(identity);
        disconnectAll(left);
      }, deps.awayMs);
      away.set(identity, { connections: left, timer });
    }),
  ];
  signal.addEventListener(
    'abort',
    () => {
      for (const off of offs) off();
      for (const { timer } of away.values()) timers.clearTimeout(timer);
      away.clear();
    },
    { once: true },
  );
}
