import { createHash } from 'node:crypto';

/** Why a message's timestamp was refused. */
export type ReplayVerdict = 'fresh' | 'stale' | 'replayed';

/**
 * Replay protection by timestamp (RFC 3830 §5.4): a message is accepted when its T payload
 * lies within ±`skewMs` of the local clock and it was not seen before within that window. The
 * cache holds digests of authenticated messages only, bounded to `maxEntries` (oldest evicted;
 * an evicted digest is also outside the window long before the bound is hit in practice).
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly skewMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Checks the timestamp alone (before the MAC is verified). */
  checkTime(timestamp: Date): ReplayVerdict {
    const t = timestamp.getTime();
    return Number.isFinite(t) && Math.abs(this.now() - t) <= this.skewMs ? 'fresh' : 'stale';
  }

  /** Records an authenticated message; 'replayed' if the same octets were seen in the window. */
  admit(message: Buffer, timestamp: Date): ReplayVerdict {
    const time = this.checkTime(timestamp);
    if (time !== 'fresh') return time;
    this.expire();
    const key = createHash('sha256').update(message).digest('hex');
    if (this.seen.has(key)) return 'replayed';
    this.seen.set(key, this.now());
    if (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return 'fresh';
  }

  private expire(): void {
    const limit = this.now() - 2 * this.skewMs;
    for (const [k, at] of this.seen) {
      if (at >= limit) break;
      this.seen.delete(k);
    }
  }
}
