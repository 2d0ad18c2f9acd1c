/**
 * Math's functions as module constants: under jest every spec runs in a vm context whose
 * global object is slow to look names up on, and a global `Math.imul` per draw made the PRNG
 * some 40 times slower there (the fuzz specs spent most of their time in it).
 */
const { floor, imul } = Math;

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
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + floor(this.next() * (max - min + 1));
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

/** Seed for a fuzz target: FUZZ_SEED if set, else a fixed per-target seed. */
export function fuzzSeed(fixed: number): number {
  const fromEnv = Number(process.env.FUZZ_SEED);
  return Number.isInteger(fromEnv) ? fromEnv : fixed;
}
