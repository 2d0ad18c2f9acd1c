import { builder, fullEvent, T0 } from '../fixtures/records';
import {
  decodeEpsIrisContent,
  decodePsPdu,
  encodeEpsIriContent,
  encodeEpsIrisContent,
  encodePsPdu,
} from './codec';
import {
  EncodedPsPduWriter,
  encodeCcPayload,
  epsIriSequenceFromEncoded,
  viewEncodedRecord,
  viewPsPdu,
} from './encoded-record';
import { Hi2DecodeError } from './errors';
import { IriBuilder, IriRecordType } from './iri-builder';
import { ccPacketsFromPsPdu, PsHeaderConfig, PsPduBuilder } from './ps-pdu-builder';
import { PayloadDirection } from './schema/li-ps-pdu';

const TYPES: IriRecordType[] = ['BEGIN', 'CONTINUE', 'END', 'REPORT'];

function records(): Buffer[] {
  return [
    ...TYPES.map((type, i) =>
      encodeEpsIriContent(builder.build(fullEvent({ type, liid: `LIID-${i}` }))),
    ),
    // minimal record: LIID and time only (short lengths everywhere)
    encodeEpsIriContent(builder.build({ liid: 'L', type: 'REPORT', timestamp: T0 })),
    // a long SIP message: three-octet length on the record, the PS-PDU and the payload
    encodeEpsIriContent(
      builder.build(fullEvent({ sipMessage: Buffer.alloc(70_000, 0x41), keys: undefined })),
    ),
  ];
}

describe('epsIriSequenceFromEncoded', () => {
  it('gives the same octets as encoding the record list, and decodes back to the records', () => {
    const bers = records();
    const spliced = epsIriSequenceFromEncoded(bers);
    const decoded = bers.map((b) => decodeEpsIrisContent(b)[0]);
    expect(spliced.equals(encodeEpsIrisContent(decoded))).toBe(true);
    expect(decodeEpsIrisContent(spliced).map((r) => encodeEpsIriContent(r))).toEqual(bers);
  });

  it('writes the SEQUENCE header by hand for one short record', () => {
    const ber = encodeEpsIriContent(builder.build({ liid: 'L', type: 'REPORT', timestamp: T0 }));
    const out = epsIriSequenceFromEncoded([ber]);
    expect(out[0]).toBe(0x30);
    expect(out[1]).toBe(ber.length);
    expect(out.subarray(2).equals(ber)).toBe(true);
  });

  it('refuses something that is not a record', () => {
    expect(() => epsIriSequenceFromEncoded([Buffer.from([0x30, 0x00])])).toThrow(Hi2DecodeError);
  });
});

describe('viewEncodedRecord', () => {
  it('finds type, LIID and UTC time', () => {
    const v = viewEncodedRecord(
      encodeEpsIriContent(builder.build(fullEvent({ type: 'END', liid: 'ABC-7' }))),
    );
    expect(v.kind).toBe('END');
    expect(v.liid.toString()).toBe('ABC-7');
    expect(v.utcTime?.toISOString()).toBe(T0.toISOString());
  });

  it('has no utcTime for a localTime record', () => {
    const local = new IriBuilder({
      timeStampFormat: { kind: 'local', offsetMinutes: 60 },
    });
    const v = viewEncodedRecord(
      encodeEpsIriContent(local.build({ liid: 'L', type: 'REPORT', timestamp: T0 })),
    );
    expect(v.utcTime).toBeUndefined();
  });

  it.each([
    ['empty', Buffer.alloc(0), 'TRUNCATED'],
    ['indefinite length', Buffer.from([0xa1, 0x80, 0x00, 0x00]), 'MALFORMED'],
    ['universal SEQUENCE', Buffer.from([0x30, 0x00]), 'UNKNOWN_ALTERNATIVE'],
    ['unknown alternative [5]', Buffer.from([0xa5, 0x00]), 'UNKNOWN_ALTERNATIVE'],
    ['length past the end', Buffer.from([0xa1, 0x05, 0x81, 0x01]), 'TRUNCATED'],
    ['trailing octets', Buffer.from([0xa1, 0x03, 0x81, 0x01, 0x41, 0x00]), 'TRAILING_DATA'],
    ['no LIID', Buffer.from([0xa1, 0x02, 0x84, 0x00]), 'SCHEMA_MISMATCH'],
    ['five-octet length', Buffer.from([0xa1, 0x85, 1, 0, 0, 0, 0]), 'TOO_LARGE'],
  ])('rejects %s with a typed error', (_name, input, code) => {
    try {
      viewEncodedRecord(input);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(Hi2DecodeError);
      expect((e as Hi2DecodeError).code).toBe(code);
    }
  });
});

describe('EncodedPsPduWriter', () => {
  const configs: PsHeaderConfig[] = [
    { operatorIdentifier: 'OP1' },
    {
      operatorIdentifier: 'OPERATOR-16-OCTS',
      networkElementIdentifier: 'mf-1',
      authorizationCountryCode: 'DE',
      deliveryCountryCode: 'FR',
      interceptionPointID: 'IP01',
      liPsDomainId: '0.4.0.2.2.5.1.43',
    },
  ];
  const when = new Date(Date.UTC(2025, 5, 6, 7, 8, 9, 120));

  it.each(configs.map((c, i) => [i, c] as const))(
    'matches PsPduBuilder + encodePsPdu octet for octet (config %i)',
    (_i, config) => {
      const writer = new EncodedPsPduWriter(config);
      const reference = new PsPduBuilder(config);
      for (const ber of records()) {
        const record = decodeEpsIrisContent(ber)[0];
        for (const [sequenceNumber, cin] of [
          [0, undefined],
          [127, 0],
          [128, 255],
          [0xffffffff, 0x80000000],
        ] as const) {
          const opts = { sequenceNumber, cin, timestamp: when };
          const ours = writer.iri(ber, opts);
          expect(ours.equals(encodePsPdu(reference.iri(record, opts)))).toBe(true);
        }
      }
    },
  );

  it.each(configs.map((c, i) => [i, c] as const))(
    'writes CC PS-PDUs from a stored CCPayload octet for octet as PsPduBuilder.cc (config %i)',
    (_i, config) => {
      const writer = new EncodedPsPduWriter(config);
      const reference = new PsPduBuilder(config);
      const rtp = Buffer.from('8000fffe000000a0000000070102030405', 'hex');
      for (const packet of [
        { liid: 'L1', rtp, direction: PayloadDirection.fromTarget },
        {
          liid: 'LIID-CC',
          rtp: Buffer.concat([rtp, Buffer.alloc(200, 0xd5)]),
          direction: PayloadDirection.toTarget,
          streamIdentifier: Buffer.from([1]),
          interceptedAt: { seconds: 1_750_000_000, nanoseconds: 987_654_321 },
        },
      ]) {
        const opts = { sequenceNumber: 65_536, cin: 77, timestamp: when };
        const ours = writer.cc(Buffer.from(packet.liid), encodeCcPayload(packet), opts);
        expect(ours.equals(encodePsPdu(reference.cc(packet, opts)))).toBe(true);
        const [got] = ccPacketsFromPsPdu(decodePsPdu(ours));
        expect(got.contents.equals(packet.rtp)).toBe(true);
        expect(got.sequenceNumber).toBe(65_536);
      }
    },
  );

  it('writes a PS-PDU that decodes to the record, the CIN and the sequence number', () => {
    const ber = encodeEpsIriContent(builder.build(fullEvent({ type: 'CONTINUE' })));
    const pdu = decodePsPdu(
      new EncodedPsPduWriter({ operatorIdentifier: 'OP1' }).iri(ber, {
        sequenceNumber: 42,
        cin: 7,
      }),
    );
    expect(pdu.pSHeader.sequenceNumber).toBe(42);
    expect(pdu.pSHeader.communicationIdentifier.communicationIdentityNumber).toBe(7);
    const payload = pdu.payload.iRIPayloadSequence![0];
    expect(payload.iRIType).toBe(3);
    const params = payload.iRIContents.ePSIRI!.iRIEPSParameters!;
    expect(params.lawfulInterceptionIdentifier.toString()).toBe('LIID-0001');
  });

  it('refuses a sequence number outside 0..2^32-1 and a bad config', () => {
    const w = new EncodedPsPduWriter({ operatorIdentifier: 'OP1' });
    const ber = encodeEpsIriContent(builder.build({ liid: 'L', type: 'REPORT', timestamp: T0 }));
    expect(() => w.iri(ber, { sequenceNumber: 2 ** 32 })).toThrow('outside 0..4294967295');
    expect(() => new EncodedPsPduWriter({ operatorIdentifier: 'x'.repeat(17) })).toThrow();
  });

  it('encodes a keep-alive', () => {
    const ka = decodePsPdu(
      new EncodedPsPduWriter({ operatorIdentifier: 'OP1' }).keepAlive('KA', { sequenceNumber: 3 }),
    );
    expect(ka.payload.tRIPayload?.keepAlive).toBeNull();
    expect(ka.pSHeader.sequenceNumber).toBe(3);
  });
});

describe('viewPsPdu', () => {
  const config: PsHeaderConfig = {
    operatorIdentifier: 'OPERATOR-16-OCTS',
    networkElementIdentifier: 'mf-1',
    authorizationCountryCode: 'DE',
    deliveryCountryCode: 'FR',
    interceptionPointID: 'IP01',
  };

  it('finds the header fields and gives back each record octet for octet', () => {
    const writer = new EncodedPsPduWriter(config);
    for (const ber of records()) {
      for (const [sequenceNumber, cin] of [
        [0, undefined],
        [128, 255],
        [0xffffffff, 0x80000000],
      ] as const) {
        const v = viewPsPdu(writer.iri(ber, { sequenceNumber, cin }));
        expect(v.sequenceNumber).toBe(sequenceNumber);
        expect(v.cin).toBe(cin);
        expect(v.liid.equals(viewEncodedRecord(ber).liid)).toBe(true);
        expect(v.payload.kind).toBe('iri');
        const got = v.payload.kind === 'iri' ? v.payload.records : [];
        expect(got).toHaveLength(1);
        expect(got[0].equals(ber)).toBe(true);
      }
    }
  });

  it('finds the SIP message of a record', () => {
    const sip = Buffer.from('INVITE sip:b@example.net SIP/2.0\r\n\r\n');
    const ber = encodeEpsIriContent(builder.build(fullEvent({ sipMessage: sip })));
    const v = viewPsPdu(new EncodedPsPduWriter(config).iri(ber, { sequenceNumber: 1 }));
    const [record] = v.payload.kind === 'iri' ? v.payload.records : [];
    expect(viewEncodedRecord(record).sipMessage?.equals(sip)).toBe(true);
  });

  it('names keep-alive, keep-alive response and CC payloads', () => {
    const builderOf = new PsPduBuilder(config);
    const at = { sequenceNumber: 9 };
    expect(viewPsPdu(encodePsPdu(builderOf.keepAlive('KA', at))).payload.kind).toBe('keepAlive');
    expect(viewPsPdu(encodePsPdu(builderOf.keepAliveResponse('KA', at))).payload.kind).toBe(
      'keepAliveResponse',
    );
    const cc = new EncodedPsPduWriter(config).cc(
      Buffer.from('L1'),
      encodeCcPayload({
        liid: 'L1',
        rtp: Buffer.from('8000', 'hex'),
        direction: PayloadDirection.fromTarget,
      }),
      { sequenceNumber: 5, cin: 3 },
    );
    expect(viewPsPdu(cc)).toMatchObject({ sequenceNumber: 5, cin: 3, payload: { kind: 'cc' } });
  });

  it('refuses truncated or foreign octets', () => {
    const ber = encodeEpsIriContent(builder.build(fullEvent({ type: 'BEGIN' })));
    const pdu = new EncodedPsPduWriter(config).iri(ber, { sequenceNumber: 1 });
    expect(() => viewPsPdu(pdu.subarray(0, pdu.length - 1))).toThrow(Hi2DecodeError);
    expect(() => viewPsPdu(ber)).toThrow(Hi2DecodeError);
  });
});
