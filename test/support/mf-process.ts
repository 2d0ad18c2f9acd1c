import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/** ts-node command line that runs a TypeScript entry point of this repository. */
export const TS_NODE = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'];

/** An MF started as its own process (another instance, as in a multi-instance deployment). */
export interface MfProcess {
  url: string;
  pid: number;
  /** SIGTERM (a clean shutdown), then waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: the process dies at once, mid-whatever (a crash); waits for the exit. */
  kill(): Promise<void>;
}

/** Starts apps/mf/src/main.ts with `env` (HTTP_PORT 0, REST role unless `env` says otherwise) and resolves once it listens. */
export async function spawnMf(env: Record<string, string>): Promise<MfProcess> {
  const child: ChildProcess = spawn(process.execPath, [...TS_NODE, 'apps/mf/src/main.ts'], {
    env: { ...process.env, HTTP_PORT: '0', LOG_LEVEL: 'silent', MF_ROLES: 'api', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mf did not start: ${err}`));
    }, 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+) /.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mf exited with ${code}: ${err}`));
    });
  });
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  };
  return {
    url,
    pid: child.pid!,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}
