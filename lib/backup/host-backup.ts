/**
 * The worker side of `conn.exportDatabase()` and `conn.importDatabase()`, over
 * one tab of the database. Both go through the log layer's snapshot machinery:
 * an export is the snapshot a leader would store (`encodeSnapshot`), and an
 * import stores the backup as the database's only snapshot, with no log after
 * it, then has the tab reopen from storage exactly as after a restart.
 */
import { chainHash } from '../log/entry';
import { encodeSnapshot, loadSnapshot, type LedgerEntry, type SnapshotHeader } from '../log/snapshot';
import { ClosedError, ConstraintError, DecodeError } from '../errors';
import type { Hash } from '../codec/hash';
import type { ModuleDef } from '../schema/module';
import { Store } from '../store/store';
import { stateHash } from '../store/state-hash';
import type { ImportResult } from '../host/client-protocol';
import type { ModuleFingerprint } from '../room/handshake';
import { lifecycleClient } from '../lifecycle/calls';
import type { LeaderLog } from '../replication/leader-log';
import type { Tab } from '../tabs/tab';
import { checkBackupFits, decodeBackup, encodeBackup, BACKUP_FORMAT, type BackupFitOptions } from './backup';

/** What export and import need to know about the database besides its tab. */
export interface BackupTarget {
  /** The tab whose state is exported, or replaced. */
  readonly tab: Tab;
  /** The module the tab runs. */
  readonly module: ModuleDef;
  /** The database's name, recorded in a backup and used in messages. */
  readonly database: string;
  /** The module's fingerprint (`describeModule`): recorded in a backup, and compared with a backup's. */
  readonly fingerprint: ModuleFingerprint;
  /**
   * How many other tabs of this browser have the database open (in the worker: the requests
   * queued for the leader's Web Lock). An import is refused while there are any: a tab that stays
   * a replica across the import would wait for entries that continue the old log. Unknown when absent.
   */
  readonly otherTabs?: () => Promise<number>;
}

/**
 * Writes a backup of the tab's state. A leader first makes every entry it
 * ordered durable, so the backup holds only durable calls (under a burst that
 * never pauses, after 8 tries it takes the state once its queued entries are
 * written); a replica's state is durable already.
 * @throws ClosedError when the tab is closed or changing roles.
 */
export async function exportBackup(target: BackupTarget): Promise<Uint8Array> {
  const { tab } = target;
  const leader = tab.leadership?.log;
  if (leader !== undefined) {
    for (let tries = 0; tries < 8; tries++) {
      await leader.db.flush();
      if (leader.durableSeq === leader.db.seq) break;
    }
    if (tab.leadership?.log !== leader) throw new ClosedError(`The export of "${target.database}" was interrupted: this tab stopped leading. Try again.`);
    const { db } = leader;
    return capture(target, db.engine.store, { seq: db.seq, epoch: db.epoch, chain: db.chain, ledger: db.ledger });
  }
  const replica = tab.replica;
  if (replica === undefined) throw new ClosedError(`Cannot export "${target.database}": this tab is ${tab.status.role === 'closed' ? 'closed' : 'changing roles'}. Try again.`);
  return capture(target, replica.engine.store, { seq: replica.seq, epoch: replica.epoch, chain: replica.chain, ledger: replica.ledger });
}

/**
 * Replaces the state of a new database with a backup. Refuses, changing
 * nothing, with an error that names the problem: a file that is not a backup or
 * is damaged (`DecodeError`), a backup of other tables or reducers
 * (`SchemaError`, see {@link checkBackupFits}), a database that is not new
 * (some client called a reducer in it), one shared in a room, one open in other
 * tabs, or a tab that does not lead (`ConstraintError`).
 *
 * The backup becomes the only stored snapshot, at the backup's seq (or one
 * past this database's last entry when that is further), and the log is
 * emptied; this tab's leader then steps down so that the next leader (this tab
 * or another) recovers from storage, with a new epoch, as after a restart.
 * Live queries move to the restored state (a `refresh`). Calls made meanwhile
 * wait and then apply to the restored state.
 */
export async function importBackup(target: BackupTarget, bytes: Uint8Array, options: BackupFitOptions = {}): Promise<ImportResult> {
  const { tab, database } = target;
  const backup = decodeBackup(bytes);
  checkBackupFits(backup.header, target.fingerprint, options);
  const store = new Store(target.module.tables);
  const header = loadSnapshot(store, backup.chunks);
  if (header.seq !== backup.header.seq) throw new DecodeError(`The backup is damaged: its header says seq ${backup.header.seq} but its rows are at seq ${header.seq}.`);
  const restoredHash = stateHash(store);
  if (restoredHash !== backup.header.stateHash) throw new DecodeError(`The backup is damaged: its rows hash to ${restoredHash}, not to the state hash ${backup.header.stateHash} it was exported with.`);
  if (tab.status.room !== undefined) {
    throw new ConstraintError(`Cannot import into "${database}": it is shared in room "${tab.status.room.name}", whose authority orders every change. Import into a database opened without peers, then share that one.`);
  }
  const leader = leading(tab, database);
  const others = (await target.otherTabs?.()) ?? 0;
  if (others > 0) {
    throw new ConstraintError(`Cannot import into "${database}" while ${others} other tab(s) of this browser have it open: they would go on showing the state the import replaces. Close them and import again. Nothing changed.`);
  }
  await leader.db.flush();
  if (tab.leadership?.log !== leader || leader.stoppedBecause !== undefined) throw new ClosedError(`The import into "${database}" was interrupted: this tab stopped leading. Nothing changed; try again.`);
  // From here to the commit nothing awaits, so no call can slip in between the check and the write.
  const { db } = leader;
  const callers = [...db.ledger.keys()].filter((client) => lifecycleClient(client) === undefined);
  if (callers.length > 0) {
    throw new ConstraintError(
      `Cannot import into "${database}": it is not a new database. ${callers.length} client(s) called reducers in it (its log is at seq ${db.seq}), and an import replaces the whole state. Nothing changed. Import into a new database: connect with a name never used, e.g. connect({ database: '${database}-restored' }).`,
    );
  }
  const seq = Math.max(header.seq, db.seq + 1);
  // At the backup's own seq the chain continues the exported log; further on, a new link unlike any this log had.
  const chain = seq === header.seq ? header.chain : chainHash(db.chain, new TextEncoder().encode(`lockstep:import:${header.chain}:${seq}`));
  const ledger = new Map<string, LedgerEntry>(header.ledger);
  // This database's connections stay connected: keep their lifecycle calls, so each runs once.
  for (const [client, last] of db.ledger) if (lifecycleClient(client) !== undefined) ledger.set(client, last);
  const chunks = encodeSnapshot(store, { seq, epoch: db.epoch, chain, ledger });
  const written = db.storage.commit({ truncateSegmentsFrom: 0, deleteSnapshotsBefore: Number.MAX_SAFE_INTEGER, snapshot: { seq, chunks } });
  written.catch(() => {});
  const reopened = untilSeq(tab, seq);
  leader.stepDown(`the database was replaced by an imported backup of "${backup.header.database}" (seq ${header.seq})`);
  try {
    await written;
  } catch (error) {
    throw new ClosedError(`The import into "${database}" failed; nothing changed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  await reopened;
  const rows = Object.fromEntries([...store.tables.values()].map((t) => [t.name, t.count()]));
  return { seq, backupSeq: header.seq, rows, stateHash: restoredHash };
}

function leading(tab: Tab, database: string): LeaderLog {
  const leader = tab.leadership?.log;
  if (leader !== undefined) return leader;
  throw new ConstraintError(`Cannot import into "${database}" from this tab: it is a replica (another tab of this browser leads the database). Import from the leading tab (conn.status.role === 'leader'), or close the other tabs.`);
}

/** Resolves once the tab's state reaches `seq` (it reopened from storage), in either role. */
function untilSeq(tab: Tab, seq: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const off = tab.onStatus((status) => {
      if (status.role === 'closed') {
        off();
        reject(new ClosedError('The tab closed while the imported backup was loading; it is stored and loads when the database opens.'));
      } else if (status.seq >= seq && (status.role === 'leader' || tab.replica !== undefined)) {
        off();
        resolve();
      }
    });
  });
}

function capture(target: BackupTarget, store: Store, header: SnapshotHeader): Uint8Array {
  const rows = Object.fromEntries([...store.tables.values()].map((t) => [t.name, t.count()]));
  return encodeBackup({
    header: { format: BACKUP_FORMAT, database: target.database, exportedAt: new Date().toISOString(), seq: header.seq, stateHash: stateHash(store) as Hash, rows, module: target.fingerprint },
    chunks: encodeSnapshot(store, header),
  });
}
