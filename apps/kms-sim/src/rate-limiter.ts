/**
 * Token bucket per client key (certificate fingerprint or remote address): `ratePerSecond`
 * refill, `burst` capacity. At most `maxClients` buckets are kept (least recently used evicted).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly maxClients = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `client`; false when the client is over its rate. */
  take(client: string): boolean {
    const t = this.now();
    const b = this.buckets.get(client) ?? { tokens: this.burst, at: t };
    this.buckets.delete(client);
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.ratePerSecond);
    b.at = t;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.set(client, b);
    if (this.buckets.size > this.maxClients) {
      const lru = this.buckets.keys().next().value;
      if (lru !== undefined) this.buckets.delete(lru);
    }
    return ok;
  }
}
