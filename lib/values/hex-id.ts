/** Shared parsing of the fixed-width hex ids (Identity: 32 bytes, ConnectionId: 16 bytes). */

/** The canonical lowercase hex of `data` (hex text, optionally `0x`-prefixed, or a bigint), `digits` long. */
export function canonicalHex(what: string, data: string | bigint, digits: number): string {
  if (typeof data === 'bigint') {
    if (data < 0n || data >= 1n << BigInt(digits * 4)) throw new RangeError(`${what}: ${data} does not fit in ${digits * 4} bits`);
    return data.toString(16).padStart(digits, '0');
  }
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
