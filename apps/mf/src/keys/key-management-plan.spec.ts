import {
  buildPskInit,
  buildTicketMessage,
  CsIdMap,
  CsIdMapType,
  DataType,
  IdRole,
  KeyDataType,
  KvType,
  MacAlg,
  ntpTimestamp,
} from '@app/mikey';
import { parseSessionDescription } from '@app/sip';
import { planKeyManagement } from './key-management-plan';

const csIdMap: CsIdMap = {
  type: CsIdMapType.SRTP_ID,
  entries: [{ policyNo: 0, ssrc: 0x01020304, roc: 0 }],
};

function transferInit(): Buffer {
  return buildTicketMessage(
    {
      dataType: DataType.TRANSFER_INIT,
      csbId: 0x11223344,
      csIdMap,
      timestamp: ntpTimestamp(new Date()),
      rand: Buffer.alloc(16, 3),
      identities: {
        [IdRole.INITIATOR]: 'sip:alice@ims.example',
        [IdRole.RESPONDER]: 'sip:bob@ims.example',
      },
      ticket: {
        policy: { ticketType: 1, subtype: 0, version: 0, policy: Buffer.alloc(0) },
        ticketData: Buffer.alloc(48, 7),
      },
    },
    { kind: 'mac', macAlg: MacAlg.HMAC_SHA_256_256, authKey: Buffer.alloc(32, 1) },
  ).bytes;
}

function pskInit(): Buffer {
  return buildPskInit({
    csbId: 1,
    csIdMap,
    timestamp: ntpTimestamp(new Date()),
    psk: Buffer.alloc(16, 5),
    rand: Buffer.alloc(16, 6),
    keys: [{ keyType: KeyDataType.TGK, key: Buffer.alloc(16, 9), validity: { kv: KvType.NULL } }],
  }).bytes;
}

const sdp = (lines: string[]) =>
  parseSessionDescription(
    Buffer.from(
      ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', ...lines, ''].join(
        '\r\n',
      ),
    ),
  );

describe('planKeyManagement', () => {
  it('takes SDES keys per crypto tag, split into master key and salt', () => {
    const key = Buffer.alloc(30, 0xab);
    const steps = planKeyManagement(
      sdp([
        'm=audio 49170 RTP/SAVP 0',
        `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key.toString('base64')}|2^20|1:4`,
        `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${Buffer.alloc(30, 0xcd).toString('base64')}`,
      ]),
    );
    expect(steps).toEqual([
      {
        kind: 'sdes',
        mediaIndexes: [0],
        keys: [
          { csId: 1, masterKey: key.subarray(0, 16), masterSalt: key.subarray(16) },
          { csId: 2, masterKey: Buffer.alloc(16, 0xcd), masterSalt: Buffer.alloc(14, 0xcd) },
        ],
      },
    ]);
  });

  it('asks the KMS once for a session-level MIKEY-TICKET TRANSFER_INIT covering two media', () => {
    const mikey = transferInit();
    const steps = planKeyManagement(
      sdp([
        `a=key-mgmt:mikey ${mikey.toString('base64')}`,
        'm=audio 49170 RTP/SAVP 0',
        'm=video 49172 RTP/SAVP 96',
      ]),
    );
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ kind: 'ticket', mediaIndexes: [0, 1], mikey });
    expect(steps[0].kind === 'ticket' && steps[0].classification.csbId).toBe(0x11223344);
  });

  it('marks MIKEY pre-shared-key media as undecryptable with the seed 003 reason', () => {
    const steps = planKeyManagement(
      sdp(['m=audio 49170 RTP/SAVP 0', `a=key-mgmt:mikey ${pskInit().toString('base64')}`]),
    );
    expect(steps).toEqual([
      {
        kind: 'undecryptable',
        mediaIndexes: [0],
        scheme: 'psk',
        reason: expect.stringMatching(/pre-shared key/),
      },
    ]);
  });

  it('marks undecodable MIKEY and unknown key-management protocols as undecryptable', () => {
    const steps = planKeyManagement(
      sdp([
        'm=audio 49170 RTP/SAVP 0',
        `a=key-mgmt:mikey ${Buffer.from([1, 99, 0, 0]).toString('base64')}`,
        'm=audio 49180 RTP/SAVP 0',
        `a=key-mgmt:zrtp ${Buffer.from('x').toString('base64')}`,
      ]),
    );
    expect(steps).toEqual([
      {
        kind: 'undecryptable',
        mediaIndexes: [0],
        scheme: 'mikey',
        reason: expect.stringMatching(/^malformed MIKEY: /),
      },
      {
        kind: 'undecryptable',
        mediaIndexes: [1],
        scheme: 'zrtp',
        reason: expect.stringMatching(/not supported/),
      },
    ]);
  });

  it('needs nothing for plain RTP', () => {
    expect(planKeyManagement(sdp(['m=audio 49170 RTP/AVP 0']))).toEqual([]);
  });
});
