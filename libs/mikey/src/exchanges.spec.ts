import { dhInit, PSK, pskInit, TGK, TGK_KEYS } from '../fixtures/sample-messages';
import {
  DataType,
  EncrAlg,
  IdRole,
  KeyDataType,
  KvType,
  MacAlg,
  MikeyCryptoError,
  PayloadType,
  PrfFunc,
  RandRole,
  TicketType,
  authenticatedBytes,
  buildErrorMessage,
  buildKemac,
  buildTicketMessage,
  classifyKeyManagement,
  decodeMikey,
  deriveSrtpMasterKeys,
  deriveTransportKeys,
  errorsOf,
  findPayload,
  identitiesByRole,
  keyMgmtAttribute,
  mikeyFromKeyMgmt,
  ntpTimestamp,
  ntpToDate,
  openKemac,
  openPskInit,
  verifyMac,
  verifySignature,
  ErrorNo,
  CsIdMapType,
  type TicketProtection,
} from './index';

describe('RFC 3830 exchanges', () => {
  it('PSK I_MESSAGE opens with the PSK and yields the TGK (AES-CM and AES-KW)', () => {
    for (const alg of [EncrAlg.AES_CM_128, EncrAlg.AES_KW_128, EncrAlg.NULL]) {
      const { keys } = openPskInit(pskInit(alg), PSK);
      expect(keys).toEqual(TGK_KEYS);
    }
  });

  it('a wrong PSK or one flipped bit anywhere fails the KEMAC MAC', () => {
    expect(() => openPskInit(pskInit(), Buffer.alloc(20, 1))).toThrow(/MAC_MISMATCH/);
    const bytes = pskInit();
    const flipped = Buffer.from(bytes);
    flipped[12] ^= 0x01; // inside the SRTP-ID map
    expect(() => openPskInit(flipped, PSK)).toThrow(/MAC_MISMATCH/);
  });

  it('the KEMAC MAC covers exactly the message without the MAC field', () => {
    const decoded = decodeMikey(pskInit());
    const field = decoded.spans[decoded.spans.length - 1].authField!;
    expect(field.offset + field.length).toBe(decoded.bytes.length);
    expect(authenticatedBytes(decoded)).toEqual(decoded.bytes.subarray(0, field.offset));
  });

  it('the DH signature covers the message except the Signature field (S type/len included)', () => {
    const bytes = dhInit();
    let signed: Buffer | undefined;
    expect(verifySignature(bytes, (data) => ((signed = data), true))).toBe(true);
    expect(signed).toEqual(bytes.subarray(0, bytes.length - 128));
  });

  it('error messages carry ERR payloads', () => {
    const msg = buildErrorMessage(
      { csbId: 1, csIdMap: { type: CsIdMapType.EMPTY, csCount: 0 }, timestamp: Buffer.alloc(8) },
      [ErrorNo.AUTH_FAILURE, ErrorNo.INVALID_TS],
    );
    expect(errorsOf(decodeMikey(msg.bytes))).toEqual([0, 1]);
  });
});

describe('MIKEY-TICKET exchanges (RFC 6043) between initiator, KMS and responder', () => {
  const algs = {
    encrAlg: EncrAlg.AES_KW_128,
    macAlg: MacAlg.HMAC_SHA_256_256,
    prf: PrfFunc.PRF_HMAC_SHA_256,
  };
  const pskI = Buffer.alloc(32, 0x11);
  const pskR = Buffer.alloc(32, 0x22);
  const mpk = Buffer.alloc(32, 0x33);
  const alice = 'sip:alice@ims.example';
  const bob = 'sip:bob@ims.example';
  const kms = 'https://kms.ims.example';
  const policy = {
    ticketType: TicketType.THREEGPP_BASE_TICKET,
    subtype: 1,
    version: 1,
    policy: Buffer.alloc(0),
  };
  const ticketData = Buffer.from('opaque-kms-ticket');
  const now = ntpTimestamp(new Date('2026-01-01T00:00:00Z'));
  const macWith = (authKey: Buffer, identities: Buffer[]): TicketProtection => ({
    kind: 'mac',
    macAlg: algs.macAlg,
    authKey,
    identities,
  });

  it('request, transfer and resolve give both UEs the same SRTP keys; the MF classifies it', () => {
    // REQUEST_INIT_PSK: initiator → KMS, V under a key from the initiator's PSK.
    const randI = Buffer.alloc(16, 0x44);
    const csbId = 0x01020304;
    const tkI = deriveTransportKeys(pskI, csbId, randI, algs);
    const reqInit = buildTicketMessage(
      {
        dataType: DataType.REQUEST_INIT_PSK,
        csbId,
        timestamp: now,
        rand: randI,
        identities: { [IdRole.INITIATOR]: alice, [IdRole.KMS]: kms },
        ticketPolicy: policy,
      },
      macWith(tkI.authKey, [Buffer.from(alice), Buffer.from(kms)]),
    );
    const atKms = decodeMikey(reqInit.bytes);
    const ids = identitiesByRole(atKms.message, [IdRole.INITIATOR, IdRole.KMS]);
    expect(verifyMac(atKms, tkI.authKey, ids)).toBe(true);
    expect(verifyMac(atKms, tkI.authKey, ids.slice(0, 1))).toBe(false);

    // REQUEST_RESP: KMS → initiator with the ticket and MPK + TGK in an AES-KW KEMAC.
    const keys = [
      { keyType: KeyDataType.MPK, key: mpk, validity: { kv: KvType.NULL } as const },
      { keyType: KeyDataType.TGK, key: TGK, validity: { kv: KvType.NULL } as const },
    ];
    const reqResp = buildTicketMessage(
      {
        dataType: DataType.REQUEST_RESP,
        csbId,
        timestamp: now,
        identities: { [IdRole.KMS]: kms },
        ticket: { policy, ticketData },
        kemac: buildKemac(keys, { encrAlg: algs.encrAlg, encrKey: tkI.encrKey }, MacAlg.NULL),
      },
      macWith(tkI.authKey, [Buffer.from(alice), Buffer.from(kms)]),
    );
    const atI = decodeMikey(reqResp.bytes);
    expect(verifyMac(atI, tkI.authKey, [Buffer.from(alice), Buffer.from(kms)])).toBe(true);
    const gotKeys = openKemac(findPayload(atI.message, PayloadType.KEMAC)!, {
      encrKey: tkI.encrKey,
    });
    expect(gotKeys.map((k) => k.key)).toEqual([mpk, TGK]);

    // TRANSFER_INIT: initiator → responder in the INVITE, V under a key from the MPK.
    const tkT = deriveTransportKeys(mpk, csbId, randI, algs);
    const transfer = buildTicketMessage(
      {
        dataType: DataType.TRANSFER_INIT,
        csbId,
        csIdMap: {
          type: CsIdMapType.SRTP_ID,
          entries: [{ policyNo: 0, ssrc: 0xabcdef01, roc: 0 }],
        },
        timestamp: now,
        rand: randI,
        identities: {
          [IdRole.INITIATOR]: alice,
          [IdRole.RESPONDER]: bob,
          [IdRole.RESPONDER_KMS]: kms,
        },
        ticket: { policy, ticketData },
      },
      macWith(tkT.authKey, [Buffer.from(alice), Buffer.from(bob)]),
    );
    const sdp = keyMgmtAttribute(transfer.bytes);
    const seen = decodeMikey(mikeyFromKeyMgmt(sdp.slice(2))!);
    const c = classifyKeyManagement(seen.message);
    expect(c).toMatchObject({
      scheme: 'ticket',
      ticketExchange: 'transfer',
      cspCanObtainKeys: true,
      csbId,
      csIds: [1],
      initiatorId: alice,
      responderId: bob,
      responderKmsId: kms,
    });
    expect(c.rand).toEqual(randI);
    expect(c.view.ticket?.ticketData).toEqual(ticketData);

    // RESOLVE_INIT_PSK / RESOLVE_RESP: responder ↔ KMS.
    const randR = Buffer.alloc(16, 0x55);
    const tkR = deriveTransportKeys(pskR, csbId, randR, algs);
    const resolve = buildTicketMessage(
      {
        dataType: DataType.RESOLVE_INIT_PSK,
        csbId,
        timestamp: now,
        rand: randR,
        identities: { [IdRole.RESPONDER]: bob, [IdRole.KMS]: kms },
        ticket: { policy, ticketData },
      },
      macWith(tkR.authKey, [Buffer.from(bob), Buffer.from(kms)]),
    );
    expect(verifyMac(resolve.bytes, tkR.authKey, [Buffer.from(bob), Buffer.from(kms)])).toBe(true);
    const resolveResp = buildTicketMessage(
      {
        dataType: DataType.RESOLVE_RESP,
        csbId,
        timestamp: now,
        identities: { [IdRole.KMS]: kms, [IdRole.INITIATOR]: alice },
        randByRole: { [RandRole.KMS]: Buffer.alloc(16, 0x66) },
        kemac: buildKemac(keys, { encrAlg: algs.encrAlg, encrKey: tkR.encrKey }, MacAlg.NULL),
      },
      macWith(tkR.authKey, [Buffer.from(bob), Buffer.from(kms)]),
    );
    const atR = decodeMikey(resolveResp.bytes);
    const rKeys = openKemac(findPayload(atR.message, PayloadType.KEMAC)!, { encrKey: tkR.encrKey });
    const rTgk = rKeys.find((k) => k.keyType === KeyDataType.TGK)!.key;
    const rMpk = rKeys.find((k) => k.keyType === KeyDataType.MPK)!.key;
    expect(
      verifyMac(seen, deriveTransportKeys(rMpk, csbId, c.rand!, algs).authKey, [
        Buffer.from(alice),
        Buffer.from(bob),
      ]),
    ).toBe(true);
    const iSide = deriveSrtpMasterKeys(TGK, csbId, 1, randI, PrfFunc.PRF_HMAC_SHA_256);
    const rSide = deriveSrtpMasterKeys(
      rTgk,
      csbId,
      c.csIds[0],
      c.rand!,
      seen.message.header.prfFunc,
    );
    expect(rSide).toEqual(iSide);
  });

  it('refuses payloads that are not components of the message type', () => {
    expect(() =>
      buildTicketMessage(
        { dataType: DataType.TRANSFER_RESP, csbId: 1, timestamp: now, ticketPolicy: policy },
        macWith(Buffer.alloc(32), []),
      ),
    ).toThrow(MikeyCryptoError);
  });
});

describe('classification of end-to-end schemes (seed 003)', () => {
  it('PSK and DH: the CSP cannot obtain keys unless it provided them', () => {
    const psk = classifyKeyManagement(decodeMikey(pskInit()).message);
    expect(psk).toMatchObject({
      scheme: 'psk',
      cspCanObtainKeys: false,
      initiatorId: 'sip:alice@ims.example',
    });
    const dh = classifyKeyManagement(decodeMikey(dhInit()).message);
    expect(dh).toMatchObject({ scheme: 'dh', cspCanObtainKeys: false });
    const provided = classifyKeyManagement(decodeMikey(pskInit()).message, {
      operatorProvidedSchemes: ['psk'],
    });
    expect(provided.cspCanObtainKeys).toBe(true);
    expect(provided.reason).toMatch(/operator-provided/);
  });

  it.each([
    [DataType.DHHMAC_INIT, 'dhhmac'],
    [DataType.RSA_R_INIT, 'rsa-r'],
    [DataType.PK_INIT, 'pk'],
    [DataType.SAKKE, 'sakke'],
    [DataType.ERROR, 'error'],
    [200, 'other'],
  ])('data type %i is %s', (dataType, scheme) => {
    const { message } = decodeMikey(pskInit());
    const c = classifyKeyManagement({ ...message, header: { ...message.header, dataType } });
    expect(c.scheme).toBe(scheme);
    expect(c.cspCanObtainKeys).toBe(false);
  });
});

describe('SDP key-mgmt attribute and timestamps', () => {
  it('parses a=key-mgmt:mikey and ignores other protocols; bad base64 is typed', () => {
    const b = Buffer.from([1, 2, 3]);
    expect(mikeyFromKeyMgmt('key-mgmt:mikey AQID')).toEqual(b);
    expect(mikeyFromKeyMgmt('mikey AQID')).toEqual(b);
    expect(mikeyFromKeyMgmt('other AQID')).toBeUndefined();
    expect(() => mikeyFromKeyMgmt('mikey AQ*D')).toThrow(/INVALID_BASE64/);
  });

  it('NTP timestamps round-trip to the millisecond', () => {
    const d = new Date('2026-03-04T05:06:07.891Z');
    expect(ntpToDate(ntpTimestamp(d)).getTime()).toBe(d.getTime());
  });
});
