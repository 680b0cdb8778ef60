/**
 * Cheap, deterministic stand-ins for the room's signatures (a keyed hash, no
 * ECDSA), for the simulation: they settle in a microtask, so a seed replays
 * exactly, and thousands of seeds run in minutes. They check what the real
 * ones check (the fields, the key, the room) but protect nothing: anyone who
 * knows a public key can "sign" with it. The trust layer's own tests use the
 * real signatures.
 */
import { SignatureError } from '../errors';
import type { Identity } from '../schema/type-desc';
import type { RoomCrypto } from './signed-link';
import type { SignedBatch, SignedCall, SigningKeys } from './signed';

/** Keys for the node named `name`: a 65-byte "public key" whose bytes 1..32 are its identity. */
export function fakeKeys(name: string): { readonly keys: SigningKeys; readonly identity: Identity } {
  const publicKey = new Uint8Array(65);
  publicKey[0] = 0x04;
  let h = 0x811c9dc5;
  for (let i = 1; i < 33; i++) {
    for (const c of `${name}:${i}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    publicKey[i] = h & 0xff;
  }
  return { keys: { privateKey: {} as CryptoKey, publicKey }, identity: identityOf(publicKey) };
}

/** The fake {@link RoomCrypto}. */
export const fakeCrypto: RoomCrypto = {
  signCall: async (keys, room, call) => ({ ...call, room, publicKey: keys.publicKey, signature: tag(keys.publicKey, callText(room, call)) }),
  verifyCall: async (signed: SignedCall, room: string) => {
    if (!same(signed.signature, tag(signed.publicKey, callText(signed.room, signed)))) throw new SignatureError(`Forged call ${signed.callId} of client "${signed.client}"`);
    if (signed.room !== room) throw new SignatureError(`Call signed for room "${signed.room}" replayed into room "${room}": refused`);
    return identityOf(signed.publicKey);
  },
  signBatch: async (keys, room, batch) => ({ ...batch, room, publicKey: keys.publicKey, signature: tag(keys.publicKey, batchText(room, batch)) }),
  verifyBatch: async (signed: SignedBatch, room: string, pinned: Identity) => {
    if (identityOf(signed.publicKey) !== pinned) throw new SignatureError(`Refused entries ${signed.firstSeq}..${signed.lastSeq}: not signed by the room's authority`);
    if (!same(signed.signature, tag(signed.publicKey, batchText(signed.room, signed))) || signed.room !== room) throw new SignatureError(`Forged batch ${signed.firstSeq}..${signed.lastSeq}`);
  },
  signHello: async (keys, room, nonce) => ({ publicKey: keys.publicKey, signature: tag(keys.publicKey, `hello/${room}/${nonce}`) }),
  verifyHello: async (proof, room, nonce) => {
    if (!same(proof.signature, tag(proof.publicKey, `hello/${room}/${nonce}`))) throw new SignatureError('Forged hello');
    return identityOf(proof.publicKey);
  },
};

function identityOf(publicKey: Uint8Array): Identity {
  return [...publicKey.subarray(1, 33)].map((b) => b.toString(16).padStart(2, '0')).join('') as Identity;
}

const callText = (room: string, call: { client: string; callId: number; reducer: string; args: Uint8Array }): string => `call/${room}/${call.client}/${call.callId}/${call.reducer}/${call.args.join(',')}`;
const batchText = (room: string, batch: { epoch: number; firstSeq: number; lastSeq: number; bytes: Uint8Array }): string => `batch/${room}/${batch.epoch}/${batch.firstSeq}/${batch.lastSeq}/${fnv(batch.bytes)}`;

function fnv(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** A 64-byte "signature": a hash of the key and the text, repeated. */
function tag(publicKey: Uint8Array, text: string): Uint8Array {
  let h = fnv(publicKey);
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  const out = new Uint8Array(64);
  for (let i = 0; i < 64; i++) out[i] = (h >>> ((i % 4) * 8)) & 0xff;
  return out;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
