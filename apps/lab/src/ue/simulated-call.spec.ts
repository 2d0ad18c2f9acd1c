import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyKeyManagement, decodeMikey, mikeyFromKeyMgmt } from '@app/mikey';
import { mikeyDhCall, mikeyPskCall, sdesCall, sipFlow, type SimulatedCall } from './index';

const ALICE = 'sip:alice@ims.example';
const BOB = 'sip:bob@ims.example';

function sdpOf(msg: Buffer): string {
  const text = msg.toString('utf8');
  return text.slice(text.indexOf('\r\n\r\n') + 4);
}

/** Header part and body; checks CRLF line ends and the Content-Length (RFC 3261 §7.5, §20.14). */
function checkFraming(msg: Buffer): void {
  const text = msg.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  expect(split).toBeGreaterThan(0);
  const head = text.slice(0, split);
  expect(head.split('\r\n').every((l) => !l.includes('\n') && !l.includes('\r'))).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  const length = Number(/\r\nContent-Length: (\d+)(\r\n|$)/.exec(head)?.[1]);
  expect(length).toBe(msg.length - Buffer.byteLength(head) - 4);
}

describe('simulated SDES and end-to-end MIKEY calls', () => {
  it('SDES: each side offers its own key in a=crypto (RFC 4568); the CSP can obtain them', () => {
    const call = sdesCall({ initiator: ALICE, responder: BOB, callId: 'sdes-1@test' });
    expect(call).toMatchObject({ scheme: 'sdes', callId: 'sdes-1@test', cspCanObtainKeys: true });
    for (const [msg, key] of [
      [call.invite, call.keys[0]],
      [call.ok200, call.keys[1]],
    ] as const) {
      checkFraming(msg);
      const inline = /a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)\r\n/.exec(
        sdpOf(msg),
      )![1];
      expect(Buffer.from(inline, 'base64')).toEqual(Buffer.concat([key.masterKey, key.masterSalt]));
    }
    expect(call.keys[0].masterKey).not.toEqual(call.keys[1].masterKey);
  });

  it.each([
    ['mikey-psk', () => mikeyPskCall({ initiator: ALICE, responder: BOB }), 'psk'],
    ['mikey-dh', () => mikeyDhCall({ initiator: ALICE, responder: BOB }), 'dh'],
  ] as const)(
    '%s: both ends derive the same keys; the MF classifies it as not decryptable',
    (_n, make, scheme) => {
      const call: SimulatedCall = make();
      expect(call.keys).toHaveLength(2);
      expect(call.responderKeys).toEqual(call.keys);
      expect(call.cspCanObtainKeys).toBe(false);
      checkFraming(call.invite);
      checkFraming(call.ok200);
      const line = sdpOf(call.invite)
        .split('\r\n')
        .find((l) => l.startsWith('a=key-mgmt:'))!;
      const c = classifyKeyManagement(decodeMikey(mikeyFromKeyMgmt(line.slice(2))!).message);
      expect(c).toMatchObject({ scheme, cspCanObtainKeys: false, csIds: [1, 2] });
    },
  );
});

describe('SIP flow of a call at the LI point', () => {
  it('INVITE, 180, 200, ACK, then BYE and its 200, all in the one dialog', () => {
    const call = sdesCall({ initiator: ALICE, responder: BOB, callId: 'flow-1@test' });
    const { setup, teardown } = sipFlow(call);
    const steps = [...setup, ...teardown];
    expect(steps.map((s) => [s.label, s.sender])).toEqual([
      ['INVITE', 'initiator'],
      ['180', 'responder'],
      ['200 (INVITE)', 'responder'],
      ['ACK', 'initiator'],
      ['BYE', 'initiator'],
      ['200 (BYE)', 'responder'],
    ]);
    expect(setup[0].message).toBe(call.inviteAtLi);
    const text = steps.map((s) => s.message.toString('utf8'));
    for (const s of steps) checkFraming(s.message);
    expect(text.map((t) => /\r\nCSeq: ([^\r]+)/.exec(t)![1])).toEqual([
      '1 INVITE',
      '1 INVITE',
      '1 INVITE',
      '1 ACK',
      '2 BYE',
      '2 BYE',
    ]);
    const d = call.dialog;
    for (const t of text.slice(1)) {
      expect(t).toContain(`\r\nTo: <${BOB}>;tag=${d.responder.tag}\r\n`);
      expect(t).toContain(`\r\nFrom: <${ALICE}>;tag=${d.initiator.tag}\r\n`);
      expect(t).toContain('\r\nCall-ID: flow-1@test\r\n');
    }
    const branch = (t: string) => /;branch=([^;\r]+)/.exec(t)![1];
    const b = text.map(branch); // INVITE transaction, ACK, BYE transaction (RFC 3261 §17)
    expect([b[1], b[2], b[5]]).toEqual([b[0], b[0], b[4]]);
    expect(new Set([b[0], b[3], b[4]]).size).toBe(3);
    expect(text[3]).toMatch(/^ACK sip:192\.0\.2\.20:5061;transport=tls SIP\/2\.0\r\n/);
  });
});

const tshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
(tshark ? describe : describe.skip)(
  tshark ? 'SIP text checked by tshark' : 'SIP text checked by tshark (skipped: tshark absent)',
  () => {
    /** Dissects SIP messages sent as UDP/5060 datagrams (text2pcap) and returns chosen fields. */
    function dissect(messages: Buffer[], fields: string[]): string[][] {
      const dir = mkdtempSync(join(tmpdir(), 'ue-sip-'));
      try {
        const hex = messages
          .map((m) => {
            const lines: string[] = [];
            for (let i = 0; i < m.length; i += 16) {
              const bytes = [...m.subarray(i, i + 16)].map((b) => b.toString(16).padStart(2, '0'));
              lines.push(`${i.toString(16).padStart(6, '0')} ${bytes.join(' ')}`);
            }
            return lines.join('\n');
          })
          .join('\n\n');
        writeFileSync(join(dir, 'in.txt'), `${hex}\n`);
        const t2p = spawnSync('text2pcap', [
          '-q',
          '-u',
          '5060,5060',
          join(dir, 'in.txt'),
          join(dir, 'out.pcap'),
        ]);
        expect(t2p.status).toBe(0);
        const r = spawnSync(
          'tshark',
          [
            '-r',
            join(dir, 'out.pcap'),
            '-T',
            'fields',
            '-E',
            'separator=|',
            ...fields.flatMap((f) => ['-e', f]),
          ],
          { encoding: 'utf8' },
        );
        expect(r.status).toBe(0);
        return r.stdout
          .trim()
          .split('\n')
          .map((l) => l.split('|'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    it('INVITE and 200 OK of SDES and MIKEY calls parse as SIP with SDP and MIKEY', () => {
      const sdes = sdesCall({ initiator: ALICE, responder: BOB });
      const dh = mikeyDhCall({ initiator: ALICE, responder: BOB });
      const rows = dissect(
        [sdes.invite, sdes.ok200, dh.invite, dh.ok200],
        [
          'sip.Method',
          'sip.Status-Code',
          'sip.Call-ID',
          'sip.Content-Length',
          'sdp.crypto.crypto_suite',
          'mikey.type',
          'mikey.csb_id',
        ],
      );
      expect(rows.map((r) => r.slice(0, 3))).toEqual([
        ['INVITE', '', sdes.callId],
        ['', '200', sdes.callId],
        ['INVITE', '', dh.callId],
        ['', '200', dh.callId],
      ]);
      expect(rows[0][4]).toBe('AES_CM_128_HMAC_SHA1_80');
      expect(rows[2][5]).toBe('4'); // D-H init
      expect(rows[3][5]).toBe('5'); // D-H resp
      expect(Number(rows[2][6])).toBe(dh.mikey!.csbId);
    });

    it('180, ACK, BYE and 200 (BYE) of the call flow parse as SIP', () => {
      const { setup, teardown } = sipFlow(sdesCall({ initiator: ALICE, responder: BOB }));
      const rows = dissect(
        [setup[1], setup[3], ...teardown].map((s) => s.message),
        ['sip.Method', 'sip.Status-Code', 'sip.CSeq.method', 'sip.Content-Length'],
      );
      expect(rows).toEqual([
        ['', '180', 'INVITE', '0'],
        ['ACK', '', 'ACK', '0'],
        ['BYE', '', 'BYE', '0'],
        ['', '200', 'BYE', '0'],
      ]);
    });
  },
);
