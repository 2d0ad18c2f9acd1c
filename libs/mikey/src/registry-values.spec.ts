import {
  CsIdMapType,
  DataType,
  IdRole,
  MacAlg,
  PayloadType,
  PrfFunc,
  RandRole,
  TicketType,
  TsRole,
  TsType,
  buildTicketMessage,
  encodeMikey,
  type CommonHeader,
} from './index';

/**
 * The RFC 6043 values on the wire. Corroborated values (constants.ts header) are pinned
 * against that independent source; the others against RFC 6043 as recalled (unverified).
 */
describe('RFC 6043 name-space values as encoded', () => {
  const policy = {
    ticketType: TicketType.THREEGPP_BASE_TICKET,
    subtype: 7,
    version: 9,
    policy: Buffer.from([0xaa, 0xbb]),
  };
  const ts = Buffer.alloc(8, 1);

  it('HDR data type, PRF func and the next-payload chain of a TRANSFER_INIT', () => {
    const { bytes } = buildTicketMessage(
      {
        dataType: DataType.TRANSFER_INIT,
        csbId: 0x01020304,
        csIdMap: { type: CsIdMapType.EMPTY, csCount: 0 },
        timestamp: ts,
        rand: Buffer.alloc(16, 2),
        identities: { [IdRole.INITIATOR]: 'sip:a@x', [IdRole.RESPONDER]: 'sip:b@x' },
        ticket: { policy, ticketData: Buffer.from([1, 2, 3]) },
      },
      { kind: 'mac', macAlg: MacAlg.HMAC_SHA_256_256, authKey: Buffer.alloc(32) },
    );
    expect(bytes[1]).toBe(14); // TRANSFER_INIT
    expect(bytes[3] & 0x7f).toBe(1); // PRF-HMAC-SHA-256 (corroborated)
    expect(bytes[9]).toBe(1); // CS ID map type: empty map (RFC 4563)
    // V payload: next payload 0, Auth alg HMAC-SHA-256-256 = 2, 32-octet MAC, last.
    expect(bytes[bytes.length - 34]).toBe(0);
    expect(bytes[bytes.length - 33]).toBe(2);
  });

  it('data types 11–18 in RFC 6043 §6.1 order', () => {
    expect([
      DataType.REQUEST_INIT_PSK,
      DataType.REQUEST_INIT_PK,
      DataType.REQUEST_RESP,
      DataType.TRANSFER_INIT,
      DataType.TRANSFER_RESP,
      DataType.RESOLVE_INIT_PSK,
      DataType.RESOLVE_INIT_PK,
      DataType.RESOLVE_RESP,
    ]).toEqual([11, 12, 13, 14, 15, 16, 17, 18]);
  });

  it('TR, RANDR, TP and TICKET payload types and their field layout', () => {
    const header: CommonHeader = {
      version: 1,
      dataType: DataType.REQUEST_RESP,
      v: false,
      prfFunc: PrfFunc.PRF_HMAC_SHA_256,
      csbId: 0,
      csIdMap: { type: CsIdMapType.GENERIC_ID, entries: [] },
    };
    const { bytes, spans } = encodeMikey({
      header,
      payloads: [
        { type: PayloadType.TR, tsType: TsType.NTP_UTC, role: TsRole.VALIDITY_END, value: ts },
        { type: PayloadType.RANDR, role: RandRole.KMS, rand: Buffer.alloc(16, 3) },
        { type: PayloadType.TP, policy },
        { type: PayloadType.TICKET, policy, ticketData: Buffer.from([1, 2, 3]) },
      ],
    });
    expect(bytes[2]).toBe(13); // HDR next payload: TR (corroborated)
    expect(bytes[9]).toBe(2); // GENERIC-ID (corroborated)
    const [tr, randr, tp, ticket] = spans.map((s) => bytes.subarray(s.offset, s.offset + s.length));
    expect([...tr.subarray(0, 3)]).toEqual([15, 0, 3]); // next RANDR; NTP-UTC; TRe = 3
    expect([...randr.subarray(0, 3)]).toEqual([16, 3, 16]); // next TP; RANDRkms = 3; len
    // TP: next TICKET, Ticket Type (16) = 2, Subtype 7, Version 9, policy length (16), policy.
    expect([...tp]).toEqual([17, 0, 2, 7, 9, 0, 2, 0xaa, 0xbb]);
    // TICKET: the same policy fields, then Ticket Data length (16) and Ticket Data.
    expect([...ticket]).toEqual([0, 0, 2, 7, 9, 0, 2, 0xaa, 0xbb, 0, 3, 1, 2, 3]);
  });
});
