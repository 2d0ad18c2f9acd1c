/**
 * Typed errors of @app/hi2. Messages name fields, tags and lengths only — never values, so that
 * key material (cCDecKey, cCSalt) and SIP content cannot leak into logs through an error.
 */
export type Hi2DecodeErrorCode =
  | 'EMPTY'
  | 'TRUNCATED'
  | 'MALFORMED'
  | 'TOO_LARGE'
  | 'TOO_DEEP'
  | 'TOO_MANY_ELEMENTS'
  | 'UNEXPECTED_TAG'
  | 'UNKNOWN_ALTERNATIVE'
  | 'TRAILING_DATA'
  | 'SCHEMA_MISMATCH'
  | 'INVALID_VALUE';

export class Hi2DecodeError extends Error {
  constructor(
    readonly code: Hi2DecodeErrorCode,
    message: string,
    /** Where in the structure the problem was found, e.g. `IRIParameters/[42]/CCKeyInfo`. */
    readonly path = '',
  ) {
    super(path ? `${message} (at ${path})` : message);
    this.name = 'Hi2DecodeError';
  }
}

export class Hi2EncodeError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'Hi2EncodeError';
  }
}
