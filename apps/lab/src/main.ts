import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { labReport } from './scenario/lab-report';
import { LabScenario } from './scenario/lab-scenario';

/**
 * `npm run lab`: the embedded demo (README command 1). Creates the dev PKI if absent
 * (PKI_DIR, default var/pki), then runs the lab scenario in this process on a fresh SQLite
 * database under LAB_DIR (default var/lab; the LEAs' received records stay there as JSON):
 * kms-sim, MF, LEA receivers, warrant provisioning over REST, six calls through the UE and
 * CSCF simulators (media on X3 for a second warrant in mode decrypted, written as WAV files
 * under LAB_DIR/lea-tls-audio). Prints progress, the table of what each LEA received, and
 * exits 0 only if every verdict holds.
 */
const PKI_DIR = process.env.PKI_DIR ?? 'var/pki';
const LAB_DIR = process.env.LAB_DIR ?? 'var/lab';
const LIMIT_MS = 110_000;

async function main(): Promise<number> {
  rmSync(LAB_DIR, { recursive: true, force: true });
  const t0 = Date.now();
  const say = (line: string) =>
    process.stdout.write(`lab ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s  ${line}\n`);
  const watchdog = setTimeout(() => {
    process.stderr.write(`lab: not finished after ${LIMIT_MS / 1000} s, giving up\n`);
    process.exit(2);
  }, LIMIT_MS);
  watchdog.unref();
  const result = await new LabScenario({
    workDir: LAB_DIR,
    pkiDir: PKI_DIR,
    databaseUrl: join(LAB_DIR, 'mf.sqlite'),
    progress: say,
  }).run();
  process.stdout.write(`\n${labReport(result)}\n`);
  process.stdout.write(
    `LEA records: ${join(LAB_DIR, 'lea-ftps.json')}, ${join(LAB_DIR, 'lea-tls.json')}\n`,
  );
  process.stdout.write(
    `Intercepted audio (µ-law WAV, target left, other party right): ${result.wavDir}/\n`,
  );
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`lab: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
