/**
 * The handshake (DESIGN §4): the first thing two peers of a room exchange is a
 * {@link ModuleFingerprint}, and each side refuses the other with
 * {@link checkHandshake} unless both run the same protocol and the same module.
 * Replaying a log only converges when every peer runs the same reducers over
 * the same tables, so "almost the same" is refused too, with a message that
 * says which side is newer and should stay.
 *
 * Hashes are SHA-256 (WebCrypto, so {@link describeModule} is async). The
 * project's 64-bit `hashBytes` would do against accidents, but a fingerprint
 * is compared with one an untrusted peer sends; a collision-resistant hash
 * makes "same hash" mean "same module" even then. It runs once per connection.
 */
import { Writer } from '../codec/buffer';
import { encodeValue } from '../codec/codec';
import { IncompatiblePeerError, ValueError } from '../errors';
import { storedSchema } from '../log/schema-diff';
import { compareText, describeChange, diffSchemas, summarizeDifferences, type ChangeSides, type SchemaChange } from '../schema/diff';
import type { ModuleDef, ModuleReducer } from '../schema/module';
import type { ReducerKind } from '../schema/schema';
import type { TableSchema } from '../schema/table';
import type { FieldDesc, TypeDesc } from '../schema/type-desc';

/**
 * The version of the peer protocol (handshake, signed envelopes, messages).
 * Bump it with every change that an older peer would misread.
 */
export const PROTOCOL_VERSION = 3;

/** A SHA-256 digest as 64 lowercase hex digits. */
export type Digest = string & { readonly __brand: 'Digest' };

/** One reducer's part of a {@link ModuleFingerprint}, so a mismatch can name the reducer. */
export interface ReducerFingerprint {
  readonly name: string;
  readonly kind: ReducerKind;
  /** SHA-256 of its name, kind, parameters, schedule table and source text. */
  readonly hash: Digest;
}

/**
 * What a peer tells another about the code it runs. Plain structured-clonable
 * data (a column default may be a `bigint` or bytes, so JSON needs a codec).
 */
export interface ModuleFingerprint {
  /** The peer's {@link PROTOCOL_VERSION}. */
  readonly protocol: number;
  /** Covers the schema, the table declaration order and every reducer: equal hashes mean the same module. */
  readonly moduleHash: Digest;
  /**
   * Covers the data layout only: tables (in name order: the database matches
   * them by name), their columns in order with types, flags and defaults,
   * their indexes (by accessor) and visibility.
   */
  readonly schemaHash: Digest;
  /** The tables in declaration order, as the database stores them; used to explain a difference. */
  readonly tables: readonly TableSchema[];
  /** The reducers by name. */
  readonly reducers: readonly ReducerFingerprint[];
  /** The app's declared version, when it declares one. */
  readonly version?: string | number;
}

/** Options of {@link checkHandshake}. */
export interface HandshakeCheckOptions {
  /** How messages name the other side, e.g. `"the room's authority"`. Default `"the other peer"`. */
  readonly remote?: string;
}

/**
 * Fingerprints a loaded module. The hashes cover each reducer function's
 * source text (`fn.toString()`), so editing a reducer changes `moduleHash`
 * while `schemaHash` stays. Helper functions a reducer calls are not covered,
 * nor is a change a bundler makes to neither: declare `version` (and bump it
 * with every release) to cover what the source text cannot show.
 *
 * `version` is compared numerically when both peers give numbers, otherwise as
 * dotted text: segment by segment, digits-only segments as numbers, others by
 * UTF-16 code units, a missing segment lowest (`"1.2" < "1.2.1" < "1.10"`;
 * pre-release tags are not understood).
 * @throws ValueError when `version` is an empty string or not a finite number.
 * @example
 * const fingerprint = await describeModule(loadModule(chat), '1.4.0');
 */
export async function describeModule(module: ModuleDef, version?: string | number): Promise<ModuleFingerprint> {
  if (version !== undefined && (typeof version === 'number' ? !Number.isFinite(version) : typeof version !== 'string' || version === '')) {
    throw new ValueError(`describeModule: the version must be a finite number or a non-empty string, not ${String(version)}`, { value: String(version) });
  }
  const schemaHash = await sha256(encodeSchema(module.tables));
  const reducers = await Promise.all(
    [...module.reducers.values()]
      .sort((a, b) => compareText(a.name, b.name))
      .map(async (reducer): Promise<ReducerFingerprint> => ({ name: reducer.name, kind: reducer.kind, hash: await sha256(encodeReducer(reducer)) })),
  );
  const w = new Writer();
  w.string('lockstep/module/v1');
  w.string(schemaHash);
  // The scheduler breaks exact ties between schedule tables by declaration order: behaviour, so part of the module.
  w.u32(module.tables.length);
  for (const table of module.tables) w.string(table.name);
  w.u32(reducers.length);
  for (const reducer of reducers) {
    w.string(reducer.name);
    w.string(reducer.hash);
  }
  const fingerprint = { protocol: PROTOCOL_VERSION, moduleHash: await sha256(w.finish()), schemaHash, tables: storedSchema(module.tables), reducers };
  return version === undefined ? fingerprint : { ...fingerprint, version };
}

/**
 * Refuses a peer that cannot share a room with this one, with an
 * {@link IncompatiblePeerError} saying what differs and which side is newer:
 * the protocol decides first; then the declared `version` when both declare
 * one; then the schemas, where the side whose schema only adds to the other's
 * (what `compareSchemas` migrates automatically) is newer. When only reducer
 * code differs and no version tells them apart, neither is newer and the
 * message asks for a declared `version`. The check is symmetric: the other
 * side, checking with the arguments swapped, refuses with a message that
 * agrees. It trusts the remote's hashes; its tables only explain a difference.
 * @example
 * checkHandshake(await describeModule(module), fromAuthority, { remote: "the room's authority" });
 */
export function checkHandshake(local: ModuleFingerprint, remote: ModuleFingerprint, options: HandshakeCheckOptions = {}): void {
  const other = options.remote ?? 'the other peer';
  const olderOne = (newer: 'local' | 'remote'): string => (newer === 'local' ? `${other} is older; update it` : 'this peer is older; update it');
  const schemaDiffers = local.schemaHash !== remote.schemaHash;
  const hashes = `[module ${short(local.moduleHash)} here, ${short(remote.moduleHash)} on ${other}${schemaDiffers ? `; schema ${short(local.schemaHash)} here, ${short(remote.schemaHash)} on ${other}` : ''}]`;
  const forward = schemaDiffers ? diffSchemas(local.tables, remote.tables) : [];
  const difference = schemaDiffers ? schemaDifference(forward, other) : undefined;
  const refuse = (message: string): IncompatiblePeerError => new IncompatiblePeerError(`${message} ${hashes}`, { ...difference?.where });

  if (local.protocol !== remote.protocol) {
    throw refuse(`This peer runs protocol ${local.protocol}, ${other} runs protocol ${remote.protocol}: ${olderOne(local.protocol > remote.protocol ? 'local' : 'remote')}.`);
  }
  const versions = local.version !== undefined && remote.version !== undefined ? compareVersions(local.version, remote.version) : undefined;
  if (versions !== undefined && versions !== 0) {
    const schemas = difference === undefined ? '' : ` The schemas differ: ${difference.text}.`;
    throw refuse(`This peer runs app version ${quote(local.version)}, ${other} runs ${quote(remote.version)}: ${olderOne(versions > 0 ? 'local' : 'remote')}.${schemas}`);
  }
  if (local.moduleHash === remote.moduleHash && !schemaDiffers) return;

  const declare = versions === 0
    ? `Both declare app version ${quote(local.version)}: bump the version with every change to the module.`
    : 'Neither side can be told newer: declare the app\'s version (describeModule\'s `version`) and bump it with every change to the module.';
  if (difference === undefined) {
    const found = codeDifferences(local, remote, { from: 'on this peer', to: `on ${other}` });
    const code = found.length === 0 ? 'no reducer differs, so the module hashes were made differently' : summarizeDifferences(found);
    throw refuse(`The module code differs while the schema is the same: ${code}. ${declare}`);
  }
  // Additive one way: a database of the one schema would migrate to the other's by itself.
  const forwardBreaks = forward.some((c) => c.breaking);
  const backwardBreaks = diffSchemas(remote.tables, local.tables).some((c) => c.breaking);
  if (!forwardBreaks && backwardBreaks) throw refuse(`The schemas differ: ${difference.text}; ${other}'s schema only adds to this peer's, so ${olderOne('remote')}.`);
  if (!backwardBreaks && forwardBreaks) throw refuse(`The schemas differ: ${difference.text}; this peer's schema only adds to ${other}'s, so ${olderOne('local')}.`);
  if (forwardBreaks && backwardBreaks) {
    throw refuse(`The schemas are incompatible: ${difference.text}. Neither side can migrate to the other automatically; run the same app version on both.`);
  }
  throw refuse(`The schemas differ: ${difference.text}. ${declare}`);
}

/**
 * Compares declared app versions (see {@link describeModule} for the rule):
 * negative when `a` is older, positive when newer, 0 when equal.
 * @example
 * compareVersions('1.10.0', '1.9.3'); // > 0
 */
export function compareVersions(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  const as = String(a).split('.');
  const bs = String(b).split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const x = as[i];
    const y = bs[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const order = /^\d+$/.test(x) && /^\d+$/.test(y) ? compareDigits(x, y) : compareText(x, y);
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * What differs in two modules' code, worded with {@link ChangeSides}: reducers
 * present on one side only or with other source, and the tables' declaration
 * order. Empty when neither differs (the schemas may still).
 * @example
 * codeDifferences(fromFile, here, { from: 'in the backup', to: 'here' }); // ['reducer "add" differs']
 */
export function codeDifferences(from: ModuleFingerprint, to: ModuleFingerprint, sides: ChangeSides): string[] {
  const found: string[] = [];
  for (const name of [...new Set([...from.reducers, ...to.reducers].map((r) => r.name))].sort(compareText)) {
    const a = from.reducers.find((r) => r.name === name);
    const b = to.reducers.find((r) => r.name === name);
    if (a === undefined || b === undefined) found.push(`reducer "${name}" exists only ${a === undefined ? sides.to : sides.from}`);
    else if (a.hash !== b.hash) found.push(`reducer "${name}" differs`);
  }
  const order = (fp: ModuleFingerprint): string => fp.tables.map((t) => t.name).join(', ');
  if (order(from) !== order(to)) found.push(`the tables are declared in a different order (${order(from)} ${sides.from}, ${order(to)} ${sides.to})`);
  return found;
}

// ---- helpers ----

/** The canonical bytes of a schema: what `schemaHash` hashes. */
function encodeSchema(tables: readonly TableSchema[]): Uint8Array {
  const w = new Writer();
  w.string('lockstep/schema/v1');
  const byName = [...tables].sort((a, b) => compareText(a.name, b.name));
  w.u32(byName.length);
  for (const table of byName) {
    w.string(table.name);
    w.bool(table.public);
    w.u32(table.columns.length);
    for (const column of table.columns) {
      w.string(column.name);
      writeType(w, column.type);
      w.bool(column.primaryKey);
      w.bool(column.unique);
      w.bool(column.autoInc);
      w.bool(column.hasDefault);
      if (column.hasDefault) w.bytes(encodeValue(column.type, column.defaultValue));
    }
    const indexes = [...table.indexes].sort((a, b) => compareText(a.accessor, b.accessor));
    w.u32(indexes.length);
    for (const index of indexes) {
      w.string(index.accessor);
      w.bool(index.unique);
      w.bool(index.primary);
      w.u32(index.columns.length);
      for (const position of index.columns) w.u32(position);
    }
  }
  return w.finish();
}

/** The canonical bytes of one reducer: what its {@link ReducerFingerprint.hash} hashes. */
function encodeReducer(reducer: ModuleReducer): Uint8Array {
  const w = new Writer();
  w.string('lockstep/reducer/v1');
  w.string(reducer.name);
  w.string(reducer.kind);
  writeFields(w, reducer.params);
  w.bool(reducer.scheduleTable !== undefined);
  if (reducer.scheduleTable !== undefined) w.string(reducer.scheduleTable);
  w.string(reducer.fn.toString());
  return w.finish();
}

function writeType(w: Writer, type: TypeDesc): void {
  w.string(type.kind);
  switch (type.kind) {
    case 'option':
      return writeType(w, type.inner);
    case 'array':
      return writeType(w, type.element);
    case 'object':
      w.string(type.name);
      return writeFields(w, type.fields);
    case 'enum':
      w.string(type.name);
      return writeFields(w, type.variants);
    default:
      return;
  }
}

function writeFields(w: Writer, fields: readonly FieldDesc[]): void {
  w.u32(fields.length);
  for (const field of fields) {
    w.string(field.name);
    writeType(w, field.type);
  }
}

async function sha256(bytes: Uint8Array): Promise<Digest> {
  // Writer.finish() returns a fresh ArrayBuffer-backed copy, which WebCrypto accepts.
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex as Digest;
}

interface Difference {
  readonly text: string;
  readonly where: { readonly table?: string; readonly column?: string };
}

/**
 * The first difference between two schemas. {@link diffSchemas} orders its
 * changes the same way from either side, so both peers name the same one.
 */
function schemaDifference(changes: readonly SchemaChange[], other: string): Difference {
  const change = changes[0];
  if (change === undefined) return { text: 'the schemas hash differently but no table, column or index differs', where: {} };
  const where = 'column' in change ? { table: change.table, column: change.column } : { table: change.table };
  return { text: describeChange(change, { from: 'on this peer', to: `on ${other}` }), where };
}

const short = (hash: string): string => hash.slice(0, 8);

const quote = (version: string | number | undefined): string => (typeof version === 'string' ? JSON.stringify(version) : String(version));

/** Orders digit strings as numbers of any size. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  return x.length !== y.length ? Math.sign(x.length - y.length) : compareText(x, y);
}
