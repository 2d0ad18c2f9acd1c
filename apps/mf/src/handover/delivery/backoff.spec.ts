import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles up to the cap, with the jitter in the upper half', () => {
    const low = new Backoff(100, 1000, () => 0);
    expect([1, 2, 3, 4, 5, 6].map(() => low.next())).toEqual([50, 100, 200, 400, 500, 500]);
    const high = new Backoff(100, 1000, () => 1);
    expect([1, 2, 3, 4, 5].map(() => high.next())).toEqual([100, 200, 400, 800, 1000]);
  });

  it('starts again after a success', () => {
    const b = new Backoff(100, 1000, () => 1);
    b.next();
    b.next();
    expect(b.consecutiveFailures).toBe(2);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('spreads waits between instances', () => {
    const b = () => new Backoff(1000, 60_000);
    const waits = new Set(Array.from({ length: 20 }, () => b().next()));
    expect(waits.size).toBeGreaterThan(10);
    for (const w of waits) expect(w).toBeGreaterThanOrEqual(500);
  });
});
