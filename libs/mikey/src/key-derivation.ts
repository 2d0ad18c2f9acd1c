import { ByteWriter } from './bytes';
import { EncrAlg, MAC_LENGTH, MacAlg, PrfFunc } from './constants';
import { MikeyCryptoError } from './errors';
import { mikeyPrf } from './prf';

/**
 * Constants for keys derived from a TGK (RFC 3830 §4.1.3). They are consecutive nine-digit
 * groups of the decimal expansion of e (718281828 = 0x2AD01C64, …).
 */
export const TGK_CONSTANTS = {
  TEK: 0x2ad01c64,
  AUTH: 0x1b5c7973,
  ENCR: 0x15798cef,
  SALT: 0x39a2c14b,
} as const;

/**
 * Constants for the transport keys derived from a pre-shared key or envelope key (RFC 3830
 * §4.1.4): encr_key, auth_key and salt_key protecting the KEMAC and V payloads. The label has
 * 0xFF in place of the CS ID.
 */
export const TRANSPORT_CONSTANTS = {
  ENCR: 0x150533e1,
  AUTH: 0x2d22ac75,
  SALT: 0x29b88916,
} as const;

/** CS ID value used in transport-key labels (RFC 3830 §4.1.4). */
export const TRANSPORT_CS_ID = 0xff;

/** label = constant || cs_id || csb_id || RAND (RFC 3830 §4.1.3). */
export function kdfLabel(constant: number, csId: number, csbId: number, rand: Buffer): Buffer {
  const w = new ByteWriter();
  w.u32(constant, 'KDF constant');
  w.u8(csId, 'CS ID');
  w.u32(csbId, 'CSB ID');
  w.bytes(rand);
  return w.toBuffer();
}

/** Identifies one crypto session for the TGK derivation of RFC 3830 §4.1.3. */
export interface CryptoSessionRef {
  csId: number;
  csbId: number;
  rand: Buffer;
}

/** Derives a key of `outLen` octets from a TGK with one of {@link TGK_CONSTANTS} (§4.1.3). */
export function deriveFromTgk(
  tgk: Buffer,
  constant: number,
  cs: CryptoSessionRef,
  outLen: number,
  prf: PrfFunc = PrfFunc.MIKEY_1,
): Buffer {
  return mikeyPrf(tgk, kdfLabel(constant, cs.csId, cs.csbId, cs.rand), outLen, prf);
}

/** SRTP master key and salt for one crypto session. */
export interface SrtpMasterKeys {
  masterKey: Buffer;
  masterSalt: Buffer;
}

/**
 * SRTP master key = TEK (constant 0x2AD01C64) and master salt = salting key (0x39A2C14B),
 * each PRF(TGK, constant || cs_id || csb_id || RAND) (RFC 3830 §4.1.3; ARCHITECTURE.md §5).
 * Default lengths are those of AES_CM_128_HMAC_SHA1_80 (RFC 3711 §8.2: 128-bit key, 112-bit salt).
 */
export function deriveSrtpMasterKeys(
  tgk: Buffer,
  csbId: number,
  csId: number,
  rand: Buffer,
  prf: PrfFunc = PrfFunc.MIKEY_1,
  lengths: { key: number; salt: number } = { key: 16, salt: 14 },
): SrtpMasterKeys {
  const cs = { csId, csbId, rand };
  return {
    masterKey: deriveFromTgk(tgk, TGK_CONSTANTS.TEK, cs, lengths.key, prf),
    masterSalt: deriveFromTgk(tgk, TGK_CONSTANTS.SALT, cs, lengths.salt, prf),
  };
}

/** Keys protecting a MIKEY message: KEMAC encryption, MAC, and AES-CM salt (RFC 3830 §4.1.4). */
export interface TransportKeys {
  encrKey: Buffer;
  authKey: Buffer;
  saltKey: Buffer;
}

/** Key length in octets for a KEMAC encryption algorithm (RFC 3830 §6.2; NULL needs none). */
export function encrKeyLength(alg: EncrAlg): number {
  switch (alg) {
    case EncrAlg.NULL:
      return 0;
    case EncrAlg.AES_CM_128:
    case EncrAlg.AES_KW_128:
      return 16;
    default:
      throw new MikeyCryptoError('UNSUPPORTED_ALGORITHM', `encr alg ${String(alg)}`);
  }
}

/** The AES-CM salting key is 112 bits (RFC 3830 §4.2.3). */
export const AES_CM_SALT_LENGTH = 14;

/**
 * Transport keys from a pre-shared key / envelope key / MPK (RFC 3830 §4.1.4):
 * key = PRF(inkey, constant || 0xFF || csb_id || RAND). The auth key length equals the MAC
 * length (160 bits for HMAC-SHA-1-160, 256 bits for HMAC-SHA-256-256).
 */
export function deriveTransportKeys(
  inkey: Buffer,
  csbId: number,
  rand: Buffer,
  algs: { encrAlg: EncrAlg; macAlg: MacAlg; prf?: PrfFunc },
): TransportKeys {
  const prf = algs.prf ?? PrfFunc.MIKEY_1;
  const label = (c: number): Buffer => kdfLabel(c, TRANSPORT_CS_ID, csbId, rand);
  const derive = (c: number, len: number): Buffer =>
    len === 0 ? Buffer.alloc(0) : mikeyPrf(inkey, label(c), len, prf);
  const macLen = MAC_LENGTH[algs.macAlg];
  if (macLen === undefined) {
    throw new MikeyCryptoError('UNSUPPORTED_ALGORITHM', `MAC alg ${String(algs.macAlg)}`);
  }
  return {
    encrKey: derive(TRANSPORT_CONSTANTS.ENCR, encrKeyLength(algs.encrAlg)),
    authKey: derive(TRANSPORT_CONSTANTS.AUTH, macLen),
    saltKey: derive(
      TRANSPORT_CONSTANTS.SALT,
      algs.encrAlg === EncrAlg.AES_CM_128 ? AES_CM_SALT_LENGTH : 0,
    ),
  };
}
