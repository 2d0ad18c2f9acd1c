import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { ImsEvent } from '@app/hi2';
import { writeDevPki } from '@app/pki';
import type { KmsSim } from '../apps/kms-sim/src/kms-sim';
import { HOME_KMS } from '../apps/lab/src/ticket-world';
import { mikeyDhCall, mikeyPskCall, ticketCall, type SimulatedCall } from '../apps/lab/src/ue';
import {
  ALICE,
  IngestMf,
  sdesCallMessages,
  sipMessage,
  x2SipPdu,
  type OutboxRecord,
} from './support/ingest-mf';
import { deadPort, TestKmsWorld } from './support/kms';
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

describe('MF pipeline faults: warrant windows, undecryptable media keys, garbage and oversize X2 PDUs', () => {
  let mf: IngestMf;
  const MAX_PAYLOAD = 16 * 1024;

  beforeAll(async () => {
    mf = await IngestMf.start({ env: { X2_MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD) }, lea: true });
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

  it.each([
    ['MIKEY-PSK', mikeyPskCall, 'psk'],
    ['MIKEY-DH', mikeyDhCall, 'dh'],
  ])(
    'marks a %s call (keys the CSP cannot have, seed 003) with mediaSecFailureIndication at once',
    async (_, makeCall, scheme) => {
      const xid = randomUUID();
      const liid = `LIID-UNDEC-${scheme}`;
      await mf.addWarrant({ liid, xid });
      const alarms = () => mf.metric('mf_key_alarms_total', { kind: 'undecryptable' });
      const before = await alarms();
      const call = makeCall({ initiator: ALICE, responder: 'sip:bob@ims.example' });
      await mf.send([call.inviteAtLi, call.ok200].map((m, i) => x2SipPdu(xid, m, i)));
      await until('the IRIs at the LEA', () => mf.delivered(liid).length >= 2);
      const [begin, answer] = mf.delivered(liid);
      expect(begin.kind).toBe('BEGIN');
      expect(begin.parameters.mediaSecFailureIndication).toBe(0); // genericFailure
      // The 200 OK of a PSK call carries no MIKEY message (no verification requested).
      const answerKeyed = call.ok200.includes('a=key-mgmt:mikey');
      expect(answer.parameters.mediaSecFailureIndication).toBe(answerKeyed ? 0 : undefined);
      for (const r of [begin, answer]) expect(r.parameters.mediaDecryptionInfo).toBeUndefined();
      const audits = (await mf.audits('keys.undecryptable')).filter((a) => a.liid === liid);
      expect(audits).toHaveLength(answerKeyed ? 2 : 1);
      expect(audits[0].outcome).toBe('alarm');
      expect(JSON.parse(audits[0].details!)).toMatchObject({ scheme });
      expect((await alarms()) - before).toBe(audits.length);
    },
  );

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
    await until('the call at the LEA', () => mf.delivered(liid).length >= CALL_KINDS.length);
    expect(mf.delivered(liid).map((r) => r.parameters)).toEqual(got.map((r) => r.parameters));
    expect(mf.lea!.read()).toMatchObject({ gaps: [], duplicates: [], rejected: [] });
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

const BOB = 'sip:bob@ims.example';
const CAROL = 'sip:carol@ims.example';
const LIID = 'LIID-XK';

/** The CONTINUE that settles the key request: keys available, or the media security failure. */
const keyOutcome = (records: OutboxRecord[]) =>
  records.find(
    (r) =>
      r.kind === 'CONTINUE' &&
      (r.parameters.iMSevent === ImsEvent.decryptionKeysAvailable ||
        r.parameters.mediaSecFailureIndication !== undefined),
  );

/** mediaDecryption-info as the UEs really keyed the call: CS ID, SRTP master key and salt. */
const keysOf = (call: SimulatedCall) =>
  call.keys.map((k) => [Buffer.from([k.csId!]), k.masterKey, k.masterSalt]);

describe('MF pipeline faults on Xk: KMS down and back, backup KMS, deadline, target mismatch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xk-faults-'));
  const pki = join(dir, 'pki');
  const world = new TestKmsWorld(pki, [ALICE, BOB, CAROL]);
  let mf: IngestMf | undefined;
  let kms: KmsSim;
  const startKms = (xkPort?: number) => world.startKms(xkPort);
  const ue = (identity: string, at: KmsSim) => world.ue(identity, at);

  /** An MF whose Xk route for the home KMS is `urls`, with a warrant on Alice; returns the XID. */
  async function startMf(urls: string[], env: Record<string, string> = {}): Promise<string> {
    mf = await IngestMf.start({
      env: {
        XK_KMS_ROUTES: JSON.stringify({ [HOME_KMS]: urls }),
        XK_RETRY_BASE_MS: '100',
        XK_RETRY_MAX_MS: '400',
        ...env,
      },
      pki,
      lea: true,
    });
    const xid = randomUUID();
    await mf.addWarrant({ liid: LIID, xid, mode: 'keys' });
    return xid;
  }

  /** Reports the INVITE (with the TRANSFER_INIT as LI saw it) and the 200 OK over X2. */
  const report = (call: SimulatedCall, xid: string) =>
    mf!.send([call.inviteAtLi, call.ok200].map((m, i) => x2SipPdu(xid, m, i)));

  /** The key outcome IRI once the LEA received it. */
  const settled = async (): Promise<OutboxRecord> => {
    await until('the key outcome IRI at the LEA', () => !!keyOutcome(mf!.delivered(LIID)));
    return keyOutcome(mf!.delivered(LIID))!;
  };

  const xkExchanges = (result: string) =>
    mf!.metric('mf_xk_exchanges_total', { kms: HOME_KMS, result });

  beforeAll(async () => {
    await writeDevPki(pki);
    kms = await startKms();
  });
  afterEach(async () => {
    await mf?.close();
    mf = undefined;
  });
  afterAll(async () => {
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the keys once a KMS that was down is back on its address', async () => {
    const first = await startKms();
    const call = await ticketCall({ initiator: ue(ALICE, first), responder: ue(BOB, first) });
    await first.close(); // the KMS goes down after the call was set up
    const xid = await startMf([first.urls.xk]);
    const before = { unreachable: await xkExchanges('unreachable') };
    await report(call, xid);
    await until('a failed Xk attempt', async () => {
      return (await xkExchanges('unreachable')) > before.unreachable;
    });
    expect(keyOutcome(await mf!.records(LIID))).toBeUndefined();

    await startKms(first.ports.xk); // back, same ticket key, resolves of before lost
    const iri = await settled();
    expect(iri.parameters.iMSevent).toBe(ImsEvent.decryptionKeysAvailable);
    expect(iri.parameters.mediaSecFailureIndication).toBeUndefined();
    const info = iri.parameters.mediaDecryptionInfo ?? [];
    expect(info.map((k) => [k.cCCSID, k.cCDecKey, k.cCSalt])).toEqual(keysOf(call));
    const [begin] = mf!.delivered(LIID);
    expect(iri.cin).toBe(begin.cin);
    const [audit] = await mf!.audits('xk.keys');
    expect(JSON.parse(audit.details!)).toMatchObject({
      kms: HOME_KMS,
      kmsUrl: first.urls.xk,
      source: 'ticket',
      role: 'initiator',
    });
    expect(await mf!.audits('xk.failed')).toEqual([]);
  });

  it('resumes a key request after an MF restart and records its outcome once', async () => {
    const first = await startKms();
    const call = await ticketCall({ initiator: ue(ALICE, first), responder: ue(BOB, first) });
    await first.close();
    const xid = await startMf([first.urls.xk]);
    const before = await xkExchanges('unreachable');
    await report(call, xid);
    await until('a failed Xk attempt', async () => (await xkExchanges('unreachable')) > before);
    const saved = async () =>
      Number((await mf!.ds.query('SELECT COUNT(*) AS n FROM xk_key_job'))[0].n);
    expect(await saved()).toBe(1);
    await mf!.stop(); // aborts the request under way; the job stays saved
    await startKms(first.ports.xk);
    await mf!.restart();
    const iri = await settled();
    expect(
      iri.parameters.mediaDecryptionInfo?.map((k) => [k.cCCSID, k.cCDecKey, k.cCSalt]),
    ).toEqual(keysOf(call));
    await until('the job deleted with its outcome', async () => (await saved()) === 0);
    expect(mf!.delivered(LIID).filter((r) => r.parameters.mediaDecryptionInfo)).toHaveLength(1);
    expect(await mf!.audits('xk.keys')).toHaveLength(1);
    expect(await mf!.audits('xk.failed')).toEqual([]);
  });

  it('uses the backup KMS when the primary is down', async () => {
    const primary = `https://127.0.0.1:${await deadPort()}`;
    const xid = await startMf([primary, kms.urls.xk]);
    const before = { unreachable: await xkExchanges('unreachable') };
    const call = await ticketCall({ initiator: ue(ALICE, kms), responder: ue(BOB, kms) });
    await report(call, xid);
    const iri = await settled();
    const info = iri.parameters.mediaDecryptionInfo ?? [];
    expect(info.map((k) => [k.cCCSID, k.cCDecKey, k.cCSalt])).toEqual(keysOf(call));
    const [audit] = await mf!.audits('xk.keys');
    expect(JSON.parse(audit.details!)).toMatchObject({
      kmsUrl: kms.urls.xk,
      source: 'terminal-resolve',
      attempts: 2,
    });
    expect((await xkExchanges('unreachable')) - before.unreachable).toBe(1);
  });

  it('sends mediaSecFailureIndication with an alarm when the Xk deadline passes', async () => {
    const deadlineMs = 1_500;
    const xid = await startMf([`https://127.0.0.1:${await deadPort()}`], {
      XK_DEADLINE_MS: String(deadlineMs),
    });
    const alarms = () => mf!.metric('mf_key_alarms_total', { kind: 'key-deadline' });
    const before = await alarms();
    const call = await ticketCall({ initiator: ue(ALICE, kms), responder: ue(BOB, kms) });
    const sentAt = Date.now();
    await report(call, xid);
    const iri = await settled();
    expect(iri.parameters.mediaSecFailureIndication).toBe(0); // genericFailure
    expect(iri.parameters.mediaDecryptionInfo).toBeUndefined();
    const [begin] = mf!.delivered(LIID);
    expect(iri.cin).toBe(begin.cin);
    const [audit] = await mf!.audits('xk.failed');
    expect(audit).toMatchObject({ liid: LIID, outcome: 'alarm', object: `cin/${begin.cin}` });
    expect(JSON.parse(audit.details!)).toMatchObject({ reason: 'deadline', kms: HOME_KMS });
    expect(Date.parse(audit.at) - sentAt).toBeGreaterThanOrEqual(deadlineMs);
    expect((await alarms()) - before).toBe(1);
  });

  it('sends mediaSecFailureIndication with an alarm on TARGET_MISMATCH (seed 001)', async () => {
    const xid = await startMf([kms.urls.xk]);
    const alarms = () => mf!.metric('mf_key_alarms_total', { kind: 'target-mismatch' });
    const before = await alarms();
    const other = await ticketCall({ initiator: ue(CAROL, kms), responder: ue(BOB, kms) });
    const call = await ticketCall({
      initiator: ue(ALICE, kms),
      responder: ue(BOB, kms),
      injectAtLi: other.mikey!.init,
    });
    await report(call, xid);
    const iri = await settled();
    expect(iri.parameters.mediaSecFailureIndication).toBe(0);
    expect(iri.parameters.mediaDecryptionInfo).toBeUndefined();
    const [audit] = await mf!.audits('alarm.target-mismatch');
    expect(audit).toMatchObject({ liid: LIID, outcome: 'alarm' });
    expect((await alarms()) - before).toBe(1);
  });
});
