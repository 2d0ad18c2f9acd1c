import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDevPki } from '@app/pki';
import { SrtpReceiver } from '@app/srtp';
import type { KmsSim } from '../apps/kms-sim/src/kms-sim';
import { HOME_KMS } from '../apps/lab/src/ticket-world';
import {
  callMedia,
  mikeyDhCall,
  ticketCall,
  type MediaStream,
  type SimulatedCall,
} from '../apps/lab/src/ue';
import type { DeliveryMode } from '../apps/mf/src/warrants/warrant.entity';
import { ALICE, IngestMf, x2SipPdu, type OutboxRecord } from './support/ingest-mf';
import { deadPort, TestKmsWorld } from './support/kms';
import { until } from './support/until';
import { ssrcOf, X3_TEST_SUITE, x3RtpPdu } from './support/x3';

jest.setTimeout(90_000);

const BOB = 'sip:bob@ims.example';
const LIID = 'LIID-CONTENT-MIKEY';
/** Packets per direction (20 ms each: one second of audio). */
const PACKETS = 50;
const CORRELATION = 7;

/**
 * The media of a call as the UEs send it (apps/lab UE): one second of tone per direction in
 * 20 ms packets, under its crypto session's real SRTP master key and salt and the SSRC of the
 * CS ID map (RFC 3830 §6.1.1, SRTP-ID map).
 */
function mediaOf(call: SimulatedCall): { alice: MediaStream; bob: MediaStream } {
  const m = callMedia(call, PACKETS * 20);
  return { alice: m.initiator, bob: m.responder };
}

/**
 * X2 (INVITE with the MIKEY message as LI saw it, 200 OK) and X3 of the call: Alice's packets
 * carry the call's Correlation ID, Bob's another one (correlated by the SDP endpoints).
 */
function reportCall(
  xid: string,
  call: SimulatedCall,
  media: { alice: MediaStream; bob: MediaStream },
) {
  const alice = { address: call.dialog.initiator.address, port: 49170 };
  const bob = { address: call.dialog.responder.address, port: 50170 };
  const x2 = [call.inviteAtLi, call.ok200].map((m) => x2SipPdu(xid, m, CORRELATION));
  const x3 = media.alice.srtp.flatMap((a, i) => [
    x3RtpPdu(xid, a, BigInt(CORRELATION), { from: alice, to: bob, fromTarget: true }),
    x3RtpPdu(xid, media.bob.srtp[i], BigInt(CORRELATION + 1), {
      from: bob,
      to: alice,
      fromTarget: false,
    }),
  ]);
  return { x2, x3 };
}

/** The delivered packets of one SSRC, in arrival order. */
const ofSsrc = (packets: Buffer[], ssrc: number) => packets.filter((p) => ssrcOf(p) === ssrc);

/** Every octet string of the call's SRTP keys, raw and base64 (none may be on HI2 in mode decrypted). */
const keyOctets = (call: SimulatedCall) =>
  call.keys.flatMap((k) => [
    k.masterKey,
    k.masterSalt,
    Buffer.from(k.masterKey.toString('base64')),
  ]);

describe('MF content path, MIKEY: keys via Xk, media before keys, keys that never come', () => {
  const dir = mkdtempSync(join(tmpdir(), 'content-mikey-'));
  const pki = join(dir, 'pki');
  const world = new TestKmsWorld(pki, [ALICE, BOB]);
  let kms: KmsSim;
  let mf: IngestMf | undefined;

  /** An MF (ingest + delivery to a lab LEA) with a warrant on Alice in `mode`; returns the XID. */
  async function startMf(mode: DeliveryMode, env: Record<string, string>): Promise<string> {
    mf = await IngestMf.start({
      env: { XK_RETRY_BASE_MS: '100', XK_RETRY_MAX_MS: '400', ...env },
      pki,
      lea: true,
    });
    const xid = randomUUID();
    await mf.addWarrant({ liid: LIID, xid, mode });
    return xid;
  }

  /** X3 packets decrypted so far (the metric is process-wide: compare before and after). */
  const decryptedCount = () => mf!.metric('mf_x3_packets_total', { outcome: 'decrypted' });
  const received = () => mf!.deliveredCc(LIID).map((p) => Buffer.from(p.rtp, 'base64'));
  const ccAtLea = (n: number) =>
    until(`${n} CC packets at the LEA`, () => received().length >= n, 60_000);
  const xkRoute = (...urls: string[]) => ({ XK_KMS_ROUTES: JSON.stringify({ [HOME_KMS]: urls }) });
  /** The IRIs at the LEA once at least `n` arrived. */
  const irisAtLea = async (n: number): Promise<OutboxRecord[]> => {
    await until(`${n} IRIs at the LEA`, () => mf!.delivered(LIID).length >= n, 60_000);
    return mf!.delivered(LIID);
  };

  beforeAll(async () => {
    await writeDevPki(pki);
    kms = await world.startKms();
  });
  afterEach(async () => {
    await mf?.close();
    mf = undefined;
  });
  afterAll(async () => {
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mode decrypted (MIKEY-TICKET): media before the keys is held, then decrypted byte for byte; no key on HI2', async () => {
    // The KMS goes down after the call was set up: the key request cannot succeed until it is back.
    const first = await world.startKms();
    const call = await ticketCall({
      initiator: world.ue(ALICE, first),
      responder: world.ue(BOB, first),
    });
    await first.close();
    const xid = await startMf('decrypted', {
      ...xkRoute(first.urls.xk),
      X3_PENDING_MAX_MS: '60000',
    });
    const media = mediaOf(call);
    const { x2, x3 } = reportCall(xid, call, media);
    const unreachable = () =>
      mf!.metric('mf_xk_exchanges_total', { kms: HOME_KMS, result: 'unreachable' });
    const before = { unreachable: await unreachable(), decrypted: await decryptedCount() };
    await mf!.send([...x2, ...x3]);

    await until('a failed Xk attempt', async () => (await unreachable()) > before.unreachable);
    expect(mf!.ingest.content.heldPackets).toBe(2 * PACKETS); // all of it waits for the keys
    expect(await mf!.ccCount(LIID)).toBe(0);

    await world.startKms(first.ports.xk); // back, same ticket key
    await ccAtLea(2 * PACKETS);
    const got = received();
    expect(got).toHaveLength(2 * PACKETS);
    expect(ofSsrc(got, media.alice.ssrc)).toEqual(media.alice.clear);
    expect(ofSsrc(got, media.bob.ssrc)).toEqual(media.bob.clear);
    expect(mf!.ingest.content.heldPackets).toBe(0);
    expect((await decryptedCount()) - before.decrypted).toBe(2 * PACKETS);
    const [keysAudit] = await mf!.audits('xk.keys');
    expect(keysAudit).toMatchObject({ liid: LIID, outcome: 'success' });

    // No key on HI2: no keys IRI, no mediaDecryption-info, none of the key octets in any record.
    const iris = await irisAtLea(2);
    const lea = mf!.lea!.read().records.filter((r) => r.liid === LIID);
    expect(iris.map((r) => r.parameters.mediaDecryptionInfo)).toEqual(iris.map(() => undefined));
    for (const r of lea) {
      const ber = Buffer.from(r.ber, 'base64');
      for (const k of keyOctets(call)) expect(ber.includes(k)).toBe(false);
    }
    expect(
      new Set([...lea.map((r) => r.cin), ...mf!.deliveredCc(LIID).map((p) => p.cin)]).size,
    ).toBe(1);
  });

  it('mode keys (MIKEY-TICKET): packets as received, and the LEA decrypts them with the keys from HI2', async () => {
    const call = await ticketCall({
      initiator: world.ue(ALICE, kms),
      responder: world.ue(BOB, kms),
    });
    const xid = await startMf('keys', xkRoute(kms.urls.xk));
    const media = mediaOf(call);
    const { x2, x3 } = reportCall(xid, call, media);
    await mf!.send([...x2, ...x3]);
    await ccAtLea(2 * PACKETS);
    const got = received();
    expect([...ofSsrc(got, media.alice.ssrc), ...ofSsrc(got, media.bob.ssrc)]).toEqual([
      ...media.alice.srtp,
      ...media.bob.srtp,
    ]);
    await until('the keys IRI at the LEA', () =>
      mf!.delivered(LIID).some((r) => r.parameters.mediaDecryptionInfo !== undefined),
    );
    const info = mf!.delivered(LIID).flatMap((r) => r.parameters.mediaDecryptionInfo ?? []);
    const decryptAtLea = (stream: MediaStream) => {
      const k = info.find((i) =>
        call.keys.some((s) => s.ssrc === stream.ssrc && s.csId === i.cCCSID[0]),
      )!;
      const r = new SrtpReceiver({
        suite: X3_TEST_SUITE,
        masterKeys: [{ key: k.cCDecKey, salt: k.cCSalt! }],
      });
      return ofSsrc(got, stream.ssrc).map((p) => {
        const out = r.unprotectRtp(p);
        return out.authenticated ? out.packet : undefined;
      });
    };
    expect(decryptAtLea(media.alice)).toEqual(media.alice.clear);
    expect(decryptAtLea(media.bob)).toEqual(media.bob.clear);
  });

  it.each([
    ['MIKEY-DH (undecryptable, seed 003)', 'dh'],
    ['MIKEY-TICKET whose Xk deadline passes', 'deadline'],
  ] as const)(
    'mode decrypted, %s: media goes as received and the IRI carries mediaSecFailureIndication',
    async (_, kind) => {
      const call =
        kind === 'dh'
          ? mikeyDhCall({ initiator: ALICE, responder: BOB })
          : await ticketCall({ initiator: world.ue(ALICE, kms), responder: world.ue(BOB, kms) });
      const xid = await startMf('decrypted', {
        ...xkRoute(`https://127.0.0.1:${await deadPort()}`),
        XK_DEADLINE_MS: '1500',
        X3_PENDING_MAX_MS: '60000', // released by the failure, not by the age limit
      });
      const media = mediaOf(call);
      const { x2, x3 } = reportCall(xid, call, media);
      const decryptedBefore = await decryptedCount();
      await mf!.send([...x2, ...x3]);
      await ccAtLea(2 * PACKETS);
      const got = received();
      expect(got).toHaveLength(2 * PACKETS);
      expect(ofSsrc(got, media.alice.ssrc)).toEqual(media.alice.srtp);
      expect(ofSsrc(got, media.bob.ssrc)).toEqual(media.bob.srtp);
      expect(await decryptedCount()).toBe(decryptedBefore);
      expect(await mf!.audits('x3.keys.not-in-time')).toEqual([]);

      await until('the media security failure IRI', () =>
        mf!.delivered(LIID).some((r) => r.parameters.mediaSecFailureIndication !== undefined),
      );
      const failure = mf!
        .delivered(LIID)
        .find((r) => r.parameters.mediaSecFailureIndication !== undefined)!;
      expect(failure.parameters.mediaSecFailureIndication).toBe(0); // genericFailure
      expect(failure.kind).toBe(kind === 'dh' ? 'BEGIN' : 'CONTINUE');
      expect(mf!.delivered(LIID).flatMap((r) => r.parameters.mediaDecryptionInfo ?? [])).toEqual(
        [],
      );
    },
  );
});
