import {
  X2AttributeType,
  X2_ATTRIBUTE_TLV_HEADER_LENGTH,
  X2_FIXED_HEADER_LENGTH,
} from './x2-constants';
import {
  X2Attribute,
  X2TypedAttribute,
  decodeX2Attribute,
  x2AttributeProblem,
} from './x2-attributes';
import { X2DecodeError } from './x2-errors';

/** Largest Header Length and Payload Length a receiver accepts (bounded allocation). */
export interface X2Limits {
  /** Upper bound of the Header Length field, i.e. the 40 mandatory octets plus attributes. */
  maxHeaderLength: number;
  /** Upper bound of the Payload Length field. */
  maxPayloadLength: number;
}

/** Defaults equal to the MF's X2_MAX_HEADER_BYTES / X2_MAX_PAYLOAD_BYTES defaults. */
export const X2_DEFAULT_LIMITS: Readonly<X2Limits> = {
  maxHeaderLength: 64 * 1024,
  maxPayloadLength: 1024 * 1024,
};

/**
 * Checks the 40-octet mandatory header at `offset` and returns the PDU's total length.
 * Header Length covers the mandatory fields and the attributes (§5.2.3); Payload Length the
 * payload only (§5.2.4). Version (§5.2.1): any minor of major 0 is accepted.
 */
export function readX2PduLength(buf: Buffer, offset: number, limits: X2Limits): number {
  const major = buf[offset];
  if (major !== 0) {
    throw new X2DecodeError(
      'UNSUPPORTED_MAJOR_VERSION',
      `unsupported X2/X3 major version ${major}`,
      offset,
    );
  }
  const headerLength = buf.readUInt32BE(offset + 4);
  const payloadLength = buf.readUInt32BE(offset + 8);
  if (headerLength < X2_FIXED_HEADER_LENGTH) {
    throw new X2DecodeError(
      'HEADER_LENGTH_TOO_SMALL',
      `header length ${headerLength} below 40`,
      offset,
    );
  }
  if (headerLength > limits.maxHeaderLength) {
    throw new X2DecodeError(
      'HEADER_TOO_LARGE',
      `header length ${headerLength} exceeds limit ${limits.maxHeaderLength}`,
      offset,
    );
  }
  if (payloadLength > limits.maxPayloadLength) {
    throw new X2DecodeError(
      'PAYLOAD_TOO_LARGE',
      `payload length ${payloadLength} exceeds limit ${limits.maxPayloadLength}`,
      offset,
    );
  }
  return headerLength + payloadLength;
}

/** Walks the attribute TLVs (§5.3.1) and checks that the last one ends exactly at Header Length. */
function checkAttributeRegion(buf: Buffer, headerLength: number, streamOffset: number): void {
  let pos = X2_FIXED_HEADER_LENGTH;
  while (pos < headerLength) {
    if (headerLength - pos < X2_ATTRIBUTE_TLV_HEADER_LENGTH) {
      throw new X2DecodeError(
        'MALFORMED_ATTRIBUTES',
        'attribute TLV header crosses header length',
        streamOffset,
      );
    }
    pos += X2_ATTRIBUTE_TLV_HEADER_LENGTH + buf.readUInt16BE(pos + 2);
  }
  if (pos !== headerLength) {
    throw new X2DecodeError(
      'MALFORMED_ATTRIBUTES',
      'attribute value crosses header length',
      streamOffset,
    );
  }
}

function uuidText(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * One decoded PDU. The mandatory header fields are read on construction; XID text, attribute
 * list and typed attribute values are computed on first use. `raw`, `payload`, `xidOctets`,
 * `correlationId` and attribute values are views into the buffer the PDU was decoded from.
 */
export class X2Pdu {
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly pduType: number;
  readonly headerLength: number;
  readonly payloadLength: number;
  readonly payloadFormat: number;
  readonly payloadDirection: number;
  private xidCache: string | undefined;
  private attributeCache: readonly X2Attribute[] | undefined;

  /** `raw` must hold exactly one PDU whose framing was checked (see decodeX2Pdu). */
  private constructor(readonly raw: Buffer) {
    this.versionMajor = raw[0];
    this.versionMinor = raw[1];
    this.pduType = raw.readUInt16BE(2);
    this.headerLength = raw.readUInt32BE(4);
    this.payloadLength = raw.readUInt32BE(8);
    this.payloadFormat = raw.readUInt16BE(12);
    this.payloadDirection = raw.readUInt16BE(14);
  }

  /** Builds a PDU over `raw` after checking its attribute region; `offset` is for errors. */
  static fromFramedOctets(raw: Buffer, offset: number): X2Pdu {
    checkAttributeRegion(raw, raw.readUInt32BE(4), offset);
    return new X2Pdu(raw);
  }

  /** XID (§5.2.7), 16 octets. */
  get xidOctets(): Buffer {
    return this.raw.subarray(16, 32);
  }

  /** XID as a lower-case UUID text (RFC 4122 §3). */
  get xid(): string {
    return (this.xidCache ??= uuidText(this.raw.subarray(16, 32)));
  }

  /** Correlation ID (§5.2.8), 8 octets. */
  get correlationId(): Buffer {
    return this.raw.subarray(32, 40);
  }

  /** Correlation ID as an unsigned 64-bit integer. */
  get correlationIdValue(): bigint {
    return this.raw.readBigUInt64BE(32);
  }

  get payload(): Buffer {
    return this.raw.subarray(this.headerLength, this.headerLength + this.payloadLength);
  }

  /** Conditional attributes in wire order, unknown types included (§5.3). */
  get attributes(): readonly X2Attribute[] {
    if (this.attributeCache) return this.attributeCache;
    const list: X2Attribute[] = [];
    let pos = X2_FIXED_HEADER_LENGTH;
    while (pos < this.headerLength) {
      const type = this.raw.readUInt16BE(pos);
      const length = this.raw.readUInt16BE(pos + 2);
      list.push({ type, value: this.raw.subarray(pos + 4, pos + 4 + length) });
      pos += 4 + length;
    }
    this.attributeCache = list;
    return list;
  }

  /** First attribute of a type, interpreted; throws X2AttributeError for a malformed value. */
  attribute(type: X2AttributeType | number): X2TypedAttribute | undefined {
    const found = this.attributes.find((a) => a.type === type);
    return found && decodeX2Attribute(found);
  }

  /**
   * First attribute of a type, interpreted; undefined when absent or malformed. For values a
   * receiver can do without (a Timestamp, a keepalive's Sequence Number): one malformed value
   * must not fail the PDU, it is an issue checkX2Pdu reports.
   */
  wellFormedAttribute(type: X2AttributeType | number): X2TypedAttribute | undefined {
    const found = this.attributes.find((a) => a.type === type);
    return found && !x2AttributeProblem(found) ? decodeX2Attribute(found) : undefined;
  }

  /** Every attribute of a type, interpreted (e.g. several Other Target Identifiers). */
  attributesOf(type: X2AttributeType | number): X2TypedAttribute[] {
    return this.attributes.filter((a) => a.type === type).map(decodeX2Attribute);
  }

  /** Sequence Number attribute (§5.3.9), if present; throws X2AttributeError if malformed. */
  sequenceNumber(): number | undefined {
    const a = this.attribute(X2AttributeType.SequenceNumber);
    return a?.kind === 'sequenceNumber' ? a.sequenceNumber : undefined;
  }
}

/** Decodes a buffer that holds exactly one PDU; throws X2DecodeError otherwise. */
export function decodeX2Pdu(buf: Buffer, limits: X2Limits = X2_DEFAULT_LIMITS): X2Pdu {
  if (buf.length < X2_FIXED_HEADER_LENGTH) {
    throw new X2DecodeError('TRUNCATED', `${buf.length} octets, header needs 40`, 0);
  }
  const total = readX2PduLength(buf, 0, limits);
  if (buf.length < total) {
    throw new X2DecodeError('TRUNCATED', `${buf.length} octets, PDU needs ${total}`, 0);
  }
  if (buf.length > total) {
    throw new X2DecodeError('TRAILING_OCTETS', `${buf.length - total} octets after the PDU`, 0);
  }
  return X2Pdu.fromFramedOctets(buf, 0);
}
