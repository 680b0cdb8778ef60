import type { Random } from '../schema/handles';

/**
 * `ctx.random`: sfc32, a small fast generator with 128 bits of state, seeded from
 * the 64-bit seed the authority stamps into each log entry. Same seed, same
 * numbers, on every engine.
 */
export function createRandom(seed: bigint): Random {
  // Expand the seed with splitmix32 so nearby seeds give unrelated streams.
  let s = Number(seed & 0xffffffffn) ^ Math.imul(Number((seed >> 32n) & 0xffffffffn), 0x9e3779b9);
  const mix = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix() | 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next();

  const random = (() => {
    // 53 random bits, like Math.random's precision.
    const hi = next() >>> 5;
    const lo = next() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }) as Random;
  (random as { uint32: () => number }).uint32 = next;
  (random as { integerInRange: Random['integerInRange'] }).integerInRange = (min: number, max: number): number => {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new RangeError(`ctx.random.integerInRange(${min}, ${max}): needs integers with min <= max`);
    }
    return min + Math.floor(random() * (max - min + 1));
  };
  (random as { fill: Random['fill'] }).fill = (array) => {
    for (let i = 0; i < array.length; i++) array[i] = next();
    return array;
  };
  return random;
}

/** Formats 16 random bytes as a UUID string after setting the version and variant bits. */
export function formatUuid(bytes: Uint8Array, version: 4 | 7): string {
  bytes[6] = (bytes[6]! & 0x0f) | (version << 4);
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let hex = '';
  for (let i = 0; i < 16; i++) {
    hex += bytes[i]!.toString(16).padStart(2, '0');
    if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-';
  }
  return hex;
}

/** A version 7 UUID: 48 bits of Unix milliseconds from `timestamp` (µs), the rest random. */
export function uuidV7(timestamp: bigint, random: Random): string {
  const bytes = random.fill(new Uint8Array(16));
  let ms = timestamp / 1000n;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = Number(ms & 0xffn);
    ms >>= 8n;
  }
  return formatUuid(bytes, 7);
}
