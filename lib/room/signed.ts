/**
 * Signed envelopes (DESIGN §7): a peer signs each call it sends, so the
 * authority knows who made it and `ctx.sender` cannot be forged; the authority
 * signs each batch of log entries, so a relaying peer cannot inject or alter
 * history. Signatures are the ECDSA P-256 ones of `./signing`.
 *
 * What is signed is an unambiguous binary encoding of every field, each one
 * length-prefixed or of fixed size, after a domain tag (`lockstep/call/v1`,
 * `lockstep/batch/v1`): no field can be shifted into its neighbour, and a call
 * signature never verifies as a batch signature. The room is signed too, so a
 * call or batch cannot be replayed into another room. Replay inside one room is
 * not stopped here: the authority's ledger of the last applied call id per
 * client does that (DESIGN §4). Key that ledger by the verified identity as
 * well as `client`: `client` is only a name the caller chose, and another key
 * could claim the same name to burn its call ids.
 */
import { Reader, Writer } from '../codec/buffer';
import { DecodeError, SignatureError, ValueError } from '../errors';
import type { Identity } from '../schema/type-desc';
import { identityFromPublicKey, PUBLIC_KEY_LENGTH, sign, SIGNATURE_LENGTH, verify } from './signing';

/** An identity's keys: the private key signs, the raw 65-byte public key travels with each signature. */
export interface SigningKeys {
  readonly privateKey: CryptoKey;
  readonly publicKey: Uint8Array;
}

/** A reducer call as its caller signs it. */
export interface CallToSign {
  /** The caller's own name for the client that numbers the calls. */
  readonly client: string;
  /** Increases with each call of `client`; a non-negative safe integer. */
  readonly callId: number;
  readonly reducer: string;
  /** The encoded arguments. */
  readonly args: Uint8Array;
  /** When the caller made the call, in microseconds: signed, but only a claim; the authority stamps its own time. */
  readonly timestamp?: bigint;
}

/** A call with its signature: what travels to the authority. */
export interface SignedCall extends CallToSign {
  /** The caller's raw public key; its hash is the caller's {@link Identity}. */
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly room: string;
}

/** A batch of ordered log entries as the authority signs it (the fields of an `entries` message). */
export interface BatchToSign {
  readonly epoch: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** The encoded entries. */
  readonly bytes: Uint8Array;
}

/** An entry batch with the authority's signature. */
export interface SignedBatch extends BatchToSign {
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly room: string;
}

/**
 * Signs a call for a room.
 * @throws ValueError when a field cannot be signed unambiguously (a string with
 * a lone surrogate, a `callId` that is not a non-negative safe integer, …).
 * @example
 * const signed = await signCall({ privateKey, publicKey }, 'room-1', { client: 'tab-a', callId: 1, reducer: 'sendMessage', args });
 */
export async function signCall(keys: SigningKeys, room: string, call: CallToSign): Promise<SignedCall> {
  const signed: SignedCall = { ...pickCall(call), publicKey: keys.publicKey, signature: new Uint8Array(SIGNATURE_LENGTH), room };
  const problem = callProblem(signed);
  if (problem !== undefined) throw new ValueError(`signCall: ${problem}`, { reducer: call.reducer });
  return { ...signed, signature: await sign(keys.privateKey, callBytes(signed)) };
}

/**
 * Checks a signed call that arrived for `room` and returns who signed it: the
 * identity the authority gives the reducer as `ctx.sender`.
 * @throws SignatureError when the call is malformed, its signature does not
 * match its fields and key, or it was signed for another room.
 */
export async function verifyCall(signed: SignedCall, room: string): Promise<Identity> {
  const problem = callProblem(signed);
  if (problem !== undefined) throw new SignatureError(`Malformed signed call: ${problem}`);
  const identity = await identityFromPublicKey(signed.publicKey);
  if (!(await verify(signed.publicKey, signed.signature, callBytes(signed)))) {
    throw new SignatureError(
      `Forged call: the signature does not match call ${signed.callId} of client "${signed.client}" to reducer "${signed.reducer}" and the key of ${short(identity)}…; refuse it and drop the peer that sent it`,
      { reducer: signed.reducer },
    );
  }
  if (signed.room !== room) throw new SignatureError(`Call signed for room "${signed.room}" replayed into room "${room}": refused`, { reducer: signed.reducer });
  return identity;
}

/**
 * Signs a batch of log entries for a room, as its authority.
 * @throws ValueError when `epoch`, `firstSeq` or `lastSeq` is not a non-negative safe integer.
 */
export async function signBatch(keys: SigningKeys, room: string, batch: BatchToSign): Promise<SignedBatch> {
  const signed: SignedBatch = { ...pickBatch(batch), publicKey: keys.publicKey, signature: new Uint8Array(SIGNATURE_LENGTH), room };
  const problem = batchProblem(signed);
  if (problem !== undefined) throw new ValueError(`signBatch: ${problem}`);
  return { ...signed, signature: await sign(keys.privateKey, batchBytes(signed)) };
}

/**
 * Checks that a batch of entries for `room` comes from the room's authority,
 * whose identity this replica pinned when it joined.
 * @throws SignatureError when the batch is malformed, signed by another key,
 * its signature does not match, or it was signed for another room.
 */
export async function verifyBatch(signed: SignedBatch, room: string, pinnedAuthority: Identity): Promise<void> {
  const problem = batchProblem(signed);
  if (problem !== undefined) throw new SignatureError(`Malformed signed batch: ${problem}`);
  const what = `entries ${signed.firstSeq}..${signed.lastSeq} of epoch ${signed.epoch}`;
  const identity = await identityFromPublicKey(signed.publicKey);
  if (identity !== pinnedAuthority) {
    throw new SignatureError(`Refused ${what}: signed by ${short(identity)}…, not by the room's authority ${short(pinnedAuthority)}…`);
  }
  if (!(await verify(signed.publicKey, signed.signature, batchBytes(signed)))) {
    throw new SignatureError(`Forged batch: the signature does not match ${what} and the authority's key; refuse it and drop the peer that sent it`);
  }
  if (signed.room !== room) throw new SignatureError(`Batch (${what}) signed for room "${signed.room}" replayed into room "${room}": refused`);
}

/** A peer's answer to another's hello challenge: its key, and its signature over the challenge. */
export interface HelloProof {
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Proves this side holds its identity's key to the peer that sent `nonce` (a
 * fresh random challenge in its hello): a replayed proof answers no other challenge.
 */
export async function signHello(keys: SigningKeys, room: string, nonce: string): Promise<HelloProof> {
  return { publicKey: keys.publicKey, signature: await sign(keys.privateKey, helloBytes(room, nonce, keys.publicKey)) };
}

/**
 * Checks a peer's proof over the challenge `nonce` this side sent it, and
 * returns the identity it proves.
 * @throws SignatureError when the proof is malformed or its signature does not match.
 */
export async function verifyHello(proof: HelloProof, room: string, nonce: string): Promise<Identity> {
  if (!(proof.publicKey instanceof Uint8Array) || proof.publicKey.length !== PUBLIC_KEY_LENGTH || !(proof.signature instanceof Uint8Array) || proof.signature.length !== SIGNATURE_LENGTH) {
    throw new SignatureError('Malformed hello proof: it needs a 65-byte public key and a 64-byte signature');
  }
  const identity = await identityFromPublicKey(proof.publicKey);
  if (!(await verify(proof.publicKey, proof.signature, helloBytes(room, nonce, proof.publicKey)))) {
    throw new SignatureError(`Forged hello: the proof does not match this side's challenge and the key of ${short(identity)}…`);
  }
  return identity;
}

/**
 * The compact wire form of a signed call, for a data channel.
 * @example
 * channel.send(encodeSignedCall(signed));
 */
export function encodeSignedCall(signed: SignedCall): Uint8Array {
  const w = new Writer(160 + signed.args.length);
  w.u8(WIRE_CALL);
  w.u8(WIRE_VERSION);
  writeHeader(w, signed);
  w.string(signed.client);
  w.u64(BigInt(signed.callId));
  w.string(signed.reducer);
  w.bytes(signed.args);
  writeTimestamp(w, signed.timestamp);
  return w.finish();
}

/**
 * Reads {@link encodeSignedCall}'s output. Does not verify the signature: pass
 * the result to {@link verifyCall}.
 * @throws DecodeError naming what is wrong when the bytes are not a well-formed signed call.
 */
export function decodeSignedCall(bytes: Uint8Array): SignedCall {
  return decode(bytes, 'call', WIRE_CALL, (r) => {
    const header = readHeader(r);
    const client = readString(r, 'client');
    const callId = readSafe(r, 'callId');
    const reducer = readString(r, 'reducer');
    const args = r.bytes();
    const timestamp = readTimestamp(r);
    const call = { ...header, client, callId, reducer, args };
    return timestamp === undefined ? call : { ...call, timestamp };
  });
}

/** The compact wire form of a signed entry batch, for a data channel. */
export function encodeSignedBatch(signed: SignedBatch): Uint8Array {
  const w = new Writer(180 + signed.bytes.length);
  w.u8(WIRE_BATCH);
  w.u8(WIRE_VERSION);
  writeHeader(w, signed);
  w.u64(BigInt(signed.epoch));
  w.u64(BigInt(signed.firstSeq));
  w.u64(BigInt(signed.lastSeq));
  w.bytes(signed.bytes);
  return w.finish();
}

/**
 * Reads {@link encodeSignedBatch}'s output. Does not verify the signature: pass
 * the result to {@link verifyBatch}.
 * @throws DecodeError naming what is wrong when the bytes are not a well-formed signed batch.
 */
export function decodeSignedBatch(bytes: Uint8Array): SignedBatch {
  return decode(bytes, 'batch', WIRE_BATCH, (r) => {
    const header = readHeader(r);
    const epoch = readSafe(r, 'epoch');
    const firstSeq = readSafe(r, 'firstSeq');
    const lastSeq = readSafe(r, 'lastSeq');
    return { ...header, epoch, firstSeq, lastSeq, bytes: r.bytes() };
  });
}

// ---- helpers ----

const CALL_TAG = 'lockstep/call/v1';
const BATCH_TAG = 'lockstep/batch/v1';
const HELLO_TAG = 'lockstep/hello/v1';
const WIRE_CALL = 1;
const WIRE_BATCH = 2;
const WIRE_VERSION = 1;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const strict = new TextDecoder('utf-8', { fatal: true });

/** The bytes a call's signature covers. */
function callBytes(call: SignedCall): Uint8Array {
  const w = new Writer(128 + call.args.length);
  w.string(CALL_TAG);
  w.string(call.room);
  w.bytes(call.publicKey);
  w.string(call.client);
  w.u64(BigInt(call.callId));
  w.string(call.reducer);
  w.bytes(call.args);
  writeTimestamp(w, call.timestamp);
  return w.finish();
}

/** The bytes a hello proof's signature covers. */
function helloBytes(room: string, nonce: string, publicKey: Uint8Array): Uint8Array {
  const w = new Writer(128);
  w.string(HELLO_TAG);
  w.string(room);
  w.string(nonce);
  w.bytes(publicKey);
  return w.finish();
}

/** The bytes a batch's signature covers. */
function batchBytes(batch: SignedBatch): Uint8Array {
  const w = new Writer(128 + batch.bytes.length);
  w.string(BATCH_TAG);
  w.string(batch.room);
  w.bytes(batch.publicKey);
  w.u64(BigInt(batch.epoch));
  w.u64(BigInt(batch.firstSeq));
  w.u64(BigInt(batch.lastSeq));
  w.bytes(batch.bytes);
  return w.finish();
}

/** Only the signed fields, so nothing else rides along in the envelope. */
function pickCall(call: CallToSign): CallToSign {
  const { client, callId, reducer, args, timestamp } = call;
  return timestamp === undefined ? { client, callId, reducer, args } : { client, callId, reducer, args, timestamp };
}

function pickBatch(batch: BatchToSign): BatchToSign {
  const { epoch, firstSeq, lastSeq, bytes } = batch;
  return { epoch, firstSeq, lastSeq, bytes };
}

/** Why a call cannot be signed or checked as it is, if it cannot. Peers send these: nothing is trusted. */
function callProblem(call: SignedCall): string | undefined {
  return (
    envelopeProblem(call) ??
    textProblem('client', call.client) ??
    countProblem('callId', call.callId) ??
    textProblem('reducer', call.reducer) ??
    (call.args instanceof Uint8Array ? undefined : 'args must be a Uint8Array of encoded arguments') ??
    (call.timestamp === undefined || (typeof call.timestamp === 'bigint' && call.timestamp >= I64_MIN && call.timestamp <= I64_MAX)
      ? undefined
      : 'timestamp must be a bigint that fits in 64 signed bits')
  );
}

function batchProblem(batch: SignedBatch): string | undefined {
  return (
    envelopeProblem(batch) ??
    countProblem('epoch', batch.epoch) ??
    countProblem('firstSeq', batch.firstSeq) ??
    countProblem('lastSeq', batch.lastSeq) ??
    (batch.bytes instanceof Uint8Array ? undefined : 'bytes must be a Uint8Array of encoded entries')
  );
}

function envelopeProblem(signed: { readonly publicKey: unknown; readonly signature: unknown; readonly room: unknown }): string | undefined {
  if (!(signed.publicKey instanceof Uint8Array) || signed.publicKey.length !== PUBLIC_KEY_LENGTH || signed.publicKey[0] !== 0x04) {
    return `publicKey must be a raw ${PUBLIC_KEY_LENGTH}-byte P-256 public key (0x04 ‖ x ‖ y)`;
  }
  if (!(signed.signature instanceof Uint8Array) || signed.signature.length !== SIGNATURE_LENGTH) return `signature must be ${SIGNATURE_LENGTH} bytes`;
  return textProblem('room', signed.room);
}

/** Lone surrogates become U+FFFD in UTF-8, so two such strings would sign alike: refuse them. */
function textProblem(field: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return `${field} must be a string`;
  return /\p{Surrogate}/u.test(value) ? `${field} contains a lone UTF-16 surrogate, which has no UTF-8 form` : undefined;
}

function countProblem(field: string, value: unknown): string | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : `${field} must be a non-negative safe integer, not ${String(value)}`;
}

function writeHeader(w: Writer, signed: { readonly room: string; readonly publicKey: Uint8Array; readonly signature: Uint8Array }): void {
  w.string(signed.room);
  w.rawBytes(signed.publicKey);
  w.rawBytes(signed.signature);
}

function readHeader(r: Reader): { room: string; publicKey: Uint8Array; signature: Uint8Array } {
  const room = readString(r, 'room');
  return { room, publicKey: r.rawBytes(PUBLIC_KEY_LENGTH).slice(), signature: r.rawBytes(SIGNATURE_LENGTH).slice() };
}

function writeTimestamp(w: Writer, timestamp: bigint | undefined): void {
  w.bool(timestamp !== undefined);
  if (timestamp !== undefined) w.i64(timestamp);
}

function readTimestamp(r: Reader): bigint | undefined {
  return r.bool() ? r.i64() : undefined;
}

function readString(r: Reader, field: string): string {
  const bytes = r.rawBytes(r.u32());
  try {
    return strict.decode(bytes);
  } catch (error) {
    throw new DecodeError(`${field} is not valid UTF-8`, { cause: error });
  }
}

function readSafe(r: Reader, field: string): number {
  const value = r.u64();
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new DecodeError(`${field} ${value} is larger than the largest safe integer`);
  return Number(value);
}

/** Runs a decoder over the wire form, turning every failure into one DecodeError that says what was being read. */
function decode<T>(bytes: Uint8Array, what: 'call' | 'batch', kind: number, read: (r: Reader) => T): T {
  const fail = (problem: string, cause?: unknown): DecodeError =>
    new DecodeError(`Malformed signed ${what}: ${problem}`, cause === undefined ? {} : { cause });
  if (!(bytes instanceof Uint8Array)) throw fail('expected a Uint8Array');
  if (bytes.length < 2) throw fail(`${bytes.length} byte(s) is too short for a header`);
  if (bytes[0] !== kind) {
    const found = bytes[0] === WIRE_CALL ? 'a signed call' : bytes[0] === WIRE_BATCH ? 'a signed batch' : `unknown kind ${bytes[0]}`;
    throw fail(`the first byte says this is ${found}`);
  }
  if (bytes[1] !== WIRE_VERSION) throw fail(`format version ${bytes[1]} is not supported (this peer reads version ${WIRE_VERSION}); the sender runs another protocol`);
  // Read from byte 0 so that offsets in messages count from the start of the input.
  const r = new Reader(bytes);
  r.u8();
  r.u8();
  let value: T;
  try {
    value = read(r);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    throw fail(error.message.replace(/^Malformed data: /, ''), error);
  }
  if (!r.done()) throw fail(`${r.remaining} trailing byte(s) after the ${what}`);
  return value;
}

const short = (identity: string): string => identity.slice(0, 12);
