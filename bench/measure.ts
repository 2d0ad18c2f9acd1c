import { cpus } from 'node:os';

/** One measured loop: how many operations per second, and octets per second when given. */
export interface Rate {
  name: string;
  opsPerSecond: number;
  bytesPerSecond?: number;
}

/**
 * Runs `round` (which performs `opsPerRound` operations over `bytesPerRound` octets) for about
 * `seconds` after a warm-up of a quarter of that, on this thread only, and returns the rate.
 */
export function measure(
  name: string,
  seconds: number,
  opsPerRound: number,
  bytesPerRound: number,
  round: () => unknown,
): Rate {
  const until = (s: number) => process.hrtime.bigint() + BigInt(Math.round(s * 1e9));
  let sink: unknown;
  for (const end = until(seconds / 4); process.hrtime.bigint() < end;) sink = round();
  let rounds = 0;
  const start = process.hrtime.bigint();
  const end = until(seconds);
  let now = start;
  while (now < end) {
    sink = round();
    rounds++;
    now = process.hrtime.bigint();
  }
  if (sink === Symbol.for('never')) console.log(sink);
  const elapsed = Number(now - start) / 1e9;
  return {
    name,
    opsPerSecond: (rounds * opsPerRound) / elapsed,
    bytesPerSecond: bytesPerRound ? (rounds * bytesPerRound) / elapsed : undefined,
  };
}

/** Prints rates with their ratio to a baseline rate. */
export function report(title: string, baseline: Rate, rates: Rate[]): void {
  console.log(`\n${title}`);
  const rows = [baseline, ...rates].map((r) => ({
    measurement: r.name,
    'ops/s': Math.round(r.opsPerSecond).toLocaleString('en-US'),
    'MB/s': r.bytesPerSecond === undefined ? '' : (r.bytesPerSecond / 1e6).toFixed(1),
    'vs baseline':
      r === baseline
        ? '1 (baseline)'
        : `${(baseline.opsPerSecond / r.opsPerSecond).toFixed(1)}x slower`,
  }));
  console.table(rows);
}

export function environment(): string {
  return `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, one thread`;
}

export function secondsOption(args: string[], fallback: number): number {
  const arg = args.find((a) => a.startsWith('--seconds='));
  const value = arg ? Number(arg.slice(10)) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
