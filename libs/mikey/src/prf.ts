import { createHmac } from 'node:crypto';
import { PrfFunc } from './constants';
import { MikeyCryptoError } from './errors';

/** Input keys are split into 256-bit chunks s_1..s_n (RFC 3830 §4.1.2). */
const PRF_CHUNK_OCTETS = 32;
/** Upper bound on derived output, far above any MIKEY key (bounds work on hostile input). */
const MAX_OUTKEY_OCTETS = 4096;

function hmacOf(prf: PrfFunc): { alg: string; outLen: number } {
  switch (prf) {
    case PrfFunc.MIKEY_1:
      return { alg: 'sha1', outLen: 20 };
    case PrfFunc.PRF_HMAC_SHA_256:
      return { alg: 'sha256', outLen: 32 };
    default:
      throw new MikeyCryptoError('UNSUPPORTED_ALGORITHM', `PRF func ${String(prf)}`);
  }
}

/**
 * P-function of RFC 3830 §4.1.2: P(s, label, m) = HMAC(s, A_1 || label) || … || HMAC(s, A_m ||
 * label) with A_0 = label and A_i = HMAC(s, A_(i-1)).
 */
export function pFunction(s: Buffer, label: Buffer, m: number, prf = PrfFunc.MIKEY_1): Buffer {
  const { alg } = hmacOf(prf);
  const out: Buffer[] = [];
  let a = label;
  for (let i = 1; i <= m; i++) {
    a = createHmac(alg, s).update(a).digest();
    out.push(createHmac(alg, s).update(a).update(label).digest());
  }
  return Buffer.concat(out);
}

/**
 * The MIKEY PRF (RFC 3830 §4.1.2): with n = ⌈inkey_len/256⌉ the key is split into s_1..s_n
 * (each 256 bits except possibly the last; a key of exactly k·256 bits gives exactly k chunks,
 * never an empty one), m = ⌈outkey_len/160⌉, and PRF = P(s_1,label,m) ⊕ … ⊕ P(s_n,label,m)
 * truncated to outkey_len. `PrfFunc.PRF_HMAC_SHA_256` (RFC 6043 §6.1) is the same construction
 * with HMAC-SHA-256, hence m = ⌈outkey_len/256⌉. Lengths here are in octets.
 */
export function mikeyPrf(
  inkey: Buffer,
  label: Buffer,
  outLen: number,
  prf: PrfFunc = PrfFunc.MIKEY_1,
): Buffer {
  const { outLen: hashLen } = hmacOf(prf);
  if (inkey.length === 0) throw new MikeyCryptoError('INVALID_ARGUMENT', 'empty PRF input key');
  if (!Number.isInteger(outLen) || outLen <= 0 || outLen > MAX_OUTKEY_OCTETS) {
    throw new MikeyCryptoError('INVALID_ARGUMENT', `PRF output length 1..${MAX_OUTKEY_OCTETS}`);
  }
  const m = Math.ceil(outLen / hashLen);
  const n = Math.ceil(inkey.length / PRF_CHUNK_OCTETS);
  const out = Buffer.alloc(m * hashLen);
  for (let i = 0; i < n; i++) {
    const s = inkey.subarray(i * PRF_CHUNK_OCTETS, (i + 1) * PRF_CHUNK_OCTETS);
    const p = pFunction(s, label, m, prf);
    for (let j = 0; j < out.length; j++) out[j] ^= p[j];
  }
  return out.subarray(0, outLen);
}
