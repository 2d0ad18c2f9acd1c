import {
  X2AttributeType,
  X2PayloadDirection,
  X2PayloadFormat,
  X2PduType,
  X2_FIXED_HEADER_LENGTH,
  X2_VERSION_MAJOR,
  X2_VERSION_MINOR,
} from './x2-constants';
import { X2Attribute, X2TypedAttribute, encodeX2Attribute } from './x2-attributes';
import { X2EncodeError } from './x2-errors';

/** Everything that goes into a PDU; lengths are computed. */
export interface X2PduInit {
  pduType: X2PduType | number;
  payloadFormat: X2PayloadFormat | number;
  payloadDirection: X2PayloadDirection | number;
  /** XID as UUID text or 16 octets (§5.2.7). */
  xid: string | Buffer;
  /** Correlation ID (§5.2.8): 8 octets or an unsigned 64-bit integer; default 0. */
  correlationId?: Buffer | bigint;
  /** Typed or raw attributes, written in this order (§5.3). */
  attributes?: readonly (X2TypedAttribute | X2Attribute)[];
  payload?: Buffer;
  /** Default 0.5 (§5.2.1). */
  version?: { major: number; minor: number };
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_XID = '00000000-0000-0000-0000-000000000000';

function xidOctets(xid: string | Buffer): Buffer {
  if (typeof xid !== 'string') {
    if (xid.length !== 16) throw new X2EncodeError('XID must be 16 octets');
    return xid;
  }
  if (!UUID_TEXT.test(xid)) throw new X2EncodeError('XID must be a UUID');
  return Buffer.from(xid.replace(/-/g, ''), 'hex');
}

function u16(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new X2EncodeError(`${what} must be an integer 0..65535`);
  }
  return value;
}

function toWire(a: X2TypedAttribute | X2Attribute): X2Attribute {
  return 'kind' in a
    ? encodeX2Attribute(a)
    : encodeX2Attribute({ kind: 'octets', type: a.type, octets: a.value });
}

/** Encodes one PDU (TS 103 221-2 §5.1): 40-octet header, attribute TLVs, payload. */
export function encodeX2Pdu(init: X2PduInit): Buffer {
  const attributes = (init.attributes ?? []).map(toWire);
  const payload = init.payload ?? Buffer.alloc(0);
  const headerLength =
    X2_FIXED_HEADER_LENGTH + attributes.reduce((n, a) => n + 4 + a.value.length, 0);
  if (headerLength > 0xffffffff || payload.length > 0xffffffff) {
    throw new X2EncodeError('header or payload length exceeds 32 bits');
  }
  const version = init.version ?? { major: X2_VERSION_MAJOR, minor: X2_VERSION_MINOR };
  if (version.major > 0xff || version.minor > 0xff || version.major < 0 || version.minor < 0) {
    throw new X2EncodeError('version major and minor are one octet each');
  }
  const out = Buffer.allocUnsafe(headerLength + payload.length);
  out[0] = version.major;
  out[1] = version.minor;
  out.writeUInt16BE(u16(init.pduType, 'PDU type'), 2);
  out.writeUInt32BE(headerLength, 4);
  out.writeUInt32BE(payload.length, 8);
  out.writeUInt16BE(u16(init.payloadFormat, 'payload format'), 12);
  out.writeUInt16BE(u16(init.payloadDirection, 'payload direction'), 14);
  xidOctets(init.xid).copy(out, 16);
  const cid = init.correlationId ?? 0n;
  if (typeof cid === 'bigint') {
    if (cid < 0n || cid > 0xffffffffffffffffn) throw new X2EncodeError('correlation ID is 64 bits');
    out.writeBigUInt64BE(cid, 32);
  } else {
    if (cid.length !== 8) throw new X2EncodeError('correlation ID must be 8 octets');
    cid.copy(out, 32);
  }
  let pos = X2_FIXED_HEADER_LENGTH;
  for (const a of attributes) {
    out.writeUInt16BE(a.type, pos);
    out.writeUInt16BE(a.value.length, pos + 2);
    a.value.copy(out, pos + 4);
    pos += 4 + a.value.length;
  }
  payload.copy(out, pos);
  return out;
}

/**
 * Keepalive (PDU type 3) or Keepalive Acknowledgement (type 4), TS 103 221-2 §6.2.4: XID and
 * Correlation ID zero, payload format and direction 0 (reserved for keepalive), no payload,
 * one Sequence Number attribute. An acknowledgement echoes the keepalive's sequence number.
 */
export function encodeX2Keepalive(
  kind: X2PduType.Keepalive | X2PduType.KeepaliveAcknowledgement,
  sequenceNumber: number,
): Buffer {
  return encodeX2Pdu({
    pduType: kind,
    payloadFormat: X2PayloadFormat.KeepaliveReserved,
    payloadDirection: X2PayloadDirection.KeepaliveReserved,
    xid: NIL_XID,
    attributes: [{ kind: 'sequenceNumber', type: X2AttributeType.SequenceNumber, sequenceNumber }],
  });
}
