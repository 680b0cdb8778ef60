/**
 * Identity keys and signatures (DESIGN §7): ECDSA P-256 with SHA-256 through
 * WebCrypto (`globalThis.crypto.subtle`), so the same code runs in browsers,
 * workers and Node 20. Signatures are the 64-byte IEEE P1363 form (`r ‖ s`).
 */

import type { Identity } from '../schema/type-desc';

const KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Length of a raw (uncompressed) P-256 public key: `0x04 ‖ x ‖ y`. */
export const PUBLIC_KEY_LENGTH = 65;
/** Length of a signature from {@link sign}. */
export const SIGNATURE_LENGTH = 64;

/**
 * Makes a new identity key pair: the private key cannot be exported (it can
 * still be stored in IndexedDB by structured clone), the public key can.
 */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  // WebCrypto always makes the public half of a pair extractable.
  return crypto.subtle.generateKey(KEY, false, ['sign', 'verify']);
}

/** The raw 65-byte form of a public key, as peers exchange it. */
export async function exportPublicKey(publicKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey('raw', publicKey));
}

/**
 * The {@link Identity} of a raw public key: SHA-256 of its 65 bytes, as 64
 * lowercase hex digits.
 * @example
 * const identity = await identityFromPublicKey(await exportPublicKey(pair.publicKey));
 */
export function identityFromPublicKey(publicKeyRaw: Uint8Array): Promise<Identity> {
  // Every signed call and batch carries its key: the few keys of a room are hashed once each.
  const hex = toHex(publicKeyRaw);
  let identity = identities.get(hex);
  if (identity === undefined) {
    identity = crypto.subtle.digest('SHA-256', ownBuffer(publicKeyRaw)).then((digest) => toHex(new Uint8Array(digest)) as Identity);
    if (identities.size >= CACHE_LIMIT) identities.delete(identities.keys().next().value!);
    identities.set(hex, identity);
  }
  return identity;
}

/** Identities by public key hex (see {@link identityFromPublicKey}). */
const identities = new Map<string, Promise<Identity>>();

/** Signs `bytes` with an identity's private key; the result is {@link SIGNATURE_LENGTH} bytes. */
export async function sign(privateKey: CryptoKey, bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign(SIGN, privateKey, ownBuffer(bytes)));
}

/**
 * Whether `signature` is a signature of `bytes` by the raw public key. False
 * for a wrong or malformed signature, and for bytes that are not a P-256 public
 * key (peers send these; they are not trusted). Imported keys are cached.
 */
export async function verify(publicKeyRaw: Uint8Array, signature: Uint8Array, bytes: Uint8Array): Promise<boolean> {
  const key = await importPublicKey(publicKeyRaw);
  if (key === undefined || signature.length !== SIGNATURE_LENGTH) return false;
  return crypto.subtle.verify(SIGN, key, ownBuffer(signature), ownBuffer(bytes));
}

/** Imported public keys by hex; a few peers sign everything, so a small cache removes most imports. */
const imported = new Map<string, Promise<CryptoKey | undefined>>();
const CACHE_LIMIT = 256;

function importPublicKey(raw: Uint8Array): Promise<CryptoKey | undefined> {
  if (raw.length !== PUBLIC_KEY_LENGTH || raw[0] !== 0x04) return Promise.resolve(undefined);
  const hex = toHex(raw);
  let key = imported.get(hex);
  if (key === undefined) {
    // A point that is not on the curve is refused by importKey (DataError): that key verifies nothing.
    key = crypto.subtle.importKey('raw', ownBuffer(raw), KEY, false, ['verify']).catch((error: unknown) => {
      if (error instanceof Error && error.name === 'DataError') return undefined;
      imported.delete(hex);
      throw error;
    });
    if (imported.size >= CACHE_LIMIT) imported.delete(imported.keys().next().value!);
    imported.set(hex, key);
  }
  return key;
}

/** WebCrypto takes only ArrayBuffer-backed views (not SharedArrayBuffer ones). */
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
