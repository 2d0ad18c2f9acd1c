import {
  SRTP_CRYPTO_SUITES,
  SdpParseError,
  decodeBase64Strict,
  isMikey,
  parseCryptoAttribute,
  parseKeyMgmtAttribute,
  parseSessionDescription,
} from '../index';

const sdp = (...lines: string[]): Buffer => Buffer.from(lines.map((l) => `${l}\r\n`).join(''));
const octets = (n: number, seed: number): Buffer =>
  Buffer.from(Array.from({ length: n }, (_, i) => (seed + i * 7) & 0xff));

function cryptoError(value: string): SdpParseError {
  try {
    parseCryptoAttribute(value);
  } catch (e) {
    if (e instanceof SdpParseError) return e;
    throw e;
  }
  throw new Error('parsed without error');
}

describe('a=crypto (RFC 4568 §9.2)', () => {
  const suites: [string, number, number][] = [
    ['AES_CM_128_HMAC_SHA1_80', 16, 14],
    ['AES_CM_128_HMAC_SHA1_32', 16, 14],
    ['F8_128_HMAC_SHA1_80', 16, 14],
    ['AES_192_CM_HMAC_SHA1_80', 24, 14],
    ['AES_192_CM_HMAC_SHA1_32', 24, 14],
    ['AES_256_CM_HMAC_SHA1_80', 32, 14],
    ['AES_256_CM_HMAC_SHA1_32', 32, 14],
    ['AEAD_AES_128_GCM', 16, 12],
    ['AEAD_AES_256_GCM', 32, 12],
  ];

  it('knows exactly the suites of RFC 4568, RFC 6188 and RFC 7714', () => {
    expect(Object.keys(SRTP_CRYPTO_SUITES).sort()).toEqual(suites.map((s) => s[0]).sort());
  });

  it.each(suites)(
    '%s splits key-salt into a %i-octet key and a %i-octet salt',
    (name, keyLen, saltLen) => {
      const key = octets(keyLen, 1);
      const salt = octets(saltLen, 200);
      const inline = Buffer.concat([key, salt]).toString('base64');
      const c = parseCryptoAttribute(`7 ${name} inline:${inline}|2^31|5:2 KDR=3`);
      expect(c.tag).toBe(7);
      expect(c.knownSuite?.masterKeyLength).toBe(keyLen);
      expect(c.keys[0].masterKey?.equals(key)).toBe(true);
      expect(c.keys[0].masterSalt?.equals(salt)).toBe(true);
      expect(c.keys[0].lifetime).toBe(2n ** 31n);
      expect(c.keys[0].mki).toEqual({ value: 5n, length: 2 });
      expect(c.sessionParams.kdr).toBe(3);
      // one octet short and one octet long are both refused, without key material in the message
      for (const wrong of [keyLen + saltLen - 1, keyLen + saltLen + 1]) {
        const text = octets(wrong, 9).toString('base64');
        const e = cryptoError(`1 ${name} inline:${text}`);
        expect(e.code).toBe('BAD_CRYPTO');
        expect(e.message).not.toContain(text);
        expect(e.message).toContain(`${keyLen + saltLen}`);
      }
    },
  );

  it('parses the RFC 4568 example attribute', () => {
    const c = parseCryptoAttribute(
      '1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32',
    );
    expect(c.keys[0].keySalt?.toString('base64')).toBe('PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR');
    expect(c.keys[0].lifetime).toBe(1048576n);
    expect(c.keys[0].mki).toEqual({ value: 1n, length: 32 });
  });

  it('reads plain lifetimes, several keys with MKIs and every session parameter', () => {
    const k1 = octets(30, 3).toString('base64');
    const k2 = octets(30, 4).toString('base64');
    const c = parseCryptoAttribute(
      `2 AES_CM_128_HMAC_SHA1_32 inline:${k1}|1000|1:1;inline:${k2}|2:1 ` +
        'UNENCRYPTED_SRTCP UNENCRYPTED_SRTP UNAUTHENTICATED_SRTP FEC_ORDER=SRTP_FEC ' +
        `FEC_KEY=inline:${k1}|2^10 WSH=128 -vendor=1 MANDATORY_EXT`,
    );
    expect(c.keys.map((k) => [k.lifetime, k.mki?.value])).toEqual([
      [1000n, 1n],
      [undefined, 2n],
    ]);
    expect(c.sessionParams).toMatchObject({
      unencryptedSrtp: true,
      unencryptedSrtcp: true,
      unauthenticatedSrtp: true,
      fecOrder: 'SRTP_FEC',
      wsh: 128,
      extensions: ['-vendor=1', 'MANDATORY_EXT'],
    });
    expect(c.sessionParams.fecKeys?.[0].lifetime).toBe(1024n);
  });

  it.each(['FUTURE_SUITE', 'toString', 'constructor', '__proto__', 'hasOwnProperty'])(
    'keeps the key-salt of an unknown suite (%s) unsplit',
    (name) => {
      const c = parseCryptoAttribute(`3 ${name} inline:${octets(40, 5).toString('base64')}`);
      expect(c.knownSuite).toBeUndefined();
      expect(c.keys[0].keySalt?.length).toBe(40);
      expect(c.keys[0].masterKey).toBeUndefined();
    },
  );

  it.each([
    ['no key params', '1 AES_CM_128_HMAC_SHA1_80'],
    [
      'tag too long',
      `1234567890 AES_CM_128_HMAC_SHA1_80 inline:${octets(30, 1).toString('base64')}`,
    ],
    ['not base64', '1 AES_CM_128_HMAC_SHA1_80 inline:!!!!'],
    [
      'lifetime above 2^48',
      `1 AES_CM_128_HMAC_SHA1_80 inline:${octets(30, 1).toString('base64')}|2^49`,
    ],
    [
      'MKI value too big',
      `1 AES_CM_128_HMAC_SHA1_80 inline:${octets(30, 1).toString('base64')}|256:1`,
    ],
    ['MKI length 0', `1 AES_CM_128_HMAC_SHA1_80 inline:${octets(30, 1).toString('base64')}|1:0`],
    [
      'two keys without MKI',
      `1 AES_CM_128_HMAC_SHA1_80 inline:${octets(30, 1).toString('base64')};inline:${octets(30, 2).toString('base64')}`,
    ],
    ['KDR above 24', `1 AES_CM_128_HMAC_SHA1_80 inline:${octets(30, 1).toString('base64')} KDR=25`],
    ['WSH below 64', `1 AES_CM_128_HMAC_SHA1_80 inline:${octets(30, 1).toString('base64')} WSH=63`],
  ])('rejects %s', (_what, value) => {
    expect(cryptoError(value).code).toBe('BAD_CRYPTO');
  });
});

describe('a=key-mgmt (RFC 4567 §3) and strict base64', () => {
  it('decodes the MIKEY message', () => {
    const mikey = Buffer.from('0100000000000000', 'hex');
    const a = parseKeyMgmtAttribute(`mikey ${mikey.toString('base64')}`);
    expect(isMikey(a)).toBe(true);
    expect(a.data.equals(mikey)).toBe(true);
    expect(isMikey(parseKeyMgmtAttribute('MIKEY AQ=='))).toBe(true);
    expect(isMikey(parseKeyMgmtAttribute('other AQ=='))).toBe(false);
  });

  it.each(['mikey', 'mikey  AQ==', 'mi-key AQ==', 'mikey AQ=', 'mikey A', 'mikey AR=='])(
    'rejects "%s"',
    (v) => {
      expect(() => parseKeyMgmtAttribute(v)).toThrow(SdpParseError);
    },
  );

  it('accepts only canonical base64, padding optional', () => {
    expect(decodeBase64Strict('AQID')?.toString('hex')).toBe('010203');
    expect(decodeBase64Strict('AQI=')?.toString('hex')).toBe('0102');
    expect(decodeBase64Strict('AQI')?.toString('hex')).toBe('0102');
    expect(decodeBase64Strict('AQJ=')).toBeUndefined(); // non-zero pad bits
    expect(decodeBase64Strict('AQ=I')).toBeUndefined();
    expect(decodeBase64Strict('A Q==')).toBeUndefined();
    expect(decodeBase64Strict('AQ-_')).toBeUndefined();
  });
});

describe('SDP session description (RFC 4566)', () => {
  const key = octets(30, 11).toString('base64');
  const mikey = Buffer.from('01000a0102030405', 'hex').toString('base64');

  it('lists media with effective connection and key management', () => {
    const d = parseSessionDescription(
      sdp(
        'v=0',
        'o=- 1 2 IN IP4 192.0.2.1',
        's=-',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        `a=key-mgmt:mikey ${mikey}`,
        'm=audio 49170 RTP/SAVP 0 8',
        `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^20`,
        'a=rtpmap:0 PCMU/8000',
        'm=video 51372/2 RTP/SAVP 99',
        'c=IN IP6 2001:db8::5',
        'b=AS:64',
        `a=key-mgmt:mikey ${Buffer.from('01ff', 'hex').toString('base64')}`,
        'm=text 0 RTP/AVP 100',
      ),
    );
    expect(d.origin.address).toBe('192.0.2.1');
    expect(d.keyMgmt).toHaveLength(1);
    expect(d.media.map((m) => [m.media, m.port, m.portCount, m.proto, m.formats])).toEqual([
      ['audio', 49170, undefined, 'RTP/SAVP', ['0', '8']],
      ['video', 51372, 2, 'RTP/SAVP', ['99']],
      ['text', 0, undefined, 'RTP/AVP', ['100']],
    ]);
    expect(d.media.map((m) => m.connection?.address)).toEqual([
      '192.0.2.1',
      '2001:db8::5',
      '192.0.2.1',
    ]);
    expect(d.media.map((m) => m.keyMgmtLevel)).toEqual(['session', 'media', 'session']);
    expect(d.media[1].keyMgmt[0].data.toString('hex')).toBe('01ff');
    expect(d.media[0].keyMgmt[0].data.toString('hex')).toBe('01000a0102030405');
    expect(d.media[0].crypto[0].keys[0].lifetime).toBe(2n ** 20n);
    expect(d.media[2].crypto).toEqual([]);
  });

  it('records a malformed crypto line without failing the rest, and keeps keys out of it', () => {
    const shortKey = octets(20, 1).toString('base64');
    const d = parseSessionDescription(
      sdp(
        'v=0',
        'o=- 1 2 IN IP4 192.0.2.1',
        's=-',
        't=0 0',
        `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}`,
        'm=audio 4000 RTP/SAVP 0',
        `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${shortKey}`,
        `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${key}`,
        'a=key-mgmt:mikey !!',
      ),
    );
    expect(d.attributeErrors.map((e) => [e.line, e.code])).toEqual([[5, 'BAD_CRYPTO']]);
    expect(d.media[0].crypto.map((c) => c.tag)).toEqual([2]);
    expect(d.media[0].attributeErrors.map((e) => [e.line, e.code])).toEqual([
      [7, 'BAD_CRYPTO'],
      [9, 'BAD_KEY_MGMT'],
    ]);
    for (const e of [...d.attributeErrors, ...d.media[0].attributeErrors]) {
      expect(e.message).not.toContain(shortKey);
      expect(e.message).not.toContain(key);
    }
  });

  it.each([
    ['UNKNOWN_TYPE', ['v=0', 'o=- 1 2 IN IP4 h', 's=-', 't=0 0', 'x=1']],
    ['BAD_ORDER', ['v=0', 's=-', 'o=- 1 2 IN IP4 h', 't=0 0']],
    ['BAD_ORDER', ['v=0', 'o=- 1 2 IN IP4 h', 's=-', 't=0 0', 'm=audio 1 RTP/AVP 0', 't=0 0']],
    ['MISSING_FIELD', ['v=0', 'o=- 1 2 IN IP4 h', 's=-', 'm=audio 1 RTP/AVP 0']],
    ['MISSING_FIELD', ['o=- 1 2 IN IP4 h', 's=-', 't=0 0']],
    ['BAD_FIELD', ['v=1', 'o=- 1 2 IN IP4 h', 's=-', 't=0 0']],
    ['BAD_FIELD', ['v=0', 'o=- 1 2 IN IP4', 's=-', 't=0 0']],
    ['BAD_FIELD', ['v=0', 'o=- 1 2 IN IP4 h', 's=-', 't=0 0', 'm=audio 70000 RTP/AVP 0']],
    ['BAD_FIELD', ['v=0', 'o=- 1 2 IN IP4 h', 's=-', 't=0 0', 'm=audio 1 RTP/AVP']],
    ['BAD_LINE', ['v=0', 'o=- 1 2 IN IP4 h', 's =-', 't=0 0']],
  ])('rejects a structurally broken SDP with %s', (code, lines) => {
    expect(() => parseSessionDescription(sdp(...lines))).toThrow(expect.objectContaining({ code }));
  });

  it('accepts bare LF line ends', () => {
    const d = parseSessionDescription(
      Buffer.from('v=0\no=- 1 2 IN IP4 h\ns=x\nt=0 0\nm=audio 9 RTP/AVP 0\n'),
    );
    expect(d.media).toHaveLength(1);
  });
});
