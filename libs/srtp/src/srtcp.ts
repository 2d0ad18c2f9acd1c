import { createCipheriv, createDecipheriv } from 'node:crypto';
import { aesCtrName, aesGcmName, type SessionKeys } from './kdf';
import { RTCP_HEADER_LENGTH } from './rtp-header';
import type { SrtpSuite } from './suites';
import { aesCmIv, gcmRtcpIv, hmacSha1Tag, tagsEqual } from './transform';

/** The E flag: the SRTCP packet's payload is encrypted (RFC 3711 §3.4). */
const E_FLAG = 0x80000000;

/** Largest SRTCP index (31 bits, RFC 3711 §3.4). */
export const MAX_SRTCP_INDEX = 0x7fffffff;

/** Where the parts of an SRTCP packet sit (offsets from the start). */
export interface SrtcpLayout {
  /** End of the (possibly encrypted) RTCP payload that follows the 8-octet header. */
  bodyEnd: number;
  /** The 32-bit E flag || SRTCP index word. */
  indexStart: number;
  mkiStart: number;
  tagStart: number;
}

/**
 * AES-CM: header || body || E+index || MKI || tag (RFC 3711 §3.4). AEAD: header ||
 * ciphertext || tag || E+index || MKI (RFC 7714 §9, §17). Undefined when too short.
 */
export function srtcpLayout(
  suite: SrtpSuite,
  length: number,
  mkiLength: number,
): SrtcpLayout | undefined {
  const tag = suite.srtcpTagLength;
  if (length < RTCP_HEADER_LENGTH + 4 + mkiLength + tag) return undefined;
  if (suite.cipher === 'aes-cm') {
    const tagStart = length - tag;
    const mkiStart = tagStart - mkiLength;
    return { bodyEnd: mkiStart - 4, indexStart: mkiStart - 4, mkiStart, tagStart };
  }
  const mkiStart = length - mkiLength;
  const indexStart = mkiStart - 4;
  return { bodyEnd: indexStart - tag, tagStart: indexStart - tag, indexStart, mkiStart };
}

function indexWord(index: number, encrypted: boolean): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE((encrypted ? E_FLAG | index : index) >>> 0);
  return b;
}

/** Reads the E flag and the 31-bit SRTCP index at the layout's index word. */
export function readSrtcpIndex(
  srtcp: Buffer,
  layout: SrtcpLayout,
): { index: number; encrypted: boolean } {
  const word = srtcp.readUInt32BE(layout.indexStart);
  return { index: word & MAX_SRTCP_INDEX, encrypted: word >= E_FLAG };
}

/**
 * Protects one (compound) RTCP packet with SRTCP index `index`: everything after the first
 * 8 octets is encrypted when `encrypt` (E = 1), and the packet is authenticated (RFC 3711
 * §3.4; AEAD associated data per RFC 7714 §9.2, §17: header || E+index, or the whole packet
 * || E+index when E = 0).
 */
export function sealSrtcp(
  suite: SrtpSuite,
  keys: SessionKeys,
  rtcp: Buffer,
  index: number,
  encrypt: boolean,
  mki: Buffer,
): Buffer {
  const ssrc = rtcp.readUInt32BE(4);
  const header = rtcp.subarray(0, RTCP_HEADER_LENGTH);
  const plain = rtcp.subarray(RTCP_HEADER_LENGTH);
  const word = indexWord(index, encrypt);
  if (suite.cipher === 'aes-gcm') {
    const cipher = createCipheriv(
      aesGcmName(keys.encryptionKey),
      keys.encryptionKey,
      gcmRtcpIv(keys.salt, ssrc, index),
    );
    cipher.setAAD(encrypt ? Buffer.concat([header, word]) : Buffer.concat([rtcp, word]));
    const body = encrypt ? cipher.update(plain) : plain;
    cipher.final();
    return Buffer.concat([header, body, cipher.getAuthTag(), word, mki]);
  }
  const body = encrypt
    ? createCipheriv(
        aesCtrName(keys.encryptionKey),
        keys.encryptionKey,
        aesCmIv(keys.salt, ssrc, index),
      ).update(plain)
    : plain;
  const tag = hmacSha1Tag(keys.authKey, suite.srtcpTagLength, [header, body, word]);
  return Buffer.concat([header, body, word, mki, tag]);
}

/**
 * Verifies, then decrypts when E = 1, one SRTCP packet laid out per {@link srtcpLayout}:
 * returns the RTCP packet, or undefined when authentication fails (RFC 3711 §3.4).
 */
export function openSrtcp(
  suite: SrtpSuite,
  keys: SessionKeys,
  srtcp: Buffer,
  layout: SrtcpLayout,
): Buffer | undefined {
  const ssrc = srtcp.readUInt32BE(4);
  const { index, encrypted } = readSrtcpIndex(srtcp, layout);
  const header = srtcp.subarray(0, RTCP_HEADER_LENGTH);
  const body = srtcp.subarray(RTCP_HEADER_LENGTH, layout.bodyEnd);
  const word = srtcp.subarray(layout.indexStart, layout.indexStart + 4);
  const tag = srtcp.subarray(layout.tagStart, layout.tagStart + suite.srtcpTagLength);
  if (suite.cipher === 'aes-gcm') {
    const decipher = createDecipheriv(
      aesGcmName(keys.encryptionKey),
      keys.encryptionKey,
      gcmRtcpIv(keys.salt, ssrc, index),
      { authTagLength: 16 },
    );
    decipher.setAAD(Buffer.concat(encrypted ? [header, word] : [header, body, word]));
    decipher.setAuthTag(tag);
    const plain = encrypted ? decipher.update(body) : body;
    try {
      decipher.final();
    } catch {
      return undefined;
    }
    return Buffer.concat([header, plain]);
  }
  const authenticated = srtcp.subarray(0, layout.indexStart + 4);
  const expected = hmacSha1Tag(keys.authKey, suite.srtcpTagLength, [authenticated]);
  if (!tagsEqual(expected, tag)) return undefined;
  const plain = encrypted
    ? createDecipheriv(
        aesCtrName(keys.encryptionKey),
        keys.encryptionKey,
        aesCmIv(keys.salt, ssrc, index),
      ).update(body)
    : body;
  return Buffer.concat([header, plain]);
}
