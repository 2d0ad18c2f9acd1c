import { randomBytes, randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { IngestMf, sdesCallMessages, sipMessage, x2SipPdu } from './support/ingest-mf';
import { SeededRandom } from './support/seeded-random';
import { until } from './support/until';

jest.setTimeout(60_000);

const keys = { alice: randomBytes(30), bob: randomBytes(30) };
const sdesCall = (callId: string, xid: string) =>
  sdesCallMessages(callId, keys).map((m, i) => x2SipPdu(xid, m, i));
const CALL_KINDS = ['BEGIN', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'END'];

/** Resolves when the peer closed `s`; fails after `ms` (the MF must close it by itself). */
function closedByPeer(s: TLSSocket, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.destroyed) return resolve();
    const timer = setTimeout(() => reject(new Error('the MF kept the connection open')), ms);
    s.on('error', () => undefined); // a reset after our write is fine: the MF closed it
    s.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('MF pipeline faults on X2: validity windows, garbage and oversize PDUs', () => {
  let mf: IngestMf;
  const MAX_PAYLOAD = 16 * 1024;

  beforeAll(async () => {
    mf = await IngestMf.start({ X2_MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD) });
  });
  afterAll(async () => {
    await mf.close();
  });

  it.each([
    ['not yet valid', { validFrom: new Date(Date.now() + 3_600_000) }],
    ['past its end (not yet marked ended)', { validUntil: new Date(Date.now() - 1_000) }],
  ])('delivers nothing for a warrant %s, and counts and audits the drop', async (_, window) => {
    const xid = randomUUID();
    const liid = `LIID-WIN-${xid.slice(0, 8)}`;
    await mf.addWarrant({ liid, xid, ...window });
    const dropped = () => mf.metric('mf_x2_events_dropped_total', { reason: 'xid-outside-window' });
    const before = await dropped();
    await mf.send(sdesCall(`win-${xid}@ims.example`, xid));
    expect(await mf.records(liid)).toEqual([]);
    const [audit] = await mf.audits('x2.event.dropped', `xid/${xid}`);
    expect(audit).toMatchObject({ liid, outcome: 'dropped' });
    expect(JSON.parse(audit.details!)).toEqual({ reason: 'xid-outside-window', count: 6 });
    expect((await dropped()) - before).toBe(6);
  });

  it('stops delivering a call in progress when the warrant window ends', async () => {
    const xid = randomUUID();
    const liid = 'LIID-WIN-END';
    const validUntil = new Date(Date.now() + 1_500);
    await mf.addWarrant({ liid, xid, validUntil });
    const call = sdesCall('win-end@ims.example', xid);
    await mf.send(call.slice(0, 4)); // INVITE … ACK inside the window
    expect((await mf.records(liid)).map((r) => r.kind)).toEqual(CALL_KINDS.slice(0, 4));
    await until('the warrant window to end', () => Date.now() > validUntil.getTime() + 50, 10_000);
    await mf.send(call.slice(4)); // BYE, 200 OK after it
    expect((await mf.records(liid)).map((r) => r.kind)).toEqual(CALL_KINDS.slice(0, 4));
    const [audit] = await mf.audits('x2.event.dropped', `xid/${xid}`);
    expect(JSON.parse(audit.details!)).toEqual({ reason: 'xid-outside-window', count: 2 });
  });

  it('closes connections sending garbage or oversize PDUs while another one carries a call to the end', async () => {
    const xid = randomUUID();
    const liid = 'LIID-GOOD';
    await mf.addWarrant({ liid, xid });
    const call = sdesCall('good-call@ims.example', xid);
    const framingErrors = (code?: string) =>
      mf.metric('mf_x2_framing_errors_total', code ? { code } : {});
    const before = {
      errors: await framingErrors(),
      headerTooLarge: await framingErrors('HEADER_TOO_LARGE'),
      payloadTooLarge: await framingErrors('PAYLOAD_TOO_LARGE'),
      closed: await mf.metric('mf_x2_connections_closed_total', { reason: 'framing-error' }),
    };

    const good = await mf.connectX2();
    good.write(Buffer.concat(call.slice(0, 3))); // INVITE, 180, 200 OK

    // Random octets (fixed seed: the same stream each run).
    const garbage = new SeededRandom(0x7a11).bytes(4096);
    // A well-formed PDU whose Header Length (TS 103 221-2 §5.2.3) claims 1 MiB.
    const bigHeader = Buffer.from(x2SipPdu(xid, sipMessage(['MESSAGE sip:x SIP/2.0']), 1));
    bigHeader.writeUInt32BE(1 << 20, 4);
    // A PDU with a SIP payload beyond X2_MAX_PAYLOAD_BYTES (§5.2.4 Payload Length).
    const bigPayload = x2SipPdu(xid, Buffer.alloc(MAX_PAYLOAD + 1, 0x41), 2);
    const bad = await Promise.all([garbage, bigHeader, bigPayload].map(() => mf.connectX2()));
    const badAddresses = bad.map((s) => `127.0.0.1:${s.localPort}`);
    const goodAddress = `127.0.0.1:${good.localPort}`;
    [garbage, bigHeader, bigPayload].forEach((octets, i) => bad[i].write(octets));
    await Promise.all(bad.map((s) => closedByPeer(s)));

    expect(good.destroyed).toBe(false);
    await new Promise<void>((r) => good.end(Buffer.concat(call.slice(3)), r)); // ACK, BYE, 200 OK
    await closedByPeer(good);
    await mf.ingest.pipeline.drain();

    const got = await mf.records(liid);
    expect(got.map((r) => r.kind)).toEqual(CALL_KINDS);
    expect(new Set(got.map((r) => r.cin)).size).toBe(1);
    expect(got[5].parameters.sIPMessage).toEqual(
      sdesCallMessages('good-call@ims.example', keys)[5],
    );

    expect((await framingErrors()) - before.errors).toBe(3);
    expect((await framingErrors('HEADER_TOO_LARGE')) - before.headerTooLarge).toBe(1);
    expect((await framingErrors('PAYLOAD_TOO_LARGE')) - before.payloadTooLarge).toBe(1);
    expect(
      (await mf.metric('mf_x2_connections_closed_total', { reason: 'framing-error' })) -
        before.closed,
    ).toBe(3);

    const closes = async () =>
      new Map(
        (await mf.audits('x2.connection.closed')).map((a) => {
          const d = JSON.parse(a.details!) as { remoteAddress: string; reason: string };
          return [d.remoteAddress, { outcome: a.outcome, reason: d.reason }];
        }),
      );
    await until('the close audit entries', async () => {
      const seen = await closes();
      return [...badAddresses, goodAddress].every((a) => seen.has(a));
    });
    const byAddress = await closes();
    for (const address of badAddresses) {
      expect(byAddress.get(address)).toMatchObject({ outcome: 'failure', reason: 'framing-error' });
    }
    expect(byAddress.get(goodAddress)).toMatchObject({ outcome: 'success', reason: 'peer-closed' });
  });
});
