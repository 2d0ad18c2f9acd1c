import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyKeyManagement, decodeMikey, mikeyFromKeyMgmt } from '@app/mikey';
import { parseSipMessage } from '@app/sip';
import { callFlow, mikeyDhCall, mikeyPskCall, sdesCall, type SimulatedCall } from './index';

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

  it('callFlow: INVITE, 180, 200, ACK, BYE, 200 of one dialog (RFC 3261 §12, §15, §17)', () => {
    const call = sdesCall({ initiator: ALICE, responder: BOB, callId: 'flow-1@test' });
    const flow = callFlow(call).map((m) => {
      checkFraming(m);
      return parseSipMessage(m);
    });
    expect(flow.map((m) => m.method ?? m.statusCode)).toEqual([
      'INVITE',
      180,
      200,
      'ACK',
      'BYE',
      200,
    ]);
    expect(flow.map((m) => `${m.cseq.sequence} ${m.cseq.method}`)).toEqual([
      '1 INVITE',
      '1 INVITE',
      '1 INVITE',
      '1 ACK',
      '2 BYE',
      '2 BYE',
    ]);
    expect(new Set(flow.map((m) => m.callId))).toEqual(new Set(['flow-1@test']));
    expect(flow.slice(1).map((m) => m.identity.to.tag)).toEqual(
      Array(5).fill(call.dialog.responder.tag),
    );
    expect(flow.every((m) => m.identity.from.tag === call.dialog.initiator.tag)).toBe(true);
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
  },
);
