import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EncrAlg,
  MacAlg,
  MikeyCryptoError,
  PrfFunc,
  TGK_CONSTANTS,
  aesCmIv,
  computeMac,
  decryptKeyData,
  deriveFromTgk,
  deriveSrtpMasterKeys,
  deriveTransportKeys,
  encryptKeyData,
  macMatches,
  mikeyPrf,
  pFunction,
} from './index';

/** Vectors computed independently by fixtures/derive-vectors.py (Python hmac/hashlib/cryptography). */
interface Vectors {
  prf: { prf: keyof typeof PrfFunc; inkey: string; label: string; outLen: number; out: string }[];
  srtp: {
    prf: keyof typeof PrfFunc;
    tgk: string;
    csbId: number;
    csId: number;
    rand: string;
    masterKey: string;
    masterSalt: string;
    authKey: string;
    encrKey: string;
  }[];
  transport: Record<'psk' | 'rand' | 'encrKey' | 'authKey' | 'saltKey', string> & { csbId: number };
  aesCm: Record<'timestamp' | 'iv' | 'plain' | 'cipher', string>;
}
const vectors = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'vectors.json'), 'utf8'),
) as Vectors;
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('MIKEY PRF (RFC 3830 §4.1.2, RFC 6043 PRF-HMAC-SHA-256)', () => {
  it.each(vectors.prf.map((v) => [v.prf, v.inkey.length / 2, v.outLen, v] as const))(
    '%s with a %i-octet key and %i-octet output matches the reference',
    (_p, _k, _o, v) => {
      expect(mikeyPrf(hex(v.inkey), hex(v.label), v.outLen, PrfFunc[v.prf]).toString('hex')).toBe(
        v.out,
      );
    },
  );

  it('splits a key of exactly 2×256 bits into exactly two chunks (no empty third chunk)', () => {
    const key = Buffer.alloc(64, 7);
    const label = Buffer.from('label');
    const p1 = pFunction(key.subarray(0, 32), label, 1);
    const p2 = pFunction(key.subarray(32), label, 1);
    const xor = Buffer.from(p1.map((b, i) => b ^ p2[i]));
    expect(mikeyPrf(key, label, 20)).toEqual(xor);
  });

  it('rejects an empty key and absurd output lengths', () => {
    expect(() => mikeyPrf(Buffer.alloc(0), Buffer.alloc(1), 16)).toThrow(MikeyCryptoError);
    expect(() => mikeyPrf(Buffer.alloc(16), Buffer.alloc(1), 0)).toThrow(MikeyCryptoError);
    expect(() => mikeyPrf(Buffer.alloc(16), Buffer.alloc(1), 1 << 20)).toThrow(MikeyCryptoError);
  });
});

describe('key derivation (RFC 3830 §4.1.3, §4.1.4)', () => {
  it.each(vectors.srtp.map((v) => [v.prf, v.csId, v] as const))(
    'SRTP master key/salt from a TGK with %s, CS ID %i',
    (_p, _c, v) => {
      const prf = PrfFunc[v.prf];
      const keys = deriveSrtpMasterKeys(hex(v.tgk), v.csbId, v.csId, hex(v.rand), prf);
      expect(keys.masterKey.toString('hex')).toBe(v.masterKey);
      expect(keys.masterSalt.toString('hex')).toBe(v.masterSalt);
      const cs = { csId: v.csId, csbId: v.csbId, rand: hex(v.rand) };
      expect(deriveFromTgk(hex(v.tgk), TGK_CONSTANTS.AUTH, cs, 20, prf).toString('hex')).toBe(
        v.authKey,
      );
      expect(deriveFromTgk(hex(v.tgk), TGK_CONSTANTS.ENCR, cs, 16, prf).toString('hex')).toBe(
        v.encrKey,
      );
    },
  );

  it('transport keys from a PSK use 0xFF as CS ID and the §4.1.4 constants', () => {
    const t = vectors.transport;
    const keys = deriveTransportKeys(hex(t.psk), t.csbId, hex(t.rand), {
      encrAlg: EncrAlg.AES_CM_128,
      macAlg: MacAlg.HMAC_SHA_1_160,
    });
    expect(keys.encrKey.toString('hex')).toBe(t.encrKey);
    expect(keys.authKey.toString('hex')).toBe(t.authKey);
    expect(keys.saltKey.toString('hex')).toBe(t.saltKey);
  });

  it('HMAC-SHA-256-256 transport auth keys are 256 bits, AES-KW needs no salt', () => {
    const keys = deriveTransportKeys(Buffer.alloc(32, 1), 1, Buffer.alloc(16, 2), {
      encrAlg: EncrAlg.AES_KW_128,
      macAlg: MacAlg.HMAC_SHA_256_256,
      prf: PrfFunc.PRF_HMAC_SHA_256,
    });
    expect([keys.encrKey.length, keys.authKey.length, keys.saltKey.length]).toEqual([16, 32, 0]);
  });
});

describe('KEMAC ciphers and MACs', () => {
  const t = vectors.transport;
  const cm = vectors.aesCm;

  it('AES-CM-128 IV and ciphertext match the reference (RFC 3830 §4.2.3)', () => {
    const params = {
      encrAlg: EncrAlg.AES_CM_128,
      encrKey: hex(t.encrKey),
      saltKey: hex(t.saltKey),
      csbId: t.csbId,
      timestamp: hex(cm.timestamp),
    };
    expect(aesCmIv(hex(t.saltKey), t.csbId, hex(cm.timestamp)).toString('hex')).toBe(cm.iv);
    expect(encryptKeyData(hex(cm.plain), params).toString('hex')).toBe(cm.cipher);
    expect(decryptKeyData(hex(cm.cipher), params).toString('hex')).toBe(cm.plain);
  });

  it('AES-KW-128 matches RFC 3394 §4.1 and detects tampering', () => {
    const params = {
      encrAlg: EncrAlg.AES_KW_128,
      encrKey: hex('000102030405060708090a0b0c0d0e0f'),
    };
    const wrapped = encryptKeyData(hex('00112233445566778899aabbccddeeff'), params);
    expect(wrapped.toString('hex')).toBe('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5');
    expect(decryptKeyData(wrapped, params).toString('hex')).toBe(
      '00112233445566778899aabbccddeeff',
    );
    wrapped[3] ^= 1;
    expect(() => decryptKeyData(wrapped, params)).toThrow(/DECRYPT_FAILED/);
  });

  it('HMAC-SHA-1-160 and HMAC-SHA-256-256 match RFC 2202 / RFC 4231 test case 1', () => {
    const key = Buffer.alloc(20, 0x0b);
    const data = Buffer.from('Hi There');
    expect(computeMac(MacAlg.HMAC_SHA_1_160, key, data).toString('hex')).toBe(
      'b617318655057264e28bc0b6fb378c8ef146be00',
    );
    expect(computeMac(MacAlg.HMAC_SHA_256_256, key, data).toString('hex')).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
    const mac = computeMac(MacAlg.HMAC_SHA_1_160, key, data);
    expect(macMatches(MacAlg.HMAC_SHA_1_160, key, data, mac)).toBe(true);
    expect(macMatches(MacAlg.HMAC_SHA_1_160, key, Buffer.from('Hi there'), mac)).toBe(false);
    expect(macMatches(MacAlg.NULL, key, data, Buffer.alloc(0))).toBe(false);
  });
});
