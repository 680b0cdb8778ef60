/// <reference lib="webworker" />
import { serializeError, toLockstepError } from '../lib/errors';
import type { LogRecord } from '../lib/engine/engine';
import type { Migration } from '../lib/log/migrate';
import { loadModule } from '../lib/schema/module';
import type { ConnectionId } from '../lib/schema/type-desc';
import { peerTransport } from '../lib/peer/port-transport';
import type { ClientMessage, HelloRequest, HostMessage, RoomJoinedMessage } from '../lib/sync/client-protocol';
import type { JoinedRoom } from '../lib/sync/room-tab';
import { DatabaseHost, type HostTimers } from '../lib/sync/database-host';
import type { TabLocks } from '../lib/sync/locks';
import { Tab } from '../lib/sync/tab';
import type { TabMessage } from '../lib/sync/tab-protocol';
import { broadcastTransport } from '../lib/sync/transport';
import { openIdbStorage } from './idb-storage';
import { loadOrCreateIdentity } from './identity';

/** Options of {@link serve}. */
export interface ServeOptions {
  /** Entries between snapshots (at least). Default 10,000. */
  readonly snapshotEvery?: number;
  /** Log entries kept behind the latest snapshot. Default 10,000. */
  readonly keepEntries?: number;
  /** On an incompatible stored schema: refuse (default), start over, or migrate the stored rows. */
  readonly onSchemaMismatch?: 'refuse' | 'reset' | Migration;
  /**
   * The module's version, sent in a room's handshake: two peers that differ are
   * refused, and the message says which side is newer (numbers, or dotted
   * versions like "1.4.2"). Without it, schema changes still tell which is newer.
   */
  readonly version?: string | number;
  /**
   * Answers the devtools' requests (`lockstep/devtools`): the stream of committed entries
   * (`conn.onCommit`), backups (`conn.exportDatabase`) and restores (`conn.importDatabase`,
   * only into a new database). Default true; pass false to refuse them in a build where no
   * page may export the data or replace it.
   */
  readonly devtools?: boolean;
}

declare const self: DedicatedWorkerGlobalScope;

function randomId(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Serves a module from this Web Worker: the whole worker file is
 * `import * as chat from './chat.module'; serve(chat);`. The first `hello` from
 * the connection names the database; the worker joins that database's tabs:
 * the tab holding the Web Lock `lockstep:<database>` is the leader (it orders
 * every tab's calls and alone writes IndexedDB), the others are replicas that
 * replay its log over the BroadcastChannel `lockstep:<database>`. When the
 * leader's tab closes, the next tab in the lock's queue takes over from
 * IndexedDB with a higher epoch, and calls in flight are resubmitted, each
 * applied at most once.
 *
 * Messages are the plain client protocol over `postMessage`, not comlink: one
 * message per call and per result, no proxy layer (a bare postMessage round trip
 * is about a third of a comlink call's here).
 */
export function serve(namespace: object, options: ServeOptions = {}): void {
  const module = loadModule(namespace as Record<string, unknown>);
  const send = (message: HostMessage): void => self.postMessage(message);
  const log = (record: LogRecord): void => send({ type: 'log', ...record });
  const timers: HostTimers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number) };
  let session: Promise<(message: ClientMessage) => void> | undefined;

  /** The main thread's answer to the pending `room-join`. */
  let joined: ((message: RoomJoinedMessage) => void) | undefined;
  const { version, devtools, ...tabOptions } = options;

  const open = async (database: string, roomOption: HelloRequest['room']): Promise<(message: ClientMessage) => void> => {
    const { identity, privateKey, publicKey } = await loadOrCreateIdentity();
    const name = `lockstep:${database}`;
    let host: DatabaseHost | undefined;
    const locks = navigator.locks as unknown as TabLocks;
    // Rooms load only when a connection asks for one: a worker without peers never fetches their code.
    const rooms = roomOption === undefined ? undefined : await Promise.all([import('../lib/sync/room-tab'), import('../lib/sync/handshake')]);
    const room =
      roomOption === undefined || rooms === undefined
        ? undefined
        : rooms[0].tabRoom({
            name: roomOption.name,
            ...(roomOption.authority === undefined ? {} : { authority: roomOption.authority }),
            keys: { privateKey, publicKey },
            identity,
            connectionId: randomId(16) as ConnectionId,
            fingerprint: await rooms[1].describeModule(module, version),
            log,
            // WebRTC lives on the main thread: ask it to join, and relay the room through the port it sends back.
            join: () =>
              new Promise<JoinedRoom>((resolve) => {
                joined = ({ port }) => {
                  const link = peerTransport(port);
                  resolve({ link, peersAtJoin: link.joined, leave: () => (link.close(), send({ type: 'room-leave' })) });
                };
                send({ type: 'room-join' });
              }),
          });
    const tab = await Tab.open(
      {
        module,
        id: randomId(8),
        identity,
        transport: broadcastTransport<TabMessage>(new BroadcastChannel(name)),
        locks,
        lockName: name,
        openStorage: () => openIdbStorage(name),
        log,
        ...tabOptions,
        ...(room === undefined ? {} : { room }),
      },
      DatabaseHost.events(() => host),
    );
    host = new DatabaseHost(tab, {
      timers,
      locks,
      connectionLocks: `${name}:connection:`,
      database,
      // Every other tab of this database queues for the leader's lock.
      otherTabs: async () => ((await navigator.locks.query()).pending ?? []).filter((lock) => lock.name === name).length,
      ...(version === undefined ? {} : { version }),
      ...(devtools === undefined ? {} : { devtools }),
    });
    return host.connect(identity, randomId(16) as ConnectionId, send);
  };

  self.addEventListener('message', (event: MessageEvent<ClientMessage>) => {
    const message = event.data;
    if (message.type === 'room-joined') {
      joined?.(message);
      joined = undefined;
      return;
    }
    if (session === undefined) {
      if (message.type !== 'hello') {
        send({ type: 'result', requestId: message.requestId, ok: false, error: serializeError(new Error(`The first message must be hello, got ${message.type}`)) });
        return;
      }
      session = open(message.database, message.room);
    }
    session.then(
      (receive) => receive(message),
      (error: unknown) => send({ type: 'result', requestId: message.requestId, ok: false, error: serializeError(toLockstepError(error)) }),
    );
  });
}
