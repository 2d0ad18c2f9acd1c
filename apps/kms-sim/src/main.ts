import { loadKmsSimConfig } from './config';
import { startKmsSim } from './kms-sim';

/**
 * `node dist/apps/kms-sim/src/main.js --config kms.json` (or KMS_SIM_CONFIG=kms.json): starts
 * one KMS simulator (ARCHITECTURE.md §6), prints `{"identity", "ports"}` as one JSON line on
 * stdout when listening, and stops on SIGINT/SIGTERM.
 */
async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--config');
  const path = i >= 0 ? argv[i + 1] : process.env.KMS_SIM_CONFIG;
  if (!path) throw new Error('usage: kms-sim --config <file.json> (or KMS_SIM_CONFIG)');
  const kms = await startKmsSim(loadKmsSimConfig(path));
  process.stdout.write(`${JSON.stringify({ identity: kms.identity, ports: kms.ports })}\n`);
  const stop = (): void => {
    kms.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`kms-sim: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
