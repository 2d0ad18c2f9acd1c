/** Why a message is not a well-formed RFC 3261 SIP message. */
export type SipParseErrorCode =
  | 'EMPTY_MESSAGE'
  | 'MISSING_HEADER_END'
  | 'BAD_LINE_ENDING'
  | 'BAD_START_LINE'
  | 'UNSUPPORTED_VERSION'
  | 'BAD_STATUS_CODE'
  | 'BAD_REQUEST_URI'
  | 'BAD_HEADER_LINE'
  | 'BAD_HEADER_VALUE'
  | 'DUPLICATE_HEADER'
  | 'MISSING_HEADER'
  | 'CSEQ_METHOD_MISMATCH'
  | 'BAD_CONTENT_LENGTH'
  | 'CONTENT_LENGTH_MISMATCH'
  | 'MISSING_CONTENT_TYPE'
  | 'BAD_MULTIPART'
  | 'LIMIT_EXCEEDED';

/**
 * A message that does not follow RFC 3261 (§7 message format, §25 grammar). The message text
 * names the rule and the header field, never field values: SIP bodies and some header fields
 * can carry key material (RFC 4568 SDES keys, RFC 4567 MIKEY data).
 */
export class SipParseError extends Error {
  override readonly name = 'SipParseError';

  constructor(
    readonly code: SipParseErrorCode,
    message: string,
    /** Header field name the error is about, as received (names never carry secrets). */
    readonly header?: string,
  ) {
    super(message);
  }
}

/** Why an SDP body (RFC 4566) or one of its attributes cannot be used. */
export type SdpParseErrorCode =
  | 'BAD_LINE'
  | 'UNKNOWN_TYPE'
  | 'BAD_ORDER'
  | 'MISSING_FIELD'
  | 'BAD_FIELD'
  | 'BAD_CRYPTO'
  | 'BAD_KEY_MGMT';

/** A malformed SDP body or attribute; as with SipParseError, no values in the message. */
export class SdpParseError extends Error {
  override readonly name = 'SdpParseError';

  constructor(
    readonly code: SdpParseErrorCode,
    message: string,
    /** 1-based SDP line number, when known. */
    readonly line?: number,
  ) {
    super(message);
  }
}
