/// <reference lib="webworker" />
import { expose } from 'comlink';
import type { LogRecord } from '../lib/engine/engine';
import type { Migration } from '../lib/log/migrate';
import { loadModule } from '../lib/schema/module';
import type { ConnectionId } from '../lib/schema/type-desc';
import { portLink } from '../lib/peer/port-link';
import type { ClientMessage, HelloRequest, HostMessage } from '../lib/host/client-protocol';
import { hostApi } from '../lib/host/host-api';
import type { JoinedRoom } from '../lib/room/room-tab';
import { DatabaseHost, type HostTimers } from '../lib/host/database-host';
import type { TabLocks } from '../lib/tabs/locks';
import { Tab } from '../lib/tabs/tab';
import type { ReplicationMessage } from '../lib/replication/messages';
import { broadcastLink } from '../lib/replication/link';
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
 * Requests come over comlink ({@link hostApi}); calls and everything the host
 * pushes are plain messages on the stream port that hello brings: one message
 * per call and one per answer, no proxy layer on the hot path.
 */
export function serve(namespace: object, options: ServeOptions = {}): void {
  const module = loadModule(namespace as Record<string, unknown>);
  /** The stream to the page, set by hello: everything the host pushes. */
  let send: (message: HostMessage) => void = () => {};
  const log = (record: LogRecord): void => send({ type: 'log', ...record });
  const timers: HostTimers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number) };

  /** The main thread's answer to the pending `room-join`. */
  let joined: ((port: MessagePort) => void) | undefined;
  const { version, devtools, ...tabOptions } = options;

  const open = async (database: string, roomOption: HelloRequest['room']): Promise<(message: ClientMessage) => void> => {
    const { identity, privateKey, publicKey } = await loadOrCreateIdentity();
    const name = `lockstep:${database}`;
    let host: DatabaseHost | undefined;
    const locks = navigator.locks as unknown as TabLocks;
    // Rooms load only when a connection asks for one: a worker without peers never fetches their code.
    const rooms = roomOption === undefined ? undefined : await Promise.all([import('../lib/room/room-tab'), import('../lib/room/handshake')]);
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
                joined = (port) => {
                  const link = portLink(port);
                  resolve({ link, peersAtJoin: link.joined, leave: () => (link.close(), send({ type: 'room-leave' })) });
                };
                send({ type: 'room-join' });
              }),
          });
    const id = randomId(8);
    const tab = await Tab.open(
      {
        module,
        id,
        identity,
        link: broadcastLink<ReplicationMessage>(new BroadcastChannel(name), id),
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

  expose(
    hostApi({
      open: (hello, stream) => ((send = stream), open(hello.database, hello.room)),
      roomJoined: (port) => {
        joined?.(port);
        joined = undefined;
      },
    }),
    self,
  );
}
