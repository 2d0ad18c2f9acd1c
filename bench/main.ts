/**
 * Benchmark entry point: `npm run bench -- <name> [options]`. Each benchmark prints its rates
 * next to a baseline measured in the same run, so results are compared as ratios rather than
 * absolute numbers that depend on the machine.
 */
import { runParseBenchmark } from './parse-benchmark';
import { runSrtpBenchmark } from './srtp-benchmark';

const BENCHMARKS: Record<string, (args: string[]) => void> = {
  parse: runParseBenchmark,
  srtp: runSrtpBenchmark,
};

const [name, ...args] = process.argv.slice(2);
const benchmark = name === undefined ? undefined : BENCHMARKS[name];
if (!benchmark) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}> [--seconds=N]`);
  process.exit(2);
}
benchmark(args);
