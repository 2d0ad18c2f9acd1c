import { X2AttributeType as A, X2PayloadFormat } from './x2-constants';
import { X3MediaError } from './x2-errors';
import { formatIpv4, formatIpv6 } from './ip-address';
import type { X2Pdu } from './x2-pdu';

/**
 * X3 media payloads (TS 103 221-2 §5.4, table 5.4.1-1): RTP packet (8), IPv4 packet (5) and IPv6
 * packet (6) carrying UDP/RTP. IP and UDP are unwrapped to the RTP (or RTCP) packet and its UDP
 * flow, which the mediation function correlates with the SDP of the session.
 *
 * Choices:
 * - One whole, unfragmented datagram per payload: fragments (IPv4 MF/offset, IPv6 Fragment header)
 *   are refused (`IP_FRAGMENT`) — a POI sends reassembled media; the MF does not reassemble.
 * - Lengths are exact: the IPv4 Total Length / IPv6 Payload Length and the UDP Length must end
 *   exactly where the payload ends; octets before or after are refused, not ignored.
 * - Checksums (IPv4 header, UDP) are not verified: the X3 transport (TLS over TCP) already protects
 *   the octets, and packets copied at a sending host carry unfilled offload checksums.
 * - IPv6: only UDP directly or after Hop-by-Hop Options (first only, RFC 8200 §4.1) and Destination
 *   Options headers; other extension headers are `UNSUPPORTED_IPV6_EXTENSION`, other upper-layer
 *   protocols `NOT_UDP`. IPv4 options are skipped.
 * - RTP and RTCP share a port (RFC 5761): a second octet of 192..223 (RTCP PT 64..95 with the
 *   marker bit) is RTCP (RFC 5761 §4); RTCP is passed on unparsed beyond its SSRC.
 */

/** RTP fixed header, RFC 3550 §5.1. */
export interface RtpHeader {
  padding: boolean;
  extension: boolean;
  csrcCount: number;
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  /** Offset of the payload: after the CSRC list and the header extension, if any. */
  payloadOffset: number;
}

export const RTP_VERSION = 2;
const RTP_FIXED_HEADER_LENGTH = 12;
/** RTCP SR/RR header with the sender SSRC (RFC 3550 §6.4): the shortest first packet of a compound. */
const RTCP_MIN_LENGTH = 8;

/**
 * Parses the RTP fixed header, CSRC list and header extension (RFC 3550 §5.1, §5.3.1); checks that
 * they fit in `packet`. Padding is not looked at: for SRTP it is only readable after decryption
 * (see `rtpPaddingLength`).
 */
export function parseRtpHeader(packet: Buffer): RtpHeader {
  if (packet.length < RTP_FIXED_HEADER_LENGTH)
    throw new X3MediaError('BAD_RTP', 'shorter than the 12-octet RTP header');
  if (packet[0] >> 6 !== RTP_VERSION) throw new X3MediaError('BAD_RTP', 'RTP version is not 2');
  const csrcCount = packet[0] & 0x0f;
  const extension = (packet[0] & 0x10) !== 0;
  let payloadOffset = RTP_FIXED_HEADER_LENGTH + 4 * csrcCount;
  if (extension) {
    // defined by profile (16 bits) + length in 32-bit words, excluding this 4-octet header
    if (packet.length < payloadOffset + 4)
      throw new X3MediaError('BAD_RTP', 'header extension does not fit');
    payloadOffset += 4 + 4 * packet.readUInt16BE(payloadOffset + 2);
  }
  if (payloadOffset > packet.length)
    throw new X3MediaError('BAD_RTP', 'CSRC list or header extension does not fit');
  return {
    padding: (packet[0] & 0x20) !== 0,
    extension,
    csrcCount,
    marker: (packet[1] & 0x80) !== 0,
    payloadType: packet[1] & 0x7f,
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payloadOffset,
  };
}

/**
 * Octets of padding at the end of a (decrypted) RTP packet, 0 without the P bit. RFC 3550 §5.1:
 * the last octet counts the padding octets including itself, so it is at least 1 and the padding
 * cannot reach into the header.
 */
export function rtpPaddingLength(packet: Buffer, header: RtpHeader): number {
  if (!header.padding) return 0;
  const count = packet[packet.length - 1];
  if (count === 0 || count > packet.length - header.payloadOffset)
    throw new X3MediaError('BAD_RTP', 'padding count outside the payload');
  return count;
}

/** RFC 5761 §4: RTCP packet types 192..223 cannot be RTP payload types 64..95 with the marker. */
export function isRtcp(packet: Buffer): boolean {
  return packet.length >= 2 && packet[1] >= 192 && packet[1] <= 223;
}

export type MediaPacket =
  | { kind: 'rtp'; header: RtpHeader; /** Payload octets, padding removed. */ payload: Buffer }
  | { kind: 'rtcp'; packetType: number; ssrc: number };

/** Classifies and checks one RTP or RTCP packet. */
export function parseMediaPacket(packet: Buffer): MediaPacket {
  if (isRtcp(packet)) {
    if (packet.length < RTCP_MIN_LENGTH || packet[0] >> 6 !== RTP_VERSION)
      throw new X3MediaError('BAD_RTP', 'not an RTCP packet of version 2 with an SSRC');
    return { kind: 'rtcp', packetType: packet[1], ssrc: packet.readUInt32BE(4) };
  }
  const header = parseRtpHeader(packet);
  const end = packet.length - rtpPaddingLength(packet, header);
  return { kind: 'rtp', header, payload: packet.subarray(header.payloadOffset, end) };
}

/** The UDP flow of an unwrapped packet; addresses in text form (`formatIpv4` / `formatIpv6`). */
export interface UdpFlow {
  ipVersion: 4 | 6;
  sourceAddress: string;
  destinationAddress: string;
  sourcePort: number;
  destinationPort: number;
}

export interface X3Media {
  /** The RTP or RTCP packet, from its first header octet on. */
  packet: Buffer;
  media: MediaPacket;
  /** Absent for payload format RTP packet (8): the flow then comes from the X3 attributes. */
  flow?: UdpFlow;
}

const IP_PROTOCOL_UDP = 17;
const IPV4_MIN_HEADER_LENGTH = 20;
const IPV6_HEADER_LENGTH = 40;
const UDP_HEADER_LENGTH = 8;
const IPV6_HOP_BY_HOP = 0;
const IPV6_DESTINATION_OPTIONS = 60;
const IPV6_FRAGMENT = 44;
/** Routing, ESP, AH, Mobility, HIP, Shim6, experimental (RFC 8200 §4, IANA IPv6 extension headers). */
const IPV6_OTHER_EXTENSIONS = new Set([43, 50, 51, 135, 139, 140, 253, 254]);

/** UDP header (RFC 768); `datagram` is the whole IP payload. */
function udp(datagram: Buffer): { sourcePort: number; destinationPort: number; payload: Buffer } {
  if (datagram.length < UDP_HEADER_LENGTH)
    throw new X3MediaError('BAD_UDP', 'shorter than the 8-octet UDP header');
  const length = datagram.readUInt16BE(4);
  if (length !== datagram.length)
    throw new X3MediaError('BAD_UDP', 'UDP length does not match the IP payload length');
  return {
    sourcePort: datagram.readUInt16BE(0),
    destinationPort: datagram.readUInt16BE(2),
    payload: datagram.subarray(UDP_HEADER_LENGTH),
  };
}

/** IPv4 (RFC 791 §3.1) carrying UDP → the UDP payload and flow. */
export function unwrapIpv4Udp(packet: Buffer): { payload: Buffer; flow: UdpFlow } {
  if (packet.length < IPV4_MIN_HEADER_LENGTH)
    throw new X3MediaError('TRUNCATED', 'shorter than the 20-octet IPv4 header');
  if (packet[0] >> 4 !== 4) throw new X3MediaError('BAD_IP_VERSION', 'IP version is not 4');
  const headerLength = 4 * (packet[0] & 0x0f);
  if (headerLength < IPV4_MIN_HEADER_LENGTH || headerLength > packet.length)
    throw new X3MediaError('BAD_IP_HEADER', 'IHL below 5 or beyond the packet');
  const totalLength = packet.readUInt16BE(2);
  if (totalLength !== packet.length)
    throw new X3MediaError('BAD_IP_LENGTH', 'Total Length does not match the payload length');
  const flagsAndOffset = packet.readUInt16BE(6);
  if (flagsAndOffset & 0x3fff)
    throw new X3MediaError('IP_FRAGMENT', 'IPv4 fragment (MF or offset)');
  if (packet[9] !== IP_PROTOCOL_UDP) throw new X3MediaError('NOT_UDP', 'IPv4 protocol is not UDP');
  const u = udp(packet.subarray(headerLength));
  return {
    payload: u.payload,
    flow: {
      ipVersion: 4,
      sourceAddress: formatIpv4(packet.subarray(12, 16)),
      destinationAddress: formatIpv4(packet.subarray(16, 20)),
      sourcePort: u.sourcePort,
      destinationPort: u.destinationPort,
    },
  };
}

/** IPv6 (RFC 8200 §3, §4) carrying UDP → the UDP payload and flow. */
export function unwrapIpv6Udp(packet: Buffer): { payload: Buffer; flow: UdpFlow } {
  if (packet.length < IPV6_HEADER_LENGTH)
    throw new X3MediaError('TRUNCATED', 'shorter than the 40-octet IPv6 header');
  if (packet[0] >> 4 !== 6) throw new X3MediaError('BAD_IP_VERSION', 'IP version is not 6');
  // Payload Length 0 would be a jumbogram (RFC 2675), refused as a length mismatch too.
  if (packet.readUInt16BE(4) !== packet.length - IPV6_HEADER_LENGTH)
    throw new X3MediaError('BAD_IP_LENGTH', 'Payload Length does not match the payload length');
  let next = packet[6];
  let offset = IPV6_HEADER_LENGTH;
  while (next !== IP_PROTOCOL_UDP) {
    if (next === IPV6_FRAGMENT) throw new X3MediaError('IP_FRAGMENT', 'IPv6 Fragment header');
    const options =
      next === IPV6_DESTINATION_OPTIONS ||
      (next === IPV6_HOP_BY_HOP && offset === IPV6_HEADER_LENGTH);
    if (!options) {
      if (next === IPV6_HOP_BY_HOP || IPV6_OTHER_EXTENSIONS.has(next))
        throw new X3MediaError('UNSUPPORTED_IPV6_EXTENSION', `extension header ${next}`);
      throw new X3MediaError('NOT_UDP', 'IPv6 upper-layer protocol is not UDP');
    }
    if (offset + 8 > packet.length)
      throw new X3MediaError('BAD_IP_HEADER', 'options header beyond the packet');
    const length = 8 * (packet[offset + 1] + 1); // Hdr Ext Len: 8-octet units after the first 8
    next = packet[offset];
    offset += length;
    if (offset > packet.length)
      throw new X3MediaError('BAD_IP_HEADER', 'options header beyond the packet');
  }
  const u = udp(packet.subarray(offset));
  return {
    payload: u.payload,
    flow: {
      ipVersion: 6,
      sourceAddress: formatIpv6(packet.subarray(8, 24)),
      destinationAddress: formatIpv6(packet.subarray(24, 40)),
      sourcePort: u.sourcePort,
      destinationPort: u.destinationPort,
    },
  };
}

/**
 * Unwraps the payload of an X3 PDU to its RTP/RTCP packet (and UDP flow for IP payloads). Other
 * payload formats are `UNSUPPORTED_PAYLOAD_FORMAT`. Throws only `X3MediaError`.
 */
export function unwrapX3Media(format: X2PayloadFormat, payload: Buffer): X3Media {
  switch (format) {
    case X2PayloadFormat.RtpPacket:
      return { packet: payload, media: parseMediaPacket(payload) };
    case X2PayloadFormat.Ipv4Packet:
    case X2PayloadFormat.Ipv6Packet: {
      const { payload: packet, flow } =
        format === X2PayloadFormat.Ipv4Packet ? unwrapIpv4Udp(payload) : unwrapIpv6Udp(payload);
      return { packet, media: parseMediaPacket(packet), flow };
    }
    default:
      throw new X3MediaError('UNSUPPORTED_PAYLOAD_FORMAT', `payload format ${format} is not media`);
  }
}

function attributeAddress(pdu: X2Pdu, type: A): string | undefined {
  const a = pdu.attribute(type);
  return a?.kind === 'ipAddress' ? a.address : undefined;
}

function attributePort(pdu: X2Pdu, type: A): number | undefined {
  const a = pdu.attribute(type);
  return a?.kind === 'port' ? a.port : undefined;
}

/**
 * The UDP flow given by the conditional attributes of an X3 PDU (TS 103 221-2 §5.3.11-5.3.17:
 * source/destination IPv4 or IPv6 address, ports, IP protocol) — the only source of the flow for
 * payload format RTP packet. Undefined unless both addresses of one IP version and both ports are
 * present and any IP Protocol attribute says UDP. Throws X2AttributeError for malformed values.
 */
export function flowFromX3Attributes(pdu: X2Pdu): UdpFlow | undefined {
  const protocol = pdu.attribute(A.IpProtocol);
  if (protocol?.kind === 'ipProtocol' && protocol.protocol !== IP_PROTOCOL_UDP) return undefined;
  const sourcePort = attributePort(pdu, A.SourcePort);
  const destinationPort = attributePort(pdu, A.DestinationPort);
  if (sourcePort === undefined || destinationPort === undefined) return undefined;
  for (const [ipVersion, source, destination] of [
    [4, A.SourceIpv4Address, A.DestinationIpv4Address],
    [6, A.SourceIpv6Address, A.DestinationIpv6Address],
  ] as const) {
    const sourceAddress = attributeAddress(pdu, source);
    const destinationAddress = attributeAddress(pdu, destination);
    if (sourceAddress && destinationAddress)
      return { ipVersion, sourceAddress, destinationAddress, sourcePort, destinationPort };
  }
  return undefined;
}

/**
 * `unwrapX3Media` for a decoded X3 PDU; for payload format RTP packet the flow is taken from the
 * PDU's attributes (`flowFromX3Attributes`). Throws X3MediaError or X2AttributeError.
 */
export function unwrapX3Pdu(pdu: X2Pdu): X3Media {
  const media = unwrapX3Media(pdu.payloadFormat, pdu.payload);
  return media.flow ? media : { ...media, flow: flowFromX3Attributes(pdu) };
}
