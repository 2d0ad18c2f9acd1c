import { randomBytes } from 'node:crypto';
import { encodeWithAsnSerializer } from '../codec';
import { IriBuilder, IriEvent } from '../iri-builder';
import { PsPduBuilder } from '../ps-pdu-builder';
import { ImsEvent } from '../schema/eps-hi2-operations';
import { EpsIRIContent } from '../schema/eps-hi2-operations';
import { PSPDU } from '../schema/li-ps-pdu';
import { writeDer } from './der-writer';

const T0 = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 250));

/** Records that exercise every component the builder writes, and the SET OF orderings. */
function records(): EpsIRIContent[] {
  const full: IriEvent = {
    liid: 'LIID-DER',
    type: 'BEGIN',
    timestamp: T0,
    initiator: 'terminating',
    parties: [
      { role: 'terminating', sipUri: 'sip:a-much-longer-name@ims.example', telUrl: 'tel:+4930' },
      { role: 'originating', sipUri: 'sip:b@ims.example' },
    ],
    imsEvent: ImsEvent.unfilteredSIPmessage,
    sipMessage: randomBytes(3000), // long form lengths (0x82)
    keys: [
      { csId: 2, masterKey: randomBytes(16), masterSalt: randomBytes(14) },
      { csId: Buffer.of(1), masterKey: randomBytes(16) },
    ],
    correlation: { iri: '123456', cc: ['x', Buffer.of(0, 1)], encodeAs: 'both' },
    nationalParameters: [Buffer.from('zz'), Buffer.from('a')],
    networkIdentifier: { operatorId: 'OP1', networkElement: { ip: '192.0.2.1' } },
  };
  const utc = new IriBuilder({ networkIdentifier: { operatorId: 'OP1' } });
  const local = new IriBuilder({
    networkIdentifier: { operatorId: 'OP2', networkElement: { dns: 'mf.example' } },
    timeStampFormat: { kind: 'local', offsetMinutes: -90, winterSummer: 'summer' },
  });
  return [
    utc.build(full),
    local.build({ ...full, type: 'CONTINUE', networkIdentifier: undefined }),
    utc.build({ liid: 'L', type: 'END', timestamp: T0 }),
    utc.build({
      liid: 'L',
      type: 'REPORT',
      timestamp: T0,
      mediaSecFailure: true,
      sipMessage: Buffer.alloc(0),
    }),
    utc.build({
      liid: 'L',
      type: 'CONTINUE',
      timestamp: T0,
      imsEvent: ImsEvent.decryptionKeysAvailable,
      keys: [{ csId: 300, masterKey: randomBytes(16) }],
    }),
  ];
}

describe('writeDer (schema-driven DER writer)', () => {
  it('writes the same octets as asn1-schema plus the SET OF sort, for IRI records', () => {
    for (const r of records())
      expect(writeDer(r, EpsIRIContent)).toEqual(encodeWithAsnSerializer(r, EpsIRIContent));
  });

  it('writes the same octets for PS-PDUs (IRI payload, keep-alive)', () => {
    const b = new PsPduBuilder({
      operatorIdentifier: 'OP1',
      networkElementIdentifier: 'mf-1',
      authorizationCountryCode: 'DE',
      deliveryCountryCode: 'DE',
      interceptionPointID: 'IP1',
    });
    const pdus: PSPDU[] = [
      ...records().map((r, i) =>
        b.iri(r, { sequenceNumber: i * 1000, cin: 2 ** 32 - 1 - i, timestamp: T0 }),
      ),
      b.keepAlive('KEEPALIVE', { sequenceNumber: 7, timestamp: T0 }),
      b.keepAliveResponse('KEEPALIVE', { sequenceNumber: 8, timestamp: T0 }),
    ];
    for (const p of pdus) expect(writeDer(p, PSPDU)).toEqual(encodeWithAsnSerializer(p, PSPDU));
  });

  it('sorts SET OF elements by their encodings (X.690 §11.6), whatever the input order', () => {
    const [a] = records();
    const reversed = records()[0];
    const set = reversed.iRIBeginRecord!.partyInformation!;
    set.reverse();
    a.iRIBeginRecord!.sIPMessage = reversed.iRIBeginRecord!.sIPMessage;
    a.iRIBeginRecord!.mediaDecryptionInfo = reversed.iRIBeginRecord!.mediaDecryptionInfo;
    expect(writeDer(reversed, EpsIRIContent)).toEqual(writeDer(a, EpsIRIContent));
  });
});
