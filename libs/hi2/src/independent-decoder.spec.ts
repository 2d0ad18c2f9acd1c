import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeEpsIriContent,
  encodeEpsIrisContent,
  encodePsPdu,
  PayloadDirection,
  PsPduBuilder,
} from './index';
import { builder, fullEvent, T0 } from '../fixtures/records';

/**
 * Independent decoders: asn1c (Lev Walkin's compiler, Debian package) compiles the module texts in
 * ../fixtures/asn1 (TS 33.108 EpsHI2Operations r16 v1, TS 101 671 HI2Operations v18, TS 102 232-1
 * LI-PS-PDU v32, TS 102 232-5 IPMultimediaPDU v13, trimmed) into a BER→XER converter; dumpasn1 checks the TLV structure. Neither
 * shares code with asn1-schema. The compiled converter is cached under the OS temp dir, keyed by the
 * fixtures' hash. Each tool's tests are skipped, visibly, only when the tool is absent.
 */
const FIXTURES = join(__dirname, '..', 'fixtures', 'asn1');
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const HAS_ASN1C = has('asn1c') && has('cc');
const HAS_DUMPASN1 = has('dumpasn1');
const asn1cIt = HAS_ASN1C ? it : it.skip;
const dumpIt = HAS_DUMPASN1 ? it : it.skip;
const asn1cNote = HAS_ASN1C ? '' : ' (skipped: asn1c or cc absent)';
const dumpNote = HAS_DUMPASN1 ? '' : ' (skipped: dumpasn1 absent)';

function buildConverter(): string {
  const files = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.asn'))
    .sort()
    .map((f) => join(FIXTURES, f));
  const hash = createHash('sha256');
  for (const f of files) hash.update(readFileSync(f));
  hash.update(spawnSync('asn1c', ['-v']).stderr ?? '');
  const dir = join(tmpdir(), `hi2-asn1c-${hash.digest('hex').slice(0, 16)}`);
  const conv = join(dir, 'conv');
  if (existsSync(conv)) return conv;
  const work = mkdtempSync(join(tmpdir(), 'hi2-asn1c-build-'));
  try {
    const gen = spawnSync('asn1c', ['-fcompound-names', '-pdu=all', ...files], {
      cwd: work,
      encoding: 'utf8',
    });
    if (gen.status !== 0) throw new Error(`asn1c failed: ${gen.stderr}`);
    const sources = readdirSync(work).filter((f) => f.endsWith('.c'));
    const cc = spawnSync(
      'cc',
      ['-O0', '-w', '-DPDU=PS_PDU', '-DASN_PDU_COLLECTION', '-I.', '-o', 'conv', ...sources],
      {
        cwd: work,
        encoding: 'utf8',
      },
    );
    if (cc.status !== 0) throw new Error(`cc failed: ${cc.stderr}`);
    mkdirSync(dir, { recursive: true });
    renameSync(join(work, 'conv'), `${conv}.${process.pid}`);
    renameSync(`${conv}.${process.pid}`, conv); // atomic: parallel runs see a complete binary or none
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return conv;
}

let converter = '';
let scratch = '';

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'hi2-ber-'));
  if (HAS_ASN1C) converter = buildConverter();
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the asn1c converter; returns stdout (XER, or DER with `-oder`). */
function asn1c(pdu: string, ber: Buffer, ...flags: string[]): Buffer {
  const file = join(scratch, `${pdu}-${Math.random().toString(36).slice(2)}.ber`);
  writeFileSync(file, ber);
  const r = spawnSync(converter, ['-p', pdu, '-c', ...flags, file]);
  if (r.status !== 0) throw new Error(`asn1c converter rejected ${pdu}: ${r.stderr.toString()}`);
  return r.stdout;
}

/** Text of every <tag>…</tag> in the XER, whitespace removed (asn1c prints OCTET STRING as hex). */
function xer(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) =>
    m[1].replace(/\s+/g, ''),
  );
}
const hexOf = (s: string): string => Buffer.from(s).toString('hex').toUpperCase();

describe('independent decoder: asn1c compiled from the ASN.1 module texts', () => {
  const record = builder.build(fullEvent());
  const ber = encodeEpsIriContent(record);

  asn1cIt(`decodes a full EpsIRIContent, constraints checked, fields equal${asn1cNote}`, () => {
    const x = asn1c('EpsIRIContent', ber).toString();
    expect(x).toContain('<iRI-Begin-record>');
    expect(xer(x, 'hi2epsDomainId')).toEqual(['0.4.0.2.2.4.8.16.1']);
    expect(xer(x, 'lawfulInterceptionIdentifier')).toEqual([hexOf('LIID-0001')]);
    expect(xer(x, 'utcTime')).toEqual(['240102030405Z']);
    expect(x).toContain('<initiator><originating-Target/></initiator>');
    expect(xer(x, 'sip-uri').sort()).toEqual(
      [hexOf('sip:alice@ims.example'), hexOf('sip:bob@ims.example')].sort(),
    );
    expect(xer(x, 'tel-url')).toEqual([hexOf('tel:+4930123')]);
    expect(xer(x, 'operator-Identifier')).toEqual([hexOf('OPX')]);
    expect(xer(x, 'dNS-Format')).toEqual([hexOf('mf1.example')]);
    expect(x).toContain('<iMSevent><unfilteredSIPmessage/></iMSevent>');
    expect(xer(x, 'sIPMessage')).toEqual([fullEvent().sipMessage!.toString('hex').toUpperCase()]);
    expect(xer(x, 'cCCSID')).toEqual(['01', '02']);
    expect(xer(x, 'cCDecKey')).toEqual(['11'.repeat(16), '33'.repeat(16)]);
    expect(xer(x, 'cCSalt')).toEqual(['22'.repeat(14), '44'.repeat(14)]);
    expect(xer(x, 'iri-IRI')).toEqual([hexOf('4711')]);
    expect(xer(x, 'ims-iri')).toEqual([hexOf('4711')]);
    expect(xer(x, 'OCTET_STRING')).toEqual(
      expect.arrayContaining([hexOf('NP-1'), hexOf('NP-2'), hexOf('4711-1')]),
    );
  });

  asn1cIt(
    `re-encodes our records as DER to the same octets (our encoding is DER)${asn1cNote}`,
    () => {
      expect(asn1c('EpsIRIContent', ber, '-oder').equals(ber)).toBe(true);
      const failure = encodeEpsIriContent(
        builder.build(
          fullEvent({ type: 'CONTINUE', keys: undefined, mediaSecFailure: true, imsEvent: 3 }),
        ),
      );
      const x = asn1c('EpsIRIContent', failure).toString();
      expect(x).toContain(
        '<mediaSecFailureIndication><genericFailure/></mediaSecFailureIndication>',
      );
      expect(x).toContain('<iMSevent><decryptionKeysAvailable/></iMSevent>');
      expect(asn1c('EpsIRIContent', failure, '-oder').equals(failure)).toBe(true);
    },
  );

  asn1cIt(`decodes an epsIRISequence file body as EpsIRIsContent${asn1cNote}`, () => {
    const file = encodeEpsIrisContent([
      record,
      builder.build(fullEvent({ type: 'END', keys: undefined })),
    ]);
    const x = asn1c('EpsIRIsContent', file).toString();
    expect(x).toContain('<epsIRISequence>');
    expect(x.match(/<iRI-Begin-record>/g)).toHaveLength(1);
    expect(x.match(/<iRI-End-record>/g)).toHaveLength(1);
    expect(asn1c('EpsIRIsContent', file, '-oder').equals(file)).toBe(true);
  });

  asn1cIt(`decodes PS-PDUs: IRI in ePSIRI, keep-alive, keep-aliveResponse${asn1cNote}`, () => {
    const pb = new PsPduBuilder({
      operatorIdentifier: 'OPX',
      networkElementIdentifier: 'mf1',
      authorizationCountryCode: 'DE',
    });
    const pdu = encodePsPdu(
      pb.iri(record, { sequenceNumber: 4294967295, cin: 4711, timestamp: T0 }),
    );
    const x = asn1c('PS-PDU', pdu).toString();
    expect(xer(x, 'li-psDomainId')).toEqual(['0.4.0.2.2.5.1.32']);
    expect(xer(x, 'sequenceNumber')).toEqual(['4294967295']);
    expect(xer(x, 'communicationIdentityNumber')).toEqual(['4711']);
    expect(xer(x, 'authorizationCountryCode')).toEqual(['DE']);
    expect(x).toContain('<iRIType><iRI-Begin/></iRIType>');
    expect(x).toMatch(/<ePSIRI>\s*<iRI-EPS-Parameters>/);
    expect(xer(x, 'cCDecKey')).toEqual(['11'.repeat(16), '33'.repeat(16)]);
    expect(asn1c('PS-PDU', pdu, '-oder').equals(pdu)).toBe(true);
    const ka = asn1c(
      'PS-PDU',
      encodePsPdu(pb.keepAlive('KA', { sequenceNumber: 1, timestamp: T0 })),
    ).toString();
    expect(ka).toMatch(/<tRIPayload>\s*<keep-alive><\/keep-alive>/);
    const kr = asn1c(
      'PS-PDU',
      encodePsPdu(pb.keepAliveResponse('KA', { sequenceNumber: 2, timestamp: T0 })),
    ).toString();
    expect(kr).toMatch(/<keep-aliveResponse><\/keep-aliveResponse>/);
  });

  asn1cIt(`decodes a CC PS-PDU: cCPayloadSequence with IPMMCC${asn1cNote}`, () => {
    const pb = new PsPduBuilder({ operatorIdentifier: 'OPX', networkElementIdentifier: 'mf1' });
    const rtp = Buffer.from('80e0beef0000a0b0c0ffee01' + 'd5'.repeat(160), 'hex');
    const pdu = encodePsPdu(
      pb.cc(
        {
          liid: 'LIID-0001',
          rtp,
          direction: PayloadDirection.fromTarget,
          streamIdentifier: Buffer.from('audio-0'),
          interceptedAt: { seconds: 1704164645, nanoseconds: 999_999_999 },
        },
        { sequenceNumber: 12, cin: 4711, timestamp: T0 },
      ),
    );
    const x = asn1c('PS-PDU', pdu).toString();
    expect(xer(x, 'lawfulInterceptionIdentifier')).toEqual([hexOf('LIID-0001')]);
    expect(xer(x, 'communicationIdentityNumber')).toEqual(['4711']);
    expect(xer(x, 'sequenceNumber')).toEqual(['12']);
    expect(x).toContain('<payloadDirection><fromTarget/></payloadDirection>');
    expect(xer(x, 'iPMMCCObjId')).toEqual(['5.5.13.2']);
    expect(xer(x, 'mMCCContents')).toEqual([rtp.toString('hex').toUpperCase()]);
    expect(x).toContain('<frameType><rtpFrame/></frameType>');
    expect(x).toContain('<mMCCprotocol><rTP/></mMCCprotocol>');
    expect(xer(x, 'streamIdentifier')).toEqual([hexOf('audio-0')]);
    expect(xer(x, 'microSeconds')).toEqual(['0', '999999']); // PSHeader, then CCPayload
    expect(x).toContain('<timeStampQualifier><timeOfInterception/></timeStampQualifier>');
    expect(asn1c('PS-PDU', pdu, '-oder').equals(pdu)).toBe(true);
  });

  asn1cIt(`rejects a record whose key is mis-tagged (the check can fail)${asn1cNote}`, () => {
    const bad = Buffer.from(ber);
    bad[bad.indexOf(Buffer.from('8210' + '11'.repeat(16), 'hex'))] = 0x85; // cCDecKey [2] → [5]
    expect(() => asn1c('EpsIRIContent', bad)).toThrow(/rejected/);
  });
});

/** dumpasn1's complaints about the TLV structure; its guess that a text-like [30] sIPMessage is an
 * IA5String (and contains CR LF) is a display heuristic for an OCTET STRING, not an error. */
function dumpasn1Errors(ber: Buffer): string[] {
  const file = join(scratch, `dump-${Math.random().toString(36).slice(2)}.ber`);
  writeFileSync(file, ber);
  const r = spawnSync('dumpasn1', [file], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`
    .split('\n')
    .filter((l) => /Error|Warning/i.test(l) && !/IA5String contains illegal character/.test(l))
    .filter((l) => !/^\d+ warnings?, \d+ errors?\.$/.test(l.trim()));
}

describe('independent structure check: dumpasn1', () => {
  dumpIt(`walks every TLV of our encodings without a structural error${dumpNote}`, () => {
    const pb = new PsPduBuilder({ operatorIdentifier: 'OPX' });
    const record = encodeEpsIriContent(builder.build(fullEvent()));
    expect(dumpasn1Errors(record)).toEqual([]);
    expect(
      dumpasn1Errors(
        encodePsPdu(pb.iri(builder.build(fullEvent()), { sequenceNumber: 1, timestamp: T0 })),
      ),
    ).toEqual([]);
    const cc = encodePsPdu(
      pb.cc(
        { liid: 'L1', rtp: Buffer.alloc(172, 0x80), direction: PayloadDirection.toTarget },
        { sequenceNumber: 1, cin: 2, timestamp: T0 },
      ),
    );
    expect(dumpasn1Errors(cc)).toEqual([]);
    expect(dumpasn1Errors(record.subarray(0, 60)).length).toBeGreaterThan(0); // the check can fail
  });
});
