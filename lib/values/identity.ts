import { HexId } from './hex-id';

/**
 * A 256-bit identity: who called a reducer (`ctx.sender`), who owns a row. Lockstep derives it from
 * a browser profile's public key. Compare with {@link Identity.isEqual}, not `===`.
 * @example
 * if (!row.owner.isEqual(ctx.sender)) throw new SenderError('Not your row');
 */
export class Identity extends HexId {
  /** The identity as an unsigned integer (public, so equal identities are structurally equal). */
  readonly __identity__: bigint;

  /** @param data - 64 hex digits (optionally `0x`-prefixed), or the identity as a bigint */
  constructor(data: string | bigint) {
    super('Identity', data, 64);
    this.__identity__ = BigInt(`0x${this.toHexString()}`);
  }

  /** Parses 64 hex digits. */
  static fromString(str: string): Identity {
    return new Identity(str);
  }

  /** The all-zero identity. */
  static zero(): Identity {
    return new Identity(0n);
  }
}
