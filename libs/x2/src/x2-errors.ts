/** Why a byte sequence is not a well-formed X2/X3 PDU (TS 103 221-2 §5). */
export type X2DecodeErrorCode =
  /** Fewer octets than the 40-octet header or than header length + payload length. */
  | 'TRUNCATED'
  /** More octets than header length + payload length (single-PDU decode only). */
  | 'TRAILING_OCTETS'
  /** Major version other than 0 (§5.2.1: a major change is not backwards compatible). */
  | 'UNSUPPORTED_MAJOR_VERSION'
  /** Header Length below the 40 octets of the mandatory fields (§5.2.3). */
  | 'HEADER_LENGTH_TOO_SMALL'
  /** Header Length above the configured limit. */
  | 'HEADER_TOO_LARGE'
  /** Payload Length above the configured limit. */
  | 'PAYLOAD_TOO_LARGE'
  /** A conditional attribute TLV does not end exactly at Header Length (§5.3.1). */
  | 'MALFORMED_ATTRIBUTES'
  /** The stream already failed; the connection must be closed. */
  | 'STREAM_FAILED';

/**
 * A malformed or oversized PDU. Framing errors are never resynchronisable: the lengths of
 * the broken PDU cannot be trusted, so the octet position of the next PDU is unknown and the
 * connection must be closed (TS 103 221-2 has no resynchronisation marker).
 */
export class X2DecodeError extends Error {
  override readonly name = 'X2DecodeError';
  readonly resynchronisable = false;

  constructor(
    readonly code: X2DecodeErrorCode,
    message: string,
    /** Octet offset in the stream (framer) or buffer (decoder) where the PDU starts. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Why an attribute value does not have the form table 5.3.1-2 gives for its type. */
export type X2AttributeErrorCode = 'BAD_ATTRIBUTE_LENGTH' | 'BAD_ATTRIBUTE_VALUE';

/**
 * A conditional attribute whose value does not fit its type (e.g. a Sequence Number that is not
 * 4 octets). The PDU itself is framed correctly, so the stream stays usable.
 */
export class X2AttributeError extends Error {
  override readonly name = 'X2AttributeError';

  constructor(
    readonly code: X2AttributeErrorCode,
    readonly attributeType: number,
    message: string,
  ) {
    super(message);
  }
}

/** Input that cannot be encoded as a PDU (a length that does not fit its field, a bad XID). */
export class X2EncodeError extends Error {
  override readonly name = 'X2EncodeError';
}

/** Why an X3 payload is not a single unfragmented UDP datagram carrying RTP/RTCP (x3-media.ts). */
export type X3MediaErrorCode =
  | 'UNSUPPORTED_PAYLOAD_FORMAT'
  | 'TRUNCATED'
  | 'BAD_IP_VERSION'
  | 'BAD_IP_HEADER'
  | 'BAD_IP_LENGTH'
  | 'IP_FRAGMENT'
  | 'UNSUPPORTED_IPV6_EXTENSION'
  | 'NOT_UDP'
  | 'BAD_UDP'
  | 'BAD_RTP';

/**
 * An X3 media payload that cannot be unwrapped. Only this PDU is affected: the X3 stream stays
 * usable. Messages name fields only, never content octets.
 */
export class X3MediaError extends Error {
  override readonly name = 'X3MediaError';

  constructor(
    readonly code: X3MediaErrorCode,
    message: string,
  ) {
    super(message);
  }
}
