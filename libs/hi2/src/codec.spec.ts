import {
  CCKeyInfo,
  decodeEpsIriContent,
  decodeEpsIrisContent,
  decodePsPdu,
  EpsIRIContent,
  encodeEpsIriContent,
  encodeEpsIrisContent,
  encodePsPdu,
  Hi2DecodeError,
  IRIParameters,
  MediaDecryptionInfo,
  PsPduBuilder,
} from './index';
import { builder, fullEvent, T0 } from '../fixtures/records';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

/** TLV with a short-form length (content < 128 octets), for hand-written expectations. */
const tlv = (tag: string, content: string): string => {
  const c = content.replace(/\s+/g, '');
  expect(c.length / 2).toBeLessThan(128);
  return tag + (c.length / 2).toString(16).padStart(2, '0') + c;
};

function minimalBegin(): EpsIRIContent {
  return builder.build({ liid: 'AB', type: 'BEGIN', timestamp: T0 });
}

function decodeError(f: () => unknown): Hi2DecodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Hi2DecodeError);
    return e as Hi2DecodeError;
  }
  throw new Error('expected a Hi2DecodeError');
}

describe('EpsIRIContent BER, written out by hand from TS 33.108 B.9 (IMPLICIT TAGS)', () => {
  it('minimal BEGIN record: [1] IRI-Parameters { [0] OID, [1] LIID, [3] EXPLICIT TimeStamp { [1] UTCTime } }', () => {
    const expected = tlv(
      'a1', // iRI-Begin-record [1], constructed (IRI-Parameters is a SEQUENCE, tag implicit)
      tlv('80', '04 00 02 02 04 08 10 01') + // hi2epsDomainId [0] 0.4.0.2.2.4.8.16.1
        tlv('81', ascii('AB')) + // lawfulInterceptionIdentifier [1]
        tlv('a3', tlv('81', ascii('240102030405Z'))), // timeStamp [3] CHOICE → explicit; utcTime [1]
    );
    expect(encodeEpsIriContent(minimalBegin()).toString('hex')).toBe(expected);
  });

  it('each record type selects its context tag [1]..[4]', () => {
    const first = (type: 'BEGIN' | 'END' | 'CONTINUE' | 'REPORT') =>
      encodeEpsIriContent(builder.build({ liid: 'AB', type, timestamp: T0 }))[0];
    expect([first('BEGIN'), first('END'), first('CONTINUE'), first('REPORT')]).toEqual([
      0xa1, 0xa2, 0xa3, 0xa4,
    ]);
  });

  it('CCKeyInfo in mediaDecryption-info [42]: high tag form 0xbf 0x2a, SEQUENCE OF SEQUENCE { [1], [2], [3] }', () => {
    const params = minimalBegin().iRIBeginRecord as IRIParameters;
    const key = new CCKeyInfo();
    key.cCCSID = Buffer.from([0x01]);
    key.cCDecKey = Buffer.alloc(16, 0x11);
    key.cCSalt = Buffer.alloc(14, 0x22);
    params.mediaDecryptionInfo = new MediaDecryptionInfo([key]);
    const ber = encodeEpsIriContent(Object.assign(new EpsIRIContent(), { iRIBeginRecord: params }));
    const keyInfo = tlv(
      '30',
      tlv('81', '01') + tlv('82', '11'.repeat(16)) + tlv('83', '22'.repeat(14)),
    );
    const field = tlv('bf2a', keyInfo);
    expect(field).toBe(
      'bf2a27' + '3025' + '810101' + '8210' + '11'.repeat(16) + '830e' + '22'.repeat(14),
    );
    expect(ber.toString('hex').endsWith(field)).toBe(true);
    expect(ber[1]).toBe(ber.length - 2); // outer length covers everything
  });

  it('primitive extension fields: iMSevent [29] 0x9d, sIPMessage [30] 0x9e, mediaSecFailureIndication [50] 0x9f32', () => {
    const rec = builder.build({
      liid: 'AB',
      type: 'CONTINUE',
      timestamp: T0,
      imsEvent: 3,
      sipMessage: Buffer.from('BYE'),
      mediaSecFailure: true,
    });
    const body = encodeEpsIriContent(rec).toString('hex');
    expect(body).toContain('9d0103' + tlv('9e', ascii('BYE')) + '9f320100');
  });

  it('SET OF is sorted by encoding (DER, X.690 §11.6) so equal records give equal octets', () => {
    const a = encodeEpsIriContent(builder.build(fullEvent()));
    const b = encodeEpsIriContent(
      builder.build(fullEvent({ nationalParameters: [Buffer.from('NP-1'), Buffer.from('NP-2')] })),
    );
    expect(a.equals(b)).toBe(true);
    expect(a.toString('hex')).toContain(
      tlv('b0', tlv('04', ascii('NP-1')) + tlv('04', ascii('NP-2'))),
    );
  });
});

describe('round trips', () => {
  it('a record with every modelled field decodes to the same values and re-encodes identically', () => {
    const ber = encodeEpsIriContent(builder.build(fullEvent()));
    const back = decodeEpsIriContent(ber);
    const p = back.iRIBeginRecord as IRIParameters;
    expect(p.lawfulInterceptionIdentifier.toString()).toBe('LIID-0001');
    expect(p.timeStamp.utcTime?.toISOString()).toBe(T0.toISOString());
    expect(p.initiator).toBe(1);
    // SET OF in DER order: the shorter encoding (bob, terminating) sorts first.
    expect(
      p.partyInformation?.map((x) => [x.partyQualifier, x.partyIdentity.sipUri?.toString()]),
    ).toEqual([
      [1, 'sip:bob@ims.example'],
      [0, 'sip:alice@ims.example'],
    ]);
    expect(p.partyInformation?.[1].partyIdentity.telUrl?.toString()).toBe('tel:+4930123');
    expect(p.nationalParameters?.map(String)).toEqual(['NP-1', 'NP-2']);
    expect(p.networkIdentifier?.operatorIdentifier.toString()).toBe('OPX');
    expect(p.networkIdentifier?.networkElementIdentifier?.dNSFormat?.toString()).toBe(
      'mf1.example',
    );
    expect(p.iMSevent).toBe(1);
    expect(p.sIPMessage?.toString()).toContain('INVITE sip:bob@ims.example');
    expect(
      p.mediaDecryptionInfo?.map((k) => [k.cCCSID.toString('hex'), k.cCDecKey.toString('hex')]),
    ).toEqual([
      ['01', '11'.repeat(16)],
      ['02', '33'.repeat(16)],
    ]);
    expect(p.correlation?.bothIriCc?.iriIRI.toString()).toBe('4711');
    expect(p.correlation?.bothIriCc?.iriCC.cc.map(String)).toEqual(['4711-1']);
    expect(p.imsVoIP?.[0].imsIri.toString()).toBe('4711');
    expect(encodeEpsIriContent(back).equals(ber)).toBe(true);
  });

  it('epsIRISequence (FTPS file body) holds several records; a lone record decodes as a list of one', () => {
    const recs = [
      builder.build(fullEvent()),
      builder.build(fullEvent({ type: 'END', keys: undefined })),
    ];
    const file = encodeEpsIrisContent(recs);
    expect(file[0]).toBe(0x30);
    const back = decodeEpsIrisContent(file);
    expect(back).toHaveLength(2);
    expect(back[1].iRIEndRecord?.lawfulInterceptionIdentifier.toString()).toBe('LIID-0001');
    expect(decodeEpsIrisContent(encodeEpsIrisContent(recs[0]))).toHaveLength(1);
  });

  it('PS-PDU with an IRI and a keep-alive round-trip', () => {
    const b = new PsPduBuilder({ operatorIdentifier: 'OPX', authorizationCountryCode: 'DE' });
    const pdu = encodePsPdu(
      b.iri(builder.build(fullEvent()), { sequenceNumber: 4294967295, cin: 4711, timestamp: T0 }),
    );
    const back = decodePsPdu(pdu);
    expect(back.pSHeader.sequenceNumber).toBe(4294967295);
    expect(back.pSHeader.communicationIdentifier.communicationIdentityNumber).toBe(4711);
    expect(encodePsPdu(back).equals(pdu)).toBe(true);
    const ka = decodePsPdu(encodePsPdu(b.keepAlive('KA', { sequenceNumber: 1, timestamp: T0 })));
    expect(ka.payload.tRIPayload?.keepAlive).toBeNull();
  });
});

/** A BER tree for editing encodings in tests (definite lengths only). */
interface Node {
  tag: Buffer;
  value?: Buffer;
  children?: Node[];
}

function parseTree(ber: Buffer): Node[] {
  const out: Node[] = [];
  let p = 0;
  while (p < ber.length) {
    const start = p;
    const constructed = (ber[p] & 0x20) !== 0;
    if ((ber[p++] & 0x1f) === 0x1f) while (ber[p++] & 0x80);
    const tag = ber.subarray(start, p);
    let len = ber[p++];
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + ber[p++];
    }
    const content = ber.subarray(p, p + len);
    out.push(constructed ? { tag, children: parseTree(content) } : { tag, value: content });
    p += len;
  }
  return out;
}

function serialise(nodes: Node[]): Buffer {
  return Buffer.concat(
    nodes.map((n) => {
      const content = n.children ? serialise(n.children) : (n.value as Buffer);
      const len = content.length;
      const lenBytes =
        len < 128
          ? Buffer.from([len])
          : len < 256
            ? Buffer.from([0x81, len])
            : Buffer.from([0x82, len >> 8, len & 0xff]);
      return Buffer.concat([n.tag, lenBytes, content]);
    }),
  );
}

/** Follows context tags (hex of the identifier octets) down the tree. */
function at(root: Node, ...tags: string[]): Node {
  let node = root;
  for (const t of tags) {
    const next = node.children?.find((c) => c.tag.toString('hex') === t);
    if (!next) throw new Error(`no ${t}`);
    node = next;
  }
  return node;
}

const unknown = (s: string): Node => parseTree(hex(s))[0];

describe('unknown extension components are skipped (modules are extensible)', () => {
  const original = encodeEpsIriContent(builder.build(fullEvent()));

  it.each([
    [
      'a root component we do not model, constructed (locationOfTheTarget [8])',
      3,
      'a8 05 81 03 01 02 03',
    ],
    ['a future extension with a high tag number [99]', -1, '9f 63 02 ab cd'],
    ['a future constructed extension [300] between known ones', -3, 'bf 82 2c 04 30 02 05 00'],
  ])('%s', (_name, position, extra) => {
    const [root] = parseTree(original);
    const kids = root.children as Node[];
    kids.splice(position < 0 ? kids.length + position + 1 : position, 0, unknown(extra));
    const back = decodeEpsIriContent(serialise([root]));
    expect(encodeEpsIriContent(back).equals(original)).toBe(true);
  });

  it('inside nested types: CCKeyInfo gains [4], partyIdentity gains x-3GPP-Asserted-Identity [11]', () => {
    const [root] = parseTree(original);
    const keys = at(root, 'bf2a');
    keys.children?.[0].children?.push(unknown('84 01 ff'));
    const identity = at(root, 'a9', '30', 'a1');
    identity.children?.push(unknown('8b 01 78'));
    const back = decodeEpsIriContent(serialise([root]));
    expect(encodeEpsIriContent(back).equals(original)).toBe(true);
  });

  it('PSHeader gains unknown [9] and [30]; payload still decodes', () => {
    const b = new PsPduBuilder({ operatorIdentifier: 'OPX' });
    const pdu = encodePsPdu(
      b.iri(builder.build(fullEvent()), { sequenceNumber: 7, timestamp: T0 }),
    );
    const [root] = parseTree(pdu);
    at(root, 'a1').children?.push(unknown('89 01 00'), unknown('9e 00'));
    expect(encodePsPdu(decodePsPdu(serialise([root]))).equals(pdu)).toBe(true);
  });
});

describe('BER forms other than DER are accepted', () => {
  it('indefinite lengths and a constructed OCTET STRING (X.690 §8.7.3) decode to the same record', () => {
    const rec = builder.build({
      liid: 'AB',
      type: 'REPORT',
      timestamp: T0,
      sipMessage: Buffer.from('OPTIONS'),
    });
    const der = encodeEpsIriContent(rec);
    const ber = hex(
      'a4 80' + // iRI-Report-record, indefinite
        tlv('80', '04 00 02 02 04 08 10 01') +
        tlv('81', ascii('AB')) +
        'a3 80' +
        tlv('81', ascii('240102030405Z')) +
        '0000' +
        'be 80' +
        tlv('04', ascii('OPT')) +
        tlv('04', ascii('IONS')) +
        '0000' + // sIPMessage [30] constructed
        '0000',
    );
    expect(encodeEpsIriContent(decodeEpsIriContent(ber)).equals(der)).toBe(true);
  });
});

describe('hostile input gives typed errors', () => {
  const good = encodeEpsIriContent(builder.build(fullEvent()));

  it.each([
    ['empty', Buffer.alloc(0), 'EMPTY'],
    ['truncated', good.subarray(0, good.length - 5), 'TRUNCATED'],
    ['trailing octets', Buffer.concat([good, hex('00')]), 'TRAILING_DATA'],
    ['length field of 5 octets', hex('a1 85 01 00 00 00 00'), 'TOO_LARGE'],
    ['huge declared length', hex('a1 84 7f ff ff ff 00'), 'TRUNCATED'],
    ['unknown record alternative [9]', hex('a9 00'), 'UNKNOWN_ALTERNATIVE'],
    ['depth bomb', Buffer.concat([Buffer.alloc(2000, 0).fill(hex('a1 80'), 0, 2000)]), 'TOO_DEEP'],
    [
      'missing mandatory LIID',
      hex(
        tlv(
          'a1',
          tlv('80', '04 00 02 02 04 08 10 01') + tlv('a3', tlv('81', ascii('240102030405Z'))),
        ),
      ),
      'SCHEMA_MISMATCH',
    ],
    ['primitive where a SEQUENCE is expected', hex('81 00'), 'MALFORMED'],
  ])('%s', (_name, input, code) => {
    expect(decodeError(() => decodeEpsIriContent(input)).code).toBe(code);
  });

  it('a size limit is enforced before parsing', () => {
    expect(decodeError(() => decodeEpsIriContent(good, { maxBytes: 100 })).code).toBe('TOO_LARGE');
  });

  it('1 000 random corruptions of a valid record only ever raise Hi2DecodeError', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let decoded = 0;
    for (let i = 0; i < 1000; i++) {
      const b = Buffer.from(good);
      for (let j = 0, n = 1 + rnd(4); j < n; j++) b[rnd(b.length)] = rnd(256);
      const cut = rnd(10) === 0 ? b.subarray(0, rnd(b.length)) : b;
      try {
        decodeEpsIriContent(cut);
        decoded++;
      } catch (e) {
        expect(e).toBeInstanceOf(Hi2DecodeError);
      }
    }
    expect(decoded).toBeLessThan(1000);
  });

  it('error messages carry no key material', () => {
    const b = Buffer.from(good);
    const keyAt = b.indexOf(Buffer.alloc(16, 0x11));
    b[keyAt - 1] = 0x7f; // corrupt the cCDecKey length
    const e = decodeError(() => decodeEpsIriContent(b));
    expect(e.message).not.toContain('11111111');
    expect(e.message).not.toContain(String.fromCharCode(0x11));
  });
});
