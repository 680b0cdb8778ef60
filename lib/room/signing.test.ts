import { describe, expect, it } from 'vitest';
import { exportPublicKey, generateKeyPair, identityFromPublicKey, sign, verify } from './signing';

const message = new TextEncoder().encode('seq 42: sendMessage({ text: "hi" })');

describe('identity keys', () => {
  it('makes a non-extractable private key and an extractable 65-byte public key', async () => {
    const pair = await generateKeyPair();
    expect(pair.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('pkcs8', pair.privateKey)).rejects.toThrow();
    const raw = await exportPublicKey(pair.publicKey);
    expect(raw.length).toBe(65);
    expect(raw[0]).toBe(0x04);
  });

  it('derives the same 64-hex-digit identity from the same public key every time', async () => {
    const raw = await exportPublicKey((await generateKeyPair()).publicKey);
    const identity = await identityFromPublicKey(raw);
    expect(identity).toMatch(/^[0-9a-f]{64}$/);
    expect(await identityFromPublicKey(raw.slice())).toBe(identity);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', raw.slice()));
    expect(identity).toBe(Buffer.from(digest).toString('hex'));
  });

  it('gives different keys different identities', async () => {
    const [a, b] = await Promise.all([generateKeyPair(), generateKeyPair()]);
    const ids = await Promise.all([a, b].map(async (pair) => identityFromPublicKey(await exportPublicKey(pair.publicKey))));
    expect(ids[0]).not.toBe(ids[1]);
  });
});

describe('signatures', () => {
  it('verifies a signature made with the matching private key', async () => {
    const pair = await generateKeyPair();
    const signature = await sign(pair.privateKey, message);
    expect(signature.length).toBe(64);
    expect(await verify(await exportPublicKey(pair.publicKey), signature, message)).toBe(true);
  });

  it('verifies bytes given as a view into a larger or shared buffer', async () => {
    const pair = await generateKeyPair();
    const shared = new Uint8Array(new SharedArrayBuffer(message.length + 8));
    shared.set(message, 4);
    const view = shared.subarray(4, 4 + message.length);
    const signature = await sign(pair.privateKey, view);
    expect(await verify(await exportPublicKey(pair.publicKey), signature, message)).toBe(true);
  });

  it('rejects tampered bytes', async () => {
    const pair = await generateKeyPair();
    const signature = await sign(pair.privateKey, message);
    const tampered = message.slice();
    tampered[3]! ^= 1;
    expect(await verify(await exportPublicKey(pair.publicKey), signature, tampered)).toBe(false);
  });

  it('rejects a tampered or truncated signature', async () => {
    const pair = await generateKeyPair();
    const publicKey = await exportPublicKey(pair.publicKey);
    const signature = await sign(pair.privateKey, message);
    const tampered = signature.slice();
    tampered[10]! ^= 0x80;
    expect(await verify(publicKey, tampered, message)).toBe(false);
    expect(await verify(publicKey, signature.subarray(0, 63), message)).toBe(false);
  });

  it("rejects another key's signature", async () => {
    const [signer, other] = await Promise.all([generateKeyPair(), generateKeyPair()]);
    const signature = await sign(signer.privateKey, message);
    expect(await verify(await exportPublicKey(other.publicKey), signature, message)).toBe(false);
  });

  it('rejects signatures under bytes that are not a P-256 public key', async () => {
    const pair = await generateKeyPair();
    const signature = await sign(pair.privateKey, message);
    const notOnCurve = new Uint8Array(65).fill(7);
    notOnCurve[0] = 0x04;
    expect(await verify(notOnCurve, signature, message)).toBe(false);
    expect(await verify(new Uint8Array(33), signature, message)).toBe(false);
  });
});
