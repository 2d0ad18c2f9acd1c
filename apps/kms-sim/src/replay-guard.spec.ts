import { RateLimiter } from './rate-limiter';
import { ReplayGuard } from './replay-guard';

describe('ReplayGuard (RFC 3830 §5.4 timestamp window and replay cache)', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('accepts a fresh message once, refuses its replay and stale timestamps', () => {
    const g = new ReplayGuard(60_000, 100, clock);
    const msg = Buffer.from('message-1');
    expect(g.admit(msg, new Date(now - 59_000))).toBe('fresh');
    expect(g.admit(msg, new Date(now - 59_000))).toBe('replayed');
    expect(g.admit(Buffer.from('message-2'), new Date(now + 61_000))).toBe('stale');
    expect(g.checkTime(new Date(NaN))).toBe('stale');
  });

  it('forgets entries after twice the window and stays within its bound', () => {
    const g = new ReplayGuard(1_000, 3, clock);
    const a = Buffer.from('a');
    expect(g.admit(a, new Date(now))).toBe('fresh');
    for (const s of ['b', 'c', 'd']) g.admit(Buffer.from(s), new Date(now));
    expect(g.admit(a, new Date(now))).toBe('fresh'); // evicted by the bound
    now += 5_000;
    const e = Buffer.from('e');
    expect(g.admit(e, new Date(now))).toBe('fresh');
    expect(g.admit(e, new Date(now))).toBe('replayed');
  });
});

describe('RateLimiter (token bucket per client)', () => {
  it('allows the burst, refills at the rate, keeps clients apart', () => {
    let now = 0;
    const r = new RateLimiter(2, 3, 10, () => now);
    expect([1, 2, 3, 4].map(() => r.take('a'))).toEqual([true, true, true, false]);
    expect(r.take('b')).toBe(true);
    now += 500;
    expect(r.take('a')).toBe(true);
    expect(r.take('a')).toBe(false);
  });

  it('evicts the least recently used client beyond its bound', () => {
    const r = new RateLimiter(0.001, 1, 2, () => 0);
    expect(r.take('a')).toBe(true);
    expect(r.take('a')).toBe(false);
    r.take('b');
    r.take('c'); // evicts a
    expect(r.take('a')).toBe(true);
  });
});
