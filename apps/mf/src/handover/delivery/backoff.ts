/**
 * Exponential backoff with jitter for reconnects and retries: the n-th consecutive failure
 * waits a random time in [d/2, d] with d = min(max, base · 2^n) ("equal jitter"), so that
 * many MF instances do not hammer a recovering LEA in step.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The wait before the next attempt; counts one more failure. */
  next(): number {
    const d = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(d / 2 + (d / 2) * this.random());
  }

  /** After a success. */
  reset(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
