/**
 * The room's wire protocol: what the browsers of a room send each other over
 * WebRTC data channels. It is the replication protocol (../replication/messages)
 * with what changes state signed (room/signed-link does that): calls by their
 * caller (`encodeSignedCall`), entry batches and snapshots by the room's
 * authority (`encodeSignedBatch`), so a relaying or malicious peer can neither
 * inject nor alter them; plus the handshake that proves each peer's identity.
 * Plain data and no logic besides the wire encoding.
 */
import { DecodeError } from '../errors';
import type { AnnounceMessage, CallFailedMessage, CallRefusedMessage, HelloMessage, RefusedMessage } from '../replication/messages';
import type { ConnectionId, Identity } from '../schema/type-desc';
import type { ModuleFingerprint } from './handshake';
import type { HelloProof } from './signed';

/**
 * The first message both ways: who the peer is and what module it runs. Each
 * side challenges the other with a fresh `nonce` and proves its identity by
 * signing the other's (`proof`, once it has heard it): a member follows an
 * authority, and an authority takes a member, only once proven, so no peer can
 * pass itself off as another.
 */
export interface HandshakeMessage {
  readonly type: 'handshake';
  readonly fingerprint: ModuleFingerprint;
  /** The peer's identity; the authority's is pinned by members and checked against every batch's key. */
  readonly identity: Identity;
  /** This side's challenge to the receiver, the same for every handshake to it while connected. */
  readonly nonce: string;
  /** The sender's proof over the receiver's nonce (`signHello`), once the sender has heard it. */
  readonly proof?: HelloProof;
  /** The sender holds the receiver's proof: it needs no more handshakes from it. */
  readonly proven?: boolean;
  /** The connection that stands for this peer (its `clientConnected` / `clientDisconnected`). */
  readonly connectionId: ConnectionId;
  readonly authority: boolean;
}

/** A member's calls for the authority, in the order made: `encodeSignedCall` bytes each. */
export interface SignedCallsMessage {
  readonly type: 'calls';
  readonly epoch: number;
  readonly calls: readonly { readonly call: Uint8Array; readonly connectionId: ConnectionId | null }[];
}

/** Durable entries, signed by the authority: `encodeSignedBatch` bytes. `target` is the authority's last seq, for progress. */
export interface SignedEntriesMessage {
  readonly type: 'entries';
  readonly batch: Uint8Array;
  readonly target: number;
}

/**
 * The authority's whole state at `seq`: an `encodeSignedBatch` whose bytes are
 * the snapshot chunks, framed by {@link frameChunks}, with `firstSeq = lastSeq = seq`.
 */
export interface SignedSnapshotMessage {
  readonly type: 'snapshot';
  readonly batch: Uint8Array;
  readonly target: number;
}

/** Everything peers send each other. */
export type RoomMessage = HandshakeMessage | RefusedMessage | AnnounceMessage | HelloMessage | SignedCallsMessage | CallFailedMessage | CallRefusedMessage | SignedEntriesMessage | SignedSnapshotMessage;

const TYPES = new Set<string>(['handshake', 'refused', 'announce', 'hello', 'calls', 'call-failed', 'call-refused', 'entries', 'snapshot']);

/**
 * Encodes a message as JSON text, with byte arrays as base64 (`{"$bytes": …}`)
 * and bigints as decimal strings (`{"$bigint": …}`) — module fingerprints carry both.
 */
export function encodeRoomMessage(message: RoomMessage): string {
  return JSON.stringify(message, (_key, value: unknown) => {
    if (typeof value === 'bigint') return { $bigint: value.toString() };
    if (value instanceof Uint8Array) return { $bytes: toBase64(value) };
    return value;
  });
}

/** Decodes {@link encodeRoomMessage}'s text; a peer's malformed message is a `DecodeError` saying what is wrong. */
export function decodeRoomMessage(text: string | Uint8Array): RoomMessage {
  if (typeof text !== 'string') throw new DecodeError(`A room message must be text, got ${text.length} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_key, value: unknown) => {
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const tagged = value as { $bytes?: unknown; $bigint?: unknown };
        if (typeof tagged.$bytes === 'string') return fromBase64(tagged.$bytes);
        if (typeof tagged.$bigint === 'string') return BigInt(tagged.$bigint);
      }
      return value;
    });
  } catch (error) {
    throw new DecodeError(`A room message is not valid: ${error instanceof Error ? error.message : String(error)}`);
  }
  const type = (parsed as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !TYPES.has(type)) throw new DecodeError(`A room message has an unknown type: ${JSON.stringify(type)}`);
  return parsed as RoomMessage;
}

/** Frames snapshot chunks into one byte array (`[u32 count]` then `[u32 length][bytes]` each), to be signed as one. */
export function frameChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, c) => sum + 4 + c.length, 4);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, chunks.length, true);
  let at = 4;
  for (const chunk of chunks) {
    view.setUint32(at, chunk.length, true);
    out.set(chunk, at + 4);
    at += 4 + chunk.length;
  }
  return out;
}

/** Splits {@link frameChunks}' bytes; a `DecodeError` when they do not add up. */
export function unframeChunks(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw new DecodeError(`Snapshot framing: ${bytes.length} bytes, too short for a chunk count`);
  const count = view.getUint32(0, true);
  const chunks: Uint8Array[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) throw new DecodeError(`Snapshot framing: chunk ${i} of ${count} starts past the end (${bytes.length} bytes)`);
    const length = view.getUint32(at, true);
    if (at + 4 + length > bytes.length) throw new DecodeError(`Snapshot framing: chunk ${i} of ${count} (${length} bytes) runs past the end`);
    chunks.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (at !== bytes.length) throw new DecodeError(`Snapshot framing: ${bytes.length - at} bytes after the last chunk`);
  return chunks;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
