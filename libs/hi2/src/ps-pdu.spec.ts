import {
  ccPacketsFromPsPdu,
  decodePsPdu,
  encodePsPdu,
  epsIriContentFromPayload,
  encodeEpsIriContent,
  Hi2DecodeError,
  Hi2EncodeError,
  FrameType,
  MMCCprotocol,
  PayloadDirection,
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

describe('PsPduBuilder.cc (TS 102 232-1 CC payload, TS 102 232-5 IPMMCC)', () => {
  const bare = new PsPduBuilder({ operatorIdentifier: 'OP' });
  const full = new PsPduBuilder({
    operatorIdentifier: 'OPX',
    networkElementIdentifier: 'mf1',
    authorizationCountryCode: 'DE',
  });
  /** RTP header V=2, PT 0, seq 1, ts 2, SSRC 3, then two payload octets. */
  const rtp = hex('80 00 00 01 00 00 00 02 00 00 00 03 11 22');
  const interceptedAt = { seconds: 1704164645, nanoseconds: 123_456_789 };

  it('byte for byte: PS-PDU { PSHeader, [2] { cCPayloadSequence [1] { CCPayload { …, [2] { iPMMCC [12] } } } } }', () => {
    const pdu = bare.cc(
      { liid: 'L1', rtp, direction: PayloadDirection.toTarget, interceptedAt },
      { sequenceNumber: 7, cin: 9, timestamp: T0 },
    );
    const expected = hex(
      '30 81 8a' + // PS-PDU
        'a1 3a' + // pSHeader [1]
        '80 07 04 00 02 02 05 01 20' + // li-psDomainId [0] 0.4.0.2.2.5.1.32
        '81 02' +
        ascii('L1') + // lawfulInterceptionIdentifier [1]
        'a3 09 a0 04 80 02' +
        ascii('OP') + // communicationIdentifier [3] { networkIdentifier [0] { operatorIdentifier [0] }
        '81 01 09' + //   communicationIdentityNumber [1] 9 }
        '84 01 07' + // sequenceNumber [4]
        '85 0f' +
        ascii('20240102030405Z') + // timeStamp [5]
        'a7 09 80 04 65 93 7d 25 81 01 00' + // microSecondTimeStamp [7]
        '88 01 02' + // timeStampQualifier [8] timeOfMediation
        'a2 4c' + // payload [2], EXPLICIT (Payload is a CHOICE)
        'a1 4a' + // cCPayloadSequence [1] SEQUENCE OF CCPayload
        '30 48' + // CCPayload
        '80 01 01' + // payloadDirection [0] toTarget(1)
        '81 13' +
        ascii('20240102030405.123Z') + // timeStamp [1]
        'a2 1e' + // cCContents [2], EXPLICIT (CCContents is a CHOICE)
        'ac 1c' + // iPMMCC [12] IPMMCC
        '80 04 05 05 0d 02' + // iPMMCCObjId [0] RELATIVE-OID {5 5 13 2}
        '81 0e 80 00 00 01 00 00 00 02 00 00 00 03 11 22' + // mMCCContents [1]
        '82 01 02' + // frameType [2] rtpFrame(2)
        '84 01 00' + // mMCCprotocol [4] rTP(0)
        'a3 0b 80 04 65 93 7d 25 81 03 01 e2 40' + // microSecondTimeStamp [3] { 1704164645, 123456 }
        '84 01 01', // timeStampQualifier [4] timeOfInterception(1)
    );
    expect(encodePsPdu(pdu).toString('hex')).toBe(expected.toString('hex'));
  });

  it('round trip: decodePsPdu + ccPacketsFromPsPdu give back every field', () => {
    for (const direction of [PayloadDirection.fromTarget, PayloadDirection.toTarget]) {
      const ber = encodePsPdu(
        full.cc(
          { liid: 'LIID-0001', rtp, direction, interceptedAt, streamIdentifier: Buffer.from('m0') },
          { sequenceNumber: 4294967295, cin: 4711, timestamp: T0 },
        ),
      );
      const [packet, ...rest] = ccPacketsFromPsPdu(decodePsPdu(ber));
      expect(rest).toEqual([]);
      expect(packet.liid.toString()).toBe('LIID-0001');
      expect(packet.cin).toBe(4711);
      expect(packet.sequenceNumber).toBe(4294967295);
      expect(packet.direction).toBe(direction);
      expect(packet.frameType).toBe(FrameType.rtpFrame);
      expect(packet.protocol).toBe(MMCCprotocol.rTP);
      expect(packet.streamIdentifier?.toString()).toBe('m0');
      expect(packet.contents.equals(rtp)).toBe(true);
      expect(packet.interceptedAt).toEqual({ seconds: 1704164645, nanoseconds: 123_456_000 });
    }
    // without an interception time the CCPayload carries no time of its own
    const plain = ccPacketsFromPsPdu(
      decodePsPdu(
        encodePsPdu(
          bare.cc(
            { liid: 'L1', rtp, direction: PayloadDirection.indeterminate },
            { sequenceNumber: 1, cin: 1, timestamp: T0 },
          ),
        ),
      ),
    );
    expect(plain[0].interceptedAt).toBeUndefined();
    expect(plain[0].streamIdentifier).toBeUndefined();
  });

  it('rejects bad input: LIID too long, CIN out of range, nanoseconds out of range', () => {
    const ok = { liid: 'L1', rtp, direction: PayloadDirection.toTarget };
    expect(() => bare.cc({ ...ok, liid: 'x'.repeat(26) }, { sequenceNumber: 1, cin: 1 })).toThrow(
      Hi2EncodeError,
    );
    expect(() => bare.cc(ok, { sequenceNumber: 1, cin: 2 ** 32 })).toThrow(Hi2EncodeError);
    expect(() =>
      bare.cc(
        { ...ok, interceptedAt: { seconds: 1, nanoseconds: 1e9 } },
        { sequenceNumber: 1, cin: 1 },
      ),
    ).toThrow(Hi2EncodeError);
  });

  it('decoder: an IRI PDU is not CC, and an iPMMCCObjId of another form is refused', () => {
    const iri = decodePsPdu(
      encodePsPdu(bare.iri(builder.build(fullEvent()), { sequenceNumber: 1, timestamp: T0 })),
    );
    expect(() => ccPacketsFromPsPdu(iri)).toThrow(Hi2DecodeError);
    const ber = encodePsPdu(
      bare.cc(
        { liid: 'L1', rtp, direction: PayloadDirection.toTarget },
        { sequenceNumber: 1, cin: 1, timestamp: T0 },
      ),
    );
    const at = ber.indexOf(hex('80 04 05 05 0d 02'));
    const iri2 = Buffer.from(ber);
    iri2[at + 5] = 0x01; // {5 5 13 1}: the IRI object identifier
    expect(() => ccPacketsFromPsPdu(decodePsPdu(iri2))).toThrow(Hi2DecodeError);
    // a later module version is accepted
    const v14 = Buffer.from(ber);
    v14[at + 4] = 0x0e;
    expect(ccPacketsFromPsPdu(decodePsPdu(v14))[0].contents.equals(rtp)).toBe(true);
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
