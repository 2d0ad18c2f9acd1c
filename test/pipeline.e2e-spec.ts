import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeEpsIriContent, ImsEvent, Initiator, recordParts } from '@app/hi2';
import { writeDevPki } from '@app/pki';
import { encodeX2Pdu, X2PayloadDirection, X2PayloadFormat, X2PduType } from '@app/x2';
import { startMf } from '../apps/mf/src/bootstrap';
import { loadMfConfig } from '../apps/mf/src/config/mf-config';
import { LeaDestinationEntity } from '../apps/mf/src/handover/lea-destination.entity';
import { IngestService, X2_LISTENER } from '../apps/mf/src/interception/interception.module';
import { TaskRegistry } from '../apps/mf/src/warrants/task-registry';
import { WarrantEntity } from '../apps/mf/src/warrants/warrant.entity';
import { X2Listener } from '../apps/mf/src/x2/x2-listener';
import { AuditEntryEntity } from '../apps/mf/src/audit/audit-entry.entity';

const ALICE = 'sip:alice@ims.example';
const key = randomBytes(30);
const bobKey = randomBytes(30);

function sip(lines: string[], body = ''): Buffer {
  const withBody = body ? [...lines, 'Content-Type: application/sdp'] : lines;
  return Buffer.from(
    [...withBody, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'),
  );
}
const sdp = (k: Buffer) =>
  [
    'v=0',
    'o=- 1 1 IN IP4 192.0.2.1',
    's=-',
    'c=IN IP4 192.0.2.1',
    't=0 0',
    'm=audio 49170 RTP/SAVP 0',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${k.toString('base64')}`,
    '',
  ].join('\r\n');

/** An SDES call from Alice (the target) to Bob, as a P-CSCF reports it. */
function sdesCall(callId: string): Buffer[] {
  const base = (cseq: string, toTag = '') => [
    'Via: SIP/2.0/TCP pcscf.ims.example;branch=z9hG4bK' + cseq.replace(/\W/g, ''),
    'Max-Forwards: 70',
    `From: <${ALICE}>;tag=a1`,
    `To: <sip:bob@ims.example>${toTag}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq}`,
  ];
  const resp = (code: string, cseq: string) => [`SIP/2.0 ${code}`, ...base(cseq, ';tag=b1')];
  return [
    sip(
      ['INVITE sip:bob@ims.example SIP/2.0', ...base('1 INVITE'), 'Contact: <sip:alice@192.0.2.1>'],
      sdp(key),
    ),
    sip(resp('180 Ringing', '1 INVITE')),
    sip([...resp('200 OK', '1 INVITE'), 'Contact: <sip:bob@192.0.2.2>'], sdp(bobKey)),
    sip(['ACK sip:bob@192.0.2.2 SIP/2.0', ...base('1 ACK', ';tag=b1')]),
    sip(['BYE sip:bob@192.0.2.2 SIP/2.0', ...base('2 BYE', ';tag=b1')]),
    sip(resp('200 OK', '2 BYE')),
  ];
}

describe('MF pipeline: X2 in → IRI in the HI2 outbox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-'));
  const pki = join(dir, 'pki');
  let app: INestApplication;
  let ds: DataSource;
  const xid = { keys: randomUUID(), decrypted: randomUUID() };

  /** Starts the MF (ingest only) on the test's SQLite file and PKI. */
  async function start(): Promise<INestApplication> {
    const a = await startMf(
      loadMfConfig({
        DATABASE_URL: join(dir, 'mf.sqlite'),
        HTTP_PORT: '0',
        X2_PORT: '0',
        MF_ROLES: 'ingest',
        LOG_LEVEL: 'silent',
        PKI_DIR: pki,
        PIPELINE_BATCH_MAX_DELAY_MS: '1',
      }),
    );
    ds = a.get(DataSource);
    return a;
  }

  beforeAll(async () => {
    await writeDevPki(pki);
    app = await start();
    const now = Date.now();
    const dest = await ds.getRepository(LeaDestinationEntity).save({
      id: randomUUID(),
      name: 'lea1',
      transport: 'tls',
      host: '127.0.0.1',
      port: 1,
      settings: { caFile: join(pki, 'ca.crt') },
      secret: null,
      enabled: true,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    for (const [liid, mode] of [
      ['LIID-KEYS', 'keys'],
      ['LIID-DEC', 'decrypted'],
    ] as const) {
      await ds.getRepository(WarrantEntity).save({
        id: randomUUID(),
        liid,
        authorityRef: 'court-1',
        state: 'active',
        validFrom: new Date(now - 60_000).toISOString(),
        validUntil: new Date(now + 3600_000).toISOString(),
        deliveryMode: mode,
        nationalParameters: null,
        createdBy: 'op',
        activationRequestedBy: 'op',
        approvedBy: 'sup',
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
        version: 1,
        targets: [
          {
            id: randomUUID(),
            kind: 'sip',
            value: ALICE,
            normalized: ALICE,
            xid: mode === 'keys' ? xid.keys : xid.decrypted,
          },
        ],
        destinations: [dest],
      } as unknown as WarrantEntity);
    }
    await app.get(TaskRegistry).reload();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function send(pdus: Buffer[]): Promise<void> {
    const listener = app.get<X2Listener>(X2_LISTENER);
    const s = tls.connect({
      host: '127.0.0.1',
      port: listener.port,
      servername: 'localhost',
      ca: readFileSync(join(pki, 'ca.crt')),
      cert: readFileSync(join(pki, 'ne.crt')),
      key: readFileSync(join(pki, 'ne.key')),
    });
    await new Promise<void>((r, j) => s.once('secureConnect', r).once('error', j));
    await new Promise<void>((r) => s.end(Buffer.concat(pdus), r));
    await new Promise<void>((r) => s.once('close', () => r()));
    await app.get(IngestService).pipeline.drain();
  }
  const x2 = (x: string, payload: Buffer, n: number) =>
    encodeX2Pdu({
      pduType: X2PduType.X2,
      payloadFormat: X2PayloadFormat.SipMessage,
      payloadDirection: X2PayloadDirection.FromTarget,
      xid: x,
      correlationId: BigInt(n),
      payload,
    });
  /** The outbox rows of a LIID, decoded (read with SQL: the delivery role is off here). */
  const rows = async (liid: string) => {
    const raw: Array<{ cin: number | null; payload: string }> = await ds.query(
      'SELECT cin, payload FROM hi2_outbox WHERE liid = ? ORDER BY seq',
      [liid],
    );
    return raw.map((r) => ({
      cin: r.cin,
      ...recordParts(decodeEpsIriContent(Buffer.from(r.payload, 'base64'))),
    }));
  };
  const outboxCount = async () =>
    Number((await ds.query('SELECT COUNT(*) AS n FROM hi2_outbox'))[0].n);

  it('turns an SDES call into BEGIN, CONTINUE…, END with the keys, initiator and one CIN', async () => {
    await send(sdesCall('call-1@ims.example').map((m, i) => x2(xid.keys, m, i)));
    const got = await rows('LIID-KEYS');
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
    await send(sdesCall('call-2@ims.example').map((m, i) => x2(xid.decrypted, m, i)));
    const got = await rows('LIID-DEC');
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
    const before = await outboxCount();
    const stranger = randomUUID();
    await send(sdesCall('call-3@ims.example').map((m, i) => x2(stranger, m, i)));
    expect(await outboxCount()).toBe(before);
    const audit = await ds
      .getRepository(AuditEntryEntity)
      .findOneBy({ action: 'x2.event.dropped', object: `xid/${stranger}` });
    expect(JSON.parse(audit!.details!)).toEqual({ reason: 'xid-unknown', count: 6 });
  });

  it('reports an unparseable SIP message of a target as REPORT with the raw bytes', async () => {
    const junk = Buffer.from('INVITE this is not SIP\r\n\r\n');
    await send([x2(xid.keys, junk, 99)]);
    const last = (await rows('LIID-KEYS')).at(-1)!;
    expect(last.kind).toBe('REPORT');
    expect(last.parameters.sIPMessage).toEqual(junk);
  });

  it('keeps the session and its CIN across a restart of the MF', async () => {
    const call = sdesCall('call-4@ims.example').map((m, i) => x2(xid.keys, m, i));
    await send(call.slice(0, 4)); // INVITE … ACK
    await app.close();
    app = await start();
    await send(call.slice(4)); // BYE, 200
    const cin = await firstCin();
    const got = (await rows('LIID-KEYS')).filter((g) => Number(g.cin) === cin);
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
    await send(
      sdesCall('call-5@ims.example')
        .slice(0, 3)
        .map((m, i) => x2(xid.keys, m, i)),
    );
    const ended = await app
      .get(IngestService)
      .pipeline.expireIdleSessions(0, new Date(Date.now() + 1000));
    expect(ended).toBeGreaterThanOrEqual(1);
    const last = (await rows('LIID-KEYS')).at(-1)!;
    expect(last.kind).toBe('END');
    expect(last.parameters.sIPMessage).toBeUndefined();
    const audit = await ds
      .getRepository(AuditEntryEntity)
      .findOneBy({ action: 'session.timeout', liid: 'LIID-KEYS' });
    expect(audit?.outcome).toBe('success');
  });

  /** CIN of the call-4 session. */
  async function firstCin(): Promise<number> {
    const r: Array<{ cin: number }> = await ds.query(
      "SELECT cin FROM call_session WHERE call_id = 'call-4@ims.example'",
    );
    return Number(r[0].cin);
  }
});
