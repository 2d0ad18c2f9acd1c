/**
 * Deterministic PRNG for property and fuzz tests (mulberry32): the same seed gives the same
 * sequence, so a failing case is reproduced by its seed and iteration number.
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = this.int(0, 255);
    return out;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
}

/** Iterations per fuzz target: 20 000 by default, FUZZ_ITERATIONS to change it. */
export function fuzzIterations(defaultCount = 20_000): number {
  const fromEnv = Number(process.env.FUZZ_ITERATIONS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : defaultCount;
}

/** Seed for a fuzz target: FUZZ_SEED if set, else a fixed per-target seed. */
export function fuzzSeed(fixed: number): number {
  const fromEnv = Number(process.env.FUZZ_SEED);
  return Number.isInteger(fromEnv) ? fromEnv : fixed;
}
