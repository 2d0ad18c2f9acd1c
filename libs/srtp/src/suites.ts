import { SrtpConfigError } from './errors';

/** Crypto-suite names as registered for SDES (RFC 4568 §6.2, RFC 6188 §7.1, RFC 7714 §14.1). */
export type SrtpSuiteName =
  | 'AES_CM_128_HMAC_SHA1_80'
  | 'AES_CM_128_HMAC_SHA1_32'
  | 'AES_192_CM_HMAC_SHA1_80'
  | 'AES_192_CM_HMAC_SHA1_32'
  | 'AES_256_CM_HMAC_SHA1_80'
  | 'AES_256_CM_HMAC_SHA1_32'
  | 'AEAD_AES_128_GCM'
  | 'AEAD_AES_256_GCM';

/**
 * Transform parameters of one crypto-suite. `aes-cm`: AES counter mode with HMAC-SHA1
 * (RFC 3711 §4.1.1, §4.2.1); `aes-gcm`: AEAD AES-GCM (RFC 7714 §8, §9). The key derivation is
 * always the AES-CM PRF keyed with the master key (RFC 3711 §4.3.3, RFC 6188 §3, RFC 7714 §11).
 */
export interface SrtpSuite {
  name: SrtpSuiteName;
  cipher: 'aes-cm' | 'aes-gcm';
  /** Master key = session encryption key length, octets (128, 192 or 256 bits). */
  keyLength: 16 | 24 | 32;
  /** Master salt length: 112 bits for AES-CM, 96 bits for AES-GCM (RFC 7714 §12). */
  masterSaltLength: 14 | 12;
  /** Session salt length: 112 bits for AES-CM (RFC 3711 §4.1.1), 96 bits for GCM (RFC 7714 §8.1). */
  sessionSaltLength: 14 | 12;
  /** Session authentication key, octets: 160 bits for HMAC-SHA1 (RFC 3711 §8.2), none for GCM. */
  authKeyLength: 20 | 0;
  /** SRTP authentication tag, octets (GCM: the AEAD tag, RFC 7714 §12). */
  srtpTagLength: 10 | 4 | 16;
  /**
   * SRTCP authentication tag, octets. The _32 suites keep an 80-bit tag for SRTCP, as RFC 5764
   * §4.1.2 lists for SRTP_AES128_CM_HMAC_SHA1_32 and libsrtp does (RFC 3711 §7.5: short tags
   * only where losing RTCP authentication is harmless). RFC 4568 §6.2.2 / RFC 6188 §7.1 say the
   * same as recalled; their text could not be read here.
   */
  srtcpTagLength: 10 | 16;
}

const cm = (name: SrtpSuiteName, keyLength: 16 | 24 | 32, srtpTagLength: 10 | 4): SrtpSuite => ({
  name,
  cipher: 'aes-cm',
  keyLength,
  masterSaltLength: 14,
  sessionSaltLength: 14,
  authKeyLength: 20,
  srtpTagLength,
  srtcpTagLength: 10,
});

const gcm = (name: SrtpSuiteName, keyLength: 16 | 32): SrtpSuite => ({
  name,
  cipher: 'aes-gcm',
  keyLength,
  masterSaltLength: 12,
  sessionSaltLength: 12,
  authKeyLength: 0,
  srtpTagLength: 16,
  srtcpTagLength: 16,
});

/** The supported suites by name. F8_128_HMAC_SHA1_80 (RFC 4568 §6.2.3) is not supported. */
export const SRTP_SUITES: Readonly<Record<SrtpSuiteName, SrtpSuite>> = {
  AES_CM_128_HMAC_SHA1_80: cm('AES_CM_128_HMAC_SHA1_80', 16, 10), // RFC 4568 §6.2.1
  AES_CM_128_HMAC_SHA1_32: cm('AES_CM_128_HMAC_SHA1_32', 16, 4), // RFC 4568 §6.2.2
  AES_192_CM_HMAC_SHA1_80: cm('AES_192_CM_HMAC_SHA1_80', 24, 10), // RFC 6188 §7.1
  AES_192_CM_HMAC_SHA1_32: cm('AES_192_CM_HMAC_SHA1_32', 24, 4), // RFC 6188 §7.1
  AES_256_CM_HMAC_SHA1_80: cm('AES_256_CM_HMAC_SHA1_80', 32, 10), // RFC 6188 §7.1
  AES_256_CM_HMAC_SHA1_32: cm('AES_256_CM_HMAC_SHA1_32', 32, 4), // RFC 6188 §7.1
  AEAD_AES_128_GCM: gcm('AEAD_AES_128_GCM', 16), // RFC 7714 §14.1
  AEAD_AES_256_GCM: gcm('AEAD_AES_256_GCM', 32), // RFC 7714 §14.1
};

/** The suite of that name; throws {@link SrtpConfigError} for an unsupported name. */
export function srtpSuite(name: string): SrtpSuite {
  // Own keys only: a name like an Object.prototype member (toString, __proto__) is unsupported.
  const suite = Object.hasOwn(SRTP_SUITES, name)
    ? (SRTP_SUITES as Readonly<Record<string, SrtpSuite>>)[name]
    : undefined;
  if (!suite) throw new SrtpConfigError('UNSUPPORTED_SUITE', `unsupported SRTP suite ${name}`);
  return suite;
}
