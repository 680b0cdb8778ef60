import { canonicalHex, hexToBytes } from './hex-id';

/**
 * A 128-bit connection id: one client connection (`ctx.connectionId`). Compare with
 * {@link ConnectionId.isEqual}, not `===`.
 */
export class ConnectionId {
  /** The id as an unsigned integer (public, so equal ids are structurally equal). */
  readonly __connection_id__: bigint;
  readonly #hex: string;

  /** @param data - the id as a bigint, or 32 hex digits */
  constructor(data: bigint | string) {
    this.#hex = canonicalHex('ConnectionId', data, 32);
    this.__connection_id__ = BigInt(`0x${this.#hex}`);
  }

  /** True for the all-zero id. */
  isZero(): boolean {
    return /^0+$/.test(this.#hex);
  }

  /** `null` for the all-zero id, else the id. */
  static nullIfZero(id: ConnectionId): ConnectionId | null {
    return id.isZero() ? null : id;
  }

  /** A random id (not inside reducers: it reads the platform's randomness). */
  static random(): ConnectionId {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return new ConnectionId([...bytes].map((b) => b.toString(16).padStart(2, '0')).join(''));
  }

  /** True when both are the same id. */
  isEqual(other: ConnectionId): boolean {
    return other instanceof ConnectionId && other.#hex === this.#hex;
  }

  /** Same as {@link ConnectionId.isEqual}. */
  equals(other: ConnectionId): boolean {
    return this.isEqual(other);
  }

  /** 32 lowercase hex digits. */
  toHexString(): string {
    return this.#hex;
  }

  /** The 16 bytes, most significant first. */
  toUint8Array(): Uint8Array {
    return hexToBytes(this.#hex);
  }

  /** Parses 32 hex digits. */
  static fromString(str: string): ConnectionId {
    return new ConnectionId(str);
  }

  /** Parses 32 hex digits; `null` for the all-zero id. */
  static fromStringOrNull(str: string): ConnectionId | null {
    return ConnectionId.nullIfZero(new ConnectionId(str));
  }

  /** 32 lowercase hex digits. */
  toString(): string {
    return this.#hex;
  }

  /** JSON spells a connection id as its hex. */
  toJSON(): string {
    return this.#hex;
  }
}
