/** Worker side of identity.html: loads the identity and checks what its keys can and cannot do. */
import { identityFromPublicKey, sign, verify } from '../../lib/room/signing';
import { loadOrCreateIdentity } from '../../worker/identity';

/** What the page learns about the loaded identity. */
export interface IdentityReport {
  readonly ok: true;
  readonly identity: string;
  /** Whether `identity` is the SHA-256 of the returned public key. */
  readonly matchesPublicKey: boolean;
  readonly privateKeyExtractable: boolean;
  /** The error name WebCrypto gives when asked to export the private key, or 'exported'. */
  readonly privateKeyExport: string;
  /** Whether a signature by the private key verifies under the public key. */
  readonly signatureVerifies: boolean;
}

addEventListener('message', () => {
  void report().then(
    (result) => postMessage(result),
    (error: unknown) => postMessage({ ok: false, message: String(error) }),
  );
});

async function report(): Promise<IdentityReport> {
  const { identity, publicKey, privateKey } = await loadOrCreateIdentity();
  const message = new TextEncoder().encode('call 1');
  return {
    ok: true,
    identity,
    matchesPublicKey: (await identityFromPublicKey(publicKey)) === identity,
    privateKeyExtractable: privateKey.extractable,
    privateKeyExport: await crypto.subtle.exportKey('pkcs8', privateKey).then(
      () => 'exported',
      (error: unknown) => (error instanceof Error ? error.name : String(error)),
    ),
    signatureVerifies: await verify(publicKey, await sign(privateKey, message), message),
  };
}
