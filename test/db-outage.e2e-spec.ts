import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import Database from 'better-sqlite3';
import { encodeX2Keepalive, X2PduType, X2StreamFramer } from '@app/x2';
import { ENGINES, notePgSkipped, type TempDatabase } from './support/databases';
import { IngestMf, sdesCallMessages, x2SipPdu } from './support/ingest-mf';
import { expectContinuousStreams } from './support/received';
import { CuttableTcpProxy } from './support/tcp-proxy';
import { until } from './support/until';

jest.setTimeout(60_000);

/** Makes the MF's database unavailable, and available again. */
interface Outage {
  /** DATABASE_URL for the MF. */
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * SQLite: a second connection takes the write lock (`BEGIN EXCLUSIVE`, in WAL mode readers go
 * on) and holds it longer than the MF's DB_BUSY_TIMEOUT_MS. It never waits itself (timeout 0,
 * polled): a synchronous busy wait would block the MF's transaction it waits for.
 */
function sqliteLock(file: string): Outage {
  let db: Database.Database | undefined;
  return {
    url: file,
    cut: async () => {
      db ??= new Database(file, { timeout: 0 });
      await until('the exclusive lock', () => {
        try {
          db!.exec('BEGIN EXCLUSIVE');
          return true;
        } catch {
          return false;
        }
      });
    },
    restore: () => Promise.resolve(db?.inTransaction && db.exec('COMMIT')).then(() => undefined),
    close: () => Promise.resolve(db?.close()).then(() => undefined),
  };
}

/** PostgreSQL: the MF connects through a loopback proxy whose connections the test cuts. */
async function pgProxy(db: TempDatabase): Promise<Outage> {
  const url = new URL(db.url);
  const proxy = await CuttableTcpProxy.start({ host: url.hostname, port: Number(url.port) });
  url.port = String(proxy.port);
  return {
    url: url.toString(),
    cut: () => proxy.cut(),
    restore: () => proxy.restore(),
    close: () => proxy.close(),
  };
}

const keys = { alice: randomBytes(30), bob: randomBytes(30) };
const CALL_KINDS = ['BEGIN', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'END'];
const keepalive = (seq: number) => encodeX2Keepalive(X2PduType.Keepalive, seq);

/** Keepalive acknowledgements an NE received: sequence numbers, and whether after `restored`. */
function keepaliveAcks(s: TLSSocket, phase: { restored: boolean }) {
  const acks: Array<{ seq: number; afterRestore: boolean }> = [];
  const framer = new X2StreamFramer();
  s.on('data', (c: Buffer) => {
    for (const p of framer.feed(c).pdus)
      if ((p.pduType as X2PduType) === X2PduType.KeepaliveAcknowledgement)
        acks.push({ seq: p.sequenceNumber()!, afterRestore: phase.restored });
  });
  return acks;
}

/** Whether the MF closed the socket (the NE never closes it in these tests before the end). */
function watchClose(s: TLSSocket): () => boolean {
  let closed = false;
  s.on('error', () => undefined);
  s.once('close', () => (closed = true));
  return () => closed;
}

describe.each(ENGINES)('database briefly unavailable on $name', ({ make }) => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  /** An MF with ingest and delivery to a TLS LEA on a fresh database it reaches through `Outage`. */
  async function start(env: Record<string, string>): Promise<{ mf: IngestMf; outage: Outage }> {
    const db = await make();
    cleanup.push(() => db.drop());
    const outage = db.engine === 'postgres' ? await pgProxy(db) : sqliteLock(db.url);
    cleanup.push(() => outage.close());
    const mf = await IngestMf.start({
      lea: true,
      env: {
        DATABASE_URL: outage.url,
        DB_BUSY_TIMEOUT_MS: '100',
        X2_MAX_IN_FLIGHT_PDUS: '10',
        ...env,
      },
    });
    // Restore first: closing the MF commits its last batch.
    cleanup.push(async () => {
      await outage.restore();
      await mf.close();
    });
    return { mf, outage };
  }

  /** Each call's SIP messages as the LEA got them, per CIN in arrival order (call order not kept). */
  const callsAtLea = (mf: IngestMf, liid: string): string[][] => {
    const byCin = new Map<number | null, string[]>();
    for (const r of mf.delivered(liid)) {
      const call = byCin.get(r.cin) ?? [];
      call.push(`${r.kind} ${r.parameters.sIPMessage!.toString()}`);
      byCin.set(r.cin, call);
    }
    return [...byCin.values()].sort();
  };
  const asSent = (calls: Buffer[][]): string[][] =>
    calls.map((c) => c.map((m, i) => `${CALL_KINDS[i]} ${m.toString()}`)).sort();

  /** Duplicates at the LEA that are not TLS resends (same stream number and octets): none. */
  const expectEveryRecordOnce = (mf: IngestMf) => {
    const got = mf.lea!.read();
    expectContinuousStreams(got);
    const resent = (d: (typeof got.records)[number]) =>
      got.records.some((r) => r.cin === d.cin && r.seq === d.seq && r.sha256 === d.sha256);
    expect(got.duplicates.filter((d) => !resent(d))).toEqual([]);
  };

  /** The HTTP status of GET /health. */
  const health = async (mf: IngestMf) => {
    const port = (mf.app.getHttpServer().address() as AddressInfo).port;
    return (await fetch(`http://127.0.0.1:${port}/health`)).status;
  };

  it('holds X2 unacknowledged through a short outage, then delivers every event once, in order', async () => {
    const { mf, outage } = await start({ DB_OUTAGE_MAX_MS: '30000' });
    const xid = randomUUID();
    const liid = 'LIID-DB-OUTAGE';
    await mf.addWarrant({ liid, xid });
    const calls = Array.from({ length: 30 }, (_, i) =>
      sdesCallMessages(`outage-${i}@ims.example`, keys),
    );
    const probeCall = sdesCallMessages('outage-probe@ims.example', keys).slice(0, 1);
    const pdus = (call: Buffer[], first: number) => call.map((m, i) => x2SipPdu(xid, m, first + i));
    const phase = { restored: false };
    // `ne` carries the traffic; `probe` one INVITE and a keepalive, well below the in-flight limit.
    const [ne, probe] = [await mf.connectX2(), await mf.connectX2()];
    cleanup.push(() => Promise.resolve([ne, probe].forEach((s) => s.destroy())));
    const [neAcks, probeAcks] = [keepaliveAcks(ne, phase), keepaliveAcks(probe, phase)];
    const closed = [ne, probe].map(watchClose);

    ne.write(Buffer.concat([...pdus(calls[0], 0), keepalive(1)]));
    await until('the keepalive after the first call', () => neAcks.length === 1);
    await until('the first call at the LEA', () => mf.delivered(liid).length === 6);
    const metrics = async () => ({
      retries: await mf.metric('mf_db_commit_retries_total', { op: 'pipeline.commit' }),
      x2: await mf.metric('mf_x2_pdus_total', { type: 'x2' }),
      keepalives: await mf.metric('mf_x2_pdus_total', { type: 'keepalive' }),
      closed: await mf.metric('mf_x2_connections_closed_total'),
    });
    const before = await metrics();

    await outage.cut();
    const cutAt = Date.now();
    const during = calls.slice(1).flatMap((c, i) => pdus(c, 100 * (i + 1)));
    ne.write(Buffer.concat([...during, keepalive(2)]));
    probe.write(Buffer.concat([...pdus(probeCall, 0), keepalive(3)]));
    await until('the MF retrying its commit', async () => {
      const now = await metrics();
      return now.retries > before.retries && now.keepalives > before.keepalives;
    });
    await until('2.5 s of outage', () => Date.now() - cutAt >= 2_500, 10_000);
    const inOutage = await metrics();
    const healthInOutage = await health(mf);
    expect(neAcks.map((a) => a.seq)).toEqual([1]);
    expect(probeAcks).toEqual([]); // read (counted above), answered only once its INVITE is in
    // Reading paused at the in-flight limit: the rest waits in the NE's TCP window.
    expect(inOutage.x2 - before.x2).toBeLessThan(during.length / 2);
    expect(healthInOutage).toBe(503); // on SQLite reads go on: the write check says it
    expect(await mf.metric('mf_db_retrying_operations')).toBeGreaterThan(0);

    phase.restored = true;
    await outage.restore();
    await until('every call at the LEA', () => mf.delivered(liid).length === 30 * 6 + 1);
    await until('both keepalives answered', () => neAcks.length === 2 && probeAcks.length === 1);
    expect(neAcks).toEqual([
      { seq: 1, afterRestore: false },
      { seq: 2, afterRestore: true },
    ]);
    expect(probeAcks).toEqual([{ seq: 3, afterRestore: true }]);
    expect(closed.map((c) => c())).toEqual([false, false]);
    const after = await metrics();
    expect(after.closed).toBe(before.closed);
    expect(after.retries).toBeGreaterThan(before.retries);

    expect(callsAtLea(mf, liid)).toEqual(asSent([...calls, probeCall]));
    expectEveryRecordOnce(mf);
    expect(await mf.audits('x2.connection.closed')).toEqual([]);
    await until('health back', async () => (await health(mf)) === 200);
  });

  it('gives up after DB_OUTAGE_MAX_MS: closes the connection unacknowledged, keeps what was committed, takes the resend', async () => {
    const { mf, outage } = await start({ DB_OUTAGE_MAX_MS: '1500' });
    const xid = randomUUID();
    const liid = 'LIID-DB-OUTAGE-LONG';
    await mf.addWarrant({ liid, xid });
    const calls = [0, 1].map((i) => sdesCallMessages(`long-outage-${i}@ims.example`, keys));
    const pdus = (call: Buffer[]) => call.map((m, i) => x2SipPdu(xid, m, i));
    const phase = { restored: false };
    const ne = await mf.connectX2();
    cleanup.push(() => Promise.resolve(ne.destroy()).then(() => undefined));
    const acks = keepaliveAcks(ne, phase);
    const closed = watchClose(ne);
    ne.write(Buffer.concat([...pdus(calls[0]), keepalive(1)]));
    await until('the keepalive after the first call', () => acks.length === 1);
    const exceeded = () => mf.metric('mf_db_outage_exceeded_total', { op: 'pipeline.commit' });
    const before = await exceeded();

    await outage.cut();
    ne.write(Buffer.concat([...pdus(calls[1]), keepalive(2)]));
    await until('the MF closing the connection', closed, 20_000);
    phase.restored = true;
    await outage.restore();
    expect(acks.map((a) => a.seq)).toEqual([1]); // the second call was never acknowledged
    expect(await exceeded()).toBeGreaterThan(before);
    await until('the close in the audit log', async () => {
      const [entry] = await mf.audits('x2.connection.closed');
      return !!entry;
    });
    const [entry] = await mf.audits('x2.connection.closed');
    expect(entry.outcome).toBe('failure');
    expect(JSON.parse(entry.details!)).toMatchObject({
      reason: 'sink-error',
      detail: expect.stringMatching(
        /^database unavailable, pipeline\.commit given up .*DB_OUTAGE_MAX_MS/,
      ),
    });

    // The NE sends again what came after its last acknowledged keepalive.
    await mf.send(pdus(calls[1]));
    await until('both calls at the LEA', () => mf.delivered(liid).length === 12);
    expect(callsAtLea(mf, liid)).toEqual(asSent(calls));
    expectEveryRecordOnce(mf);
  });
});

notePgSkipped();
