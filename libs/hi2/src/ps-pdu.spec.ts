import {
  decodePsPdu,
  encodePsPdu,
  epsIriContentFromPayload,
  encodeEpsIriContent,
  Hi2DecodeError,
  Hi2EncodeError,
  PsPduBuilder,
  PsPduFramer,
  TimeStampQualifier,
} from './index';
import { builder, fullEvent, T0 } from '../fixtures/records';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

describe('PsPduBuilder (TS 102 232-1 PS-PDU)', () => {
  const pb = new PsPduBuilder({
    operatorIdentifier: 'OPX',
    networkElementIdentifier: 'mf1',
    authorizationCountryCode: 'DE',
    deliveryCountryCode: 'DE',
    interceptionPointID: 'CSCF1',
  });

  it('keep-alive, byte for byte: PS-PDU { [1] PSHeader, [2] EXPLICIT Payload { [2] EXPLICIT TRIPayload { [3] NULL } } }', () => {
    const bare = new PsPduBuilder({ operatorIdentifier: 'OP' });
    const pdu = bare.keepAlive('KA', { sequenceNumber: 5, timestamp: T0 });
    const header =
      '80 07 04 00 02 02 05 01 20' + // li-psDomainId [0] 0.4.0.2.2.5.1.32
      '81 02' +
      ascii('KA') + // lawfulInterceptionIdentifier [1]
      'a3 06 a0 04 80 02' +
      ascii('OP') + // communicationIdentifier [3] { networkIdentifier [0] { operatorIdentifier [0] } }
      '84 01 05' + // sequenceNumber [4]
      '85 0f' +
      ascii('20240102030405Z') + // timeStamp [5] GeneralizedTime
      'a7 09 80 04 65 93 7d 25 81 01 00' + // microSecondTimeStamp [7] { seconds [0] 1704164645, microSeconds [1] 0 }
      '88 01 02'; // timeStampQualifier [8] timeOfMediation
    const headerLen = hex(header).length;
    const expected = hex(
      `30 ${(headerLen + 2 + 6).toString(16)} a1 ${headerLen.toString(16)} ${header} a2 04 a2 02 83 00`,
    );
    expect(encodePsPdu(pdu).toString('hex')).toBe(expected.toString('hex'));
    const resp = encodePsPdu(bare.keepAliveResponse('KA', { sequenceNumber: 5, timestamp: T0 }));
    expect(resp.subarray(-2).toString('hex')).toBe('8400');
  });

  it('IRI: iRIType from the record, IRI-Parameters under iRIContents [2] { ePSIRI [15] { [0] } }', () => {
    for (const [type, iriType] of [
      ['BEGIN', 1],
      ['END', 2],
      ['CONTINUE', 3],
      ['REPORT', 4],
    ] as const) {
      const record = builder.build(fullEvent({ type }));
      const pdu = decodePsPdu(
        encodePsPdu(pb.iri(record, { sequenceNumber: 9, cin: 77, timestamp: T0 })),
      );
      const payload = pdu.payload.iRIPayloadSequence?.[0];
      expect(payload?.iRIType).toBe(iriType);
      expect(payload?.timeStamp?.toISOString()).toBe(T0.toISOString());
      expect(pdu.pSHeader.lawfulInterceptionIdentifier.toString()).toBe('LIID-0001');
      expect(pdu.pSHeader.communicationIdentifier.communicationIdentityNumber).toBe(77);
      expect(
        pdu.pSHeader.communicationIdentifier.networkIdentifier.networkElementIdentifier?.toString(),
      ).toBe('mf1');
      expect(pdu.pSHeader.timeStampQualifier).toBe(TimeStampQualifier.timeOfMediation);
      // the same record, whichever transport carried it
      expect(
        encodeEpsIriContent(epsIriContentFromPayload(payload!)).equals(encodeEpsIriContent(record)),
      ).toBe(true);
    }
    const ber = encodePsPdu(
      pb.iri(builder.build(fullEvent()), { sequenceNumber: 1, timestamp: T0 }),
    ).toString('hex');
    const len = '(81..|82....)';
    expect(ber).toMatch(
      new RegExp(
        `a2${len}a0${len}30${len}800101810f[0-9a-f]{30}a2${len}af${len}a0${len}8008040002020408100181`,
      ),
    );
  });

  it('validates header fields', () => {
    expect(() => new PsPduBuilder({ operatorIdentifier: 'x'.repeat(17) })).toThrow(Hi2EncodeError);
    expect(
      () => new PsPduBuilder({ operatorIdentifier: 'OP', authorizationCountryCode: 'DEU' }),
    ).toThrow(Hi2EncodeError);
    expect(() => pb.iri(builder.build(fullEvent()), { sequenceNumber: 2 ** 32 })).toThrow(
      Hi2EncodeError,
    );
    expect(() => pb.iri(builder.build(fullEvent()), { sequenceNumber: -1 })).toThrow(
      Hi2EncodeError,
    );
  });
});

describe('PsPduFramer', () => {
  const pb = new PsPduBuilder({ operatorIdentifier: 'OP' });
  const pdus = [1, 2, 3].map((n) =>
    encodePsPdu(pb.iri(builder.build(fullEvent()), { sequenceNumber: n, timestamp: T0 })),
  );
  const ka = encodePsPdu(pb.keepAlive('KA', { sequenceNumber: 4, timestamp: T0 }));
  const stream = Buffer.concat([...pdus, ka]);

  it.each([1, 2, 7, 200, stream.length])('splits a stream delivered in %i-octet chunks', (size) => {
    const f = new PsPduFramer();
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) got.push(...f.push(stream.subarray(i, i + size)));
    expect(got.map((b) => decodePsPdu(b).pSHeader.sequenceNumber)).toEqual([1, 2, 3, 4]);
    expect(f.pending).toBe(0);
  });

  it('rejects a non-SEQUENCE start, an indefinite length and an oversize PDU', () => {
    expect(() => new PsPduFramer().push(hex('a1 00'))).toThrow(Hi2DecodeError);
    expect(() => new PsPduFramer().push(hex('30 80'))).toThrow(Hi2DecodeError);
    expect(() => new PsPduFramer(100).push(pdus[0].subarray(0, 4))).toThrow(Hi2DecodeError);
  });
});
