import {
  decodeEpsIriContent,
  encodeEpsIriContent,
  Hi2EncodeError,
  IriBuilder,
  IRIParameters,
  WinterSummerIndication,
} from './index';
import { builder, fullEvent, T0 } from '../fixtures/records';

const params = (b: IriBuilder, overrides = {}): IRIParameters =>
  decodeEpsIriContent(encodeEpsIriContent(b.build(fullEvent(overrides))))
    .iRIBeginRecord as IRIParameters;

function encodeError(f: () => unknown): Hi2EncodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Hi2EncodeError);
    return e as Hi2EncodeError;
  }
  throw new Error('expected Hi2EncodeError');
}

describe('IriBuilder', () => {
  it('maps direction to initiator [4]', () => {
    expect(params(builder, { initiator: 'terminating' }).initiator).toBe(2);
    expect(params(builder, { initiator: 'unknown' }).initiator).toBe(0);
    expect(params(builder, { initiator: undefined }).initiator).toBeUndefined();
  });

  it('writes CS IDs as minimal octets and keeps keys per crypto session', () => {
    const p = params(builder, {
      keys: [
        { csId: 0, masterKey: Buffer.alloc(16, 1) },
        { csId: 300, masterKey: Buffer.alloc(16, 2), masterSalt: Buffer.alloc(14, 3) },
        { csId: Buffer.from('7'), masterKey: Buffer.alloc(30, 4) },
      ],
    });
    expect(p.mediaDecryptionInfo?.map((k) => k.cCCSID.toString('hex'))).toEqual([
      '00',
      '012c',
      '37',
    ]);
    expect(p.mediaDecryptionInfo?.[0].cCSalt).toBeUndefined();
    expect(p.mediaDecryptionInfo?.[1].cCSalt?.length).toBe(14);
  });

  it('failure indication instead of keys; both at once is refused', () => {
    const p = params(builder, { keys: undefined, mediaSecFailure: true });
    expect(p.mediaSecFailureIndication).toBe(0);
    expect(p.mediaDecryptionInfo).toBeUndefined();
    expect(encodeError(() => builder.build(fullEvent({ mediaSecFailure: true }))).field).toBe(
      'mediaDecryption-info',
    );
  });

  it('correlation goes to imsVoIP [57] by default, to correlation [35] on request', () => {
    const def = params(builder, { correlation: { iri: '17' } });
    expect(def.imsVoIP?.[0].imsIri.toString()).toBe('17');
    expect(def.correlation).toBeUndefined();
    const cv = params(builder, { correlation: { iri: '17', encodeAs: 'correlationValues' } });
    expect(cv.correlation?.iriToIri?.toString()).toBe('17');
    expect(cv.imsVoIP).toBeUndefined();
  });

  it('network element as IPv4 / IPv6 binary (IPAddress iP-value iPBinaryAddress)', () => {
    const v4 = params(builder, {
      networkIdentifier: { operatorId: 'OP', networkElement: { ip: '192.0.2.10' } },
    });
    expect(
      v4.networkIdentifier?.networkElementIdentifier?.iPAddress?.iPValue.iPBinaryAddress?.toString(
        'hex',
      ),
    ).toBe('c000020a');
    const cases: Array<[string, string]> = [
      ['2001:db8::1', '20010db8000000000000000000000001'],
      ['::1', '00000000000000000000000000000001'],
      ['fe80::', 'fe800000000000000000000000000000'],
      ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
      ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ];
    for (const [ip, bin] of cases) {
      const p = params(builder, {
        networkIdentifier: { operatorId: 'OP', networkElement: { ip } },
      });
      const addr = p.networkIdentifier?.networkElementIdentifier?.iPAddress;
      expect([addr?.iPType, addr?.iPValue.iPBinaryAddress?.toString('hex')]).toEqual([1, bin]);
    }
  });

  it('defaults apply when the event has none; event values win', () => {
    const b = new IriBuilder({
      networkIdentifier: { operatorId: 'DEF' },
      nationalParameters: [Buffer.from('N')],
    });
    const p = params(b, { networkIdentifier: undefined, nationalParameters: undefined });
    expect(p.networkIdentifier?.operatorIdentifier.toString()).toBe('DEF');
    expect(p.nationalParameters?.map(String)).toEqual(['N']);
    expect(params(b).networkIdentifier?.operatorIdentifier.toString()).toBe('OPX');
  });

  it('local time stamp: localTime [0] { GeneralizedTime with offset, winterSummerIndication }', () => {
    const b = new IriBuilder({
      timeStampFormat: { kind: 'local', offsetMinutes: 60, winterSummer: 'winter' },
    });
    const p = params(b, { timestamp: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 250)) });
    expect(p.timeStamp.localTime?.generalizedTime).toBe('20240102040405.25+0100');
    expect(p.timeStamp.localTime?.winterSummerIndication).toBe(WinterSummerIndication.winterTime);
    expect(p.timeStamp.utcTime).toBeUndefined();
  });

  it.each([
    ['LIID longer than 25 octets', { liid: 'x'.repeat(26) }, 'lawfulInterceptionIdentifier'],
    ['empty LIID', { liid: '' }, 'lawfulInterceptionIdentifier'],
    [
      'operator-Identifier longer than 5 octets',
      { networkIdentifier: { operatorId: 'SIXSIX' } },
      'operator-Identifier',
    ],
    [
      '41 national parameters',
      { nationalParameters: Array(41).fill(Buffer.from('n')) },
      'national-Parameters',
    ],
    ['a party without identity', { parties: [{ role: 'originating' as const }] }, 'partyIdentity'],
    [
      '11 parties',
      { parties: Array(11).fill({ role: 'originating', sipUri: 'sip:a@b' }) },
      'partyInformation',
    ],
    ['invalid date', { timestamp: new Date(NaN) }, 'timeStamp'],
    [
      'bad IP',
      { networkIdentifier: { operatorId: 'OP', networkElement: { ip: '300.1.1.1' } } },
      'iP-Address',
    ],
  ])('refuses %s', (_name, overrides, field) => {
    expect(encodeError(() => builder.build(fullEvent(overrides))).field).toBe(field);
  });

  it('error messages never contain key bytes', () => {
    const key = Buffer.from('SECRETKEYSECRETK');
    const e = encodeError(() => builder.build(fullEvent({ keys: [{ csId: -1, masterKey: key }] })));
    expect(e.message).not.toContain('SECRET');
  });

  it('timestamp is the event time (UTCTime, whole seconds)', () => {
    expect(params(builder).timeStamp.utcTime?.toISOString()).toBe(T0.toISOString());
  });
});
