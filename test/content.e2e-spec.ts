import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeEpsIriContent, PayloadDirection, recordParts } from '@app/hi2';
import { writeDevPki } from '@app/pki';
import { SrtpReceiver } from '@app/srtp';
import { encodeX2Pdu, X2PayloadDirection, X2PayloadFormat, X2PduType } from '@app/x2';
import { TlsLeaServer } from '../apps/lab/src/lea/tls-lea-server';
import { AuditEntryEntity } from '../apps/mf/src/audit/audit-entry.entity';
import { startMf } from '../apps/mf/src/bootstrap';
import { loadMfConfig } from '../apps/mf/src/config/mf-config';
import { DeliveryService } from '../apps/mf/src/handover/delivery/delivery.service';
import { IngestService, X2_LISTENER } from '../apps/mf/src/interception/interception.module';
import { TaskRegistry } from '../apps/mf/src/warrants/task-registry';
import { WarrantEntity } from '../apps/mf/src/warrants/warrant.entity';
import { X2Listener } from '../apps/mf/src/x2/x2-listener';
import { FAST_DELIVERY } from './support/delivery-harness';
import { insertDestination } from './support/hi2';
import { srtpStream, ssrcOf, x3RtpPdu } from './support/x3';
import { sdesCallMessages } from './support/ingest-mf';

const ALICE = 'sip:alice@ims.example';
const SUITE = 'AES_CM_128_HMAC_SHA1_80';
const ALICE_IP = [192, 0, 2, 1];
const BOB_IP = [192, 0, 2, 2];
const ALICE_PORT = 49170;
const BOB_PORT = 49180;
const ALICE_MEDIA = { address: ALICE_IP.join('.'), port: ALICE_PORT };
const BOB_MEDIA = { address: BOB_IP.join('.'), port: BOB_PORT };
/** SDES inline key (master key ‖ salt, RFC 4568 §6.1) as the two parts of the stream keys. */
const streamKeys = (k: Buffer) => ({
  masterKey: k.subarray(0, 16),
  masterSalt: k.subarray(16, 30),
});

describe('MF content path: X3 SRTP in → HI3 CC over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'x3-'));
  const pki = join(dir, 'pki');
  let app: INestApplication;
  let ds: DataSource;
  let lea: TlsLeaServer;
  const xid = { keys: randomUUID(), decrypted: randomUUID() };

  beforeAll(async () => {
    await writeDevPki(pki);
    lea = new TlsLeaServer({ pkiDir: pki });
    const leaPort = await lea.start();
    app = await startMf(
      loadMfConfig({
        DATABASE_URL: join(dir, 'mf.sqlite'),
        HTTP_PORT: '0',
        X2_PORT: '0',
        MF_ROLES: 'ingest,delivery',
        LOG_LEVEL: 'silent',
        PKI_DIR: pki,
        KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        PIPELINE_BATCH_MAX_DELAY_MS: '1',
        X3_PENDING_MAX_MS: '5000',
        ...FAST_DELIVERY,
        HI2_BATCH_SIZE: '200',
      }),
    );
    ds = app.get(DataSource);
    const dest = await insertDestination(ds, {
      transport: 'tls',
      port: leaPort,
      settings: { caFile: join(pki, 'ca.crt') },
      name: 'lab-tls',
    });
    const now = Date.now();
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
          { id: randomUUID(), kind: 'sip', value: ALICE, normalized: ALICE, xid: xid[mode] },
        ],
        destinations: [dest],
      } as unknown as WarrantEntity);
    }
    await app.get(TaskRegistry).reload();
    await app.get(DeliveryService).refresh();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await lea?.stop();
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
    await app.get(IngestService).content.drain();
  }

  const x2 = (x: string, payload: Buffer, correlation: bigint) =>
    encodeX2Pdu({
      pduType: X2PduType.X2,
      payloadFormat: X2PayloadFormat.SipMessage,
      payloadDirection: X2PayloadDirection.FromTarget,
      xid: x,
      correlationId: correlation,
      payload,
    });
  const x3 = (x: string, rtp: Buffer, correlation: bigint, fromAlice: boolean) =>
    x3RtpPdu(x, rtp, correlation, {
      from: fromAlice ? ALICE_MEDIA : BOB_MEDIA,
      to: fromAlice ? BOB_MEDIA : ALICE_MEDIA,
      fromTarget: fromAlice,
    });

  async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  const ccOf = (liid: string) => lea.read().cc.filter((p) => p.liid === liid);
  const irisOf = (liid: string) => lea.read().records.filter((r) => r.liid === liid);

  /**
   * Runs one SDES call: Alice's 300 packets across a sequence wrap, with Alice's PDUs carrying
   * the call's Correlation ID and Bob's 100 packets another one (correlated by the SDP flow).
   * Packet 150 of Alice is tampered. Returns the media and the tampered packet.
   */
  async function call(liid: string, x: string, callId: string) {
    const aliceKey = randomBytes(30);
    const bobKey = randomBytes(30);
    const call = sdesCallMessages(
      callId,
      { alice: aliceKey, bob: bobKey },
      {
        alice: { ip: ALICE_IP.join('.'), port: ALICE_PORT },
        bob: { ip: BOB_IP.join('.'), port: BOB_PORT },
      },
    );
    const [setup, end] = [call.slice(0, 4), call.slice(4)]; // INVITE … ACK; BYE and its 200
    const correlation = BigInt(Date.now());
    const alice = srtpStream(streamKeys(aliceKey), 0x1111, 300, 65_400);
    const bob = srtpStream(streamKeys(bobKey), 0x2222, 100);
    const tampered = Buffer.from(alice.srtp[150]);
    tampered[30] ^= 0x01;
    const x3s: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      x3s.push(x3(x, i === 150 ? tampered : alice.srtp[i], correlation, true));
      if (i % 3 === 0) x3s.push(x3(x, bob.srtp[i / 3], correlation + 1n, false));
    }
    await send([...setup.map((m) => x2(x, m, correlation)), ...x3s]);
    await until(`400 CC packets for ${liid}`, () => ccOf(liid).length >= 400);
    await send(end.map((m) => x2(x, m, correlation)));
    await until(`the END IRI of ${liid}`, () => irisOf(liid).some((r) => r.iriType === 'END'));
    return { aliceKey, bobKey, alice, bob, tampered };
  }

  it('mode decrypted (SDES): clear audio byte for byte, own CC sequence, no key on HI2, tampered packet flagged', async () => {
    const { aliceKey, bobKey, alice, bob, tampered } = await call(
      'LIID-DEC',
      xid.decrypted,
      'call-dec@ims.example',
    );
    const cc = ccOf('LIID-DEC');
    expect(cc).toHaveLength(400);
    // Own sequence per LIID and CIN, from 0, without gaps; the CIN of the session's IRI.
    expect(cc.map((p) => p.seq)).toEqual(cc.map((_, i) => i));
    const iris = irisOf('LIID-DEC');
    expect(new Set([...iris.map((r) => r.cin), ...cc.map((p) => p.cin)]).size).toBe(1);
    expect(lea.read().gaps).toEqual([]);

    const packets = cc.map((p) => Buffer.from(p.rtp, 'base64'));
    const fromAlice = packets.filter((p) => ssrcOf(p) === 0x1111);
    const fromBob = packets.filter((p) => ssrcOf(p) === 0x2222);
    expect(fromBob).toEqual(bob.clear);
    expect(
      cc.filter((p) => ssrcOf(Buffer.from(p.rtp, 'base64')) === 0x1111).map((p) => p.direction),
    ).toEqual(Array(300).fill(PayloadDirection.fromTarget));
    // Alice's stream crosses 65535 → 0 at packet 136; every packet but the tampered one is clear.
    expect(fromAlice[135].readUInt16BE(2)).toBe(65_535);
    expect(fromAlice[136].readUInt16BE(2)).toBe(0);
    expect(fromAlice.filter((_, i) => i !== 150)).toEqual(alice.clear.filter((_, i) => i !== 150));
    expect(fromAlice[150]).toEqual(tampered); // as received, still encrypted

    // No key on HI2: no mediaDecryption-info, and none of the key octets anywhere in the records.
    for (const r of iris) {
      const ber = Buffer.from(r.ber, 'base64');
      expect(recordParts(decodeEpsIriContent(ber)).parameters.mediaDecryptionInfo).toBeUndefined();
      for (const k of [aliceKey, bobKey]) {
        expect(ber.includes(k.subarray(0, 16))).toBe(false);
        expect(ber.includes(Buffer.from(k.toString('base64')))).toBe(false);
      }
    }
    const flagged = await ds
      .getRepository(AuditEntryEntity)
      .findBy({ action: 'x3.srtp.unauthenticated', liid: 'LIID-DEC' });
    expect(
      flagged.map((a) => JSON.parse(a.details!) as { count: number; failure: string }),
    ).toEqual([{ failure: 'AUTHENTICATION_FAILED', delivered: 'as received', count: 1 }]);
  }, 120_000);

  it('mode keys: packets as received, and the LEA decrypts them with the keys from HI2', async () => {
    const { alice, bob } = await call('LIID-KEYS', xid.keys, 'call-keys@ims.example');
    const cc = ccOf('LIID-KEYS');
    expect(cc).toHaveLength(400);
    const received = cc.map((p) => Buffer.from(p.rtp, 'base64'));
    // Keys from the IRI: the INVITE (BEGIN) carries Alice's, the 200 OK Bob's.
    const iris = irisOf('LIID-KEYS').map((r) =>
      recordParts(decodeEpsIriContent(Buffer.from(r.ber, 'base64'))),
    );
    const keyInfos = iris.flatMap((r) => r.parameters.mediaDecryptionInfo ?? []);
    expect(keyInfos).toHaveLength(2);
    const receivers = keyInfos.map(
      (k) => new SrtpReceiver({ suite: SUITE, masterKeys: [{ key: k.cCDecKey, salt: k.cCSalt! }] }),
    );
    const decrypted = received.map((p) => {
      for (const r of receivers) {
        const out = r.unprotectRtp(p);
        if (out.authenticated) return out.packet;
      }
      return undefined;
    });
    const aliceOut = decrypted.filter((p, i) => ssrcOf(received[i]) === 0x1111);
    expect(aliceOut.filter((_, i) => i !== 150)).toEqual(alice.clear.filter((_, i) => i !== 150));
    expect(aliceOut[150]).toBeUndefined(); // the tampered one does not authenticate at the LEA
    expect(decrypted.filter((p, i) => ssrcOf(received[i]) === 0x2222)).toEqual(bob.clear);
  }, 120_000);
});
