/**
 * `lockstep/devtools`: an in-page panel for any connection, mounted with one
 * call: `mountDevtools(conn)`. Tabs: Tables (every table, private ones too,
 * live), SQL (one-off queries), Reducers (forms generated from the argument
 * types), Log (module log and committed entries), Status (role, epoch, room,
 * lag, entries/s, snapshot, storage) and Backup (export to a file, import
 * into a new database). Also the backup file format, for tools that read it.
 */
export { mountDevtools, DEVTOOLS_TABS } from './mount';
export type { Devtools, DevtoolsOptions, DevtoolsTab } from './mount';
export { decodeBackup, BACKUP_FORMAT } from '../backup/backup';
export type { Backup, BackupHeader } from '../backup/backup';
