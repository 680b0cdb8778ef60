import { canonicalHex, hexToBytes } from './hex-id';

/**
 * A 256-bit identity: who called a reducer (`ctx.sender`), who owns a row. Lockstep derives it from
 * a browser profile's public key. Compare with {@link Identity.isEqual}, not `===`.
 * @example
 * if (!row.owner.isEqual(ctx.sender)) throw new SenderError('Not your row');
 */
export class Identity {
  /** The id as an unsigned integer (public, so equal ids are structurally equal). */
  readonly __identity__: bigint;
  readonly #hex: string;

  /** @param data - 64 hex digits (optionally `0x`-prefixed), or the identity as a bigint */
  constructor(data: string | bigint) {
    this.#hex = canonicalHex('Identity', data, 64);
    this.__identity__ = BigInt(`0x${this.#hex}`);
  }

  /** True when both are the same identity. */
  isEqual(other: Identity): boolean {
    return other instanceof Identity && other.#hex === this.#hex;
  }

  /** Same as {@link Identity.isEqual}. */
  equals(other: Identity): boolean {
    return this.isEqual(other);
  }

  /** 64 lowercase hex digits. */
  toHexString(): string {
    return this.#hex;
  }

  /** The 32 bytes, most significant first. */
  toUint8Array(): Uint8Array {
    return hexToBytes(this.#hex);
  }

  /** Parses 64 hex digits. */
  static fromString(str: string): Identity {
    return new Identity(str);
  }

  /** The all-zero identity. */
  static zero(): Identity {
    return new Identity(0n);
  }

  /** 64 lowercase hex digits, so template strings and logs show the hex. */
  toString(): string {
    return this.#hex;
  }

  /** JSON spells an identity as its hex. */
  toJSON(): string {
    return this.#hex;
  }
}
