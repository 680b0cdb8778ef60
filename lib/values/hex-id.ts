/** What Identity and ConnectionId share: a fixed-width unsigned id kept as lowercase hex. */

/** The canonical lowercase hex of `data` (hex text, optionally `0x`-prefixed, or a bigint), `digits` long. */
export function canonicalHex(what: string, data: string | bigint, digits: number): string {
  if (typeof data === 'bigint') {
    if (data < 0n || data >= 1n << BigInt(digits * 4)) throw new RangeError(`${what}: ${data} does not fit in ${digits * 4} bits`);
    return data.toString(16).padStart(digits, '0');
  }
  if (typeof data !== 'string') throw new TypeError(`${what}: expected hex text or a bigint, got ${typeof data}`);
  const hex = data.startsWith('0x') ? data.slice(2) : data;
  if (hex.length !== digits || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError(`${what}: expected ${digits} hex digits, got ${JSON.stringify(data)}`);
  return hex.toLowerCase();
}

/** The bytes of a hex string, most significant first. */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The methods Identity and ConnectionId share; equal only to an id of the same class. */
export abstract class HexId {
  readonly #hex: string;

  protected constructor(what: string, data: string | bigint, digits: number) {
    this.#hex = canonicalHex(what, data, digits);
  }

  /** True when `other` is the same kind of id with the same value. */
  isEqual(other: this): boolean {
    return other instanceof HexId && other.constructor === this.constructor && other.#hex === this.#hex;
  }

  /** Same as {@link HexId.isEqual}. */
  equals(other: this): boolean {
    return this.isEqual(other);
  }

  /** Lowercase hex digits, most significant first. */
  toHexString(): string {
    return this.#hex;
  }

  /** The bytes, most significant first. */
  toUint8Array(): Uint8Array {
    return hexToBytes(this.#hex);
  }

  /** The hex, so template strings and logs show it. */
  toString(): string {
    return this.#hex;
  }

  /** JSON spells an id as its hex. */
  toJSON(): string {
    return this.#hex;
  }
}
