// One worker of `npm run sim`: runs seeds `from..to` and prints one JSON line per seed (see scripts/sim.mjs).
import { simulate } from './simulate.test-util';

export default async function sweep(from: string, to: string): Promise<void> {
  for (let seed = Number(from); seed <= Number(to); seed++) {
    try {
      const result = await simulate(seed);
      console.log(JSON.stringify({ seed, ok: true, calls: result.calls, caught: result.caught }));
    } catch (error) {
      console.log(JSON.stringify({ seed, ok: false, error: error instanceof Error ? error.message : String(error) }));
    }
  }
}
