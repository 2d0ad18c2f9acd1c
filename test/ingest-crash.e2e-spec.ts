import { randomBytes, randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { viewEncodedRecord } from '@app/hi2';
import type { ReceivedRecord } from '../apps/lab/src/lea/received-log';
import type { OutboxRow } from '../apps/mf/src/handover/outbox/outbox.entity';
import { ENGINES, notePgSkipped } from './support/databases';
import { DeliveryHarness } from './support/delivery-harness';
import { insertWarrant, sdesCallMessages, x2SipPdu } from './support/ingest-mf';
import { connectX2 } from './support/x2-client';
import { deadPort } from './support/kms';
import { MfProcess, spawnMf } from './support/mf-process';
import { b64, expectContinuousStreams } from './support/received';
import { until } from './support/until';

const LIID = 'LIID-CRASH';
/** SIP calls of the load, six X2 events each (INVITE, 180, 200, ACK, BYE, 200). */
const CALLS = 400;
/** Events between two messages of one call: about 6 × STAGGER calls are open at any time. */
const STAGGER = 20;
/** Events the NE writes at most ahead of the records the TLS LEA has received. */
const LEAD = 300;
/** Records at the TLS LEA when the MF is killed. */
const KILL_AT = 600;
/** Events per write. */
const CHUNK = 25;
/** Longest wait for one phase (the load up to the kill, the drain after the restart). */
const WAIT_MS = 45_000;
/** The whole test: a spawned MF (ts-node) takes up to 20 s to start on a busy machine. */
const TEST_MS = 120_000;

/** One X2 event of the load: message `msg` of call `call`, and its SIP message (base64). */
interface NeEvent {
  call: number;
  msg: number;
  pdu: Buffer;
  sip: string;
}

/** The load: CALLS overlapping SDES calls of the target, message m of call c at position c + m·STAGGER. */
function load(xid: string): NeEvent[] {
  const keys = { alice: randomBytes(30), bob: randomBytes(30) };
  const events: Array<NeEvent & { at: number }> = [];
  for (let call = 0; call < CALLS; call++) {
    sdesCallMessages(`crash-${call}@ims.example`, keys).forEach((sip, msg) =>
      events.push({
        call,
        msg,
        pdu: x2SipPdu(xid, sip, call),
        sip: b64(sip),
        at: call + msg * STAGGER,
      }),
    );
  }
  return events.sort((a, b) => a.at - b.at || a.call - b.call);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The NE: writes the events over X2 in order, at most `room(next)` at a time, and when the
 * connection breaks it reconnects and goes on with the first event it has not written yet. An
 * event written into a connection that broke is not sent again: X2 (TS 103 221-2) has no
 * acknowledgement, so the NE cannot know which of them the MF committed.
 */
class Ne {
  /** Index of the next event to write. */
  next = 0;
  /** Connections opened so far; `connectionOf[i]` is the one event i was written on (1, 2 …). */
  connections = 0;
  readonly connectionOf: number[] = [];
  readonly finished: Promise<void>;
  private stopped = false;

  constructor(
    private readonly events: readonly NeEvent[],
    private readonly connect: () => Promise<TLSSocket>,
    private readonly room: (next: number) => number,
  ) {
    this.finished = this.run();
    this.finished.catch(() => undefined); // awaited by the test; no unhandled rejection if not
  }

  /** Stops sending and reconnecting (end of the test, whatever its outcome). */
  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    const deadline = Date.now() + 2 * WAIT_MS;
    while (this.next < this.events.length && !this.stopped) {
      if (Date.now() > deadline) throw new Error(`NE gave up at event ${this.next}`);
      let socket: TLSSocket;
      try {
        socket = await this.connect();
      } catch {
        await pause(100); // the MF is down or still starting
        continue;
      }
      this.connections++;
      await this.stream(socket);
    }
  }

  private async stream(s: TLSSocket): Promise<void> {
    let open = true;
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    void closed.then(() => (open = false));
    s.once('end', () => (open = false)); // the MF is gone (no close_notify)
    s.on('error', () => undefined); // the MF was killed: 'close' follows
    while (open && this.next < this.events.length && !this.stopped) {
      const n = Math.min(this.room(this.next), CHUNK, this.events.length - this.next);
      if (n <= 0) {
        await pause(5);
        continue;
      }
      const chunk = this.events.slice(this.next, this.next + n);
      for (let i = 0; i < n; i++) this.connectionOf.push(this.connections);
      this.next += n;
      if (!s.write(Buffer.concat(chunk.map((e) => e.pdu))))
        await Promise.race([new Promise((r) => s.once('drain', r)), closed]);
      else await new Promise((r) => setImmediate(r)); // let a broken connection be noticed
    }
    if (open) s.end();
    await closed;
  }
}

/** The event an outbox row reports, by its SIP message (IRI-Parameters sIPMessage). */
const sipOf = (row: OutboxRow): string =>
  b64(viewEncodedRecord(Buffer.from(row.payload)).sipMessage!);

function groupBy<T>(items: readonly T[], key: (t: T) => string, value: (t: T) => string) {
  const out = new Map<string, string[]>();
  for (const i of items) out.set(key(i), [...(out.get(key(i)) ?? []), value(i)]);
  return out;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe.each(ENGINES)('MF killed (SIGKILL) mid-load and restarted on $name', ({ make }) => {
  let h: DeliveryHarness;
  let mf: MfProcess | undefined;
  let sender: Ne | undefined;

  beforeAll(async () => {
    // The in-process MF (REST role) only provisions; the MF under load is a spawned process.
    h = await new DeliveryHarness(await make(), { MF_ROLES: 'api' }).start({ ftps: {}, tls: {} });
  }, 30_000);
  afterAll(async () => {
    sender?.stop();
    await mf?.kill();
    await h.stop();
  }, 30_000);

  it(
    'every committed IRI reaches each LEA once under its number; CINs and call state survive the restart',
    async () => {
      const tls = h.tls!;
      const ftps = h.ftps!;
      const [tlsId, ftpsId] = [h.tlsDestination!.id, h.ftpsDestination!.id];
      const xid = randomUUID();
      await insertWarrant(h.dataSource, { liid: LIID, xid }, [
        h.tlsDestination!,
        h.ftpsDestination!,
      ]);
      const x2Port = await deadPort(); // free now; both MFs listen on it, so the NE can reconnect
      const ingest = {
        MF_ROLES: 'ingest,delivery',
        X2_PORT: String(x2Port),
        PIPELINE_BATCH_MAX_EVENTS: '50',
        HI2_FTPS_FILE_MAX_RECORDS: '500',
      };
      const events = load(xid);
      let killed = false;

      mf = await spawnMf(h.processEnv(ingest));
      const ne = new Ne(
        events,
        () => connectX2(h.pki, x2Port),
        // Paced until the kill only: what was written into the killed connection is lost, and
        // the LEA will never count it.
        (next) => (killed ? CHUNK : LEAD - (next - tls.recordCount)),
      );
      sender = ne;
      await until('records at the TLS LEA', () => tls.recordCount >= KILL_AT, WAIT_MS);
      const atKill = { sent: ne.next, tls: tls.recordCount, connections: ne.connections };
      await mf.kill();
      mf = undefined;
      killed = true;
      // The process is gone: the database holds what it committed.
      const [{ value: cinBlockEnd }] = await h.dataSource.query<Array<{ value: number | string }>>(
        "SELECT value FROM counter WHERE name = 'cin'",
      );
      const pendingAtKill = (await h.rows(tlsId)).filter((r) => r.state === 'pending').length;

      // Restarted on the same database, in this process (a second ts-node start would double
      // the test's time); the NE reconnects by itself and sends the rest.
      await h.stopMf();
      await h.startMf(ingest);
      await ne.finished;
      const last = events[events.length - 1].sip;
      await until(
        'every record delivered',
        async () => {
          const [t, f] = [await h.rows(tlsId), await h.rows(ftpsId)];
          if (!t.length || sipOf(t[t.length - 1]) !== last) return false;
          return [...t, ...f].every((r) => r.state !== 'pending');
        },
        WAIT_MS,
      );
      const tlsRows = await h.rows(tlsId);
      const ftpsRows = await h.rows(ftpsId);

      // The kill came mid-load: the TLS LEA had part of the records, the NE had events left to
      // send, and the outbox had records the LEA had not confirmed (to be resent).
      expect(atKill.connections).toBe(1);
      expect(atKill.tls).toBeGreaterThan(0);
      expect(atKill.tls).toBeLessThan(tlsRows.length);
      expect(atKill.sent).toBeLessThan(events.length);
      expect(pendingAtKill).toBeGreaterThan(0);

      // Outbox: both destinations hold the same records, numbered 1, 2, 3 … without gap, all
      // delivered.
      expect(ne.connections).toBe(2);
      for (const rows of [tlsRows, ftpsRows]) {
        expect(rows.map((r) => r.seq)).toEqual(range(1, rows.length + 1));
        expect(rows.filter((r) => r.state !== 'delivered')).toEqual([]);
      }
      expect(ftpsRows.map((r) => b64(r.payload))).toEqual(tlsRows.map((r) => b64(r.payload)));

      // Ingest: the records are, in order, the events of the killed connection up to some point
      // (committed before the kill; the rest of what was written into it is lost: X2 has no
      // acknowledgement), then every event of the new connection — each event once.
      const indexOf = new Map(events.map((e, i) => [e.sip, i]));
      const committed = tlsRows.map((r) => indexOf.get(sipOf(r)));
      const sentBefore = ne.connectionOf.filter((c) => c === 1).length;
      const committedBefore = committed.filter((i) => i !== undefined && i < sentBefore).length;
      expect(committedBefore).toBeGreaterThan(0);
      expect(committed).toEqual([
        ...range(0, committedBefore),
        ...range(sentBefore, events.length),
      ]);
      const afterRestart = (e: NeEvent) => indexOf.get(e.sip)! >= sentBefore;

      // IRI state per call: a call whose INVITE was committed has BEGIN, CONTINUE …, END (when
      // its last message was committed) under one CIN, across the restart too; a call whose
      // INVITE was lost has REPORTs without CIN.
      const perCall = new Map<number, Array<{ row: OutboxRow; event: NeEvent }>>();
      tlsRows.forEach((row, i) => {
        const event = events[committed[i]!];
        perCall.set(event.call, [...(perCall.get(event.call) ?? []), { row, event }]);
      });
      const got: Record<number, string[]> = {};
      const want: Record<number, string[]> = {};
      const cinOf = new Map<number, { cin: number; restarted: boolean }>();
      let spanning = 0;
      for (const [call, list] of perCall) {
        const began = list[0].event.msg === 0;
        const cin = began ? list[0].row.cin : null;
        if (began) cinOf.set(call, { cin: cin!, restarted: afterRestart(list[0].event) });
        got[call] = list.map(({ row }) => `${row.iriType}/${row.cin}`);
        want[call] = list.map(({ event }) => {
          const type = began
            ? (['BEGIN', 'END'][[0, 5].indexOf(event.msg)] ?? 'CONTINUE')
            : 'REPORT';
          return `${type}/${cin}`;
        });
        const end = list.find(({ event }) => event.msg === 5)?.event;
        if (began && !afterRestart(list[0].event) && end && afterRestart(end)) spanning++;
        for (const { row } of list) expect(viewEncodedRecord(row.payload).kind).toBe(row.iriType);
      }
      expect(got).toEqual(want);
      expect(spanning).toBeGreaterThan(0);

      // CINs: one per call; sessions begun after the restart take theirs from a new block (the
      // rest of the killed process's block is skipped, never reused).
      const cins = [...cinOf.values()];
      expect(new Set(cins.map((c) => c.cin)).size).toBe(cins.length);
      const cinsBefore = cins.filter((c) => !c.restarted).map((c) => c.cin);
      const cinsAfter = cins.filter((c) => c.restarted).map((c) => c.cin);
      expect(cinsBefore.length).toBeGreaterThan(0);
      expect(cinsAfter.length).toBeGreaterThan(0);
      expect(cinsBefore.filter((c) => c >= Number(cinBlockEnd))).toEqual([]);
      expect(cinsAfter.filter((c) => c < Number(cinBlockEnd))).toEqual([]);

      // TLS LEA: per PS-PDU stream (LIID, CIN) exactly the outbox's records, numbered from 0
      // without gap; a copy it flagged as a duplicate is a resend of a record it has, under that
      // record's number (a record sent again under a new number would show here, and as a gap).
      const lea = tls.read();
      expect({ rejected: lea.rejected, errors: lea.errors }).toEqual({ rejected: [], errors: [] });
      expectContinuousStreams(lea);
      const byStream = <T extends { liid: string; cin?: number | null }>(
        items: readonly T[],
        ber: (t: T) => string,
      ) => groupBy(items, (r) => `${r.liid}/${r.cin ?? '-'}`, ber);
      expect(byStream(lea.records, (r) => r.ber)).toEqual(byStream(tlsRows, (r) => b64(r.payload)));
      const copy = (r: ReceivedRecord) => `${r.liid}/${r.cin ?? '-'}#${r.seq}#${r.ber}`;
      const firstCopies = new Set(lea.records.map(copy));
      expect(lea.duplicates.filter((d) => !firstCopies.has(copy(d)))).toEqual([]);

      // FTPS LEA: every record once, in order; no file twice, no file number skipped.
      const files = ftps.read();
      expect(files.records.map((r) => r.ber)).toEqual(ftpsRows.map((r) => b64(r.payload)));
      expect({
        duplicates: files.duplicates,
        duplicateFiles: files.duplicateFiles,
        gaps: files.gaps,
        rejected: files.rejected,
      }).toEqual({ duplicates: [], duplicateFiles: [], gaps: [], rejected: [] });
    },
    TEST_MS,
  );
});

notePgSkipped();
