import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SingleBar } from 'cli-progress';
import { writeDevPki } from '@app/pki';
import { TlsLeaServer } from '../../apps/lab/src/lea/tls-lea-server';
import { HOME_KMS, startTicketWorld, type TicketWorld } from '../../apps/lab/src/ticket-world';
import { tempPgSchema, tempSqlite, type TempDatabase } from '../../test/support/databases';
import { BenchChild, childScript, type ChildUsage } from './ipc';
import { lineChartPng, type Rgb } from './png-chart';
import { benchTargets, callWorkload, inviteWorkload, type BenchEvent } from './workload';
import { X2Sender } from './x2-sender';

/** Options of `npm run bench [-- --name=value …]`; every phase is bounded by `timeout`. */
export interface E2eOptions {
  events: number;
  targets: number;
  connections: number;
  ticketCalls: number;
  rawRepeats: number;
  latencyLoads: number[];
  latencySeconds: number;
  fixedLoad: number;
  sessions: number;
  sessionSteps: number;
  settleSeconds: number;
  timeoutSeconds: number;
  cpuProf: boolean;
  engines: string[];
  /** `--split`: the MF as two processes, ingest and delivery, on the same database. */
  split: boolean;
}

export function e2eOptions(args: string[]): E2eOptions {
  const get = (name: string): string | undefined =>
    args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const num = (name: string, fallback: number): number => {
    const v = Number(get(name) ?? fallback);
    return Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  const list = (name: string, fallback: string) =>
    (get(name) ?? fallback).split(',').filter(Boolean);
  return {
    events: num('events', 60_000),
    targets: Math.max(1, num('targets', 100)),
    connections: Math.max(1, num('connections', 2)),
    ticketCalls: num('ticket-calls', 100),
    rawRepeats: Math.max(1, num('raw-repeats', 3)),
    latencyLoads: list('loads', '500,1000,2000,4000').map(Number),
    latencySeconds: num('latency-seconds', 5),
    fixedLoad: num('fixed-load', 2000),
    sessions: num('sessions', 100_000),
    sessionSteps: Math.max(1, num('session-steps', 4)),
    settleSeconds: num('settle-seconds', 5),
    timeoutSeconds: num('timeout', 180),
    cpuProf: args.includes('--cpu-prof'),
    engines: list('engines', process.env.PG_URL ? 'sqlite,postgres' : 'sqlite'),
    split: args.includes('--split'),
  };
}

interface LatencyPoint {
  offeredPerSecond: number;
  events: number;
  delivered: number;
  achievedPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface SessionPoint {
  openSessions: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** Of rssMb: anonymous / file-backed / shared-memory pages (Linux). */
  rssAnonMb?: number;
  rssFileMb?: number;
  rssShmemMb?: number;
  /** Rate of the step that added these sessions (INVITEs until their BEGIN reached the LEA). */
  eventsPerSecond: number;
}

interface EngineResult {
  engine: string;
  deployment: 'one process' | 'ingest + delivery processes';
  throughput: {
    events: number;
    records: number;
    seconds: number;
    eventsPerSecond: number;
    /** CPU of the MF: both processes with `--split`. */
    mfCpuSeconds: number;
    mfCpuMicrosPerEvent: number;
    /** With `--split`: the delivery process's share of mfCpuSeconds. */
    deliveryCpuSeconds?: number;
    /** The benchmark's own process (X2 sender and LEA) on the same cores. */
    benchCpuSeconds: number;
    timedOut: boolean;
  };
  latency: LatencyPoint[];
  sessions: SessionPoint[];
  /** Of the MF process that ingests (and holds the sessions). */
  mfPeakRssMb: number;
  deliveryPeakRssMb?: number;
  lea: { gaps: number; duplicates: number; rejected: number; errors: number };
}

const MB = 1024 * 1024;
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A progress bar for one phase. */
function bar(phase: string, total: number, unit: string): SingleBar {
  const b = new SingleBar({
    format: `${phase.padEnd(28)} [{bar}] {value}/{total} ${unit} | {duration}s`,
    barsize: 30,
    hideCursor: true,
    clearOnComplete: false,
    noTTYOutput: true,
    notTTYSchedule: 5000,
  });
  b.start(total, 0);
  return b;
}

/** Polls `value()` until it reaches `target` or `timeoutMs` passes; true when reached. */
async function until(
  value: () => number,
  target: number,
  timeoutMs: number,
  progress?: SingleBar,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (value() < target) {
    progress?.update(Math.min(value(), target));
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  progress?.update(target);
  return true;
}

/** The shared lab: dev PKI, KMS (for MIKEY-TICKET calls), LEA TLS receiver. */
interface Lab {
  dir: string;
  pki: string;
  world?: TicketWorld;
  lea: TlsLeaServer;
  /** Send times (performance.now) of events whose IRI delivery latency is measured, by SIP text. */
  watch: Map<string, number>;
  latencies: number[];
}

async function startLab(o: E2eOptions): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), 'mf-bench-'));
  const pki = join(dir, 'pki');
  const world =
    o.ticketCalls > 0
      ? await startTicketWorld({ pkiDir: pki, runtime: { logger: () => undefined } })
      : undefined;
  if (!world) await writeDevPki(pki);
  const watch = new Map<string, number>();
  const latencies: number[] = [];
  const lea = await startLea(pki, watch, latencies);
  return { dir, pki, ...(world ? { world } : {}), lea, watch, latencies };
}

/**
 * The bench's TLS LEA, one per engine: each engine's MF starts on an empty database, so its CINs
 * and PS-PDU numbers start again, which an LEA that saw the previous engine counts as duplicates.
 */
async function startLea(
  pki: string,
  watch: Map<string, number>,
  latencies: number[],
): Promise<TlsLeaServer> {
  const lea = new TlsLeaServer({
    pkiDir: pki,
    keepRecords: false,
    // Located, not schema-decoded: a full decode (≈ 2 ms per PS-PDU) in this process was the
    // bound of the whole benchmark, with the MF waiting for keep-alive answers.
    decode: 'view',
    onRecordView: (record) => {
      if (!watch.size) return;
      const key = record.sipMessage?.toString('latin1');
      const at = key === undefined ? undefined : watch.get(key);
      if (at === undefined) return;
      latencies.push(performance.now() - at);
      watch.delete(key!);
    },
  });
  await lea.start();
  return lea;
}

/** Phase 1: the same PDUs over the same TLS into the minimal framing server; best of N runs. */
async function rawPhase(o: E2eOptions, lab: Lab, events: BenchEvent[]) {
  const { child, ready } = await BenchChild.start(childScript('raw-x2-sink'), {
    PKI_DIR: lab.pki,
  });
  const sender = await X2Sender.connect(Number(ready.port), lab.pki, o.connections);
  const streams = sender.streams(events);
  const runs: number[] = [];
  try {
    for (let r = 0; r < o.rawRepeats; r++) {
      const progress = bar(`raw TLS+framing run ${r + 1}`, events.length, 'PDUs');
      let framed = 0;
      const done = new Promise<void>((resolve) =>
        child.on((m) => {
          if (m.type === 'done') {
            framed = Number(m.framed);
            resolve();
          }
        }),
      );
      await child.request('expect', { count: events.length });
      const t0 = performance.now();
      await sender.burst(streams);
      const ok = await Promise.race([
        done.then(() => true),
        new Promise<boolean>((r2) => setTimeout(() => r2(false), o.timeoutSeconds * 1000)),
      ]);
      const seconds = (performance.now() - t0) / 1000;
      progress.update(ok ? events.length : framed);
      progress.stop();
      if (!ok) throw new Error('raw phase timed out');
      runs.push(events.length / seconds);
    }
    const usage = await child.usage();
    return { runsPerSecond: runs.map((x) => Math.round(x)), best: Math.max(...runs), usage };
  } finally {
    sender.close();
    await child.stop();
  }
}

/**
 * The Node options the MF runs with where it is deployed: `config.mfNodeArgs` of package.json,
 * which `npm start` passes to node, so that the benchmark measures the MF as started there.
 */
function mfNodeArgs(): string[] {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { config?: { mfNodeArgs?: string } };
    return (pkg.config?.mfNodeArgs ?? '').split(/\s+/).filter(Boolean);
  }
  return [];
}

async function database(engine: string): Promise<TempDatabase> {
  if (engine === 'sqlite') return tempSqlite();
  if (engine === 'postgres' && process.env.PG_URL) return tempPgSchema(process.env.PG_URL);
  throw new Error(`engine ${engine}: unknown, or PG_URL not set`);
}

/** Phase 2–4 on one engine: throughput, latency vs offered load, RSS vs open sessions. */
async function enginePhase(
  o: E2eOptions,
  lab: Lab,
  engine: string,
  workload: Awaited<ReturnType<typeof callWorkload>>,
  targets: ReturnType<typeof benchTargets>,
  /** Where to write the MF's CPU profile of the throughput phase (`--cpu-prof`). */
  profileFile: string | undefined,
): Promise<EngineResult> {
  const db = await database(engine);
  if (lab.lea.recordCount > 0) {
    await lab.lea.stop();
    lab.lea = await startLea(lab.pki, lab.watch, lab.latencies);
  }
  const common = { DATABASE_URL: db.url, HTTP_PORT: '0', LOG_LEVEL: 'silent', PKI_DIR: lab.pki };
  const { child, ready } = await BenchChild.start(
    childScript('mf-child'),
    {
      ...common,
      MF_ROLES: o.split ? 'ingest' : 'ingest,delivery',
      X2_PORT: '0',
      // The per-NE rate limit protects the MF in production; the benchmark measures capacity.
      X2_MAX_PDUS_PER_SECOND: '1000000',
      BENCH_LEA_PORT: String(lab.lea.port),
      BENCH_TARGETS: JSON.stringify(targets),
      ...(lab.world
        ? { XK_KMS_ROUTES: JSON.stringify({ [HOME_KMS]: [lab.world.kms.urls.xk] }) }
        : {}),
    },
    mfNodeArgs(),
  );
  const delivery = o.split
    ? (
        await BenchChild.start(
          childScript('mf-child'),
          { ...common, MF_ROLES: 'delivery' },
          mfNodeArgs(),
        )
      ).child
    : undefined;
  const sender = await X2Sender.connect(Number(ready.x2Port), lab.pki, o.connections);
  const timeoutMs = o.timeoutSeconds * 1000;
  const received = () => lab.lea.recordCount;
  try {
    // Warm-up (not measured): JIT, database caches, the HI2 TLS link.
    const warm = await callWorkload(Math.min(6000, o.events), targets, 0);
    let base = received();
    await sender.burst(sender.streams(warm.events));
    await until(() => received() - base, warm.expectedRecords, timeoutMs);

    // Throughput: all events as fast as the MF takes them, until the last IRI reached the LEA.
    const progress = bar(`MF ${engine} end to end`, workload.expectedRecords, 'IRIs');
    if (profileFile) await child.request('profile-start');
    const u0 = await child.usage();
    const d0 = await delivery?.usage();
    base = received();
    const own0 = process.cpuUsage();
    const t0 = performance.now();
    await sender.burst(sender.streams(workload.events));
    const ok = await until(() => received() - base, workload.expectedRecords, timeoutMs, progress);
    const seconds = (performance.now() - t0) / 1000;
    const own = process.cpuUsage(own0);
    progress.stop();
    const u1 = await child.usage();
    const d1 = await delivery?.usage();
    if (profileFile) await child.request('profile-stop', { file: profileFile });
    const deliveryCpu = d0 && d1 ? d1.cpuSeconds - d0.cpuSeconds : undefined;
    const cpu = u1.cpuSeconds - u0.cpuSeconds + (deliveryCpu ?? 0);
    const throughput = {
      events: workload.events.length,
      records: received() - base,
      seconds: round(seconds, 3),
      eventsPerSecond: Math.round(workload.events.length / seconds),
      mfCpuSeconds: round(cpu, 2),
      mfCpuMicrosPerEvent: Math.round((cpu * 1e6) / workload.events.length),
      ...(deliveryCpu !== undefined ? { deliveryCpuSeconds: round(deliveryCpu, 2) } : {}),
      benchCpuSeconds: round((own.user + own.system) / 1e6, 2),
      timedOut: !ok,
    };

    const latency: LatencyPoint[] = [];
    for (const load of o.latencyLoads)
      latency.push(await latencyStep(o, lab, sender, targets, load));
    const sessions = await sessionSteps(o, lab, sender, child, targets);
    const final = await child.usage();
    const finalDelivery = await delivery?.usage();
    const snap = lab.lea.read();
    return {
      engine,
      deployment: o.split ? 'ingest + delivery processes' : 'one process',
      throughput,
      latency,
      sessions,
      mfPeakRssMb: round(final.peakRssBytes / MB),
      ...(finalDelivery ? { deliveryPeakRssMb: round(finalDelivery.peakRssBytes / MB) } : {}),
      lea: {
        gaps: snap.gaps.length,
        duplicates: snap.duplicates.length,
        rejected: snap.rejected.length,
        errors: snap.errors.length,
      },
    };
  } finally {
    sender.close();
    await delivery?.stop();
    await child.stop();
    await db.drop();
  }
}

/** SDES calls offered at `load` events/s for latencySeconds; latency = LEA receipt − X2 write. */
async function latencyStep(
  o: E2eOptions,
  lab: Lab,
  sender: X2Sender,
  targets: ReturnType<typeof benchTargets>,
  load: number,
): Promise<LatencyPoint> {
  const w = await callWorkload(Math.max(6, load * o.latencySeconds), targets, 0);
  const progress = bar(`latency at ${load}/s`, w.events.length, 'IRIs');
  lab.latencies.length = 0;
  lab.watch.clear();
  const t0 = performance.now();
  await sender.paced(w.events, load, (i, at) =>
    lab.watch.set(w.events[i].sip.toString('latin1'), at),
  );
  const sentSeconds = (performance.now() - t0) / 1000;
  await until(() => lab.latencies.length, w.events.length, o.timeoutSeconds * 1000, progress);
  progress.stop();
  const sorted = [...lab.latencies].sort((a, b) => a - b);
  lab.watch.clear();
  return {
    offeredPerSecond: load,
    events: w.events.length,
    delivered: sorted.length,
    achievedPerSecond: Math.round(w.events.length / sentSeconds),
    p50Ms: round(percentile(sorted, 50), 2),
    p95Ms: round(percentile(sorted, 95), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    maxMs: round(sorted.at(-1) ?? NaN, 2),
  };
}

/** Opens `sessions` calls (INVITE only) in steps and reads the MF's RSS after each. */
async function sessionSteps(
  o: E2eOptions,
  lab: Lab,
  sender: X2Sender,
  child: BenchChild,
  targets: ReturnType<typeof benchTargets>,
): Promise<SessionPoint[]> {
  const points: SessionPoint[] = [];
  points.push(sessionPoint(await child.usage(), 0));
  if (!o.sessions) return points;
  const progress = bar('open sessions', o.sessions, 'INVITEs');
  const step = Math.ceil(o.sessions / o.sessionSteps);
  for (let from = 0; from < o.sessions; from += step) {
    const invites = inviteWorkload(Math.min(step, o.sessions - from), targets, from);
    const base = lab.lea.recordCount;
    const t0 = performance.now();
    await sender.burst(sender.streams(invites));
    const ok = await until(
      () => lab.lea.recordCount - base,
      invites.length,
      o.timeoutSeconds * 1000,
    );
    const seconds = (performance.now() - t0) / 1000;
    progress.update(from + invites.length);
    if (!ok) break;
    // RSS at rest with these sessions open: V8 gives back heap it grew for the burst only
    // after some idle time (memory reducer), so the step settles before it is measured.
    await new Promise((r) => setTimeout(r, o.settleSeconds * 1000));
    points.push(sessionPoint(await child.usage(), Math.round(invites.length / seconds)));
  }
  progress.stop();
  return points;
}

/** One point of the sessions phase from the MF's usage (memory in MB). */
function sessionPoint(u: ChildUsage, eventsPerSecond: number): SessionPoint {
  return {
    openSessions: u.extra?.openSessions ?? 0,
    rssMb: round(u.rssBytes / MB),
    heapUsedMb: round(u.heapUsedBytes / MB),
    heapTotalMb: round(u.heapTotalBytes / MB),
    externalMb: round(u.externalBytes / MB),
    ...(u.rssAnonBytes !== undefined ? { rssAnonMb: round(u.rssAnonBytes / MB) } : {}),
    ...(u.rssFileBytes !== undefined ? { rssFileMb: round(u.rssFileBytes / MB) } : {}),
    ...(u.rssShmemBytes !== undefined ? { rssShmemMb: round(u.rssShmemBytes / MB) } : {}),
    eventsPerSecond,
  };
}

const COLOURS: Record<string, Rgb> = {
  p50: [30, 120, 220],
  p95: [240, 150, 20],
  p99: [210, 40, 40],
};

/** `npm run bench` (no name): raw TLS+framing limit vs the MF end to end, latency, memory. */
export async function runE2eBenchmark(args: string[]): Promise<void> {
  const o = e2eOptions(args);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const resultsDir = join(process.cwd(), 'bench-results');
  mkdirSync(join(resultsDir, 'profiles'), { recursive: true });
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
  console.log(`MF end-to-end benchmark — ${machine}`);
  console.log(`options: ${JSON.stringify(o)}; MF node options: ${mfNodeArgs().join(' ')}`);
  const lab = await startLab(o);
  try {
    const targets = benchTargets(o.targets, o.ticketCalls > 0);
    console.log(
      `generating ${o.events} SIP events (${o.ticketCalls} MIKEY-TICKET calls via the lab KMS)…`,
    );
    const workload = await callWorkload(o.events, targets, o.ticketCalls, lab.world);
    const octets = workload.events.reduce((n, e) => n + e.pdu.length, 0);
    const raw = await rawPhase(o, lab, workload.events);
    const engines: EngineResult[] = [];
    for (const engine of o.engines)
      engines.push(
        await enginePhase(
          o,
          lab,
          engine,
          workload,
          targets,
          o.cpuProf ? join(resultsDir, 'profiles', `mf-${engine}-${stamp}.cpuprofile`) : undefined,
        ),
      );
    const result = {
      date: new Date().toISOString(),
      machine,
      note: 'provisional unless stated otherwise: the machine is shared with other jobs',
      options: o,
      mfNodeArgs: mfNodeArgs(),
      workload: {
        events: workload.events.length,
        calls: workload.calls,
        ticketCalls: workload.ticketCalls,
        meanPduOctets: Math.round(octets / workload.events.length),
      },
      raw: {
        eventsPerSecond: Math.round(raw.best),
        runs: raw.runsPerSecond,
        sinkCpuSeconds: round(raw.usage.cpuSeconds, 2),
      },
      engines: engines.map((e) => ({
        ...e,
        ratioToRaw: round(e.throughput.eventsPerSecond / raw.best, 4),
        atFixedLoad: e.latency.find((l) => l.offeredPerSecond === o.fixedLoad) ?? null,
        rssPerThousandSessionsMb: perThousand(e.sessions),
      })),
    };
    const file = join(resultsDir, `e2e-${stamp}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2));
    for (const e of engines) {
      const png = lineChartPng(
        (['p50', 'p95', 'p99'] as const).map((p) => ({
          label: p,
          colour: COLOURS[p],
          points: e.latency
            .filter((l) => Number.isFinite(l[`${p}Ms`]))
            .map((l) => [l.offeredPerSecond, l[`${p}Ms`]] as [number, number]),
        })),
        'ev/s',
        'ms',
      );
      writeFileSync(join(resultsDir, `latency-vs-load-${e.engine}-${stamp}.png`), png);
    }
    printSummary(result.raw.eventsPerSecond, result.engines, o.fixedLoad);
    console.log(
      `\nresults: ${file} (chart: latency-vs-load-<engine>-${stamp}.png; blue p50, orange p95, red p99)`,
    );
  } finally {
    lab.lea.stop().catch(() => undefined);
    await lab.world?.close();
    rmSync(lab.dir, { recursive: true, force: true });
  }
}

/** MB of RSS per 1000 open sessions: slope between the first and the last session point. */
function perThousand(points: SessionPoint[]): number | null {
  const a = points[0];
  const b = points.at(-1);
  if (!a || !b || b.openSessions <= a.openSessions) return null;
  return round(((b.rssMb - a.rssMb) * 1000) / (b.openSessions - a.openSessions), 3);
}

function printSummary(
  raw: number,
  engines: Array<EngineResult & { ratioToRaw: number; atFixedLoad: LatencyPoint | null }>,
  fixedLoad: number,
): void {
  console.log('');
  console.table([
    { measurement: 'raw TLS + X2 framing (limit)', 'events/s': raw, 'vs raw': '1' },
    ...engines.map((e) => ({
      measurement: `MF end to end (${e.engine}, ${e.deployment})`,
      'events/s': e.throughput.eventsPerSecond,
      'vs raw': `${(e.ratioToRaw * 100).toFixed(1)} %`,
      'MF CPU s': e.throughput.mfCpuSeconds,
      'µs CPU/event': e.throughput.mfCpuMicrosPerEvent,
      'bench CPU s': e.throughput.benchCpuSeconds,
      'peak RSS MB': e.mfPeakRssMb,
      [`p50/p95/p99 ms @${fixedLoad}/s`]: e.atFixedLoad
        ? `${e.atFixedLoad.p50Ms} / ${e.atFixedLoad.p95Ms} / ${e.atFixedLoad.p99Ms}`
        : 'n/a',
      'RSS MB @ max sessions': `${e.sessions.at(-1)?.rssMb} @ ${e.sessions.at(-1)?.openSessions}`,
    })),
  ]);
}
