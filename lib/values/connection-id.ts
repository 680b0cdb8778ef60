import { HexId } from './hex-id';

/**
 * A 128-bit connection id: one client connection (`ctx.connectionId`). Compare with
 * {@link ConnectionId.isEqual}, not `===`.
 */
export class ConnectionId extends HexId {
  /** The id as an unsigned integer (public, so equal ids are structurally equal). */
  readonly __connection_id__: bigint;

  /** @param data - the id as a bigint, or 32 hex digits */
  constructor(data: bigint | string) {
    super('ConnectionId', data, 32);
    this.__connection_id__ = BigInt(`0x${this.toHexString()}`);
  }

  /** True for the all-zero id. */
  isZero(): boolean {
    return this.__connection_id__ === 0n;
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

  /** Parses 32 hex digits. */
  static fromString(str: string): ConnectionId {
    return new ConnectionId(str);
  }

  /** Parses 32 hex digits; `null` for the all-zero id. */
  static fromStringOrNull(str: string): ConnectionId | null {
    return ConnectionId.nullIfZero(new ConnectionId(str));
  }
}
