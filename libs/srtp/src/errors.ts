/** Typed errors of @app/srtp. Messages never contain key material. */

export type SrtpConfigErrorCode =
  | 'UNSUPPORTED_SUITE'
  | 'BAD_KEY_LENGTH'
  | 'BAD_MKI'
  | 'BAD_KEY_DERIVATION_RATE'
  | 'BAD_PACKET'
  | 'KEY_EXHAUSTED';

/**
 * A configuration the library cannot use (wrong key length, unsupported suite …), or a sender
 * given a packet it cannot protect. Receivers never throw for a received packet: they flag it.
 */
export class SrtpConfigError extends Error {
  override readonly name = 'SrtpConfigError';
  constructor(
    readonly code: SrtpConfigErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}
