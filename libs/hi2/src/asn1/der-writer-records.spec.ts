import { fullEvent } from '../../fixtures/records';
import { decodeEpsIriContent, decodePsPdu, encodeWithAsnSerializer } from '../codec';
import {
  CryptoSessionKeys,
  IriBuilder,
  IriBuilderDefaults,
  IriEvent,
  IriRecordType,
  NetworkIdentifierInput,
  PartyInput,
} from '../iri-builder';
import { PsPduBuilder } from '../ps-pdu-builder';
import { EpsIRIContent, ImsEvent } from '../schema/eps-hi2-operations';
import { PayloadDirection, PSPDU } from '../schema/li-ps-pdu';
import { writeDer } from './der-writer';

/**
 * The DER writer against an independent encoder, on many records: asn1-schema's AsnSerializer
 * (asn1js underneath; `encodeWithAsnSerializer` only sorts the SET OF values first, X.690 §11.6),
 * and the schema decoder reading the octets back.
 * Records are drawn from every option the IriBuilder writes, by a seeded generator, so a failure
 * reproduces.
 */

/** Octets compared as hex text: Jest's toEqual walks a Buffer element by element (slow at 70 kB). */
function expectSame(actual: Buffer, expected: Buffer): void {
  expect(actual.toString('hex')).toBe(expected.toString('hex'));
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES: IriRecordType[] = ['BEGIN', 'CONTINUE', 'END', 'REPORT'];
/** Around the one-octet / long-form length boundaries (X.690 §8.1.3.3–8.1.3.5). */
const SIZES = [0, 1, 100, 127, 128, 255, 256, 700, 4000, 65535, 65536, 70000];
const DATES = [
  Date.UTC(1999, 11, 31, 23, 59, 59, 999),
  Date.UTC(2000, 0, 1, 0, 0, 0, 0),
  Date.UTC(2024, 1, 29, 12, 30, 5, 5),
  Date.UTC(2025, 4, 6, 7, 8, 9, 120),
  Date.UTC(2049, 5, 30, 1, 2, 3, 100),
  Date.UTC(2050, 0, 1, 0, 0, 0, 0),
];
const NETWORKS: Array<NetworkIdentifierInput | undefined> = [
  undefined,
  { operatorId: 'OP1' },
  { operatorId: 'OPRTR', networkElement: { dns: 'mf-1.ims.example' } },
  { operatorId: 'O', networkElement: { ip: '192.0.2.7' } },
  { operatorId: 'OP2', networkElement: { ip: '2001:db8::20' } },
];

function builders(): IriBuilder[] {
  const defaults: IriBuilderDefaults[] = [
    {},
    { networkIdentifier: { operatorId: 'OP1' } },
    { timeStampFormat: { kind: 'local', offsetMinutes: 60, winterSummer: 'winter' } },
    { timeStampFormat: { kind: 'local', offsetMinutes: -570 }, nationalParameters: [Buffer.of(9)] },
  ];
  return defaults.map((d) => new IriBuilder(d));
}

function events(count: number, seed: number): IriEvent[] {
  const r = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)];
  const int = (n: number): number => Math.floor(r() * n);
  const bytes = (n: number): Buffer => {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = int(256);
    return b;
  };
  const uri = (): string => `sip:user-${'x'.repeat(int(80))}@ims.example`;
  const out: IriEvent[] = [];
  for (let i = 0; i < count; i++) {
    const parties: PartyInput[] = Array.from({ length: pick([0, 1, 2, 2, 3, 10]) }, () => {
      const form = int(3);
      return {
        role: pick(['originating', 'terminating'] as const),
        ...(form !== 1 ? { sipUri: uri() } : {}),
        ...(form !== 0 ? { telUrl: `tel:+49${int(1e9)}` } : {}),
      };
    });
    const keys: CryptoSessionKeys[] = Array.from({ length: pick([0, 0, 1, 2, 4]) }, () => {
      const csId = pick([0, 1, 127, 128, 255, 300, 2 ** 32 - 1, -1]);
      return {
        csId: csId < 0 ? bytes(1 + int(4)) : csId,
        masterKey: bytes(pick([16, 32])),
        ...(r() < 0.7 ? { masterSalt: bytes(14) } : {}),
      };
    });
    const ccs = Array.from({ length: int(4) }, () =>
      r() < 0.5 ? String(int(1e6)) : bytes(1 + int(8)),
    );
    out.push({
      liid: `LIID-${'L'.repeat(int(20))}`,
      type: pick(TYPES),
      timestamp: new Date(pick(DATES)),
      ...(r() < 0.8 ? { initiator: pick(['originating', 'terminating', 'unknown'] as const) } : {}),
      ...(parties.length ? { parties } : {}),
      ...(r() < 0.8
        ? {
            imsEvent: pick([
              ImsEvent.unfilteredSIPmessage,
              ImsEvent.sIPheaderOnly,
              ImsEvent.locationInformationRequest,
            ]),
          }
        : {}),
      ...(r() < 0.9 ? { sipMessage: bytes(pick(SIZES)) } : {}),
      ...(keys.length ? { keys } : r() < 0.3 ? { mediaSecFailure: true } : {}),
      ...(r() < 0.7
        ? {
            correlation: {
              iri: String(int(2 ** 32)),
              ...(ccs.length ? { cc: ccs } : {}),
              encodeAs: pick(['imsVoIP', 'correlationValues', 'both'] as const),
            },
          }
        : {}),
      ...(r() < 0.5
        ? {
            nationalParameters: Array.from({ length: 1 + int(5) }, () =>
              bytes(1 + int(pick([3, 256]))),
            ),
          }
        : {}),
      ...(r() < 0.6 ? { networkIdentifier: pick(NETWORKS) } : {}),
    });
  }
  return out;
}

/** Every record type with keys / failure indication / neither, with and without parties and national parameters. */
function combinations(): IriEvent[] {
  const out: IriEvent[] = [];
  for (const type of TYPES)
    for (const media of ['keys', 'failure', 'none'] as const)
      for (const parties of [true, false])
        for (const national of [true, false])
          out.push(
            fullEvent({
              type,
              ...(media === 'keys' ? {} : { keys: undefined }),
              ...(media === 'failure' ? { mediaSecFailure: true } : {}),
              ...(parties ? {} : { parties: undefined }),
              ...(national ? {} : { nationalParameters: undefined }),
            }),
          );
  return out;
}

describe('writeDer on generated IRI records, against AsnSerializer and the schema decoder', () => {
  const all = builders();

  it('the same octets for every type with/without keys, parties, national parameters, failure', () => {
    for (const b of all)
      for (const e of combinations()) {
        const record = b.build(e);
        expectSame(
          writeDer(record, EpsIRIContent),
          encodeWithAsnSerializer(b.build(e), EpsIRIContent),
        );
      }
  });

  it('the same octets for 200 drawn records, and they decode back to the same record', () => {
    const list = events(200, 0x5eed);
    expect(new Set(list.map((e) => e.type)).size).toBe(4);
    list.forEach((e, i) => {
      const b = all[i % all.length];
      const der = writeDer(b.build(e), EpsIRIContent);
      expectSame(der, encodeWithAsnSerializer(b.build(e), EpsIRIContent));
      // Decoded by the schema decoder, then encoded by asn1-schema alone (SET OF sort aside).
      expectSame(encodeWithAsnSerializer(decodeEpsIriContent(der), EpsIRIContent), der);
      expectSame(writeDer(decodeEpsIriContent(der), EpsIRIContent), der);
    });
  });

  it('the same octets for PS-PDUs around them: IRI and CC, GeneralizedTime fractions, 32-bit numbers', () => {
    const pdus = new PsPduBuilder({
      operatorIdentifier: 'OP1',
      networkElementIdentifier: 'mf-1',
      authorizationCountryCode: 'DE',
      deliveryCountryCode: 'DE',
      interceptionPointID: 'IP1',
    });
    const r = random(7);
    const list: PSPDU[] = [];
    const b = all[1];
    events(60, 0xbee).forEach((e, i) => {
      const timestamp = new Date(DATES[i % DATES.length] + (i % 3) * 10);
      const options = { sequenceNumber: [0, 127, 128, 2 ** 31, 2 ** 32 - 1][i % 5], timestamp };
      list.push(pdus.iri(b.build(e), { ...options, ...(i % 2 ? { cin: i * 99991 } : {}) }));
      list.push(
        pdus.cc(
          {
            liid: e.liid,
            rtp: Buffer.alloc(SIZES[i % SIZES.length], i),
            direction: i % 2 ? PayloadDirection.fromTarget : PayloadDirection.toTarget,
            ...(i % 3 ? { streamIdentifier: Buffer.of(i % 4) } : {}),
            ...(i % 4
              ? {
                  interceptedAt: { seconds: Math.floor(r() * 2 ** 32), nanoseconds: i * 1_000_117 },
                }
              : {}),
          },
          { ...options, cin: 2 ** 32 - 1 - i },
        ),
      );
    });
    for (const pdu of list) {
      const der = writeDer(pdu, PSPDU);
      expectSame(der, encodeWithAsnSerializer(pdu, PSPDU));
      expectSame(writeDer(decodePsPdu(der), PSPDU), der);
    }
  });
});
