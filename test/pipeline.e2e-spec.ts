import { randomBytes, randomUUID } from 'node:crypto';
import { ImsEvent, Initiator } from '@app/hi2';
import { IngestMf, sdesCallMessages, x2SipPdu } from './support/ingest-mf';

const key = randomBytes(30);
const bobKey = randomBytes(30);
const sdesCall = (callId: string) => sdesCallMessages(callId, { alice: key, bob: bobKey });

describe('MF pipeline: X2 in → IRI in the HI2 outbox', () => {
  let mf: IngestMf;
  const xid = { keys: randomUUID(), decrypted: randomUUID() };

  beforeAll(async () => {
    mf = await IngestMf.start();
    await mf.addWarrant({ liid: 'LIID-KEYS', xid: xid.keys, mode: 'keys' });
    await mf.addWarrant({ liid: 'LIID-DEC', xid: xid.decrypted, mode: 'decrypted' });
  });
  afterAll(async () => {
    await mf.close();
  });

  it('turns an SDES call into BEGIN, CONTINUE…, END with the keys, initiator and one CIN', async () => {
    await mf.send(sdesCall('call-1@ims.example').map((m, i) => x2SipPdu(xid.keys, m, i)));
    const got = await mf.records('LIID-KEYS');
    expect(got.map((g) => g.kind)).toEqual([
      'BEGIN',
      'CONTINUE',
      'CONTINUE',
      'CONTINUE',
      'CONTINUE',
      'END',
    ]);
    expect(new Set(got.map((g) => g.cin)).size).toBe(1);
    const begin = got[0].parameters;
    expect(begin.initiator).toBe(Initiator.originatingTarget);
    expect(begin.iMSevent).toBe(ImsEvent.unfilteredSIPmessage);
    expect(begin.sIPMessage?.toString()).toContain('INVITE sip:bob@ims.example');
    expect(begin.mediaDecryptionInfo?.map((k) => [k.cCCSID, k.cCDecKey, k.cCSalt])).toEqual([
      [Buffer.from([1]), key.subarray(0, 16), key.subarray(16)],
    ]);
    expect(got[2].parameters.mediaDecryptionInfo?.[0].cCDecKey).toEqual(bobKey.subarray(0, 16));
  });

  it('in mode decrypted removes a=crypto from sIPMessage and puts no keys on HI2', async () => {
    await mf.send(sdesCall('call-2@ims.example').map((m, i) => x2SipPdu(xid.decrypted, m, i)));
    const got = await mf.records('LIID-DEC');
    expect(got.map((g) => g.kind)).toEqual([
      'BEGIN',
      'CONTINUE',
      'CONTINUE',
      'CONTINUE',
      'CONTINUE',
      'END',
    ]);
    for (const g of got) {
      expect(g.parameters.mediaDecryptionInfo).toBeUndefined();
      expect(g.parameters.sIPMessage?.toString()).not.toContain('a=crypto');
    }
    expect(got[0].parameters.sIPMessage?.toString()).toContain('m=audio 49170 RTP/SAVP 0');
  });

  it('drops and audits events for an unknown XID', async () => {
    const before = await mf.outboxCount();
    const stranger = randomUUID();
    await mf.send(sdesCall('call-3@ims.example').map((m, i) => x2SipPdu(stranger, m, i)));
    expect(await mf.outboxCount()).toBe(before);
    const [audit] = await mf.audits('x2.event.dropped', `xid/${stranger}`);
    expect(JSON.parse(audit.details!)).toEqual({ reason: 'xid-unknown', count: 6 });
  });

  it('reports an unparseable SIP message of a target as REPORT with the raw bytes', async () => {
    const junk = Buffer.from('INVITE this is not SIP\r\n\r\n');
    await mf.send([x2SipPdu(xid.keys, junk, 99)]);
    const last = (await mf.records('LIID-KEYS')).at(-1)!;
    expect(last.kind).toBe('REPORT');
    expect(last.parameters.sIPMessage).toEqual(junk);
  });

  it('keeps the session and its CIN across a restart of the MF', async () => {
    const call = sdesCall('call-4@ims.example').map((m, i) => x2SipPdu(xid.keys, m, i));
    await mf.send(call.slice(0, 4)); // INVITE … ACK
    await mf.stop();
    await mf.restart();
    await mf.send(call.slice(4)); // BYE, 200
    const cin = await firstCin();
    const got = (await mf.records('LIID-KEYS')).filter((g) => Number(g.cin) === cin);
    expect(got.map((g) => g.kind)).toEqual([
      'BEGIN',
      'CONTINUE',
      'CONTINUE',
      'CONTINUE',
      'CONTINUE',
      'END',
    ]);
  });

  it('ends a call whose end was never seen after the session timeout, with an END without SIP', async () => {
    await mf.send(
      sdesCall('call-5@ims.example')
        .slice(0, 3)
        .map((m, i) => x2SipPdu(xid.keys, m, i)),
    );
    const ended = await mf.ingest.pipeline.expireIdleSessions(0, new Date(Date.now() + 1000));
    expect(ended).toBeGreaterThanOrEqual(1);
    const last = (await mf.records('LIID-KEYS')).at(-1)!;
    expect(last.kind).toBe('END');
    expect(last.parameters.sIPMessage).toBeUndefined();
    const audits = await mf.audits('session.timeout');
    expect(audits.find((a) => a.liid === 'LIID-KEYS')?.outcome).toBe('success');
  });

  /** CIN of the call-4 session. */
  async function firstCin(): Promise<number> {
    const r: Array<{ cin: number }> = await mf.ds.query(
      "SELECT cin FROM call_session WHERE call_id = 'call-4@ims.example'",
    );
    return Number(r[0].cin);
  }
});
