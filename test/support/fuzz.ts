import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SeededRandom, fuzzSeed } from './seeded-random';

/**
 * Codec fuzzing harness (issue 8): a fixed number of mutated inputs per kind (X2, SIP, MIKEY),
 * each case seeded on its own so that one case is replayed from the seed and its index alone.
 *
 * - FUZZ_ITERATIONS raises the number of cases per kind above FUZZ_MIN_CASES (never below).
 * - FUZZ_SEED changes the seed of every kind; FUZZ_CASE=<index> runs only that case (replay).
 */
export const FUZZ_MIN_CASES = 100_000;

/** Cases per kind: FUZZ_MIN_CASES, or FUZZ_ITERATIONS when that is larger. */
export function fuzzCases(): number {
  const fromEnv = Number(process.env.FUZZ_ITERATIONS);
  return Number.isInteger(fromEnv) && fromEnv > FUZZ_MIN_CASES ? fromEnv : FUZZ_MIN_CASES;
}

/** A case slower than this is listed in the report and on the console (not a failure). */
const SLOW_CASE_MS = 50;

/**
 * Hang detector. Timing asserts are otherwise avoided in unit tests; this one is only a guard
 * against super-linear behaviour: every case decodes at most a few kilobytes and takes well
 * under a millisecond, so 250 ms is a margin of several hundred. A case over it is run again
 * (same seed, same input) and fails only if it is slow twice, so that a GC pause or a busy
 * machine is not taken for a hang. An endless loop cannot be interrupted from inside the
 * synchronous case: it stops the run until jest's or CI's own timeout.
 */
const HANG_MS = 250;

/** Bound of the heap still in use after the run (full GC before and after), i.e. a leak. */
const RETAINED_HEAP_BOUND = 32 * 1024 * 1024;

export type FuzzOutcome = 'decoded' | 'rejected';

/**
 * One way to build a mutated input and decode it. `run` returns the outcome, or throws one of
 * the target's typed errors (= rejected); anything else thrown fails the run.
 */
export interface FuzzStrategy {
  name: string;
  /** Share of the cases relative to the other strategies (default 1), for costly ones. */
  weight?: number;
  run(rnd: SeededRandom): FuzzOutcome;
}

type ErrorClass = abstract new (...args: never[]) => Error;

export interface FuzzTarget {
  kind: string;
  /** The kind's fixed seed; FUZZ_SEED replaces it. */
  seed: number;
  /** Taken in turn, each as often as its weight: case i's strategy depends on i alone. */
  strategies: readonly FuzzStrategy[];
  /** The library's own error classes: the only exceptions a case may end with. */
  typedErrors: readonly ErrorClass[];
}

export interface FuzzTally {
  executed: number;
  decoded: number;
  rejected: number;
}

export interface FuzzCaseTime {
  index: number;
  strategy: string;
  ms: number;
}

export interface FuzzReport extends FuzzTally {
  kind: string;
  seed: number;
  /** Cases the run had to execute (1 when replaying a single case). */
  target: number;
  byStrategy: Record<string, FuzzTally>;
  slowest: FuzzCaseTime;
  /** Cases over SLOW_CASE_MS. */
  slowCases: FuzzCaseTime[];
  /** heapUsed after the run minus before it, each after a full GC. */
  retainedHeapGrowth: number;
}

/** A property of a decoded value that does not hold: never a typed error, so it fails. */
export class FuzzPropertyError extends Error {
  override readonly name = 'FuzzPropertyError';
}

/** Plain assertion for the hot loop (jest's expect is too slow for 10^5 cases). */
export function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new FuzzPropertyError(`property violated: ${what}`);
}

/**
 * Runs `decode`: undefined if it returned, the error if it threw an `allowed` one. Anything
 * else becomes a FuzzPropertyError naming `what`, so that the run fails with the original.
 */
export function rejection<E extends Error>(
  what: string,
  allowed: abstract new (...args: never[]) => E,
  decode: () => unknown,
): E | undefined {
  try {
    decode();
    return undefined;
  } catch (e) {
    if (e instanceof allowed) return e;
    throw new FuzzPropertyError(`${what} threw ${errorText(e)}`);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
}

const { imul } = Math; // a module constant: global lookups are slow in jest's vm context

/** murmur3's 32-bit finaliser: spreads (seed, index) over the PRNG's whole state space. */
function mix32(x: number): number {
  x = imul(x ^ (x >>> 16), 0x85ebca6b);
  x = imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function caseRandom(seed: number, index: number): SeededRandom {
  return new SeededRandom(mix32(seed ^ mix32(index + 0x9e3779b9)));
}

let fullGc: (() => void) | undefined;

/**
 * A full garbage collection. jest does not expose `gc`; the V8 flag set at run time exposes it
 * on contexts created afterwards, so it is taken from a fresh one (test code only).
 */
function collectGarbage(): void {
  if (!fullGc) {
    setFlagsFromString('--expose-gc');
    fullGc = runInNewContext('gc') as () => void;
  }
  fullGc();
}

/**
 * Runs fuzzCases() cases of `target` (or the one FUZZ_CASE names). Throws, naming the seed and
 * the case index, when a case throws something other than a typed error or hangs (HANG_MS).
 */
export function runFuzz(target: FuzzTarget): FuzzReport {
  const seed = fuzzSeed(target.seed);
  const only = process.env.FUZZ_CASE === undefined ? undefined : Number(process.env.FUZZ_CASE);
  const first = only ?? 0;
  const end = only === undefined ? fuzzCases() : only + 1;
  const { strategies, typedErrors } = target;
  const schedule = strategies.flatMap((s) => new Array<FuzzStrategy>(s.weight ?? 1).fill(s));
  const byStrategy: Record<string, FuzzTally> = {};
  for (const s of strategies) byStrategy[s.name] = { executed: 0, decoded: 0, rejected: 0 };
  const total: FuzzTally = { executed: 0, decoded: 0, rejected: 0 };
  let slowest: FuzzCaseTime = { index: -1, strategy: '', ms: -1 };
  const slowCases: FuzzCaseTime[] = [];

  const runCase = (index: number, strategy: FuzzStrategy): FuzzOutcome => {
    try {
      return strategy.run(caseRandom(seed, index));
    } catch (e) {
      if (typedErrors.some((c) => e instanceof c)) return 'rejected';
      throw new Error(
        `${target.kind} fuzz case ${index} (${strategy.name}) failed; replay with ` +
          `FUZZ_SEED=${seed} FUZZ_CASE=${index} (with the stack): ${errorText(e)}`,
      );
    }
  };

  // Capturing stacks is most of the cost of a rejected case; a replayed case has them.
  const stackTraceLimit = Error.stackTraceLimit;
  if (only === undefined) Error.stackTraceLimit = 0;
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  try {
    for (let index = first; index < end; index++) {
      const strategy = schedule[index % schedule.length];
      let started = performance.now();
      const outcome = runCase(index, strategy);
      let ms = performance.now() - started;
      if (ms > HANG_MS) {
        started = performance.now();
        runCase(index, strategy);
        ms = Math.min(ms, performance.now() - started);
        if (ms > HANG_MS) {
          throw new Error(
            `${target.kind} fuzz case ${index} (${strategy.name}) took ${ms.toFixed(0)} ms twice ` +
              `(bound ${HANG_MS} ms): super-linear input handling? Replay with ` +
              `FUZZ_SEED=${seed} FUZZ_CASE=${index}`,
          );
        }
      }
      const time = { index, strategy: strategy.name, ms };
      if (ms > SLOW_CASE_MS) slowCases.push(time);
      if (ms > slowest.ms) slowest = time;
      for (const tally of [total, byStrategy[strategy.name]]) {
        tally.executed++;
        tally[outcome]++;
      }
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  collectGarbage();
  const retainedHeapGrowth = process.memoryUsage().heapUsed - heapBefore;
  if (slowCases.length > 0) {
    const list = slowCases.map((c) => `${c.index} (${c.strategy}) ${c.ms.toFixed(0)} ms`);
    console.warn(`${target.kind} fuzz cases over ${SLOW_CASE_MS} ms: ${list.join('; ')}`);
  }
  return {
    kind: target.kind,
    seed,
    target: end - first,
    ...total,
    byStrategy,
    slowest,
    slowCases,
    retainedHeapGrowth,
  };
}

/**
 * The jest assertions every kind makes on its report (runFuzz itself throws on any case that
 * ends otherwise than in a decode or a typed error, or hangs): every case ran, every strategy
 * ran, both outcomes occurred (a run that only ever fails the first check explores nothing),
 * no leak.
 */
export function expectSoundRun(report: FuzzReport): void {
  expect(report.executed).toBeGreaterThanOrEqual(report.target);
  expect(report.retainedHeapGrowth).toBeLessThan(RETAINED_HEAP_BOUND);
  if (report.target === 1) return; // a replayed case
  const idle = Object.entries(report.byStrategy).filter(([, t]) => t.executed === 0);
  expect(idle).toEqual([]);
  expect(report.decoded).toBeGreaterThan(0);
  expect(report.rejected).toBeGreaterThan(0);
}

/**
 * The largest buffer requested while `fn` runs: Buffer.alloc, allocUnsafe, allocUnsafeSlow
 * (Buffer.concat uses allocUnsafe) and Buffer.from (counted as the octets it copies). Shows that
 * a decoder refuses a declared length before it allocates it.
 */
export function largestAllocation(fn: () => void): number {
  const originals = {
    alloc: Buffer.alloc,
    allocUnsafe: Buffer.allocUnsafe,
    allocUnsafeSlow: Buffer.allocUnsafeSlow,
    from: Buffer.from,
  };
  let largest = 0;
  const track =
    <A extends unknown[], R>(f: (size: number, ...rest: A) => R) =>
    (size: number, ...rest: A): R => {
      largest = Math.max(largest, size);
      return f(size, ...rest);
    };
  Buffer.alloc = track(originals.alloc);
  Buffer.allocUnsafe = track(originals.allocUnsafe);
  Buffer.allocUnsafeSlow = track(originals.allocUnsafeSlow);
  Buffer.from = ((value: unknown, ...rest: unknown[]) => {
    const size =
      typeof value === 'string'
        ? Buffer.byteLength(value, rest[0] as BufferEncoding | undefined)
        : ((value as { length?: number; byteLength?: number }).length ??
          (value as { byteLength: number }).byteLength);
    largest = Math.max(largest, size);
    return (originals.from as (...args: unknown[]) => Buffer)(value, ...rest);
  }) as typeof Buffer.from;
  try {
    fn();
  } finally {
    Object.assign(Buffer, originals);
  }
  return largest;
}
