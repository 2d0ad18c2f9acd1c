/**
 * An abusive X2 peer population, run as its own process (`TS_NODE test/support/x2-attacker.ts`)
 * so that its TLS work does not share the MF's event loop — an attacker is not on the MF's
 * machine. Loopback only: each kind of attacker binds its own 127.0.0.x address.
 *
 * Protocol, one line each way: it prints `loaded`, reads its X2AttackPlan (JSON), opens the
 * slow-loris connections (authenticated, silent) and prints `ready`; on `go` they start
 * trickling a PDU header and the flood starts (`flooding` once under way); after `stop`, once
 * the flood is over and the MF has closed every socket (or `giveUpMs` passed), it prints the
 * X2AttackReport (JSON) and exits. It never closes a socket itself: every close it counts is
 * the MF's doing.
 */
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as tls from 'node:tls';
import { CertificateAuthority } from '@app/pki';
import { encodeX2Pdu, X2PayloadDirection, X2PayloadFormat, X2PduType } from '@app/x2';

export interface X2AttackPlan {
  port: number;
  /** Dev PKI: `ca.crt` to trust the MF, `ne.crt`/`ne.key` for the slow-loris connections. */
  pkiDir: string;
  /** Authenticated connections that trickle one octet of a PDU header every `intervalMs`. */
  slowLoris: { connections: number; from: string[]; intervalMs: number; concurrency: number };
  /**
   * Connection attempts in all: first `burst` (TCP only) at once from one address, then one
   * every `spacingMs`, cycling through FLOOD_KINDS and `from`; `flooding` is printed after
   * `announceAfter` of them.
   */
  flood: {
    attempts: number;
    burst: { attempts: number; from: string };
    from: string[];
    spacingMs: number;
    announceAfter: number;
  };
  giveUpMs: number;
}

export const FLOOD_KINDS = ['tcp-silent', 'tcp-trickle', 'tls-no-cert', 'tls-rogue-cert'] as const;
export type FloodKind = (typeof FLOOD_KINDS)[number];

export interface X2AttackReport {
  slowLoris: { opened: number; closedByMf: number; octetsSent: number };
  flood: Record<FloodKind, { attempts: number; closedByMf: number }>;
  /** Sockets the MF had not closed when the attacker gave up. */
  stillOpen: number;
  /** From `go` to the close of the last socket. */
  durationMs: number;
}

async function attack(): Promise<X2AttackReport> {
  const rogue = await (
    await CertificateAuthority.create('Rogue')
  ).issue({ commonName: 'rogue-ne', usages: ['client'] });
  const stdin = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const line = async () => {
    const l = await stdin.next();
    if (l.done) throw new Error('stdin closed');
    return l.value;
  };
  process.stdout.write('loaded\n');
  const plan = JSON.parse(await line()) as X2AttackPlan;
  const file = (name: string) => readFileSync(join(plan.pkiDir, name));
  const ca = file('ca.crt');
  const open = new Set<net.Socket>();
  const track = (s: net.Socket, closed: () => void) => {
    open.add(s);
    s.on('error', () => undefined); // resets are how the MF ends most of these
    s.once('close', () => {
      open.delete(s);
      closed();
    });
    return s;
  };
  const report: X2AttackReport = {
    slowLoris: { opened: 0, closedByMf: 0, octetsSent: 0 },
    flood: Object.fromEntries(
      FLOOD_KINDS.map((k) => [k, { attempts: 0, closedByMf: 0 }]),
    ) as X2AttackReport['flood'],
    stillOpen: 0,
    durationMs: 0,
  };

  // Slow loris: open them all first (idle), so that all trickle at the same time after `go`.
  const lorises: tls.TLSSocket[] = [];
  const openOne = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const localAddress = plan.slowLoris.from[i % plan.slowLoris.from.length];
      const s = tls.connect({
        socket: net.connect({ host: '127.0.0.1', port: plan.port, localAddress }),
        servername: 'localhost',
        ca,
        cert: file('ne.crt'),
        key: file('ne.key'),
      });
      s.once('secureConnect', () => {
        track(s, () => report.slowLoris.closedByMf++);
        lorises.push(s);
        report.slowLoris.opened++;
        resolve();
      });
      s.once('error', reject);
    });
  let started = 0;
  const worker = async () => {
    while (started < plan.slowLoris.connections) await openOne(started++);
  };
  await Promise.all(Array.from({ length: plan.slowLoris.concurrency }, worker));
  process.stdout.write('ready\n');
  await line(); // go
  const attackStart = Date.now();

  const header = encodeX2Pdu({
    pduType: X2PduType.X2,
    payloadFormat: X2PayloadFormat.SipMessage,
    payloadDirection: X2PayloadDirection.FromTarget,
    xid: '00000000-0000-4000-8000-000000000000',
    payload: Buffer.alloc(100),
  }).subarray(0, 40);
  let next = 0;
  const drip = setInterval(() => {
    const octet = header.subarray(next % 40, (next % 40) + 1);
    next++;
    for (const s of lorises) {
      if (!s.destroyed) {
        s.write(octet);
        report.slowLoris.octetsSent++;
      }
    }
  }, plan.slowLoris.intervalMs);
  const clientHello = Buffer.concat([
    Buffer.from([0x16, 3, 1, 1, 0, 1, 0, 0, 252, 3, 3]),
    Buffer.alloc(250, 7),
  ]);

  const launch = (kind: FloodKind, localAddress: string) => {
    const counts = report.flood[kind];
    counts.attempts++;
    const tcp = net.connect({ host: '127.0.0.1', port: plan.port, localAddress });
    const s =
      kind === 'tls-no-cert' || kind === 'tls-rogue-cert'
        ? tls.connect({
            socket: tcp,
            servername: 'localhost',
            ca,
            ...(kind === 'tls-rogue-cert' ? { cert: rogue.certPem, key: rogue.keyPem } : {}),
          })
        : tcp;
    track(s, () => counts.closedByMf++);
    if (kind === 'tcp-trickle') {
      let at = 0;
      const t = setInterval(() => {
        if (s.destroyed) clearInterval(t);
        else s.write(clientHello.subarray(at, ++at));
      }, 100);
    }
  };
  // First a burst from one address (its cap, while the handshake slots are free), then the
  // rest paced by the clock (a starved attacker catches up in bursts).
  const stopped = line();
  const { burst, spacingMs, announceAfter, attempts, from } = plan.flood;
  for (let i = 0; i < burst.attempts; i++) launch('tcp-silent', burst.from);
  let launched = burst.attempts;
  await new Promise<void>((resolve) => {
    const start = Date.now();
    const t = setInterval(() => {
      const due = Math.min(attempts, burst.attempts + (Date.now() - start) / spacingMs);
      while (launched < due) {
        launch(FLOOD_KINDS[launched % FLOOD_KINDS.length], from[launched % from.length]);
        if (++launched === announceAfter) process.stdout.write('flooding\n');
      }
      if (launched === attempts) {
        clearInterval(t);
        resolve();
      }
    }, spacingMs);
  });
  await stopped;
  const end = Date.now() + plan.giveUpMs;
  while (open.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  clearInterval(drip);
  report.stillOpen = open.size;
  report.durationMs = Date.now() - attackStart;
  for (const s of open) s.destroy();
  return report;
}

if (require.main === module) {
  attack().then(
    (report) => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`x2-attacker: ${String(e)}\n`);
      process.exit(1);
    },
  );
}
