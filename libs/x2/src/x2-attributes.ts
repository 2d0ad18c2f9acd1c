import { X2AttributeType, X2_MAX_ATTRIBUTE_VALUE_LENGTH } from './x2-constants';
import { isUtf8 } from 'node:buffer';
import { X2AttributeError, X2AttributeErrorCode, X2EncodeError } from './x2-errors';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './ip-address';

/** One conditional attribute as it is on the wire: type and value octets (§5.3.1). */
export interface X2Attribute {
  readonly type: number;
  /** The value octets; for decoded PDUs a view into the PDU buffer (no copy). */
  readonly value: Buffer;
}

/** Attribute types whose value is UTF-8 text. */
export type X2TextAttributeType =
  | X2AttributeType.NetworkFunctionId
  | X2AttributeType.InterceptionPointId
  | X2AttributeType.MatchedTargetIdentifier
  | X2AttributeType.OtherTargetIdentifier
  | X2AttributeType.MimeContentType
  | X2AttributeType.MimeContentTransferEncoding
  | X2AttributeType.SdpSessionDescription;

/**
 * A conditional attribute with its value interpreted per table 5.3.1-2.
 * - Sequence Number (§5.3.9): 32-bit unsigned integer.
 * - Timestamp (§5.3.10): two successive 32-bit unsigned integers, POSIX seconds and nanoseconds.
 * - Source/Destination IPv4 (§5.3.11/12): 4 octets; IPv6 (§5.3.13/14): 16 octets.
 * - Source/Destination Port (§5.3.15/16): 16-bit unsigned integer; IP Protocol (§5.3.17): 1 octet.
 * - NFID, IPID (§5.3.7/8), Matched/Other Target Identifier (§5.3.18/19, the UTF-8 target
 *   identifier fragment), MIME Content Type / Transfer Encoding (§5.3.20/21) and SDP Session
 *   Description (§5.3.23): UTF-8 text.
 * - Everything else, including Domain ID (§5.3.6), the TS 102 232-1 / TS 33.128 / TS 33.108 /
 *   proprietary attributes (§5.3.2-5.3.5), Additional XID Related Information (§5.3.22) and
 *   types this edition does not define: the octets as received (unknown types are kept).
 */
export type X2TypedAttribute =
  | { kind: 'sequenceNumber'; type: X2AttributeType.SequenceNumber; sequenceNumber: number }
  | { kind: 'timestamp'; type: X2AttributeType.Timestamp; seconds: number; nanoseconds: number }
  | {
      kind: 'ipAddress';
      type:
        | X2AttributeType.SourceIpv4Address
        | X2AttributeType.DestinationIpv4Address
        | X2AttributeType.SourceIpv6Address
        | X2AttributeType.DestinationIpv6Address;
      address: string;
    }
  | {
      kind: 'port';
      type: X2AttributeType.SourcePort | X2AttributeType.DestinationPort;
      port: number;
    }
  | { kind: 'ipProtocol'; type: X2AttributeType.IpProtocol; protocol: number }
  | { kind: 'text'; type: X2TextAttributeType; text: string }
  | { kind: 'octets'; type: number; octets: Buffer };

const TEXT_TYPES: ReadonlySet<number> = new Set([
  X2AttributeType.NetworkFunctionId,
  X2AttributeType.InterceptionPointId,
  X2AttributeType.MatchedTargetIdentifier,
  X2AttributeType.OtherTargetIdentifier,
  X2AttributeType.MimeContentType,
  X2AttributeType.MimeContentTransferEncoding,
  X2AttributeType.SdpSessionDescription,
]);

const utf8 = new TextDecoder('utf-8');

/** Value length of the fixed-size attribute types (table 5.3.1-2). */
const FIXED_LENGTH: ReadonlyMap<number, number> = new Map([
  [X2AttributeType.SequenceNumber, 4],
  [X2AttributeType.Timestamp, 8],
  [X2AttributeType.SourceIpv4Address, 4],
  [X2AttributeType.DestinationIpv4Address, 4],
  [X2AttributeType.SourceIpv6Address, 16],
  [X2AttributeType.DestinationIpv6Address, 16],
  [X2AttributeType.SourcePort, 2],
  [X2AttributeType.DestinationPort, 2],
  [X2AttributeType.IpProtocol, 1],
]);

/** Why an attribute value does not fit its type. */
export interface X2AttributeProblem {
  code: X2AttributeErrorCode;
  message: string;
}

/**
 * Why an attribute value does not have the form of its type (table 5.3.1-2), or undefined.
 * Never throws: checkX2Pdu runs it on every attribute of every PDU, and a 64 KiB header holds
 * 16 000 attributes — an exception per malformed one made a single PDU cost a third of a
 * second of CPU (found by the X2 fuzz spec).
 */
export function x2AttributeProblem(attribute: X2Attribute): X2AttributeProblem | undefined {
  const { type, value } = attribute;
  const length = FIXED_LENGTH.get(type);
  if (length !== undefined && value.length !== length) {
    return {
      code: 'BAD_ATTRIBUTE_LENGTH',
      message: `attribute type ${type} has ${value.length} octets, expected ${length}`,
    };
  }
  if (type === (X2AttributeType.Timestamp as number) && value.readUInt32BE(4) > 999_999_999) {
    return { code: 'BAD_ATTRIBUTE_VALUE', message: 'timestamp nanoseconds out of range' };
  }
  if (TEXT_TYPES.has(type) && !isUtf8(value)) {
    return { code: 'BAD_ATTRIBUTE_VALUE', message: `attribute type ${type} is not UTF-8` };
  }
  return undefined;
}

/** Interprets an attribute value; throws X2AttributeError when it does not fit its type. */
export function decodeX2Attribute(attribute: X2Attribute): X2TypedAttribute {
  const problem = x2AttributeProblem(attribute);
  if (problem) throw new X2AttributeError(problem.code, attribute.type, problem.message);
  const { type, value } = attribute;
  switch (type as X2AttributeType) {
    case X2AttributeType.SequenceNumber:
      return { kind: 'sequenceNumber', type, sequenceNumber: value.readUInt32BE(0) };
    case X2AttributeType.Timestamp:
      return {
        kind: 'timestamp',
        type,
        seconds: value.readUInt32BE(0),
        nanoseconds: value.readUInt32BE(4),
      };
    case X2AttributeType.SourceIpv4Address:
    case X2AttributeType.DestinationIpv4Address:
      return { kind: 'ipAddress', type, address: formatIpv4(value) };
    case X2AttributeType.SourceIpv6Address:
    case X2AttributeType.DestinationIpv6Address:
      return { kind: 'ipAddress', type, address: formatIpv6(value) };
    case X2AttributeType.SourcePort:
    case X2AttributeType.DestinationPort:
      return { kind: 'port', type, port: value.readUInt16BE(0) };
    case X2AttributeType.IpProtocol:
      return { kind: 'ipProtocol', type, protocol: value[0] };
    default:
      if (TEXT_TYPES.has(type)) {
        return { kind: 'text', type: type as X2TextAttributeType, text: utf8.decode(value) };
      }
      return { kind: 'octets', type, octets: value };
  }
}

function uint(value: number, octets: 1 | 2 | 4, what: string): Buffer {
  const max = 2 ** (8 * octets) - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new X2EncodeError(`${what} must be an integer 0..${max}`);
  }
  const out = Buffer.allocUnsafe(octets);
  out.writeUIntBE(value, 0, octets);
  return out;
}

/** The wire form of a typed attribute (inverse of decodeX2Attribute). */
export function encodeX2Attribute(attribute: X2TypedAttribute): X2Attribute {
  const { type } = attribute;
  let value: Buffer;
  switch (attribute.kind) {
    case 'sequenceNumber':
      value = uint(attribute.sequenceNumber, 4, 'sequence number');
      break;
    case 'timestamp':
      if (attribute.nanoseconds > 999_999_999)
        throw new X2EncodeError('nanoseconds must be < 10^9');
      value = Buffer.concat([
        uint(attribute.seconds, 4, 'timestamp seconds'),
        uint(attribute.nanoseconds, 4, 'timestamp nanoseconds'),
      ]);
      break;
    case 'ipAddress': {
      const v6 =
        attribute.type === X2AttributeType.SourceIpv6Address ||
        attribute.type === X2AttributeType.DestinationIpv6Address;
      const parsed = v6 ? parseIpv6(attribute.address) : parseIpv4(attribute.address);
      if (!parsed) throw new X2EncodeError(`not an IPv${v6 ? 6 : 4} address`);
      value = parsed;
      break;
    }
    case 'port':
      value = uint(attribute.port, 2, 'port');
      break;
    case 'ipProtocol':
      value = uint(attribute.protocol, 1, 'IP protocol');
      break;
    case 'text':
      value = Buffer.from(attribute.text, 'utf8');
      break;
    case 'octets':
      value = attribute.octets;
      break;
  }
  if (!Number.isInteger(type) || type < 0 || type > 0xffff) {
    throw new X2EncodeError('attribute type must be an integer 0..65535');
  }
  if (value.length > X2_MAX_ATTRIBUTE_VALUE_LENGTH) {
    throw new X2EncodeError(`attribute type ${type} value exceeds 65535 octets`);
  }
  return { type, value };
}

/** The Timestamp attribute (TS 103 221-2 §5.3.4: 32-bit seconds, 32-bit nanoseconds) of `ms`. */
export function timestampAttribute(ms: number = Date.now()): X2TypedAttribute {
  return {
    kind: 'timestamp',
    type: X2AttributeType.Timestamp,
    seconds: Math.floor(ms / 1000),
    nanoseconds: (ms % 1000) * 1e6,
  };
}
