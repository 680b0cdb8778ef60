import { describe, expect, it } from 'vitest';
import type { Engine } from '../engine/engine';
import { seededRandom } from '../replication/fake-network.test-util';
import { Cluster, drainMicrotasks, type SimTab } from './tab-sim.test-util';

/**
 * Deterministic simulation of one database's tabs (DESIGN §4 "Simulation-ready"):
 * 3–5 tabs on one storage, a lossy network, fake locks, random calls and
 * leader crashes, with the invariants checked after every step. A failing
 * run names its seed; `SIM_SEED=<n> npx vitest run lib/tabs/simulation.test.ts`
 * replays exactly that run; `SIM_SEEDS=100-500` sweeps more seeds.
 */
const range = (first: number, last: number): number[] => Array.from({ length: last - first + 1 }, (_, i) => first + i);
const [from, to] = (process.env.SIM_SEEDS ?? '1-24').split('-').map(Number) as [number, number];
const SEEDS = process.env.SIM_SEED !== undefined ? [Number(process.env.SIM_SEED)] : range(from, to);
const STEPS = 400;

const engineOf = (sim: SimTab): Engine | undefined => sim.tab.leader?.db.engine ?? sim.tab.replica?.engine;

/** Checks what must hold after every step; throws naming the broken invariant. */
function checkInvariants(cluster: Cluster): void {
  const engines = cluster.live.map((sim) => ({ sim, engine: engineOf(sim) })).filter((e) => e.engine !== undefined);
  for (const { sim, engine } of engines) {
    const seen = new Set<string>();
    for (const row of engine!.rows('marker')) {
      const key = row.key as string;
      if (seen.has(key)) throw new Error(`${sim.id} applied ${key} twice`);
      seen.add(key);
    }
    // A stale leader's memory holds calls it ordered but can never make durable: they are discarded with it.
    const stale = sim.tab.leader !== undefined && sim !== cluster.leader;
    for (const call of cluster.calls) {
      if (!stale && call.result?.ok === false && seen.has(call.mark)) throw new Error(`${sim.id} applied ${call.mark}, whose caller was told it failed (${call.result.message})`);
    }
  }
  const leader = cluster.leader;
  if (leader === undefined) return;
  const db = leader.tab.leader!.db;
  const marks = new Set(db.engine.rows('marker').map((r) => r.key as string));
  for (const call of cluster.calls) {
    if (call.result?.ok === true && !marks.has(call.mark)) throw new Error(`the leader ${leader.id} lost ${call.mark}, acknowledged at seq ${call.result.seq}`);
  }
  for (const { sim } of engines) {
    const replica = sim.tab.replica;
    if (replica === undefined || replica.seq !== db.seq) continue;
    if (replica.stateHash() !== db.stateHash()) throw new Error(`${sim.id} is at the leader's seq ${db.seq} with a different state`);
  }
}

/** Runs one seeded simulation; returns a digest of the final state. */
async function simulate(seed: number): Promise<string> {
  const cluster = new Cluster(seed, { drop: 0.04, duplicate: 0.04, reorder: 0.3 });
  const random = seededRandom(seed * 7919 + 17);
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
  const size = 3 + (seed % 3);
  for (let i = 0; i < size; i++) await cluster.openTab();
  let crashes = 0;
  let freezes = 0;
  let frozen: SimTab | undefined;
  for (let step = 0; step < STEPS; step++) {
    const r = random();
    const live = cluster.live;
    if (r < 0.3) {
      const caller = pick(live.filter((s) => s !== frozen));
      if (caller !== undefined) cluster.call(caller, random() < 0.6 ? 'bump' : 'pick_up', 1 + Math.floor(random() * 5));
    }
    else if (r < 0.7) cluster.network.step();
    else if (r < 0.9) pick(live)?.disk.completeIo(); // a frozen disk does nothing
    else if (r < 0.93 && live.length > 1) {
      const leader = cluster.leader;
      if (leader !== undefined) {
        cluster.crash(leader);
        crashes++;
      }
    } else if (r < 0.95 && live.length > 2) {
      const victim = pick(live.filter((s) => s.tab.leader === undefined));
      if (victim !== undefined) cluster.crash(victim);
      if (victim === frozen) frozen = undefined;
    }
    else if (r < 0.96 && frozen === undefined && cluster.leader !== undefined && live.length > 2) {
      // A stale leader: the leader freezes and another tab takes over (Web Locks steal); it wakes later.
      frozen = cluster.leader;
      cluster.freeze(frozen);
      pick(live.filter((s) => s !== frozen))?.tab.takeOver();
      freezes++;
    } else if (r < 0.97 && frozen !== undefined) {
      cluster.thaw(frozen);
      frozen = undefined;
    } else if (r < 0.98 && live.length < size) await cluster.openTab();
    else pick(live.filter((s) => s !== frozen))?.tab.nudge();
    await drainMicrotasks();
    try {
      checkInvariants(cluster);
    } catch (error) {
      throw new Error(`seed ${seed}, step ${step}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (frozen !== undefined) cluster.thaw(frozen);
  cluster.network.faults = {};
  await cluster.settle(true);
  await cluster.settle(true);
  checkInvariants(cluster);
  const leader = cluster.leader;
  if (leader === undefined) throw new Error(`seed ${seed}: no leader after quiescing`);
  const db = leader.tab.leader!.db;
  for (const sim of cluster.live) {
    expect(sim.tab.pendingCalls, `seed ${seed}: ${sim.id} has unanswered calls`).toBe(0);
    if (sim === leader) continue;
    expect(sim.tab.status, `seed ${seed}: ${sim.id}`).toMatchObject({ role: 'replica', epoch: db.epoch, leader: leader.id, lag: 0, seq: db.seq });
    expect(sim.tab.replica!.stateHash(), `seed ${seed}: ${sim.id} converged`).toBe(db.stateHash());
  }
  const answered = cluster.calls.filter((c) => c.result !== undefined).length;
  if (process.env.SIM_VERBOSE !== undefined) console.log(`seed ${seed}: seq ${db.seq}, epoch ${db.epoch}, calls ${cluster.calls.length}, answered ${answered}, ok ${cluster.calls.filter((c) => c.result?.ok === true).length}, crashes ${crashes}, freezes ${freezes}, tabs ${cluster.tabs.length}`);
  return `${db.seq}:${db.epoch}:${db.stateHash()}:${answered}:${crashes}`;
}

describe('simulated tabs with crashes and a lossy network', () => {
  for (const seed of SEEDS) {
    it(`loses no acknowledged call, applies none twice and converges (seed ${seed})`, async () => {
      await simulate(seed);
    });
  }

  it('replays a seed exactly', async () => {
    const seed = SEEDS[0]!;
    expect(await simulate(seed)).toBe(await simulate(seed));
  });
});
