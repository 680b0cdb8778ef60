import { Reader, Writer } from '../codec/buffer';
import { codecFor } from '../codec/codec';
import { hashInto, hashToHex, type Hash } from '../codec/hash';
import { DecodeError, serializeError, type LockstepError, type LockstepErrorName, type SerializedError } from '../errors';
import type { ConnectionId, Identity } from '../schema/type-desc';

/**
 * One log entry: a reducer call with everything the authority stamped on it, and
 * its outcome. Replaying committed entries in `seq` order through the engine
 * rebuilds the state; `txHash` lets a replayer check it computed the same diff,
 * and `chain` links each entry to all before it.
 */
export interface LogEntry {
  readonly seq: number;
  readonly epoch: number;
  readonly reducer: string;
  /** Arguments, encoded with the reducer's argument codec. */
  readonly args: Uint8Array;
  readonly sender: Identity;
  readonly connectionId: ConnectionId | null;
  readonly timestamp: bigint;
  readonly seed: bigint;
  /** True for lifecycle and scheduled calls, which clients cannot make. */
  readonly internal: boolean;
  /** The calling client and its call number, for exactly-once delivery; absent for internal calls. */
  readonly caller: { readonly client: string; readonly callId: number } | undefined;
  /** Committed with its encoded row diff and that diff's hash, or failed with the error (kept so a retried call gets the same answer). */
  readonly outcome: EntryOutcome;
  /** Hash of the previous entry's chain and this entry's other fields. */
  readonly chain: Hash;
}

/** How an entry's call ended. */
export type EntryOutcome =
  | { readonly ok: true; readonly txHash: Hash; readonly diff: Uint8Array }
  | { readonly ok: false; readonly name: LockstepErrorName; readonly message: string; readonly details?: SerializedError['details'] };

/** The outcome a failed call is logged with: its error's class, message and details. */
export function failedOutcome(error: LockstepError): Extract<EntryOutcome, { ok: false }> {
  const { details } = serializeError(error);
  return Object.keys(details).length === 0 ? { ok: false, name: error.name, message: error.message } : { ok: false, name: error.name, message: error.message, details };
}

const DETAIL_TEXTS = ['table', 'column', 'value', 'reducer'] as const;

/** A failure's details (table, column, value, reducer, position): written only when there are some (entry format 2). */
function writeDetails(w: Writer, details: SerializedError['details']): void {
  for (const key of DETAIL_TEXTS) {
    const text = details[key];
    w.bool(text !== undefined);
    if (text !== undefined) w.string(text);
  }
  w.bool(details.position !== undefined);
  if (details.position !== undefined) w.f64(details.position);
}

function readDetails(r: Reader): SerializedError['details'] {
  const details: Record<string, string | number> = {};
  for (const key of DETAIL_TEXTS) if (r.bool()) details[key] = r.string();
  if (r.bool()) details.position = r.f64();
  return details;
}

const hasDetails = (o: EntryOutcome): o is Extract<EntryOutcome, { ok: false }> & { details: SerializedError['details'] } =>
  !o.ok && o.details !== undefined && Object.keys(o.details).length > 0;

/** The chain value before the first entry. */
export const GENESIS: Hash = '0000000000000000' as Hash;

const identityCodec = codecFor({ kind: 'identity' });
const connectionCodec = codecFor({ kind: 'option', inner: { kind: 'connectionId' } });

function writeHash(w: Writer, hash: Hash): void {
  w.u32(parseInt(hash.slice(8, 16), 16) >>> 0);
  w.u32(parseInt(hash.slice(0, 8), 16) >>> 0);
}

function readHash(r: Reader): Hash {
  const lo = r.u32();
  const hi = r.u32();
  return hashToHex(lo, hi);
}

/** Writes every field but the chain. */
function writeBody(w: Writer, e: Omit<LogEntry, 'chain'>): void {
  w.u8(hasDetails(e.outcome) ? 2 : 1); // format version: 2 adds a failure's details
  w.f64(e.seq);
  w.u32(e.epoch);
  w.string(e.reducer);
  w.bytes(e.args);
  identityCodec.encode(w, e.sender);
  connectionCodec.encode(w, e.connectionId ?? undefined);
  w.i64(e.timestamp);
  w.u64(e.seed);
  w.bool(e.internal);
  w.bool(e.caller !== undefined);
  if (e.caller !== undefined) {
    w.string(e.caller.client);
    w.u32(e.caller.callId);
  }
  w.bool(e.outcome.ok);
  if (e.outcome.ok) {
    writeHash(w, e.outcome.txHash);
    w.bytes(e.outcome.diff);
  } else {
    w.string(e.outcome.name);
    w.string(e.outcome.message);
    if (hasDetails(e.outcome)) writeDetails(w, e.outcome.details);
  }
}

const scratch = new Writer(1024);
const out = new Uint32Array(2);

/** The chain hash of an entry body that follows `previous`. */
export function chainHash(previous: Hash, body: Uint8Array, start = 0, end = body.length): Hash {
  const seed = parseInt(previous.slice(8, 16), 16) ^ parseInt(previous.slice(0, 8), 16);
  hashInto(body, start, end, out, seed >>> 0);
  return hashToHex(out[0]!, out[1]!);
}

/** Stamps the chain on an entry that follows `previous`. */
export function sealEntry(entry: Omit<LogEntry, 'chain'>, previous: Hash): LogEntry {
  scratch.reset();
  writeBody(scratch, entry);
  return { ...entry, chain: chainHash(previous, scratch.view()) };
}

/** Appends an entry as `[u32 length][body][chain]`. */
export function writeEntry(w: Writer, entry: LogEntry): void {
  const at = w.length;
  w.u32(0);
  writeBody(w, entry);
  writeHash(w, entry.chain);
  const length = w.length - at - 4;
  const view = w.view();
  new DataView(view.buffer, view.byteOffset + at, 4).setUint32(0, length, true);
}

/** Packs entries into one segment's bytes. */
export function encodeEntries(entries: readonly LogEntry[]): Uint8Array {
  const w = new Writer(256 * entries.length + 64);
  for (const e of entries) writeEntry(w, e);
  return w.finish();
}

/** One decoded entry and whether its chain matched. */
export interface DecodedEntry {
  readonly entry: LogEntry;
  /** True when the entry's chain equals the hash of `previous` and its body. */
  readonly chained: boolean;
}

/**
 * Reads the entries of a segment, checking each chain against the one before.
 * Stops at the first entry that is truncated or malformed: `error` says where.
 */
export function decodeEntries(bytes: Uint8Array, previous: Hash): { readonly entries: DecodedEntry[]; readonly error: string | undefined } {
  const r = new Reader(bytes);
  const entries: DecodedEntry[] = [];
  let prev = previous;
  while (!r.done()) {
    try {
      const length = r.u32();
      const start = r.offset;
      if (length < 8 || length > r.remaining) throw new DecodeError(`entry length ${length} runs past the segment end`);
      const body = new Reader(bytes.subarray(start, start + length - 8));
      const entry = readBody(body);
      r.rawBytes(length - 8);
      const chain = readHash(r);
      const chained = chainHash(prev, bytes, start, start + length - 8) === chain;
      entries.push({ entry: { ...entry, chain }, chained });
      prev = chain;
    } catch (error) {
      return { entries, error: error instanceof Error ? error.message : String(error) };
    }
  }
  return { entries, error: undefined };
}

function readBody(r: Reader): Omit<LogEntry, 'chain'> {
  const version = r.u8();
  if (version !== 1 && version !== 2) throw new DecodeError(`unknown log entry format ${version}`);
  const seq = r.f64();
  const epoch = r.u32();
  const reducer = r.string();
  const args = r.bytes();
  const sender = identityCodec.decode(r) as Identity;
  const connectionId = (connectionCodec.decode(r) as ConnectionId | undefined) ?? null;
  const timestamp = r.i64();
  const seed = r.u64();
  const internal = r.bool();
  const caller = r.bool() ? { client: r.string(), callId: r.u32() } : undefined;
  const outcome: EntryOutcome = r.bool()
    ? { ok: true, txHash: readHash(r), diff: r.bytes() }
    : version === 2
      ? { ok: false, name: r.string() as LockstepErrorName, message: r.string(), details: readDetails(r) }
      : { ok: false, name: r.string() as LockstepErrorName, message: r.string() };
  if (!r.done()) throw new DecodeError(`log entry ${seq} has ${r.remaining} unexpected trailing bytes`);
  return { seq, epoch, reducer, args, sender, connectionId, timestamp, seed, internal, caller, outcome };
}
