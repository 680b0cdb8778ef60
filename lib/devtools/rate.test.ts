import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate';

describe('the entries-per-second meter', () => {
  it('reports the seq advance per second over its window', () => {
    const meter = new RateMeter(5000);
    for (let t = 0; t <= 10_000; t += 1000) meter.add(t, t / 10);
    expect(meter.rate(10_000)).toBeCloseTo(100);
  });

  it('decays while the log is quiet and is 0 before two samples are apart', () => {
    const meter = new RateMeter(5000);
    expect(meter.rate(0)).toBe(0);
    meter.add(0, 0);
    meter.add(100, 50);
    expect(meter.rate(100)).toBe(0);
    meter.add(1000, 100);
    expect(meter.rate(1000)).toBeCloseTo(100);
    for (let t = 2000; t <= 8000; t += 1000) meter.add(t, 100);
    expect(meter.rate(8000)).toBe(0);
  });

  it('starts over when the seq goes back (a restored backup)', () => {
    const meter = new RateMeter(5000);
    meter.add(0, 1000);
    meter.add(1000, 2000);
    meter.add(2000, 5);
    meter.add(3000, 15);
    expect(meter.rate(3000)).toBeCloseTo(10);
  });
});
