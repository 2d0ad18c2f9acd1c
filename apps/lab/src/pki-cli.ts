import 'reflect-metadata';
import { writeDevPki } from '@app/pki';

/** `npm run pki -- --out <dir>`: writes a fresh dev PKI (CA + leaves, keys 0600) into <dir>. */
async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--out');
  const out = i >= 0 ? argv[i + 1] : 'var/pki';
  if (!out) throw new Error('usage: npm run pki -- --out <dir>');
  await writeDevPki(out);
  process.stdout.write(`dev PKI written to ${out}\n`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`pki: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
