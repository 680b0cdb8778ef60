/**
 * This browser profile's identity (DESIGN §7): an ECDSA P-256 key pair kept in
 * IndexedDB. The private key is non-extractable; IndexedDB stores it by
 * structured clone, so the same key (and identity) comes back after a reload.
 */

import { openDB } from 'idb';
import type { Identity } from '../lib/schema/type-desc';
import { exportPublicKey, generateKeyPair, identityFromPublicKey } from '../lib/room/signing';

/** A loaded identity: who this profile is, and the keys to prove it. */
export interface LoadedIdentity {
  readonly identity: Identity;
  /** Raw 65-byte public key, as sent to peers. */
  readonly publicKey: Uint8Array;
  /** Signs calls and entries; cannot be exported. */
  readonly privateKey: CryptoKey;
}

const STORE = 'keys';
const KEY = 'identity';

/**
 * Loads this profile's identity from the IndexedDB database `dbName`, creating
 * and storing a new key pair the first time. Safe when several tabs or workers
 * call it at once: all of them end up with the first pair stored.
 * @example
 * const { identity, privateKey } = await loadOrCreateIdentity();
 */
export async function loadOrCreateIdentity(dbName = 'lockstep-identity'): Promise<LoadedIdentity> {
  const db = await openDB(dbName, 1, { upgrade: (db) => void db.createObjectStore(STORE) });
  try {
    let pair = asKeyPair(await db.get(STORE, KEY));
    if (pair === undefined) {
      const fresh = await generateKeyPair();
      // Check again inside one readwrite transaction: a concurrent caller may have stored its pair meanwhile.
      const tx = db.transaction(STORE, 'readwrite');
      pair = asKeyPair(await tx.store.get(KEY));
      if (pair === undefined) {
        pair = fresh;
        await tx.store.put(fresh, KEY);
      }
      await tx.done;
    }
    const publicKey = await exportPublicKey(pair.publicKey);
    return { identity: await identityFromPublicKey(publicKey), publicKey, privateKey: pair.privateKey };
  } finally {
    db.close();
  }
}

function asKeyPair(value: unknown): CryptoKeyPair | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { publicKey, privateKey } = value as Partial<CryptoKeyPair>;
  return publicKey instanceof CryptoKey && privateKey instanceof CryptoKey ? { publicKey, privateKey } : undefined;
}
