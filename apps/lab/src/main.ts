import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { devPkiExists, writeDevPki } from '@app/pki';

/**
 * `npm run lab`: the embedded demo. Creates the dev PKI if absent, starts the MF on SQLite,
 * waits until /health reports the database up, prints it, and stops the MF.
 * The simulated peers (CSCF, UEs, KMS, LEA receivers) join here as their issues land.
 */
const PKI_DIR = process.env.PKI_DIR ?? 'var/pki';
const HTTP_PORT = process.env.HTTP_PORT ?? '8080';

async function waitForHealth(url: string, deadlineMs: number): Promise<string> {
  const until = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      last = await r.text();
      if (r.ok) return last;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`MF not healthy after ${deadlineMs} ms: ${last}`);
}

async function main(): Promise<void> {
  if (!devPkiExists(PKI_DIR)) {
    await writeDevPki(PKI_DIR);
    process.stdout.write(`lab: dev PKI created in ${PKI_DIR}\n`);
  }
  const mf = spawn(process.execPath, [join(__dirname, '../../mf/src/main.js')], {
    env: { ...process.env, PKI_DIR, HTTP_PORT, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number>((r) => mf.once('exit', (code) => r(code ?? 1)));
  try {
    const health = await Promise.race([
      waitForHealth(`http://127.0.0.1:${HTTP_PORT}/health`, 30_000),
      exited.then((c) => Promise.reject(new Error(`MF exited with code ${c}`))),
    ]);
    process.stdout.write(`lab: MF health ${health}\n`);
  } finally {
    mf.kill('SIGTERM');
    await exited;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`lab: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
