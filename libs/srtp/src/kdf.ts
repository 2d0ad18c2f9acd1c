import { type CipherGCMTypes, createCipheriv } from 'node:crypto';
import { SrtpConfigError } from './errors';
import type { SrtpSuite } from './suites';

/** Key derivation labels (RFC 3711 §4.3.1 and §4.3.2). */
export const KDF_LABEL = {
  SRTP_ENCRYPTION: 0x00,
  SRTP_AUTHENTICATION: 0x01,
  SRTP_SALT: 0x02,
  SRTCP_ENCRYPTION: 0x03,
  SRTCP_AUTHENTICATION: 0x04,
  SRTCP_SALT: 0x05,
} as const;

/** Which packet kind a set of session keys protects. */
export type SrtpPacketKind = 'srtp' | 'srtcp';

/** Session keys of one packet kind, derived from one master key (RFC 3711 §4.3). */
export interface SessionKeys {
  encryptionKey: Buffer;
  salt: Buffer;
  /** Empty for AEAD suites (RFC 7714 §11: no separate authentication key). */
  authKey: Buffer;
}

/** AES in GCM of the key's size (128 or 256 bits for RFC 7714). */
export function aesGcmName(key: Buffer): CipherGCMTypes {
  return `aes-${key.length * 8}-gcm` as CipherGCMTypes;
}

/** The AES block cipher in counter mode of the key's size (128, 192 or 256 bits). */
export function aesCtrName(key: Buffer): string {
  return `aes-${key.length * 8}-ctr`;
}

/**
 * The key derivation rate must be 0 (derive once) or a power of two 1..2^24 (RFC 3711 §4.3.1;
 * SDES signals it as KDR=n meaning 2^n, RFC 4568 §6.3.1).
 */
export function checkKeyDerivationRate(kdr: number): void {
  const ok =
    kdr === 0 || (Number.isInteger(kdr) && kdr >= 1 && kdr <= 2 ** 24 && (kdr & (kdr - 1)) === 0);
  if (!ok) {
    throw new SrtpConfigError(
      'BAD_KEY_DERIVATION_RATE',
      'key derivation rate must be 0 or 2^0..2^24',
    );
  }
}

/** r = index DIV key_derivation_rate, and 0 when the rate is 0 (RFC 3711 §4.3.1). */
export function keyDerivationIndex(index: number, kdr: number): number {
  return kdr === 0 ? 0 : Math.floor(index / kdr);
}

/**
 * x = key_id XOR master_salt with key_id = label || r (8 + 48 bits), right-aligned on the
 * 112-bit master salt (RFC 3711 §4.3.1). A 96-bit AEAD master salt is first multiplied by 2^16
 * (RFC 7714 §11 as corrected by erratum 4938), i.e. two zero octets are appended.
 */
export function kdfInput(masterSalt: Buffer, label: number, r: number): Buffer {
  const x = Buffer.alloc(14);
  masterSalt.copy(x, 0, 0, Math.min(14, masterSalt.length));
  x[7] ^= label;
  x[8] ^= Math.floor(r / 2 ** 40) & 0xff;
  x[9] ^= Math.floor(r / 2 ** 32) & 0xff;
  x.writeUInt32BE((x.readUInt32BE(10) ^ (r % 2 ** 32)) >>> 0, 10);
  return x;
}

/**
 * PRF_n(k_master, x): the first `length` octets of the AES-CM keystream under the master key
 * with IV = x · 2^16 (RFC 3711 §4.3.3; AES-192/256 per RFC 6188 §3).
 */
export function aesCmPrf(masterKey: Buffer, x: Buffer, length: number): Buffer {
  const iv = Buffer.alloc(16);
  x.copy(iv, 0, 0, 14);
  return createCipheriv(aesCtrName(masterKey), masterKey, iv).update(Buffer.alloc(length));
}

/** Checks master key and salt lengths against the suite (never echoing their values). */
export function checkMasterKey(suite: SrtpSuite, masterKey: Buffer, masterSalt: Buffer): void {
  if (masterKey.length !== suite.keyLength || masterSalt.length !== suite.masterSaltLength) {
    throw new SrtpConfigError(
      'BAD_KEY_LENGTH',
      `${suite.name} needs a ${suite.keyLength}-octet master key and ${suite.masterSaltLength}-octet master salt`,
    );
  }
}

/**
 * Session encryption key, salt and (for HMAC suites) authentication key of one packet kind for
 * key derivation index r (RFC 3711 §4.3.1 for SRTP labels 0-2, §4.3.2 for SRTCP labels 3-5).
 */
export function deriveSessionKeys(
  suite: SrtpSuite,
  masterKey: Buffer,
  masterSalt: Buffer,
  kind: SrtpPacketKind,
  r = 0,
): SessionKeys {
  checkMasterKey(suite, masterKey, masterSalt);
  const base = kind === 'srtp' ? KDF_LABEL.SRTP_ENCRYPTION : KDF_LABEL.SRTCP_ENCRYPTION;
  const prf = (label: number, length: number) =>
    aesCmPrf(masterKey, kdfInput(masterSalt, label, r), length);
  return {
    encryptionKey: prf(base, suite.keyLength),
    authKey: suite.authKeyLength ? prf(base + 1, suite.authKeyLength) : Buffer.alloc(0),
    salt: prf(base + 2, suite.sessionSaltLength),
  };
}
