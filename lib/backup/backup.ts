/**
 * The backup file of `conn.exportDatabase()` and `conn.importDatabase()`: a
 * whole database's rows at one seq, with what is needed to refuse a file that
 * does not belong to the module importing it.
 *
 * Layout (little-endian): the 16 ASCII bytes `LOCKSTEP BACKUP\n`, a `u8` format
 * version, a `u32` length and that many bytes of JSON header
 * ({@link BackupHeader}; bigints as `{"$bigint":"…"}`, bytes as `{"$bytes":"hex"}`),
 * then a `u32` chunk count and each chunk as a `u32` length and its bytes. The
 * chunks are the snapshot chunks the log layer stores (`encodeSnapshot`: rows,
 * sequences and the ledger of each client's last call), so a backup is loaded
 * by the same code that loads a stored snapshot. Pure: no DOM, no storage.
 */
import { DecodeError, SchemaError } from '../errors';
import { describeChange, diffSchemas, summarizeDifferences, type ChangeSides, type SchemaChange } from '../schema/diff';
import type { TableSchema } from '../schema/table';
import { codeDifferences, type ModuleFingerprint } from '../room/handshake';

/** The format version this code writes and the newest it reads. */
export const BACKUP_FORMAT = 1;

/** What a backup file says about itself. */
export interface BackupHeader {
  /** {@link BACKUP_FORMAT} of the Lockstep that wrote it. */
  readonly format: number;
  /** The name of the database it was exported from. */
  readonly database: string;
  /** When it was exported (ISO 8601). */
  readonly exportedAt: string;
  /** The seq of the last entry the rows include. */
  readonly seq: number;
  /** The state hash of the rows: checked after loading them, so a damaged file is refused. */
  readonly stateHash: string;
  /** Rows per table. */
  readonly rows: Readonly<Record<string, number>>;
  /** The fingerprint of the module that exported it (schema and reducer hashes, tables, version). */
  readonly module: ModuleFingerprint;
}

/** A decoded backup: its header and its snapshot chunks. */
export interface Backup {
  readonly header: BackupHeader;
  readonly chunks: readonly Uint8Array[];
}

/** Options of {@link checkBackupFits}. */
export interface BackupFitOptions {
  /** Accept a backup whose tables match but whose reducers differ (the app's code changed since the export). */
  readonly allowReducerChanges?: boolean;
}

const MAGIC = new TextEncoder().encode('LOCKSTEP BACKUP\n');

/** How differences name the backup's module and this one. */
const sides: ChangeSides = { from: 'in the backup', to: 'here' };

/**
 * Writes a backup file.
 * @example
 * const bytes = encodeBackup({ header, chunks: encodeSnapshot(store, snapshotHeader) });
 */
export function encodeBackup(backup: Backup): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify(backup.header, (_key, value: unknown) => tag(value)));
  const size = MAGIC.length + 1 + 4 + header.length + 4 + backup.chunks.reduce((sum, c) => sum + 4 + c.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  let at = MAGIC.length;
  out[at++] = BACKUP_FORMAT;
  view.setUint32(at, header.length, true);
  out.set(header, (at += 4));
  at += header.length;
  view.setUint32(at, backup.chunks.length, true);
  at += 4;
  for (const chunk of backup.chunks) {
    view.setUint32(at, chunk.length, true);
    out.set(chunk, (at += 4));
    at += chunk.length;
  }
  return out;
}

/**
 * Reads a backup file. Throws a {@link DecodeError} that says what is wrong:
 * not a Lockstep backup, a newer format, truncated, or a malformed header.
 */
export function decodeBackup(bytes: Uint8Array): Backup {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError(`A backup is a Uint8Array (the bytes of conn.exportDatabase()), not ${describeType(bytes)}`);
  if (bytes.length < MAGIC.length + 1 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DecodeError(`This file is not a Lockstep backup: it does not start with "LOCKSTEP BACKUP" (${bytes.length} bytes). Export one with conn.exportDatabase() or the devtools' Backup tab.`);
  }
  const format = bytes[MAGIC.length]!;
  if (format > BACKUP_FORMAT) throw new DecodeError(`This backup has format ${format}, written by a newer Lockstep; this one reads format ${BACKUP_FORMAT} and older. Update the app to import it.`);
  if (format < 1) throw new DecodeError(`This backup has format ${format}, which no Lockstep writes: the file is damaged.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = MAGIC.length + 1;
  const take = (length: number, what: string): Uint8Array => {
    if (at + length > bytes.length) throw new DecodeError(`The backup is truncated: ${what} needs ${length} bytes at byte ${at}, but the file ends at byte ${bytes.length}.`);
    const part = bytes.subarray(at, at + length);
    at += length;
    return part;
  };
  const u32 = (what: string): number => {
    take(4, what);
    return view.getUint32(at - 4, true);
  };
  const headerBytes = take(u32('the header length'), 'the header');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes), (_key, value: unknown) => untag(value));
  } catch (error) {
    throw new DecodeError(`The backup's header is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  checkHeader(header);
  const count = u32('the chunk count');
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < count; i++) chunks.push(take(u32(`the length of chunk ${i}`), `chunk ${i}`).slice());
  if (at !== bytes.length) throw new DecodeError(`The backup has ${bytes.length - at} unexpected bytes after its last chunk: the file is damaged.`);
  return { header, chunks };
}

/**
 * Throws a {@link SchemaError} unless a backup can be loaded into a database of
 * the module `here`: the same tables (columns, types, flags, defaults, indexes,
 * visibility), and the same reducers unless `allowReducerChanges`. The message
 * names the first differences (table, column, reducer) and what to do.
 */
export function checkBackupFits(header: BackupHeader, here: ModuleFingerprint, options: BackupFitOptions = {}): void {
  const file = header.module;
  if (file.schemaHash !== here.schemaHash) {
    const found = schemaDifferences(file.tables, here.tables);
    const first = found[0]?.change;
    const list = found.length === 0 ? [`the schemas hash differently (${short(file.schemaHash)} in the backup, ${short(here.schemaHash)} here) but no table, column or index differs`] : found.map((d) => d.text);
    throw new SchemaError(
      `Cannot import this backup of "${header.database}": it was exported from a module with other tables: ${summarizeDifferences(list)}. Import it into the app (module) it was exported from.`,
      first === undefined ? {} : { table: first.table, ...('column' in first ? { column: first.column } : {}) },
    );
  }
  if (file.moduleHash !== here.moduleHash && options.allowReducerChanges !== true) {
    const differences = codeDifferences(file, here, sides);
    const found = differences.length === 0 ? [`the module hashes differ (${short(file.moduleHash)} in the backup, ${short(here.moduleHash)} here)`] : differences;
    const reducer = firstReducer(file, here);
    throw new SchemaError(
      `Cannot import this backup of "${header.database}": its tables match, but it was exported by another version of the module's code: ${summarizeDifferences(found)}${versions(file, here)}. If only the reducers' code changed since, import it with { allowReducerChanges: true }.`,
      reducer === undefined ? {} : { reducer },
    );
  }
}

/** Every difference between a backup's tables and this module's, worded from the backup's side, in {@link diffSchemas}'s order. */
function schemaDifferences(file: readonly TableSchema[], here: readonly TableSchema[]): { readonly text: string; readonly change: SchemaChange }[] {
  return diffSchemas(file, here).map((change) => ({ text: describeChange(change, sides), change }));
}

function firstReducer(file: ModuleFingerprint, here: ModuleFingerprint): string | undefined {
  return [...file.reducers, ...here.reducers].map((r) => r.name).sort().find((name) => file.reducers.find((r) => r.name === name)?.hash !== here.reducers.find((r) => r.name === name)?.hash);
}

function versions(file: ModuleFingerprint, here: ModuleFingerprint): string {
  if (file.version === undefined && here.version === undefined) return '';
  return ` (version ${file.version ?? 'undeclared'} in the backup, ${here.version ?? 'undeclared'} here)`;
}

function checkHeader(value: unknown): asserts value is BackupHeader {
  const h = value as Partial<BackupHeader> | null;
  const bad = (field: string): never => {
    throw new DecodeError(`The backup's header has no valid "${field}": the file is damaged or was not written by conn.exportDatabase().`);
  };
  if (typeof h !== 'object' || h === null) return bad('header');
  if (typeof h.database !== 'string') bad('database');
  if (typeof h.exportedAt !== 'string') bad('exportedAt');
  if (typeof h.seq !== 'number' || !Number.isSafeInteger(h.seq) || h.seq < 0) bad('seq');
  if (typeof h.stateHash !== 'string') bad('stateHash');
  if (typeof h.rows !== 'object' || h.rows === null) bad('rows');
  const m = h.module as Partial<ModuleFingerprint> | undefined;
  if (typeof m !== 'object' || m === null) return bad('module');
  if (typeof m.moduleHash !== 'string') bad('module.moduleHash');
  if (typeof m.schemaHash !== 'string') bad('module.schemaHash');
  if (!Array.isArray(m.tables)) bad('module.tables');
  if (!Array.isArray(m.reducers)) bad('module.reducers');
}

/** JSON for values the header may hold: bigint defaults and bytes defaults survive. */
function tag(value: unknown): unknown {
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value instanceof Uint8Array) return { $bytes: [...value].map((b) => b.toString(16).padStart(2, '0')).join('') };
  return value;
}

function untag(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1) return value;
  const record = value as Record<string, unknown>;
  if (typeof record.$bigint === 'string') return BigInt(record.$bigint);
  if (typeof record.$bytes === 'string') return Uint8Array.from(record.$bytes.match(/../g) ?? [], (h) => parseInt(h, 16));
  return value;
}

const short = (hash: string): string => hash.slice(0, 8);

const describeType = (value: unknown): string => (value === null ? 'null' : typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value);
