import { spawnSync } from 'node:child_process';

/** Whether a command-line tool is on PATH (used to skip conformance tests visibly). */
export function toolAvailable(command: string): boolean {
  const r = spawnSync(command, ['-v'], { stdio: 'ignore', timeout: 10_000 });
  return !r.error;
}

/** Runs a tool with a timeout; throws with its stderr when it fails. */
export function runTool(command: string, args: readonly string[], timeoutMs = 20_000): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${command} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
