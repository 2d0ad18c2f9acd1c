import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { TLSSocket } from 'node:tls';
import { encodeX2Keepalive, X2PduType, X2StreamFramer } from '@app/x2';
import { IngestMf, sdesCallMessages, x2SipPdu } from './support/ingest-mf';
import { TS_NODE } from './support/mf-process';
import { until } from './support/until';
import { FLOOD_KINDS, X2AttackPlan, X2AttackReport } from './support/x2-attacker';

jest.setTimeout(60_000);

/** 50 whole calls × 6 SIP events. */
const CALLS = 50;
const HANDSHAKE_TIMEOUT_MS = 1_000;
const PDU_TIMEOUT_MS = 3_000;
const REFUSAL_AUDIT_INTERVAL_MS = 2_000;
/**
 * The robustness bound (README, Performance): under attack the NE's 300 events reach the LEA
 * within FACTOR × its time alone + ALLOWANCE_MS. Time alone: the slower of two runs in this
 * test, one before and one after the attack (the machine's load drifts). Generous: the MF,
 * the NE and the LEA share this process, and the attacker the same two cores.
 */
const FACTOR = 3;
const ALLOWANCE_MS = 2_000;
const SLOW_LORIS = 200;
const FLOOD_ATTEMPTS = 500;
/** Outcomes of mf_x2_connections_total a flood attempt can end with; the first four refuse. */
const PRE_AUTH = [
  'refused-tls',
  'refused-handshake-timeout',
  'refused-handshake-capacity',
  'refused-address-capacity',
  'abandoned-handshake',
] as const;
const REFUSALS = PRE_AUTH.slice(0, 4);

/** The pre-authentication outcomes and the PDU-deadline closures so far. */
async function x2Counts(mf: IngestMf) {
  const counts = {
    'pdu-timeout': await mf.metric('mf_x2_connections_closed_total', { reason: 'pdu-timeout' }),
  } as Record<(typeof PRE_AUTH)[number] | 'pdu-timeout', number>;
  for (const o of PRE_AUTH) counts[o] = await mf.metric('mf_x2_connections_total', { outcome: o });
  return counts;
}

const keys = { alice: randomBytes(30), bob: randomBytes(30) };

/** Starts test/support/x2-attacker.ts (loading takes seconds: start it early). */
function spawnAttacker() {
  const child: ChildProcess = spawn(process.execPath, [...TS_NODE, 'test/support/x2-attacker.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error(`the attacker exited (${child.exitCode})`);
    return line.value;
  };
  const send = (line: string) => child.stdin!.write(`${line}\n`);
  return {
    loaded: next().then((l) => expect(l).toBe('loaded')),
    /** Sends the plan; resolves when the slow-loris connections are open. */
    prepare: async (plan: X2AttackPlan) => {
      send(JSON.stringify(plan));
      expect(await next()).toBe('ready');
    },
    /** Starts the attack; resolves once the flood is under way. */
    go: async () => {
      send('go');
      expect(await next()).toBe('flooding');
    },
    /** Ends the flood; resolves with the report once the MF closed every socket. */
    stop: async (): Promise<X2AttackReport> => {
      send('stop');
      return JSON.parse(await next()) as X2AttackReport;
    },
    kill: () => child.exitCode === null && child.kill('SIGKILL'),
  };
}

/** Resolves when the MF answered a keepalive (§6.2.4): it has accepted the connection. */
function keepaliveAnswered(s: TLSSocket): Promise<void> {
  const framer = new X2StreamFramer();
  return new Promise((resolve, reject) => {
    s.on('error', () => undefined); // the close says it
    s.once('close', () => reject(new Error('closed before the keepalive acknowledgement')));
    s.on('data', (c: Buffer) => {
      if (
        framer
          .feed(c)
          .pdus.some((p) => (p.pduType as X2PduType) === X2PduType.KeepaliveAcknowledgement)
      ) {
        resolve();
      }
    });
    s.write(encodeX2Keepalive(X2PduType.Keepalive, 1));
  });
}

/**
 * A well-behaved NE: connects (mutual TLS, retrying as an NE does), checks with a keepalive
 * that the MF has it, sends the 300 events of 50 whole SDES calls, and waits until the LEA
 * has all their IRIs. Returns the time from its first connection attempt to the last IRI.
 */
async function wellBehavedNe(mf: IngestMf, liid: string, xid: string) {
  const pdus = Array.from({ length: CALLS }, (_, c) =>
    sdesCallMessages(`${liid}-${c}@ims.example`, keys).map((m, i) => x2SipPdu(xid, m, c * 6 + i)),
  ).flat();
  const delivered = () => mf.lea!.read().records.filter((r) => r.liid === liid).length;
  const started = Date.now();
  let attempts = 0;
  let ne: TLSSocket | undefined;
  while (!ne) {
    attempts++;
    try {
      const s = await mf.connectX2();
      await keepaliveAnswered(s);
      ne = s;
    } catch (e) {
      if (attempts === 10) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  ne.write(Buffer.concat(pdus));
  await until(`the IRIs of ${liid} at the LEA`, () => delivered() === pdus.length, 45_000);
  const ms = Date.now() - started;
  ne.end();
  return { ms, attempts };
}

describe('X2 under slow-loris and connection floods: bounded, and a well-behaved NE still served', () => {
  let mf: IngestMf;
  let attacker: ReturnType<typeof spawnAttacker>;

  beforeAll(async () => {
    attacker = spawnAttacker();
    mf = await IngestMf.start({
      lea: true,
      env: {
        X2_HANDSHAKE_TIMEOUT_MS: String(HANDSHAKE_TIMEOUT_MS),
        X2_PDU_TIMEOUT_MS: String(PDU_TIMEOUT_MS),
        X2_IDLE_TIMEOUT_MS: '20000',
        X2_MAX_HANDSHAKES: '32',
        X2_MAX_HANDSHAKES_PER_ADDRESS: '8',
        X2_REFUSAL_AUDIT_INTERVAL_MS: String(REFUSAL_AUDIT_INTERVAL_MS),
      },
    });
  });
  afterAll(async () => {
    attacker.kill();
    await mf.close();
  });

  it('closes every abusive connection by its deadline or cap, and the NE takes ≤ 3× its time alone + 2 s', async () => {
    const [warmUp, alone1, attacked, alone2] = ['WARM-UP', 'ALONE-1', 'ATTACKED', 'ALONE-2'].map(
      (n) => ({ liid: `LIID-${n}`, xid: randomUUID() }),
    );
    for (const w of [warmUp, alone1, attacked, alone2]) await mf.addWarrant(w);
    await attacker.loaded; // its start-up is not part of any measurement
    await wellBehavedNe(mf, warmUp.liid, warmUp.xid); // first connection to the LEA, JIT
    const before = await x2Counts(mf);
    const alone = [await wellBehavedNe(mf, alone1.liid, alone1.xid)];

    await attacker.prepare({
      port: mf.x2Port,
      pkiDir: mf.pkiDir,
      slowLoris: {
        connections: SLOW_LORIS,
        from: ['127.0.0.2', '127.0.0.3'],
        intervalMs: 250,
        concurrency: 8,
      },
      flood: {
        attempts: FLOOD_ATTEMPTS,
        burst: { attempts: 20, from: '127.0.0.9' }, // beyond its per-address cap
        from: ['10', '11', '12', '13', '14', '15', '16'].map((i) => `127.0.0.${i}`),
        spacingMs: 4, // 250 attempts/s, 2 s
        announceAfter: 120, // the handshake slots are full by then
      },
      giveUpMs: 20_000,
    });
    await attacker.go();
    const underAttack = await wellBehavedNe(mf, attacked.liid, attacked.xid);
    const { flood, slowLoris, stillOpen, durationMs } = await attacker.stop();
    alone.push(await wellBehavedNe(mf, alone2.liid, alone2.xid));

    // Every abusive socket was closed by the MF: slow loris by the PDU deadline, the flood by
    // the handshake deadline, the handshake caps or the client-certificate check.
    expect(stillOpen).toBe(0);
    expect(slowLoris).toMatchObject({ opened: SLOW_LORIS, closedByMf: SLOW_LORIS });
    expect(FLOOD_KINDS.reduce((n, k) => n + flood[k].attempts, 0)).toBe(FLOOD_ATTEMPTS);
    for (const kind of FLOOD_KINDS) expect(flood[kind].closedByMf).toBe(flood[kind].attempts);
    const after = await x2Counts(mf);
    const delta = (k: keyof typeof after) => after[k] - before[k];
    expect(delta('pdu-timeout')).toBe(SLOW_LORIS);
    expect(PRE_AUTH.reduce((n, o) => n + delta(o), 0)).toBe(FLOOD_ATTEMPTS);
    for (const o of REFUSALS) expect(delta(o)).toBeGreaterThan(0);
    expect(await mf.metric('mf_x2_handshakes_in_progress')).toBe(0);
    const closures = async () =>
      (await mf.audits('x2.connection.closed')).filter(
        (a) => (JSON.parse(a.details!) as { reason: string }).reason === 'pdu-timeout',
      ).length;
    await until('the slow-loris closures audited', async () => (await closures()) >= SLOW_LORIS);
    expect(await closures()).toBe(SLOW_LORIS);

    // Every refusal is in the audit log, aggregated: one entry per interval, not one each.
    const refused = REFUSALS.reduce((n, o) => n + delta(o), 0);
    const audited = async () => {
      const single = await mf.audits('x2.connection.refused');
      const summaries = await mf.audits('x2.connection.refused.summary');
      const counted = (a: (typeof summaries)[number]) =>
        (JSON.parse(a.details!) as { count: number }).count;
      return {
        entries: single.length + summaries.length,
        refusals: single.length + summaries.reduce((n, a) => n + counted(a), 0),
      };
    };
    await until('the refusal summaries', async () => (await audited()).refusals === refused);
    const entries = (await audited()).entries;
    expect(entries).toBeLessThanOrEqual(Math.ceil(durationMs / REFUSAL_AUDIT_INTERVAL_MS) + 2);

    // The NE got through at once, and within the bound of its slower time alone.
    expect(underAttack.attempts).toBe(1);
    const baseline = Math.max(...alone.map((a) => a.ms));
    const figures = { aloneMs: alone.map((a) => a.ms), underAttackMs: underAttack.ms };
    expect(figures.underAttackMs).toBeLessThanOrEqual(FACTOR * baseline + ALLOWANCE_MS);
    const outcomes = Object.fromEntries(PRE_AUTH.map((o) => [o, delta(o)]));
    process.stdout.write(`x2-abuse: ${JSON.stringify({ ...figures, outcomes, entries })}\n`);
  });
});
