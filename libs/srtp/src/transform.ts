import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { aesCtrName, aesGcmName, type SessionKeys } from './kdf';
import type { SrtpSuite } from './suites';

/**
 * AES-CM IV = (k_s · 2^16) XOR (SSRC · 2^64) XOR (i · 2^16), with i the 48-bit SRTP packet
 * index (RFC 3711 §4.1.1) or the 31-bit SRTCP index (§3.4, §4.1). Node's CTR mode increments
 * all 128 bits; SRTP limits a packet to 2^16 blocks so only the low 16 bits ever change.
 */
export function aesCmIv(sessionSalt: Buffer, ssrc: number, index: number): Buffer {
  const iv = Buffer.alloc(16);
  sessionSalt.copy(iv, 0, 0, 14);
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
  iv.writeUInt16BE(iv.readUInt16BE(8) ^ Math.floor(index / 2 ** 32), 8);
  iv.writeUInt32BE((iv.readUInt32BE(10) ^ (index % 2 ** 32)) >>> 0, 10);
  return iv;
}

/** SRTP GCM IV = (00 00 || SSRC || ROC || SEQ) XOR salt (RFC 7714 §8.1). */
export function gcmRtpIv(sessionSalt: Buffer, ssrc: number, roc: number, seq: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(ssrc, 2);
  iv.writeUInt32BE(roc, 6);
  iv.writeUInt16BE(seq, 10);
  for (let i = 0; i < 12; i++) iv[i] ^= sessionSalt[i];
  return iv;
}

/** SRTCP GCM IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt (RFC 7714 §9.1). */
export function gcmRtcpIv(sessionSalt: Buffer, ssrc: number, index: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(ssrc, 2);
  iv.writeUInt32BE(index, 8);
  for (let i = 0; i < 12; i++) iv[i] ^= sessionSalt[i];
  return iv;
}

/** HMAC-SHA1 over the parts, truncated to the tag length (RFC 3711 §4.2.1). */
export function hmacSha1Tag(authKey: Buffer, tagLength: number, parts: Buffer[]): Buffer {
  const hmac = createHmac('sha1', authKey);
  for (const p of parts) hmac.update(p);
  return hmac.digest().subarray(0, tagLength);
}

/** Constant-time tag comparison. */
export function tagsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function rocOctets(roc: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(roc);
  return b;
}

/** Where the parts of an SRTP packet sit, given the suite and MKI length (RFC 3711 §3.1, RFC 7714 §8). */
export interface SrtpLayout {
  payloadEnd: number;
  mkiStart: number;
  tagStart: number;
}

/**
 * AES-CM: header || encrypted payload || MKI || tag (RFC 3711 §3.1). AEAD: header ||
 * ciphertext || tag || MKI, the GCM tag being the end of the AEAD ciphertext (RFC 7714 §8).
 */
export function srtpLayout(suite: SrtpSuite, length: number, mkiLength: number): SrtpLayout {
  const tag = suite.srtpTagLength;
  return suite.cipher === 'aes-cm'
    ? {
        payloadEnd: length - tag - mkiLength,
        mkiStart: length - tag - mkiLength,
        tagStart: length - tag,
      }
    : {
        payloadEnd: length - mkiLength - tag,
        tagStart: length - mkiLength - tag,
        mkiStart: length - mkiLength,
      };
}

/** The transform's input for one RTP packet. */
export interface RtpCryptoInput {
  header: Buffer;
  ssrc: number;
  sequenceNumber: number;
  roc: number;
}

/**
 * Encrypts and authenticates one RTP payload: returns the SRTP packet
 * (RFC 3711 §3.3 / RFC 7714 §8), with the MKI placed per {@link srtpLayout}.
 */
export function sealSrtp(
  suite: SrtpSuite,
  keys: SessionKeys,
  rtp: RtpCryptoInput,
  payload: Buffer,
  mki: Buffer,
): Buffer {
  const { header, ssrc, sequenceNumber, roc } = rtp;
  if (suite.cipher === 'aes-gcm') {
    const cipher = createCipheriv(
      aesGcmName(keys.encryptionKey),
      keys.encryptionKey,
      gcmRtpIv(keys.salt, ssrc, roc, sequenceNumber),
    );
    cipher.setAAD(header);
    const body = cipher.update(payload);
    cipher.final();
    return Buffer.concat([header, body, cipher.getAuthTag(), mki]);
  }
  const index = roc * 0x10000 + sequenceNumber;
  const body = createCipheriv(
    aesCtrName(keys.encryptionKey),
    keys.encryptionKey,
    aesCmIv(keys.salt, ssrc, index),
  ).update(payload);
  const tag = hmacSha1Tag(keys.authKey, suite.srtpTagLength, [header, body, rocOctets(roc)]);
  return Buffer.concat([header, body, mki, tag]);
}

/**
 * Verifies and decrypts one SRTP payload with the given ROC; undefined when the tag does not
 * verify (RFC 3711 §3.3 steps 5-6: authenticate before decrypting).
 */
export function openSrtp(
  suite: SrtpSuite,
  keys: SessionKeys,
  rtp: RtpCryptoInput,
  body: Buffer,
  tag: Buffer,
): Buffer | undefined {
  const { header, ssrc, sequenceNumber, roc } = rtp;
  if (suite.cipher === 'aes-gcm') {
    const decipher = createDecipheriv(
      aesGcmName(keys.encryptionKey),
      keys.encryptionKey,
      gcmRtpIv(keys.salt, ssrc, roc, sequenceNumber),
      { authTagLength: 16 },
    );
    decipher.setAAD(header);
    decipher.setAuthTag(tag);
    const plain = decipher.update(body);
    try {
      decipher.final();
    } catch {
      return undefined;
    }
    return plain;
  }
  const expected = hmacSha1Tag(keys.authKey, suite.srtpTagLength, [header, body, rocOctets(roc)]);
  if (!tagsEqual(expected, tag)) return undefined;
  const index = roc * 0x10000 + sequenceNumber;
  return createDecipheriv(
    aesCtrName(keys.encryptionKey),
    keys.encryptionKey,
    aesCmIv(keys.salt, ssrc, index),
  ).update(body);
}
