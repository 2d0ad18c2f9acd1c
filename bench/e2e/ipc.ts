import { ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { TS_NODE } from '../../test/support/mf-process';

/** What a benchmark child reports about itself (process.resourceUsage, memoryUsage). */
export interface ChildUsage {
  /** User + system CPU seconds since the child started. */
  cpuSeconds: number;
  /** Current resident set size, octets (at rest after full GCs when the child runs with --expose-gc). */
  rssBytes: number;
  /** Peak resident set size so far, octets (getrusage ru_maxrss). */
  peakRssBytes: number;
  heapUsedBytes: number;
  /** V8 heap committed (heapTotal) and memory outside it (external: Buffers, native). */
  heapTotalBytes: number;
  externalBytes: number;
  /** Linux (/proc/self/status): RSS split into anonymous, file-backed and shared-memory pages. */
  rssAnonBytes?: number;
  rssFileBytes?: number;
  rssShmemBytes?: number;
  /** Extra figures of the child (e.g. open sessions). */
  extra?: Record<string, number>;
}

type Message = { id?: number; type: string; [k: string]: unknown };

/** Measures this process: CPU seconds, RSS (at rest after GC when exposed), peak RSS. */
export async function ownUsage(extra?: Record<string, number>): Promise<ChildUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    // Two full collections: the second one frees what finalizers of the first released.
    gc();
    gc();
    // V8 hands the pages a collection freed back to the system from a background task, within
    // tens of milliseconds: RSS read at once still held them (the MF with 25 000 to 50 000 open
    // sessions: 25 to 75 MB more than 0.1 s later, and no change from 0.1 s to 3 s).
    await new Promise((r) => setTimeout(r, 500));
  }
  const r = process.resourceUsage();
  const m = process.memoryUsage();
  return {
    cpuSeconds: (r.userCPUTime + r.systemCPUTime) / 1e6,
    rssBytes: m.rss,
    peakRssBytes: r.maxRSS * 1024,
    heapUsedBytes: m.heapUsed,
    heapTotalBytes: m.heapTotal,
    externalBytes: m.external,
    ...rssSplit(),
    ...(extra ? { extra } : {}),
  };
}

/** RssAnon/RssFile/RssShmem of /proc/self/status in octets; nothing where there is no procfs. */
function rssSplit(): Pick<ChildUsage, 'rssAnonBytes' | 'rssFileBytes' | 'rssShmemBytes'> {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return {};
  }
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const anon = kb('RssAnon');
  const file = kb('RssFile');
  const shmem = kb('RssShmem');
  return {
    ...(anon !== undefined ? { rssAnonBytes: anon } : {}),
    ...(file !== undefined ? { rssFileBytes: file } : {}),
    ...(shmem !== undefined ? { rssShmemBytes: shmem } : {}),
  };
}

/**
 * Child side: answers the parent's requests with `handlers` (each returns the reply's fields)
 * and sends `ready` once `start` resolved. `stop` runs `close` and exits.
 */
export function serveParent(
  start: () => Promise<Record<string, unknown>>,
  handlers: Record<string, (m: Message) => Promise<Record<string, unknown>>>,
  close: () => Promise<void>,
): void {
  const send = (m: Message) => process.send?.(m);
  process.on('message', (m: Message) => {
    if (m.type === 'stop') {
      void close()
        .catch(() => undefined)
        .finally(() => process.exit(0));
      return;
    }
    const h = handlers[m.type];
    if (!h) return send({ id: m.id, type: 'error', message: `unknown request ${m.type}` });
    h(m).then(
      (r) => send({ ...r, id: m.id, type: 'reply' }),
      (e: unknown) => send({ id: m.id, type: 'error', message: String(e) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  start().then(
    (r) => send({ ...r, type: 'ready' }),
    (e: unknown) => {
      send({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
      process.exit(1);
    },
  );
}

/**
 * The file of benchmark child `name` next to this module: the compiled `.js` when the benchmark
 * runs from `dist/` (`npm run bench`: no TypeScript compiler in the measured process), else the
 * `.ts` source run through ts-node.
 */
export function childScript(name: string): string {
  return join(__dirname, `${name}${extname(__filename)}`);
}

/** Parent side of a benchmark child: an entry point forked with an IPC channel. */
export class BenchChild {
  private nextId = 1;
  private readonly pending = new Map<number, (m: Message) => void>();
  private readonly listeners = new Set<(m: Message) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: Message) => {
      const reply = m.id !== undefined ? this.pending.get(m.id) : undefined;
      if (reply) {
        this.pending.delete(m.id!);
        reply(m);
      } else for (const l of this.listeners) l(m);
    });
  }

  /** Forks `script` with `env` and `nodeArgs`; resolves with the child and its `ready` message. */
  static async start(
    script: string,
    env: Record<string, string>,
    nodeArgs: string[] = [],
    timeoutMs = 120_000,
  ): Promise<{ child: BenchChild; ready: Message }> {
    const proc = fork(script, [], {
      execArgv: [...(script.endsWith('.ts') ? TS_NODE : []), '--expose-gc', ...nodeArgs],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child = new BenchChild(proc);
    const ready = await new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not start`)), timeoutMs);
      child.listeners.add((m) => {
        if (m.type !== 'ready' && m.type !== 'failed') return;
        clearTimeout(timer);
        if (m.type === 'ready') resolve(m);
        else reject(new Error(`${script}: ${String(m.message)}`));
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code}`));
      });
    });
    return { child, ready };
  }

  /** Messages the child sends on its own (not replies). */
  on(listener: (m: Message) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  request<T = Message>(type: string, fields: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, (m) =>
        m.type === 'error' ? reject(new Error(String(m.message))) : resolve(m as T),
      );
      this.child.send({ ...fields, id, type });
    });
  }

  usage(): Promise<ChildUsage> {
    return this.request<ChildUsage>('usage');
  }

  /** Asks the child to close and waits for it to exit (killed after `timeoutMs`). */
  async stop(timeoutMs = 60_000): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
