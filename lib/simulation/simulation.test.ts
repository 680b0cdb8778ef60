import { describe, expect, it } from 'vitest';
import { isBadSeed, simulate, type SimResult } from './simulate.test-util';

/**
 * The world simulation in the suite: `WORLD_SEEDS` seeds (default 2,000, first
 * 1..N), each 2–4 browsers with 1–3 tabs in one room over a lossy network (see
 * ./simulate.test-util). `WORLD_SEED=<n>` runs one seed alone; `npm run sim --
 * --seeds 100000` runs many more in parallel workers.
 */
const count = Number(process.env.WORLD_SEEDS ?? 2000);
const only = process.env.WORLD_SEED === undefined ? undefined : Number(process.env.WORLD_SEED);
const seeds = only !== undefined ? [only] : Array.from({ length: count }, (_, i) => i + 1);
const CHUNK = 100;

describe('the world simulation: browsers with tabs in one room', () => {
  for (let i = 0; i < seeds.length; i += CHUNK) {
    const chunk = seeds.slice(i, i + CHUNK);
    it(`loses no acknowledged call, applies none twice, keeps every log a prefix of the authority's and converges (seeds ${chunk[0]}–${chunk.at(-1)})`, async () => {
      const results: SimResult[] = [];
      for (const seed of chunk) results.push(await simulate(seed));
      expect(results).toHaveLength(chunk.length);
      // The non-deterministic reducer is pinned to its seq in every seed whose log has one.
      const bad = results.filter((r) => isBadSeed(r.seed));
      for (const r of bad) if (r.caught !== undefined) expect(r.caught).toBeGreaterThan(0);
    }, 600_000);
  }

  it('replays a seed exactly', async () => {
    const seed = seeds[0]!;
    const [a, b] = [await simulate(seed), await simulate(seed)];
    expect(b.digest).toBe(a.digest);
  });
});
