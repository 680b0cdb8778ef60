import { describe, expect, it } from 'vitest';
import { FakeNetwork } from './fake-network.test-util';

function run(seed: number): string[] {
  const network = new FakeNetwork(seed, { drop: 0.2, duplicate: 0.2, reorder: 0.5 });
  const a = network.join<number>('a');
  const b = network.join<number>('b');
  const got: string[] = [];
  b.onMessage((m) => got.push(`b${m}`));
  a.onMessage((m) => got.push(`a${m}`));
  for (let i = 0; i < 20; i++) (i % 2 === 0 ? a : b).send(i);
  while (network.step());
  return got;
}

describe('the fake network', () => {
  it('drops, duplicates and reorders the same way for the same seed', () => {
    const once = run(42);
    expect(run(42)).toEqual(once);
    expect(run(43)).not.toEqual(once);
    expect(new Set(once).size).toBeLessThan(20); // some were dropped
    expect(once.length).toBeGreaterThan(new Set(once).size); // some came twice
  });

  it('delivers to every other member, never back to the sender, and nothing across a partition', () => {
    const network = new FakeNetwork(1);
    const [a, b, c] = ['a', 'b', 'c'].map((id) => network.join<string>(id)) as [ReturnType<FakeNetwork['join']>, ReturnType<FakeNetwork['join']>, ReturnType<FakeNetwork['join']>];
    const got: string[] = [];
    a.onMessage((m) => got.push(`a:${String(m)}`));
    b.onMessage((m) => got.push(`b:${String(m)}`));
    c.onMessage((m) => got.push(`c:${String(m)}`));
    network.partition('a', 'c');
    a.send('hi');
    network.flush();
    expect(got).toEqual(['b:hi']);
  });
});
