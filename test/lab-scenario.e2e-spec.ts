import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImsEvent, Initiator } from '@app/hi2';
import type { DeliveredKey, IriView } from '../apps/lab/src/scenario/iri-view';
import { LAB_TARGET } from '../apps/lab/src/scenario/lab-calls';
import {
  LEA_NAMES,
  LabScenario,
  type LabCallResult,
  type LabResult,
} from '../apps/lab/src/scenario/lab-scenario';
import type { SrtpStreamKeys } from '../apps/lab/src/ue';
import { ENGINES, notePgSkipped, type TempDatabase } from './support/databases';

const BOB = 'sip:bob@ims.example';

/** A UE stream key as HI2 CCKeyInfo should carry it (cCCSID = MIKEY CS ID or SDES tag). */
const asDelivered = (k: SrtpStreamKeys): DeliveredKey => ({
  csId: k.csId ?? k.cryptoTag!,
  masterKey: k.masterKey,
  masterSalt: k.masterSalt,
});
const byCsId = (a: DeliveredKey, b: DeliveredKey) => a.csId - b.csId;

const SIP_START_LINES = (responder: string): unknown[] => [
  `INVITE ${responder} SIP/2.0`,
  'SIP/2.0 180 Ringing',
  'SIP/2.0 200 OK',
  expect.stringMatching(/^ACK sip:192\.0\.2\.20:5061;transport=tls SIP\/2\.0$/),
  expect.stringMatching(/^BYE sip:192\.0\.2\.20:5061;transport=tls SIP\/2\.0$/),
  'SIP/2.0 200 OK',
];

describe.each(ENGINES)('npm run lab scenario on $name', ({ make }) => {
  let db: TempDatabase;
  let dir: string;
  let result: LabResult;
  const progress: string[] = [];

  beforeAll(async () => {
    db = await make();
    dir = mkdtempSync(join(tmpdir(), 'lab-e2e-'));
    result = await new LabScenario({
      workDir: join(dir, 'run'),
      pkiDir: join(dir, 'pki'),
      databaseUrl: db.url,
      progress: (l) => progress.push(l),
    }).run();
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (name: string): LabCallResult => {
    const c = result.calls.find((x) => x.plan.name === name);
    if (!c) throw new Error(`no call ${name}`);
    return c;
  };
  /** The call's records at each LEA; both LEAs must have received the same ones. */
  const recordsOf = (name: string): IriView[] => {
    const c = call(name);
    expect(c.records.tls).toEqual(c.records.ftps);
    return c.records.ftps;
  };
  const sipRecords = (rs: IriView[]) => rs.filter((r) => r.callId !== undefined);
  const xkRecords = (rs: IriView[]) => rs.filter((r) => r.callId === undefined);
  /** Audit actions of a call (by CIN or Call-ID), with their outcome. */
  const auditOf = (name: string): string[] => {
    const c = call(name);
    const cin = c.records.ftps[0]?.cin;
    expect(cin).toMatch(/^\d+$/);
    return result.audit
      .filter((a) => a.object === `cin/${cin}` || a.object === `call/${c.call.callId}`)
      .map((a) => `${a.action}:${a.outcome}`);
  };
  /** Common checks: IRI sequence, one CIN, SIP messages, direction and parties. */
  const expectBasicCall = (name: string, withXk: boolean, role: 'originating' | 'terminating') => {
    const c = call(name);
    const rs = recordsOf(name);
    const C = 'CONTINUE';
    expect(rs.map((r) => r.type)).toEqual(
      withXk ? ['BEGIN', C, C, C, C, C, 'END'] : ['BEGIN', C, C, C, C, 'END'],
    );
    expect(new Set(rs.map((r) => r.cin)).size).toBe(1);
    const sip = sipRecords(rs);
    expect(sip.map((r) => r.startLine)).toEqual(SIP_START_LINES(c.call.responder));
    for (const r of sip) {
      expect(r.callId).toBe(c.call.callId);
      expect(r.imsEvent).toBe(ImsEvent.unfilteredSIPmessage);
      expect(r.initiator).toBe(
        role === 'originating' ? Initiator.originatingTarget : Initiator.terminatingTarget,
      );
      expect(r.parties).toEqual({
        originating: c.call.initiator,
        terminating: c.call.responder,
      });
    }
    expect(xkRecords(rs)).toHaveLength(withXk ? 1 : 0);
    return { c, rs, sip, xk: xkRecords(rs)[0] };
  };

  it('provisions over REST, runs six calls and every verdict holds', () => {
    expect(result.calls.map((c) => c.plan.name)).toEqual([
      'SDES, target calls',
      'MIKEY-TICKET, target initiator',
      'MIKEY-TICKET, target responder',
      'MIKEY-TICKET, ticket tampered',
      'MIKEY-TICKET, unrelated ticket (DoS)',
      'MIKEY-DH',
    ]);
    const failed = result.calls.flatMap((c) => c.verdicts.filter((v) => !v.ok));
    expect(failed).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['warrant.create', 'warrant.request-activation', 'warrant.approve']),
    );
    expect(progress.filter((l) => /ended after/.test(l))).toHaveLength(6);
  });

  it('mode decrypted: the TLS LEA gets the SDES and MIKEY-TICKET calls in clear, byte for byte, and a WAV each', () => {
    const withMedia = result.calls.filter((c) => c.media);
    expect(withMedia.map((c) => c.plan.name)).toEqual([
      'SDES, target calls',
      'MIKEY-TICKET, target initiator',
      'MIKEY-TICKET, target responder',
    ]);
    for (const c of withMedia) {
      const m = c.media!;
      expect({ call: m.call, problems: m.problems, clear: m.clearMatches }).toEqual({
        call: m.call,
        problems: [],
        clear: true,
      });
      expect(m.sent).toBe(2 * 150); // 3 s of 20 ms packets per direction
      expect(m.keysOnHi2).toBe(0);
      const wav = readFileSync(m.wavFile!);
      expect(wav.toString('ascii', 0, 4) + wav.toString('ascii', 8, 12)).toBe('RIFFWAVE');
      expect(wav.readUInt16LE(20)).toBe(7); // µ-law
      expect(wav.readUInt32LE(42)).toBe(2 * 3 * 8000); // stereo, 3 s at 8000 Hz
    }
    // The keys-mode warrant got no media (the CSCF reports X3 to the decrypted warrant's XID).
    expect(result.leas.tls.cc).toEqual([]);
  });

  it('the LEAs saw no gap, duplicate or refusal', () => {
    for (const lea of LEA_NAMES) {
      const s = result.leas[lea];
      expect({ lea, gaps: s.gaps, duplicates: s.duplicates, rejected: s.rejected }).toEqual({
        lea,
        gaps: [],
        duplicates: [],
        rejected: [],
      });
      expect(s.records.length).toBe(6 * 6 + 4);
    }
    expect(result.leas.ftps.files.length).toBeGreaterThan(0);
  });

  it('SDES: keys of both directions from the SDP on the INVITE and 200 OK IRIs', () => {
    const { c, sip } = expectBasicCall('SDES, target calls', false, 'originating');
    expect(c.call.initiator).toBe(LAB_TARGET);
    const [initiatorKey, responderKey] = c.call.keys;
    expect(sip[0].keys).toEqual([asDelivered(initiatorKey)]);
    expect(sip[2].keys).toEqual([asDelivered(responderKey)]);
    expect([sip[1], ...sip.slice(3)].flatMap((r) => r.keys)).toEqual([]);
    expect(sip.some((r) => r.failureIndication)).toBe(false);
    expect(auditOf('SDES, target calls')).toEqual(['session.begin:success', 'session.end:success']);
  });

  it.each([
    ['MIKEY-TICKET, target initiator', 'originating', LAB_TARGET, BOB],
    ['MIKEY-TICKET, target responder', 'terminating', BOB, LAB_TARGET],
  ] as const)(
    '%s: keys from the KMS over Xk equal both UEs’ SRTP master keys and salts',
    (name, role, initiator, responder) => {
      const { c, sip, xk } = expectBasicCall(name, true, role);
      expect([c.call.initiator, c.call.responder]).toEqual([initiator, responder]);
      expect(sip.flatMap((r) => r.keys)).toEqual([]);
      expect(xk.imsEvent).toBe(ImsEvent.decryptionKeysAvailable);
      expect(xk.failureIndication).toBe(false);
      expect([...xk.keys].sort(byCsId)).toEqual(c.call.keys.map(asDelivered).sort(byCsId));
      expect([...xk.keys].sort(byCsId)).toEqual(c.call.responderKeys.map(asDelivered).sort(byCsId));
      expect(xk.keys.map((k) => k.csId).sort()).toEqual([1, 2]);
      expect(auditOf(name)).toEqual([
        'session.begin:success',
        'xk.keys:success',
        'session.end:success',
      ]);
      const xkAudit = result.audit.find(
        (a) => a.action === 'xk.keys' && a.object === `cin/${xk.cin}`,
      );
      expect(xkAudit?.details).toMatchObject({
        role: role === 'originating' ? 'initiator' : 'responder',
        source: 'terminal-resolve',
        streams: 2,
      });
    },
  );

  it('ticket tampered before the LI point (seed 000): the right keys and a tampering alarm', () => {
    const name = 'MIKEY-TICKET, ticket tampered';
    const { c, xk } = expectBasicCall(name, true, 'originating');
    expect(c.call.mikey!.initAtLi).not.toEqual(c.call.mikey!.init);
    expect(xk.imsEvent).toBe(ImsEvent.decryptionKeysAvailable);
    expect([...xk.keys].sort(byCsId)).toEqual(c.call.keys.map(asDelivered).sort(byCsId));
    expect(xk.failureIndication).toBe(false);
    expect(auditOf(name)).toEqual([
      'session.begin:success',
      'xk.keys:success',
      'alarm.signalling-tampered:alarm',
      'session.end:success',
    ]);
  });

  it('unrelated ticket in the target’s INVITE (seed 001 DoS): failure indication and TARGET_MISMATCH alarm', () => {
    const name = 'MIKEY-TICKET, unrelated ticket (DoS)';
    const { c, rs, xk } = expectBasicCall(name, true, 'originating');
    expect(c.call.mikey!.initAtLi).not.toEqual(c.call.mikey!.init);
    expect(rs.flatMap((r) => r.keys)).toEqual([]);
    expect(xk.failureIndication).toBe(true);
    expect(rs.filter((r) => r.failureIndication)).toEqual([xk]);
    expect(auditOf(name)).toEqual([
      'session.begin:success',
      'alarm.target-mismatch:alarm',
      'session.end:success',
    ]);
  });

  it('MIKEY-DH: the CSP cannot decrypt; failure indication on the DH offer and answer', () => {
    const name = 'MIKEY-DH';
    const { c, rs, sip } = expectBasicCall(name, false, 'originating');
    expect(c.call.cspCanObtainKeys).toBe(false);
    expect(rs.flatMap((r) => r.keys)).toEqual([]);
    expect(sip.map((r) => r.failureIndication)).toEqual([true, false, true, false, false, false]);
    // keys.undecryptable is written in the same transaction as the INVITE's session.begin
    expect(auditOf(name).sort()).toEqual([
      'keys.undecryptable:alarm',
      'keys.undecryptable:alarm',
      'session.begin:success',
      'session.end:success',
    ]);
  });
});

notePgSkipped();
