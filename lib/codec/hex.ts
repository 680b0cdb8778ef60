/**
 * Hex text ⇄ raw bytes for the hex-string kinds (identity, connectionId, uuid).
 * A layout says which characters of the text hold hex digits (uuid skips its
 * dashes) and after which bytes a dash is written back.
 */

import type { Reader, Writer } from './buffer';

/** Where a hex kind keeps its digits in its text form. */
export interface HexLayout {
  /** Number of raw bytes; a multiple of 4. */
  readonly bytes: number;
  /** Index in the text of each hex digit, two per byte, most significant first. */
  readonly digitAt: Uint8Array;
  /** Char codes of the text being decoded; dashes are preset. Scratch, reused by every decode. */
  readonly chars: number[];
}

/** `n` contiguous hex digits, no dashes. */
export function plainHexLayout(bytes: number): HexLayout {
  const digitAt = Uint8Array.from({ length: bytes * 2 }, (_, i) => i);
  return { bytes, digitAt, chars: new Array<number>(bytes * 2).fill(48) };
}

/** The canonical UUID text `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
export const UUID_LAYOUT: HexLayout = (() => {
  const digitAt: number[] = [];
  const chars = new Array<number>(36).fill(48);
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) chars[i] = 45;
    else digitAt.push(i);
  }
  return { bytes: 16, digitAt: Uint8Array.from(digitAt), chars };
})();

/** Value of each lowercase hex digit by char code; other codes read as 0 (callers validate first). */
const NIBBLE = new Uint8Array(128);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = 10 + i;

/** Char code of each lowercase hex digit. */
const DIGIT = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Writes the digits of `text` as `layout.bytes` raw bytes, four at a time. */
export function writeHex(w: Writer, text: string, layout: HexLayout): void {
  const at = layout.digitAt;
  let word = 0;
  for (let i = 0, byte = 0; byte < layout.bytes; byte++, i += 2) {
    const hi = NIBBLE[text.charCodeAt(at[i] as number) & 127] as number;
    const lo = NIBBLE[text.charCodeAt(at[i + 1] as number) & 127] as number;
    word |= ((hi << 4) | lo) << ((byte & 3) * 8);
    if ((byte & 3) === 3) {
      w.u32(word);
      word = 0;
    }
  }
}

/** Reads `layout.bytes` raw bytes back into lowercase hex text. */
export function readHex(r: Reader, layout: HexLayout): string {
  const at = layout.digitAt;
  const chars = layout.chars;
  for (let byte = 0, i = 0; byte < layout.bytes; byte += 4) {
    const word = r.u32();
    for (let k = 0; k < 32; k += 8, i += 2) {
      const b = (word >>> k) & 0xff;
      chars[at[i]!] = DIGIT[b >>> 4]!;
      chars[at[i + 1]!] = DIGIT[b & 15]!;
    }
  }
  // One flat string in one call; concatenating 32 pieces would build a rope.
  return String.fromCharCode.apply(null, chars);
}
