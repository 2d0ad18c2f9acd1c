import { EncrAlg, MAC_LENGTH, PayloadType, type MacAlg } from './constants';
import { MikeyCryptoError } from './errors';
import { decryptKeyData, encryptKeyData, type KemacCipherParams } from './kemac-cipher';
import { decodeKeyDataList, encodeKeyDataList } from './key-data-codec';
import type { KemacPayload, KeyData } from './types';

/**
 * Builds a KEMAC payload (RFC 3830 §6.2) holding `keys`, encrypted with `cipher`. The MAC is a
 * zero placeholder of the right length: fill it with `sealWithMac` once the whole message exists.
 */
export function buildKemac(
  keys: KeyData[],
  cipher: KemacCipherParams,
  macAlg: MacAlg,
): KemacPayload {
  const plain = encodeKeyDataList(keys, cipher.encrAlg === EncrAlg.AES_KW_128);
  const macLen = MAC_LENGTH[macAlg];
  if (macLen === undefined) {
    throw new MikeyCryptoError('UNSUPPORTED_ALGORITHM', `MAC alg ${String(macAlg)}`);
  }
  return {
    type: PayloadType.KEMAC,
    encrAlg: cipher.encrAlg,
    encrData: encryptKeyData(plain, cipher),
    macAlg,
    mac: Buffer.alloc(macLen),
  };
}

/**
 * Decrypts a KEMAC and decodes its Key data sub-payloads (RFC 3830 §6.13). `cipher.encrAlg`
 * must match the payload's; verify the MAC first (verifyMac) — AES-CM has no integrity.
 */
export function openKemac(
  kemac: KemacPayload,
  cipher: Omit<KemacCipherParams, 'encrAlg'>,
): KeyData[] {
  const plain = decryptKeyData(kemac.encrData, { ...cipher, encrAlg: kemac.encrAlg });
  return decodeKeyDataList(plain, kemac.encrAlg === EncrAlg.AES_KW_128);
}
