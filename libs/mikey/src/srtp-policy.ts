import { PayloadType, ProtType, SrtpAuthAlg, SrtpEncrAlg, SrtpParam } from './constants';
import type { SpPayload } from './types';

/**
 * SP payload (RFC 3830 §6.10, SRTP parameters §6.10.1) for AES_CM_128_HMAC_SHA1_80: AES-CM with
 * a 16-octet session key, HMAC-SHA-1 with a 20-octet session auth key, 14-octet salt, SRTP and
 * SRTCP encryption and SRTP authentication on, 10-octet tag (RFC 3711 §5 defaults).
 */
export const SRTP_AES_CM_128_HMAC_SHA1_80_POLICY: SpPayload = {
  type: PayloadType.SP,
  policyNo: 0,
  protType: ProtType.SRTP,
  params: [
    { paramType: SrtpParam.ENCR_ALG, value: Buffer.of(SrtpEncrAlg.AES_CM) },
    { paramType: SrtpParam.SESSION_ENCR_KEY_LEN, value: Buffer.of(16) },
    { paramType: SrtpParam.AUTH_ALG, value: Buffer.of(SrtpAuthAlg.HMAC_SHA_1) },
    { paramType: SrtpParam.SESSION_AUTH_KEY_LEN, value: Buffer.of(20) },
    { paramType: SrtpParam.SESSION_SALT_KEY_LEN, value: Buffer.of(14) },
    { paramType: SrtpParam.SRTP_ENCRYPTION, value: Buffer.of(1) },
    { paramType: SrtpParam.SRTCP_ENCRYPTION, value: Buffer.of(1) },
    { paramType: SrtpParam.SRTP_AUTHENTICATION, value: Buffer.of(1) },
    { paramType: SrtpParam.AUTH_TAG_LEN, value: Buffer.of(10) },
  ],
};
