import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { CertificateAuthority, writeDevPki } from '@app/pki';
import {
  encodeX2Keepalive,
  encodeX2Pdu,
  X2AttributeType,
  X2Pdu,
  X2PayloadDirection,
  X2PayloadFormat,
  X2PduType,
  X2StreamFramer,
} from '@app/x2';
import { X2PduSink, X2Source } from './x2-connection';
import { X2Listener, X2ListenerOptions } from './x2-listener';
import { x2Metrics } from './x2-metrics';

const XID = '3f1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b';
const sipPdu = (n: number) =>
  encodeX2Pdu({
    pduType: X2PduType.X2,
    payloadFormat: X2PayloadFormat.SipMessage,
    payloadDirection: X2PayloadDirection.FromTarget,
    xid: XID,
    correlationId: BigInt(n),
    payload: Buffer.from(`MESSAGE sip:b@x SIP/2.0\r\nCSeq: ${n} MESSAGE\r\n\r\n`),
  });

class RecordingSink implements X2PduSink {
  readonly received: Array<{ n: bigint; source: X2Source }> = [];
  delayMs = 0;
  submit(pdus: X2Pdu[], source: X2Source): Promise<void> {
    return new Promise((r) =>
      setTimeout(() => {
        for (const p of pdus) this.received.push({ n: p.correlationIdValue, source });
        r();
      }, this.delayMs),
    );
  }
}

/** Takes PDUs at once and commits them only when told (a slow database), or fails them. */
class HoldingSink implements X2PduSink {
  submitted = 0;
  private readonly pending: Array<{ resolve(): void; reject(e: Error): void }> = [];
  submit(pdus: X2Pdu[]): Promise<void> {
    this.submitted += pdus.length;
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  commitAll(): void {
    for (const p of this.pending.splice(0)) p.resolve();
  }
  failAll(): void {
    for (const p of this.pending.splice(0)) p.reject(new Error('database unavailable'));
  }
}

describe('X2Listener', () => {
  const pki = mkdtempSync(join(tmpdir(), 'x2-pki-'));
  const file = (n: string) => join(pki, n);
  const audit: Array<{ action: string; outcome: string; details: Record<string, unknown> }> = [];
  let sink: RecordingSink;
  let listener: X2Listener;

  const options = (o: Partial<X2ListenerOptions> = {}): X2ListenerOptions => ({
    host: '127.0.0.1',
    port: 0,
    caFile: file('ca.crt'),
    certFile: file('mf.crt'),
    keyFile: file('mf.key'),
    allowedNeIdentities: [],
    maxConnections: 8,
    handshakes: { timeoutMs: 10_000, max: 16, maxPerAddress: 8 },
    refusalAuditIntervalMs: 60_000,
    limits: {
      maxHeaderLength: 4096,
      maxPayloadLength: 65536,
      maxPdusPerSecond: 100_000,
      idleTimeoutMs: 10_000,
      pduTimeoutMs: 10_000,
      maxInFlightPdus: 4,
    },
    ...o,
  });
  const connect = (cert = 'ne', key = cert) =>
    new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({
        host: '127.0.0.1',
        port: listener.port,
        servername: 'localhost',
        ca: readFileSync(file('ca.crt')),
        cert: cert.includes('BEGIN') ? cert : readFileSync(file(`${cert}.crt`)),
        key: key.includes('BEGIN') ? key : readFileSync(file(`${key}.key`)),
      });
      s.once('secureConnect', () => resolve(s));
      s.once('error', reject);
    });
  const closedBy = (s: net.Socket) =>
    new Promise<void>((r) => (s.closed ? r() : s.once('close', () => r())));
  const until = async (cond: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('condition not reached');
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  /** A TCP connection from another loopback address that never completes a TLS handshake. */
  const tcp = (localAddress: string) =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port: listener.port, localAddress });
      s.once('connect', () => resolve(s.on('error', () => undefined)));
      s.once('error', reject);
    });
  /** Reads mf_x2_connections_total now; the function returned gives an outcome's increase since. */
  const countFromNow = async () => {
    const read = async () => {
      const m = new Map<string, number>();
      for (const v of (await x2Metrics.connections.get()).values) {
        m.set(String(v.labels.outcome), v.value);
      }
      return m;
    };
    const before = await read();
    return async (outcome: string) =>
      ((await read()).get(outcome) ?? 0) - (before.get(outcome) ?? 0);
  };
  const restart = async (o: Partial<X2ListenerOptions>) => {
    await listener.stop();
    listener = new X2Listener(options(o), sink, (action, outcome, _o, details) =>
      audit.push({ action, outcome, details }),
    );
    await listener.start();
  };

  beforeAll(() => writeDevPki(pki));
  afterAll(() => rmSync(pki, { recursive: true, force: true }));
  beforeEach(async () => {
    sink = new RecordingSink();
    audit.length = 0;
    listener = new X2Listener(options(), sink, (action, outcome, _o, details) =>
      audit.push({ action, outcome, details }),
    );
    await listener.start();
  });
  afterEach(() => listener.stop());

  it('answers a keepalive with an acknowledgement echoing its sequence number', async () => {
    const s = await connect();
    const framer = new X2StreamFramer();
    const ack = new Promise<X2Pdu>((r) =>
      s.on('data', (c: Buffer) => framer.feed(c).pdus.forEach(r)),
    );
    s.write(encodeX2Keepalive(X2PduType.Keepalive, 4242));
    const pdu = await ack;
    expect(pdu.pduType).toBe(X2PduType.KeepaliveAcknowledgement);
    expect(pdu.sequenceNumber()).toBe(4242);
    s.end();
  });

  describe('keepalive acknowledgement as a commit barrier', () => {
    let holding: HoldingSink;
    /** Acknowledged sequence numbers, and whether each came after `committing` was set. */
    let acks: Array<{ seq: number; afterCommit: boolean }>;
    let committing: boolean;
    const keepalive = (seq: number) => encodeX2Keepalive(X2PduType.Keepalive, seq);

    beforeEach(async () => {
      await listener.stop();
      holding = new HoldingSink();
      listener = new X2Listener(options(), holding, (action, outcome, _o, details) =>
        audit.push({ action, outcome, details }),
      );
      await listener.start();
      acks = [];
      committing = false;
    });
    const connectCounting = async () => {
      const s = await connect();
      const framer = new X2StreamFramer();
      s.on('data', (c: Buffer) =>
        framer
          .feed(c)
          .pdus.forEach((p) => acks.push({ seq: p.sequenceNumber()!, afterCommit: committing })),
      );
      return s;
    };

    it('answers a keepalive only once every PDU received before it is committed', async () => {
      const s = await connectCounting();
      s.write(Buffer.concat([sipPdu(1), keepalive(7), sipPdu(2)]));
      await until(() => holding.submitted === 2);
      await new Promise((r) => setTimeout(r, 100)); // room for an early answer (none may come)
      committing = true;
      holding.commitAll();
      await until(() => acks.length === 1);
      expect(acks).toEqual([{ seq: 7, afterCommit: true }]);
      s.end();
    });

    it('answers no keepalive after PDUs that failed, and closes the connection', async () => {
      const s = await connectCounting();
      const closed = closedBy(s);
      s.on('error', () => undefined);
      s.write(Buffer.concat([sipPdu(1), keepalive(8)]));
      await until(() => holding.submitted === 1);
      holding.failAll();
      await closed;
      expect(acks).toEqual([]);
      await until(() => audit.some((a) => a.action === 'x2.connection.closed'));
      expect(audit.find((a) => a.action === 'x2.connection.closed')).toMatchObject({
        outcome: 'failure',
        details: { reason: 'sink-error', detail: 'database unavailable' },
      });
    });
  });

  it('does not answer a keepalive whose Sequence Number is malformed, counts it, reads on', async () => {
    const issue = async () =>
      (await x2Metrics.pduIssues.get()).values.find(
        (v) => v.labels.code === 'KEEPALIVE_WITHOUT_SEQUENCE_NUMBER',
      )?.value ?? 0;
    const before = await issue();
    const s = await connect();
    const replies: Buffer[] = [];
    s.on('data', (c: Buffer) => replies.push(c));
    const malformed = encodeX2Pdu({
      pduType: X2PduType.Keepalive,
      payloadFormat: X2PayloadFormat.KeepaliveReserved,
      payloadDirection: X2PayloadDirection.KeepaliveReserved,
      xid: Buffer.alloc(16),
      attributes: [{ type: X2AttributeType.SequenceNumber, value: Buffer.alloc(3) }],
    });
    s.write(Buffer.concat([malformed, sipPdu(7)]));
    await until(() => sink.received.length === 1);
    expect(sink.received.map((r) => Number(r.n))).toEqual([7]);
    expect((await issue()) - before).toBe(1);
    expect(replies).toEqual([]);
    s.end();
  });

  it('delivers PDUs in order whatever the chunking, tagged with the NE identity', async () => {
    const s = await connect();
    const stream = Buffer.concat(Array.from({ length: 50 }, (_, i) => sipPdu(i)));
    for (let at = 0; at < stream.length; at += 97) s.write(stream.subarray(at, at + 97));
    await until(() => sink.received.length === 50);
    expect(sink.received.map((r) => Number(r.n))).toEqual([...Array(50).keys()]);
    expect(sink.received[0].source.neIdentity).toBe('urn:x-li:ne:pcscf1');
    s.end();
    expect(audit.map((a) => a.action)).toContain('x2.connection.open');
  });

  it('pauses reading at maxInFlightPdus uncommitted PDUs, counted in PDUs, not reads', async () => {
    await listener.stop();
    const holding = new HoldingSink();
    const limits = { ...options().limits, maxInFlightPdus: 10 };
    listener = new X2Listener(options({ limits }), holding, () => undefined);
    await listener.start();
    const s = await connect();
    // One PDU per write, as an NE pacing its events does: each arrives as its own read.
    for (let i = 0; i < 40; i++) {
      s.write(sipPdu(i));
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => holding.submitted >= 10);
    await new Promise((r) => setTimeout(r, 100));
    expect(holding.submitted).toBeLessThan(40);
    // Committing lets it read on until everything is in.
    const done = async () => {
      while (holding.submitted < 40) {
        holding.commitAll();
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await Promise.race([
      done(),
      new Promise((_r, reject) => setTimeout(() => reject(new Error('stuck')), 5000)),
    ]);
    holding.commitAll();
    s.end();
  });

  it('closes a connection that sends garbage while another keeps delivering', async () => {
    const good = await connect();
    const bad = await connect();
    const badClosed = closedBy(bad);
    good.write(sipPdu(1));
    bad.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n' + 'x'.repeat(40)));
    await badClosed;
    good.write(sipPdu(2));
    await until(() => sink.received.length === 2);
    expect(sink.received.map((r) => Number(r.n))).toEqual([1, 2]);
    await until(() => audit.some((a) => a.action === 'x2.connection.closed'));
    const closed = audit.find((a) => a.action === 'x2.connection.closed');
    expect(closed).toMatchObject({ outcome: 'failure', details: { reason: 'framing-error' } });
    expect(String(closed!.details.detail)).toMatch(/^UNSUPPORTED_MAJOR_VERSION at stream offset 0/);
    good.end();
  });

  it('counts a stream that ends inside a PDU as a framing error (TRUNCATED)', async () => {
    const truncated = async () =>
      (await x2Metrics.framingErrors.get()).values.find((v) => v.labels.code === 'TRUNCATED')
        ?.value ?? 0;
    const before = await truncated();
    const s = await connect();
    const done = closedBy(s);
    s.end(Buffer.concat([sipPdu(1), sipPdu(2).subarray(0, 50)]));
    await done;
    await until(() => audit.some((a) => a.action === 'x2.connection.closed'));
    expect(audit.find((a) => a.action === 'x2.connection.closed')).toMatchObject({
      outcome: 'failure',
      details: { reason: 'framing-error' },
    });
    expect((await truncated()) - before).toBe(1);
    await until(() => sink.received.length === 1); // the whole PDU before the cut still counts
    expect(sink.received.map((r) => Number(r.n))).toEqual([1]);
  });

  it('closes a connection announcing a payload above the limit, before buffering it', async () => {
    const s = await connect();
    const done = closedBy(s);
    const big = encodeX2Pdu({
      pduType: X2PduType.X2,
      payloadFormat: X2PayloadFormat.SipMessage,
      payloadDirection: X2PayloadDirection.FromTarget,
      xid: XID,
      payload: Buffer.alloc(70_000),
    });
    s.write(big.subarray(0, 40));
    await done;
    expect(audit.find((a) => a.action === 'x2.connection.closed')?.details.detail).toMatch(
      /^PAYLOAD_TOO_LARGE/,
    );
    expect(sink.received).toHaveLength(0);
  });

  it('refuses a client certificate from another CA', async () => {
    const rogue = await (
      await CertificateAuthority.create('Rogue')
    ).issue({ commonName: 'evil', usages: ['client'] });
    const s = await connect(rogue.certPem, rogue.keyPem).catch((e: Error) => e);
    if (!(s instanceof Error)) {
      s.write(sipPdu(1)); // TLS 1.3: the refusal arrives after the client's handshake
      await closedBy(s);
    }
    await until(() => audit.some((a) => a.action === 'x2.connection.refused'));
    expect(audit.find((a) => a.action === 'x2.connection.refused')?.details).toMatchObject({
      reason: 'refused-tls',
      detail: expect.stringMatching(/^client certificate: [A-Z_]+$/),
    });
    expect(sink.received).toHaveLength(0);
    expect(listener.openConnections).toBe(0);
  });

  it('refuses a client without a certificate before reading anything it sends', async () => {
    const s = tls.connect({
      host: '127.0.0.1',
      port: listener.port,
      servername: 'localhost',
      ca: readFileSync(file('ca.crt')),
    });
    s.on('error', () => undefined);
    s.once('secureConnect', () => s.write(sipPdu(1))); // TLS 1.3: possible before the check
    await closedBy(s);
    await until(() => audit.some((a) => a.action === 'x2.connection.refused'));
    expect(audit.find((a) => a.action === 'x2.connection.refused')?.details).toMatchObject({
      reason: 'refused-tls',
      detail: 'client certificate: none presented',
    });
    expect(sink.received).toHaveLength(0);
    expect(listener.openConnections).toBe(0);
  });

  it('refuses an NE whose identity is not on the allow-list', async () => {
    await listener.stop();
    listener = new X2Listener(
      options({ allowedNeIdentities: ['urn:x-li:ne:pcscf1'] }),
      sink,
      (action, outcome, _o, details) => audit.push({ action, outcome, details }),
    );
    await listener.start();
    const other = await connect('other-client');
    await closedBy(other);
    const ok = await connect('ne');
    ok.write(sipPdu(7));
    await until(() => sink.received.length === 1);
    expect(audit.find((a) => a.action === 'x2.connection.refused')?.details).toMatchObject({
      reason: 'refused-identity',
      detail: 'NE identity not allowed',
    });
    ok.end();
  });

  it('finishes in-flight PDUs on graceful shutdown', async () => {
    sink.delayMs = 200;
    const s = await connect();
    s.write(Buffer.concat([sipPdu(1), sipPdu(2), sipPdu(3)]));
    await until(() => listener.openConnections === 1);
    await new Promise((r) => setTimeout(r, 50));
    await listener.stop();
    expect(sink.received.map((r) => Number(r.n))).toEqual([1, 2, 3]);
  });

  it('slows a connection above its PDU rate instead of dropping PDUs', async () => {
    await listener.stop();
    listener = new X2Listener(
      options({ limits: { ...options().limits, maxPdusPerSecond: 100 } }),
      sink,
      () => undefined,
    );
    await listener.start();
    const s = await connect();
    const started = Date.now();
    for (let i = 0; i < 250; i++) s.write(sipPdu(i));
    await until(() => sink.received.length === 250);
    // 100 tokens at start, then 100/s: 250 PDUs need at least ~1.5 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1300);
    expect(sink.received.map((r) => Number(r.n))).toEqual([...Array(250).keys()]);
    s.end();
  });

  it('hands PDUs still waiting for rate tokens to the sink when the NE closes', async () => {
    await listener.stop();
    listener = new X2Listener(
      options({ limits: { ...options().limits, maxPdusPerSecond: 10 } }),
      sink,
      () => undefined,
    );
    await listener.start();
    const s = await connect();
    s.end(Buffer.concat(Array.from({ length: 40 }, (_, i) => sipPdu(i))));
    await until(() => sink.received.length === 40, 2000);
    expect(sink.received.map((r) => Number(r.n))).toEqual([...Array(40).keys()]);
  });

  it('closes handshakes not complete by the deadline, silent or trickled, and audits the flood once', async () => {
    await restart({ handshakes: { timeoutMs: 300, max: 16, maxPerAddress: 8 } });
    const since = await countFromNow();
    const silent = await tcp('127.0.0.2');
    const trickling = await tcp('127.0.0.3');
    // A TLS record header announcing a 256-octet ClientHello, then one octet every 50 ms.
    const hello = Buffer.concat([
      Buffer.from([0x16, 3, 1, 1, 0, 1, 0, 0, 252, 3, 3]),
      Buffer.alloc(250, 7),
    ]);
    let at = 0;
    const drip = setInterval(() => trickling.write(hello.subarray(at, ++at)), 50);
    await Promise.all([closedBy(silent), closedBy(trickling)]);
    clearInterval(drip);
    expect(at).toBeLessThan(hello.length);
    expect(await since('refused-handshake-timeout')).toBe(2);
    expect(listener.handshakesInProgress).toBe(0);
    const refused = audit.filter((a) => a.action.startsWith('x2.connection.refused'));
    expect(refused).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({ reason: 'refused-handshake-timeout' }),
      }),
    ]);
  });

  it('closes handshakes beyond the per-address cap at once; handshakes take no NE slot', async () => {
    await restart({
      maxConnections: 1,
      handshakes: { timeoutMs: 10_000, max: 16, maxPerAddress: 2 },
    });
    const since = await countFromNow();
    const flood = [await tcp('127.0.0.2'), await tcp('127.0.0.2')];
    await until(() => listener.handshakesInProgress === 2);
    const third = await tcp('127.0.0.2');
    await closedBy(third);
    expect(flood.map((s) => s.destroyed)).toEqual([false, false]);
    // The NE (another address) still gets its handshake and the only NE slot …
    const ne = await connect();
    ne.write(sipPdu(1));
    await until(() => sink.received.length === 1);
    // … and a second NE connection finds it taken.
    const second = await connect().catch((e: Error) => e);
    if (!(second instanceof Error)) await closedBy(second);
    expect(await since('refused-address-capacity')).toBe(1);
    expect(await since('refused-capacity')).toBe(1);
    expect(listener.openConnections).toBe(1);
    ne.end();
    flood.forEach((s) => s.destroy());
  });

  it('evicts the oldest handshake of the address with the most when every handshake slot is taken', async () => {
    await restart({ handshakes: { timeoutMs: 10_000, max: 4, maxPerAddress: 3 } });
    const since = await countFromNow();
    const busy = [await tcp('127.0.0.2'), await tcp('127.0.0.2'), await tcp('127.0.0.2')];
    const other = await tcp('127.0.0.3');
    await until(() => listener.handshakesInProgress === 4);
    const ne = await connect();
    await closedBy(busy[0]);
    ne.write(sipPdu(1));
    await until(() => sink.received.length === 1);
    expect([...busy, other].map((s) => s.destroyed)).toEqual([true, false, false, false]);
    expect(await since('refused-handshake-capacity')).toBe(1);
    ne.end();
    [...busy, other].forEach((s) => s.destroy());
  });
});
