import { beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, SignatureError, ValueError } from '../errors';
import type { Identity } from '../schema/type-desc';
import {
  decodeSignedBatch,
  decodeSignedCall,
  encodeSignedBatch,
  encodeSignedCall,
  signBatch,
  signCall,
  signHello,
  verifyBatch,
  verifyCall,
  verifyHello,
  type SignedBatch,
  type SignedCall,
  type SigningKeys,
} from './signed';
import { exportPublicKey, generateKeyPair, identityFromPublicKey } from './signing';

interface Peer {
  readonly keys: SigningKeys;
  readonly identity: Identity;
}

async function peer(): Promise<Peer> {
  const pair = await generateKeyPair();
  const publicKey = await exportPublicKey(pair.publicKey);
  return { keys: { privateKey: pair.privateKey, publicKey }, identity: await identityFromPublicKey(publicKey) };
}

let alice: Peer;
let mallory: Peer;
let authority: Peer;
beforeAll(async () => {
  [alice, mallory, authority] = await Promise.all([peer(), peer(), peer()]);
});

const args = new Uint8Array([4, 0, 0, 0, 104, 101, 108, 108]);
const call = { client: 'alice-tab-1', callId: 7, reducer: 'sendMessage', args };
const batch = { epoch: 2, firstSeq: 11, lastSeq: 13, bytes: new Uint8Array([1, 2, 3, 4, 5]) };

async function callRefusal(signed: SignedCall, room: string): Promise<SignatureError> {
  const error = await verifyCall(signed, room).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SignatureError);
  return error as SignatureError;
}

async function batchRefusal(signed: SignedBatch, room: string, pinned: Identity): Promise<SignatureError> {
  const error = await verifyBatch(signed, room, pinned).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SignatureError);
  return error as SignatureError;
}

const forgedCall = (c: { callId: number; client: string; reducer: string }, identity: Identity) =>
  `Forged call: the signature does not match call ${c.callId} of client "${c.client}" to reducer "${c.reducer}" and the key of ${identity.slice(0, 12)}…; refuse it and drop the peer that sent it`;

describe('signed calls', () => {
  it('verifies a signed call and returns the identity of the key that signed it', async () => {
    const signed = await signCall(alice.keys, 'room-1', call);
    expect(signed).toMatchObject({ ...call, room: 'room-1', publicKey: alice.keys.publicKey });
    expect(signed.signature.length).toBe(64);
    expect(await verifyCall(signed, 'room-1')).toBe(alice.identity);
  });

  it('signs the optional timestamp: adding, removing or changing it is refused', async () => {
    const signed = await signCall(alice.keys, 'room-1', { ...call, timestamp: 1_700_000_000_000_000n });
    expect(await verifyCall(signed, 'room-1')).toBe(alice.identity);
    const { timestamp: _dropped, ...without } = signed;
    expect((await callRefusal(without, 'room-1')).message).toBe(forgedCall(call, alice.identity));
    expect((await callRefusal({ ...signed, timestamp: 1n }, 'room-1')).message).toBe(forgedCall(call, alice.identity));
    const unstamped = await signCall(alice.keys, 'room-1', call);
    expect((await callRefusal({ ...unstamped, timestamp: 0n }, 'room-1')).message).toBe(forgedCall(call, alice.identity));
  });

  it.each([
    ['args', { args: new Uint8Array([4, 0, 0, 0, 104, 101, 108, 109]) }],
    ['callId', { callId: 8 }],
    ['client', { client: 'alice-tab-2' }],
    ['reducer', { reducer: 'deleteMessage' }],
  ] as const)('refuses a call whose %s was changed after signing', async (_field, change) => {
    const signed = await signCall(alice.keys, 'room-1', call);
    const tampered = { ...signed, ...change };
    const error = await callRefusal(tampered, 'room-1');
    expect(error.message).toBe(forgedCall(tampered, alice.identity));
    expect(error.code).toBe('BAD_SIGNATURE');
    expect(error.reducer).toBe(tampered.reducer);
  });

  it('refuses a call signed for another room, naming both rooms', async () => {
    const signed = await signCall(alice.keys, 'room-1', call);
    expect((await callRefusal(signed, 'room-2')).message).toBe('Call signed for room "room-1" replayed into room "room-2": refused');
  });

  it('refuses a call whose room field was rewritten to pass the room check', async () => {
    const signed = await signCall(alice.keys, 'room-1', call);
    expect((await callRefusal({ ...signed, room: 'room-2' }, 'room-2')).message).toBe(forgedCall(call, alice.identity));
  });

  it("refuses another peer's signature presented with Alice's public key", async () => {
    const byMallory = await signCall(mallory.keys, 'room-1', call);
    const claimed = { ...byMallory, publicKey: alice.keys.publicKey };
    expect((await callRefusal(claimed, 'room-1')).message).toBe(forgedCall(call, alice.identity));
  });

  it("attributes a call to the key that signed it, even when it claims another peer's client name", async () => {
    const byMallory = await signCall(mallory.keys, 'room-1', call);
    const sender = await verifyCall(byMallory, 'room-1');
    expect(sender).toBe(mallory.identity);
    expect(sender).not.toBe(alice.identity);
  });

  it('does not let bytes shift from one field into the next', async () => {
    const signed = await signCall(alice.keys, 'room-1', { ...call, client: 'ab', reducer: 'c' });
    const shifted = { ...signed, client: 'a', reducer: 'bc' };
    expect((await callRefusal(shifted, 'room-1')).message).toBe(forgedCall(shifted, alice.identity));
  });

  it('refuses malformed envelopes before checking anything else', async () => {
    const signed = await signCall(alice.keys, 'room-1', call);
    expect((await callRefusal({ ...signed, signature: signed.signature.subarray(1) }, 'room-1')).message).toBe('Malformed signed call: signature must be 64 bytes');
    expect((await callRefusal({ ...signed, publicKey: signed.publicKey.subarray(0, 33) }, 'room-1')).message).toBe(
      'Malformed signed call: publicKey must be a raw 65-byte P-256 public key (0x04 ‖ x ‖ y)',
    );
    expect((await callRefusal({ ...signed, callId: -1 }, 'room-1')).message).toBe('Malformed signed call: callId must be a non-negative safe integer, not -1');
  });

  it('refuses to sign what it could not sign unambiguously', async () => {
    await expect(signCall(alice.keys, 'room-1', { ...call, client: 'tab\uD800' })).rejects.toThrow(ValueError);
    await expect(signCall(alice.keys, 'room-1', { ...call, client: 'tab\uD800' })).rejects.toThrow('signCall: client contains a lone UTF-16 surrogate, which has no UTF-8 form');
    await expect(signCall(alice.keys, 'room-1', { ...call, callId: 1.5 })).rejects.toThrow('signCall: callId must be a non-negative safe integer, not 1.5');
    await expect(signCall(alice.keys, 'room-1', { ...call, timestamp: 1n << 63n })).rejects.toThrow('signCall: timestamp must be a bigint that fits in 64 signed bits');
  });
});

describe('signed entry batches', () => {
  it('verifies a batch signed by the pinned authority', async () => {
    const signed = await signBatch(authority.keys, 'room-1', batch);
    expect(signed).toMatchObject({ ...batch, room: 'room-1', publicKey: authority.keys.publicKey });
    await expect(verifyBatch(signed, 'room-1', authority.identity)).resolves.toBeUndefined();
  });

  it('refuses a batch signed by a peer that is not the pinned authority', async () => {
    const signed = await signBatch(mallory.keys, 'room-1', batch);
    const error = await batchRefusal(signed, 'room-1', authority.identity);
    expect(error.message).toBe(`Refused entries 11..13 of epoch 2: signed by ${mallory.identity.slice(0, 12)}…, not by the room's authority ${authority.identity.slice(0, 12)}…`);
  });

  it("refuses a non-authority's signature presented with the authority's public key", async () => {
    const signed = await signBatch(mallory.keys, 'room-1', batch);
    const error = await batchRefusal({ ...signed, publicKey: authority.keys.publicKey }, 'room-1', authority.identity);
    expect(error.message).toBe("Forged batch: the signature does not match entries 11..13 of epoch 2 and the authority's key; refuse it and drop the peer that sent it");
  });

  it.each([
    ['bytes', { bytes: new Uint8Array([1, 2, 3, 4, 6]) }, 'entries 11..13 of epoch 2'],
    ['epoch', { epoch: 3 }, 'entries 11..13 of epoch 3'],
    ['firstSeq', { firstSeq: 12 }, 'entries 12..13 of epoch 2'],
    ['lastSeq', { lastSeq: 14 }, 'entries 11..14 of epoch 2'],
  ] as const)('refuses a batch whose %s was changed after signing', async (_field, change, what) => {
    const signed = await signBatch(authority.keys, 'room-1', batch);
    const error = await batchRefusal({ ...signed, ...change }, 'room-1', authority.identity);
    expect(error.message).toBe(`Forged batch: the signature does not match ${what} and the authority's key; refuse it and drop the peer that sent it`);
  });

  it('refuses a batch signed for another room', async () => {
    const signed = await signBatch(authority.keys, 'room-1', batch);
    expect((await batchRefusal(signed, 'room-2', authority.identity)).message).toBe('Batch (entries 11..13 of epoch 2) signed for room "room-1" replayed into room "room-2": refused');
  });

  it('never accepts a call signature as a batch signature, nor the reverse', async () => {
    const signedCall = await signCall(authority.keys, 'room-1', call);
    const signedBatch = await signBatch(authority.keys, 'room-1', batch);
    const asBatch = { ...signedBatch, signature: signedCall.signature };
    expect((await batchRefusal(asBatch, 'room-1', authority.identity)).message).toMatch(/^Forged batch: /);
    const asCall = { ...signedCall, signature: signedBatch.signature };
    expect((await callRefusal(asCall, 'room-1')).message).toBe(forgedCall(call, authority.identity));
  });

  it('refuses to sign a batch with a negative or fractional seq', async () => {
    await expect(signBatch(authority.keys, 'room-1', { ...batch, firstSeq: -1 })).rejects.toThrow('signBatch: firstSeq must be a non-negative safe integer, not -1');
    await expect(signBatch(authority.keys, 'room-1', { ...batch, epoch: 0.5 })).rejects.toThrow('signBatch: epoch must be a non-negative safe integer, not 0.5');
  });
});

describe('wire encoding', () => {
  it('round-trips a signed call, with and without a timestamp, and the decoded call still verifies', async () => {
    for (const input of [call, { ...call, timestamp: -5n }]) {
      const signed = await signCall(alice.keys, 'room-é', input);
      const decoded = decodeSignedCall(encodeSignedCall(signed));
      expect(decoded).toEqual(signed);
      expect(await verifyCall(decoded, 'room-é')).toBe(alice.identity);
    }
  });

  it('round-trips a signed batch, and the decoded batch still verifies', async () => {
    const signed = await signBatch(authority.keys, 'room-1', { ...batch, bytes: new Uint8Array(0) });
    const decoded = decodeSignedBatch(encodeSignedBatch(signed));
    expect(decoded).toEqual(signed);
    await expect(verifyBatch(decoded, 'room-1', authority.identity)).resolves.toBeUndefined();
  });

  function decodeError(decode: () => unknown): DecodeError {
    try {
      decode();
    } catch (error) {
      expect(error).toBeInstanceOf(DecodeError);
      return error as DecodeError;
    }
    throw new Error('decoding accepted malformed bytes');
  }

  it('refuses malformed signed calls with a message saying what is wrong', async () => {
    const bytes = encodeSignedCall(await signCall(alice.keys, 'r1', { ...call, client: 'x' }));
    const patched = (at: number, values: number[]) => {
      const copy = bytes.slice();
      copy.set(values, at);
      return copy;
    };
    // Layout: kind, version, room (4 + 2), publicKey (65), signature (64), client (4 + 1) at 141, callId (8) at 142.
    expect(decodeError(() => decodeSignedCall(new Uint8Array(0))).message).toBe('Malformed signed call: 0 byte(s) is too short for a header');
    expect(decodeError(() => decodeSignedCall(patched(1, [9]))).message).toBe(
      'Malformed signed call: format version 9 is not supported (this peer reads version 1); the sender runs another protocol',
    );
    expect(decodeError(() => decodeSignedCall(patched(0, [7]))).message).toBe('Malformed signed call: the first byte says this is unknown kind 7');
    expect(decodeError(() => decodeSignedCall(bytes.subarray(0, bytes.length - 1))).message).toMatch(/^Malformed signed call: input truncated at byte \d+: needed 1 more byte\(s\) but only 0 remain$/);
    expect(decodeError(() => decodeSignedCall(new Uint8Array([...bytes, 0]))).message).toBe('Malformed signed call: 1 trailing byte(s) after the call');
    expect(decodeError(() => decodeSignedCall(patched(141, [0xff]))).message).toBe('Malformed signed call: client is not valid UTF-8');
    expect(decodeError(() => decodeSignedCall(patched(142, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).message).toBe(
      'Malformed signed call: callId 18446744073709551615 is larger than the largest safe integer',
    );
    expect(decodeError(() => decodeSignedCall(patched(bytes.length - 1, [2]))).message).toBe('Malformed signed call: expected a bool (0 or 1) at byte 177, found 2');
    const hugeRoom = patched(2, [0xff, 0xff, 0xff, 0x7f]);
    expect(decodeError(() => decodeSignedCall(hugeRoom)).message).toMatch(/^Malformed signed call: input truncated at byte 6: needed 2147483647 more byte\(s\)/);
  });

  it('refuses a batch where a call is expected, and the reverse', async () => {
    const callBytes = encodeSignedCall(await signCall(alice.keys, 'room-1', call));
    const batchBytes = encodeSignedBatch(await signBatch(authority.keys, 'room-1', batch));
    expect(decodeError(() => decodeSignedCall(batchBytes)).message).toBe('Malformed signed call: the first byte says this is a signed batch');
    expect(decodeError(() => decodeSignedBatch(callBytes)).message).toBe('Malformed signed batch: the first byte says this is a signed call');
    expect(decodeError(() => decodeSignedBatch(batchBytes.subarray(0, 100))).message).toMatch(/^Malformed signed batch: input truncated at byte \d+/);
  });
});

describe('hello proofs', () => {
  it("prove the signer's identity over the challenge it answers, and nothing else", async () => {
    const proof = await signHello(alice.keys, 'room-1', 'nonce-a');
    expect(await verifyHello(proof, 'room-1', 'nonce-a')).toBe(alice.identity);
    // Replayed to another challenge or room, or with its key swapped for another's, it proves nothing.
    await expect(verifyHello(proof, 'room-1', 'nonce-b')).rejects.toThrow(SignatureError);
    await expect(verifyHello(proof, 'room-2', 'nonce-a')).rejects.toThrow(/Forged hello/);
    await expect(verifyHello({ ...proof, publicKey: mallory.keys.publicKey }, 'room-1', 'nonce-a')).rejects.toThrow(SignatureError);
    await expect(verifyHello({ publicKey: new Uint8Array(3), signature: proof.signature }, 'room-1', 'nonce-a')).rejects.toThrow(/Malformed hello proof/);
  });
});
