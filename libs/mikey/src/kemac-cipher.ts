import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { EncrAlg, MAC_LENGTH, MacAlg } from './constants';
import { MikeyCryptoError } from './errors';
import { AES_CM_SALT_LENGTH } from './key-derivation';

/** RFC 3394 §2.2.3.1 default initial value of AES key wrap. */
const AES_KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

/**
 * AES-CM IV for KEMAC encryption (RFC 3830 §4.2.3): IV = (S XOR (0x0000 || CSB ID || T)) ||
 * 0x0000, with S the 112-bit salting key and T the 64-bit timestamp of the message's T payload.
 * A 32-bit TS value (COUNTER, NTP-UTC-32) is right-aligned in the 64-bit T field (our choice;
 * RFC 3830 only names 64-bit T here).
 */
export function aesCmIv(saltKey: Buffer, csbId: number, timestamp: Buffer): Buffer {
  if (saltKey.length !== AES_CM_SALT_LENGTH) {
    throw new MikeyCryptoError('INVALID_ARGUMENT', 'AES-CM salting key must be 112 bits');
  }
  if (timestamp.length !== 8 && timestamp.length !== 4) {
    throw new MikeyCryptoError('INVALID_ARGUMENT', 'timestamp must be 32 or 64 bits');
  }
  const block = Buffer.alloc(AES_CM_SALT_LENGTH);
  block.writeUInt32BE(csbId >>> 0, 2);
  timestamp.copy(block, AES_CM_SALT_LENGTH - timestamp.length);
  const iv = Buffer.alloc(16);
  for (let i = 0; i < AES_CM_SALT_LENGTH; i++) iv[i] = saltKey[i] ^ block[i];
  return iv;
}

/** What the KEMAC cipher needs besides the data (RFC 3830 §4.2.3, §4.1.4). */
export interface KemacCipherParams {
  encrAlg: EncrAlg;
  encrKey: Buffer;
  /** AES-CM only: the 112-bit salting key. */
  saltKey?: Buffer;
  /** AES-CM only. */
  csbId?: number;
  /** AES-CM only: TS value of the message's T payload. */
  timestamp?: Buffer;
}

function aesCm(data: Buffer, p: KemacCipherParams): Buffer {
  if (!p.saltKey || p.csbId === undefined || !p.timestamp) {
    throw new MikeyCryptoError('INVALID_ARGUMENT', 'AES-CM needs saltKey, csbId and timestamp');
  }
  const c = createCipheriv('aes-128-ctr', p.encrKey, aesCmIv(p.saltKey, p.csbId, p.timestamp));
  return Buffer.concat([c.update(data), c.final()]);
}

function checkKey(p: KemacCipherParams): void {
  if (p.encrAlg !== EncrAlg.NULL && p.encrKey.length !== 16) {
    throw new MikeyCryptoError('INVALID_ARGUMENT', 'AES-128 key must be 16 octets');
  }
}

/**
 * Encrypts KEMAC Encr data: NULL (clear), AES-CM-128 (RFC 3830 §4.2.3) or AES-KW-128 (RFC 3394
 * with the default IV; the data must be a multiple of 8 octets, see encodeKeyDataList).
 */
export function encryptKeyData(plain: Buffer, p: KemacCipherParams): Buffer {
  checkKey(p);
  switch (p.encrAlg) {
    case EncrAlg.NULL:
      return Buffer.from(plain);
    case EncrAlg.AES_CM_128:
      return aesCm(plain, p);
    case EncrAlg.AES_KW_128: {
      if (plain.length < 16 || plain.length % 8 !== 0) {
        throw new MikeyCryptoError('INVALID_ARGUMENT', 'AES-KW data must be 8·n octets, n ≥ 2');
      }
      const c = createCipheriv('id-aes128-wrap', p.encrKey, AES_KW_IV);
      return Buffer.concat([c.update(plain), c.final()]);
    }
    default:
      throw new MikeyCryptoError('UNSUPPORTED_ALGORITHM', `encr alg ${String(p.encrAlg)}`);
  }
}

/** Decrypts KEMAC Encr data; AES-KW integrity failure is `DECRYPT_FAILED`. */
export function decryptKeyData(data: Buffer, p: KemacCipherParams): Buffer {
  checkKey(p);
  switch (p.encrAlg) {
    case EncrAlg.NULL:
      return Buffer.from(data);
    case EncrAlg.AES_CM_128:
      return aesCm(data, p);
    case EncrAlg.AES_KW_128: {
      if (data.length < 24 || data.length % 8 !== 0) {
        throw new MikeyCryptoError('DECRYPT_FAILED', 'AES-KW data length');
      }
      try {
        const d = createDecipheriv('id-aes128-wrap', p.encrKey, AES_KW_IV);
        return Buffer.concat([d.update(data), d.final()]);
      } catch {
        throw new MikeyCryptoError('DECRYPT_FAILED', 'AES-KW integrity check failed');
      }
    }
    default:
      throw new MikeyCryptoError('UNSUPPORTED_ALGORITHM', `encr alg ${String(p.encrAlg)}`);
  }
}

/** HMAC-SHA-1-160 (RFC 3830 §6.2) or HMAC-SHA-256-256 (RFC 6043 §6.2); NULL gives no MAC. */
export function computeMac(alg: MacAlg, authKey: Buffer, data: Buffer): Buffer {
  switch (alg) {
    case MacAlg.NULL:
      return Buffer.alloc(0);
    case MacAlg.HMAC_SHA_1_160:
      return createHmac('sha1', authKey).update(data).digest();
    case MacAlg.HMAC_SHA_256_256:
      return createHmac('sha256', authKey).update(data).digest();
    default:
      throw new MikeyCryptoError('UNSUPPORTED_ALGORITHM', `MAC alg ${String(alg)}`);
  }
}

/** Constant-time MAC comparison. NULL MAC alg never verifies (nothing is authenticated). */
export function macMatches(alg: MacAlg, authKey: Buffer, data: Buffer, mac: Buffer): boolean {
  if (alg === MacAlg.NULL || mac.length !== MAC_LENGTH[alg]) return false;
  return timingSafeEqual(computeMac(alg, authKey, data), mac);
}
