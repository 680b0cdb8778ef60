import { hexToBytes } from './hex-id';

/** What algorithm made a UUID. */
export type UuidVersion = 'Nil' | 'V4' | 'V7' | 'Max';

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A 128-bit UUID (`t.uuid()` values, `ctx.newUuidV4()`, `ctx.newUuidV7()`). Compare with
 * {@link Uuid.isEqual} or order with {@link Uuid.compareTo}.
 */
export class Uuid {
  /** The UUID as an unsigned integer (public, so equal UUIDs are structurally equal). */
  readonly __uuid__: bigint;
  readonly #text: string;

  /** @param u - the UUID as a 128-bit unsigned bigint */
  constructor(u: bigint) {
    if (typeof u !== 'bigint' || u < 0n || u > 0xffffffffffffffffffffffffffffffffn) throw new RangeError(`Uuid: expected a 128-bit unsigned bigint, got ${String(u)}`);
    this.__uuid__ = u;
    const hex = u.toString(16).padStart(32, '0');
    this.#text = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** The largest 128-bit value. */
  static readonly MAX_UUID_BIGINT = 0xffffffffffffffffffffffffffffffffn;
  /** 00000000-0000-0000-0000-000000000000. */
  static readonly NIL = new Uuid(0n);
  /** ffffffff-ffff-ffff-ffff-ffffffffffff. */
  static readonly MAX = new Uuid(Uuid.MAX_UUID_BIGINT);

  /** Parses the canonical 8-4-4-4-12 hex form (either case). */
  static parse(s: string): Uuid {
    const text = s.toLowerCase();
    if (!CANONICAL.test(text)) throw new RangeError(`Uuid.parse: not a UUID: ${JSON.stringify(s)}`);
    return new Uuid(BigInt(`0x${text.replaceAll('-', '')}`));
  }

  /** 32 lowercase hex digits, no dashes. */
  toHexString(): string {
    return this.#text.replaceAll('-', '');
  }

  /** The canonical lowercase 8-4-4-4-12 form. */
  toString(): string {
    return this.#text;
  }

  /** JSON spells a UUID in its canonical form. */
  toJSON(): string {
    return this.#text;
  }

  /** The UUID as a 128-bit unsigned integer. */
  asBigInt(): bigint {
    return this.__uuid__;
  }

  /** The 16 bytes, most significant first. */
  toBytes(): Uint8Array {
    return hexToBytes(this.toHexString());
  }

  /** The version: `V4` (random), `V7` (time-ordered), `Nil` or `Max`. Throws for other versions. */
  getVersion(): UuidVersion {
    if (this.isEqual(Uuid.NIL)) return 'Nil';
    if (this.isEqual(Uuid.MAX)) return 'Max';
    const version = this.#text.charAt(14);
    if (version === '4') return 'V4';
    if (version === '7') return 'V7';
    throw new RangeError(`Uuid ${this.#text} has version ${version}, which is not supported`);
  }

  /** True when both are the same UUID. */
  isEqual(other: Uuid): boolean {
    return other instanceof Uuid && other.#text === this.#text;
  }

  /** Negative, zero or positive as this UUID orders before, with or after `other`. */
  compareTo(other: Uuid): number {
    return this.#text < other.#text ? -1 : this.#text > other.#text ? 1 : 0;
  }
}
