import type { CryptoSessionKeys } from '@app/hi2';
import { deriveSrtpMasterKeys, PrfFunc } from '@app/mikey';
import type { XkResolved } from '@app/xk';

/** SRTP master key / salt lengths of the default suite AES_CM_128_HMAC_SHA1_80 (RFC 3711 §8.2). */
const DEFAULT_SRTP_LENGTHS = { key: 16, salt: 14 };

/**
 * Turns a resolved Xk answer into one CCKeyInfo per crypto session (ARCHITECTURE.md §5):
 * a TGK is expanded with the RFC 3830 §4.1.3 derivation (TEK constant 0x2AD01C64, salt
 * constant 0x39A2C14B, label = constant ‖ CS ID ‖ CSB ID ‖ RAND) using the CSB ID and RAND of
 * the answer and the PRF of the MIKEY message the MF saw; a TEK is the SRTP master key itself,
 * with the salt the KMS sent.
 */
export function srtpKeysFromXk(
  answer: XkResolved,
  prf: PrfFunc,
  lengths = DEFAULT_SRTP_LENGTHS,
): CryptoSessionKeys[] {
  const rand = Buffer.from(answer.rand, 'base64');
  return answer.keys.map((k) => {
    const key = Buffer.from(k.key, 'base64');
    if (k.kind === 'TEK') {
      return {
        csId: k.csId,
        masterKey: key,
        ...(k.salt ? { masterSalt: Buffer.from(k.salt, 'base64') } : {}),
      };
    }
    const { masterKey, masterSalt } = deriveSrtpMasterKeys(
      key,
      answer.csbId,
      k.csId,
      rand,
      prf,
      lengths,
    );
    return { csId: k.csId, masterKey, masterSalt };
  });
}
