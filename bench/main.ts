/**
 * Benchmark entry point: `npm run bench [-- <name>] [options]`. Without a name it runs the
 * end-to-end suite (e2e). Each benchmark prints its rates next to a baseline measured in the
 * same run, so results are compared as ratios rather than absolute numbers that depend on the
 * machine.
 */
import { runE2eBenchmark } from './e2e/e2e-benchmark';
import { runHi2Benchmark } from './hi2-benchmark';
import { runParseBenchmark } from './parse-benchmark';
import { runSrtpBenchmark } from './srtp-benchmark';

const BENCHMARKS: Record<string, (args: string[]) => void | Promise<void>> = {
  e2e: runE2eBenchmark,
  hi2: runHi2Benchmark,
  parse: runParseBenchmark,
  srtp: runSrtpBenchmark,
};

const argv = process.argv.slice(2);
const named = argv[0] !== undefined && !argv[0].startsWith('--');
const name = named ? argv[0] : 'e2e';
const benchmark = BENCHMARKS[name];
if (!benchmark) {
  console.error(`usage: npm run bench [-- <${Object.keys(BENCHMARKS).join('|')}>] [--option=N]`);
  process.exit(2);
}
Promise.resolve(benchmark(named ? argv.slice(1) : argv)).then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
