import { everyPayloadMessage, pskInit } from '../fixtures/sample-messages';
import {
  CsIdMapType,
  DataType,
  KeyDataType,
  KvType,
  MikeyCryptoError,
  MikeyDecodeError,
  PayloadType,
  TsType,
  decodeKeyDataList,
  decodeMikey,
  decodeSrtpSessionData,
  encodeKeyDataList,
  encodeMikey,
  encodeSrtpSessionData,
  type CsIdMap,
  type MikeyMessage,
} from './index';

function decodeError(bytes: Buffer): MikeyDecodeError {
  try {
    decodeMikey(bytes);
  } catch (e) {
    if (e instanceof MikeyDecodeError) return e;
    throw e;
  }
  throw new Error('decoded without error');
}

describe('MIKEY codec round trips (RFC 3830 §6, RFC 6043 §6)', () => {
  const all = everyPayloadMessage();

  it('decodes what it encodes for a message with every payload type', () => {
    const encoded = encodeMikey(all);
    const decoded = decodeMikey(encoded.bytes);
    expect(decoded.message).toEqual(all);
    expect(decoded.spans).toEqual(encoded.spans);
    expect(encodeMikey(decoded.message).bytes).toEqual(encoded.bytes);
  });

  it.each(all.payloads.map((p) => [PayloadType[p.type], p] as const))(
    '%s payload round-trips alone',
    (_name, p) => {
      const msg: MikeyMessage = { header: all.header, payloads: [p] };
      const bytes = encodeMikey(msg).bytes;
      expect(decodeMikey(bytes).message).toEqual(msg);
    },
  );

  const maps: CsIdMap[] = [
    { type: CsIdMapType.SRTP_ID, entries: [{ policyNo: 3, ssrc: 0xffffffff, roc: 9 }] },
    { type: CsIdMapType.EMPTY, csCount: 2 },
  ];
  it.each(maps.map((m) => [CsIdMapType[m.type], m] as const))(
    'CS ID map %s round-trips',
    (_n, csIdMap) => {
      const msg: MikeyMessage = { header: { ...all.header, csIdMap }, payloads: [] };
      expect(decodeMikey(encodeMikey(msg).bytes).message).toEqual(msg);
    },
  );

  it('encodes the header fields at the RFC 3830 §6.1 positions', () => {
    const b = encodeMikey({ header: all.header, payloads: all.payloads.slice(0, 1) }).bytes;
    expect(b[0]).toBe(1);
    expect(b[1]).toBe(DataType.TRANSFER_INIT);
    expect(b[2]).toBe(PayloadType.T);
    expect(b[3]).toBe(0x80 | 1);
    expect(b.readUInt32BE(4)).toBe(0xfedcba98);
    expect(b[8]).toBe(1);
    expect(b[9]).toBe(CsIdMapType.GENERIC_ID);
  });

  it('SRTP Session Data of GENERIC-ID round-trips', () => {
    const streams = [
      { ssrc: 1, roc: 2, seq: 3 },
      { ssrc: 0xffffffff, roc: 0, seq: 0xffff },
    ];
    expect(decodeSrtpSessionData(encodeSrtpSessionData(streams))).toEqual(streams);
  });

  it('key data sub-payloads round-trip, with salt, interval and AES-KW padding', () => {
    const keys = [
      {
        keyType: KeyDataType.TEK_SALT,
        key: Buffer.alloc(16, 1),
        salt: Buffer.alloc(14, 2),
        validity: { kv: KvType.INTERVAL, validFrom: Buffer.of(0), validTo: Buffer.of(9) },
      },
      { keyType: KeyDataType.MPK, key: Buffer.alloc(32, 3), validity: { kv: KvType.NULL } },
    ] as const;
    const padded = encodeKeyDataList([...keys], true);
    expect(padded.length % 8).toBe(0);
    expect(decodeKeyDataList(padded, true)).toEqual(keys);
    expect(() => decodeKeyDataList(Buffer.concat([padded, Buffer.of(1)]), true)).toThrow(
      MikeyDecodeError,
    );
    expect(() =>
      encodeKeyDataList([
        {
          keyType: KeyDataType.TEK,
          key: Buffer.alloc(1),
          salt: Buffer.alloc(1),
          validity: { kv: KvType.NULL },
        },
      ]),
    ).toThrow(MikeyCryptoError);
  });
});

describe('MIKEY decoder errors', () => {
  const valid = pskInit();

  it('names the offset of an unknown payload type', () => {
    const { spans } = decodeMikey(valid);
    const bytes = Buffer.from(valid);
    bytes[spans[0].offset] = 99; // T's next payload → unknown type 99 where RAND starts
    const err = decodeError(bytes);
    expect(err.code).toBe('UNKNOWN_PAYLOAD');
    expect(err.offset).toBe(spans[1].offset);
    expect(err.message).toContain('99');
  });

  it('rejects truncation at every length, trailing data, wrong version and oversize input', () => {
    for (let n = 0; n < valid.length; n++) {
      expect(decodeError(valid.subarray(0, n)).code).toBe('TRUNCATED');
    }
    expect(decodeError(Buffer.concat([valid, Buffer.of(0)])).code).toBe('TRAILING_DATA');
    const v2 = Buffer.from(valid);
    v2[0] = 2;
    expect(decodeError(v2)).toMatchObject({ code: 'UNSUPPORTED_VERSION', offset: 0 });
    expect(() => decodeMikey(valid, { maxLength: 10 })).toThrow(/TOO_LARGE/);
    expect(() => decodeMikey(valid, { maxPayloads: 2 })).toThrow(/TOO_MANY_PAYLOADS/);
  });

  it('rejects an unknown CS ID map type and an unknown MAC algorithm with their offsets', () => {
    const map = Buffer.from(valid);
    map[9] = 77;
    expect(decodeError(map)).toMatchObject({ code: 'UNKNOWN_CS_ID_MAP_TYPE', offset: 9 });
    const { spans } = decodeMikey(valid);
    const kemac = spans[spans.length - 1];
    const mac = Buffer.from(valid);
    const macAlgAt = kemac.authField!.offset - 1;
    mac[macAlgAt] = 9;
    expect(decodeError(mac)).toMatchObject({ code: 'UNKNOWN_ALGORITHM', offset: macAlgAt });
  });

  it('refuses to encode SIGN anywhere but last, and fields out of range', () => {
    const all = everyPayloadMessage();
    const sign = all.payloads[all.payloads.length - 1];
    expect(() => encodeMikey({ header: all.header, payloads: [sign, all.payloads[0]] })).toThrow(
      /SIGN must be the last/,
    );
    const badTs: MikeyMessage = {
      header: all.header,
      payloads: [{ type: PayloadType.T, tsType: TsType.NTP_UTC, value: Buffer.alloc(4) }],
    };
    expect(() => encodeMikey(badTs)).toThrow(MikeyCryptoError);
    expect(() => encodeMikey({ header: { ...all.header, csbId: -1 }, payloads: [] })).toThrow(
      MikeyCryptoError,
    );
  });
});
