/** Typed errors of @app/mikey. Messages never contain key material. */

/** Why a MIKEY message could not be decoded. */
export type MikeyDecodeErrorCode =
  | 'TRUNCATED'
  | 'TRAILING_DATA'
  | 'TOO_LARGE'
  | 'TOO_MANY_PAYLOADS'
  | 'UNSUPPORTED_VERSION'
  | 'UNKNOWN_PAYLOAD'
  | 'UNKNOWN_CS_ID_MAP_TYPE'
  | 'UNKNOWN_ALGORITHM'
  | 'UNKNOWN_TYPE'
  | 'INVALID_FIELD'
  | 'INVALID_BASE64';

/** A malformed or unsupported MIKEY message; `offset` is the octet where decoding failed. */
export class MikeyDecodeError extends Error {
  override readonly name = 'MikeyDecodeError';
  constructor(
    readonly code: MikeyDecodeErrorCode,
    readonly offset: number,
    detail: string,
  ) {
    super(`${code} at offset ${offset}: ${detail}`);
  }
}

/** Why an encode, crypto or verification step failed. */
export type MikeyCryptoErrorCode =
  | 'INVALID_ARGUMENT'
  | 'MAC_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'DECRYPT_FAILED'
  | 'UNSUPPORTED_ALGORITHM'
  | 'MISSING_PAYLOAD';

/** A MIKEY encoding, key-derivation, encryption or verification failure. */
export class MikeyCryptoError extends Error {
  override readonly name = 'MikeyCryptoError';
  constructor(
    readonly code: MikeyCryptoErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}
