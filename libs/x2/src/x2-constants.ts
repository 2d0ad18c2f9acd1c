/**
 * Code points of ETSI TS 103 221-2 (X2/X3 PDU). Clause and table numbers follow the
 * V1.7.1..V1.10.1 numbering: 5.1 (PDU structure), 5.2.x (mandatory header fields), 5.3.x
 * (conditional attributes), 5.4 (payload formats), 6.2.4 (keepalive).
 * Cross-checked against Wireshark's packet-li5g.c value strings (attribute types 1..22,
 * payload formats 0..16), OpenLI's x2x3_ingest.h and sipgate li-lib-x1x2x3 (version 0.5).
 */

/** Size of the mandatory header of every PDU (TS 103 221-2 §5.1, table 5.1-1). */
export const X2_FIXED_HEADER_LENGTH = 40;

/**
 * Version we emit: major 0, minor 5 (TS 103 221-2 §5.2.1; minor 5 for V1.6.1 to V1.9.1).
 * A receiver accepts any minor of major 0: minor increments are backwards compatible (§5.2.1).
 */
export const X2_VERSION_MAJOR = 0;
export const X2_VERSION_MINOR = 5;

/** PDU Type (TS 103 221-2 §5.2.2, table 5.2.2-1). */
export enum X2PduType {
  X2 = 1,
  X3 = 2,
  Keepalive = 3,
  KeepaliveAcknowledgement = 4,
}

/** Payload Format (TS 103 221-2 §5.4, table 5.4.1-1; value 17 added in V1.8.1). */
export enum X2PayloadFormat {
  /** Reserved for the keepalive mechanism: keepalives carry no payload. */
  KeepaliveReserved = 0,
  Etsi102232Payload = 1,
  Tgpp33128Payload = 2,
  Tgpp33108Payload = 3,
  ProprietaryPayload = 4,
  Ipv4Packet = 5,
  Ipv6Packet = 6,
  EthernetFrame = 7,
  RtpPacket = 8,
  SipMessage = 9,
  DhcpMessage = 10,
  RadiusPacket = 11,
  GtpUMessage = 12,
  MsrpMessage = 13,
  EpsIriContent = 14,
  MimeMessage = 15,
  UnstructuredPdu = 16,
  Etsi102232PsPduPayload = 17,
}

/** Whether a payload format may appear on X2 and on X3 (table 5.4.1-1). */
export const X2_PAYLOAD_FORMAT_USE: Readonly<
  Record<X2PayloadFormat, { x2: boolean; x3: boolean }>
> = {
  [X2PayloadFormat.KeepaliveReserved]: { x2: false, x3: false },
  [X2PayloadFormat.Etsi102232Payload]: { x2: true, x3: true },
  [X2PayloadFormat.Tgpp33128Payload]: { x2: true, x3: true },
  [X2PayloadFormat.Tgpp33108Payload]: { x2: true, x3: true },
  [X2PayloadFormat.ProprietaryPayload]: { x2: true, x3: true },
  [X2PayloadFormat.Ipv4Packet]: { x2: true, x3: true },
  [X2PayloadFormat.Ipv6Packet]: { x2: true, x3: true },
  [X2PayloadFormat.EthernetFrame]: { x2: false, x3: true },
  [X2PayloadFormat.RtpPacket]: { x2: false, x3: true },
  [X2PayloadFormat.SipMessage]: { x2: true, x3: false },
  [X2PayloadFormat.DhcpMessage]: { x2: true, x3: false },
  [X2PayloadFormat.RadiusPacket]: { x2: true, x3: false },
  [X2PayloadFormat.GtpUMessage]: { x2: false, x3: true },
  [X2PayloadFormat.MsrpMessage]: { x2: false, x3: true },
  [X2PayloadFormat.EpsIriContent]: { x2: true, x3: false },
  [X2PayloadFormat.MimeMessage]: { x2: true, x3: true },
  [X2PayloadFormat.UnstructuredPdu]: { x2: false, x3: true },
  [X2PayloadFormat.Etsi102232PsPduPayload]: { x2: true, x3: true },
};

/** Payload Direction (TS 103 221-2 §5.2.6, table 5.2.6-1). */
export enum X2PayloadDirection {
  KeepaliveReserved = 0,
  Unknown = 1,
  ToTarget = 2,
  FromTarget = 3,
  MultipleDirections = 4,
  NotApplicable = 5,
}

/** Conditional attribute types (TS 103 221-2 §5.3, table 5.3.1-2). */
export enum X2AttributeType {
  Etsi102232Attribute = 1,
  Tgpp33128Attribute = 2,
  Tgpp33108Attribute = 3,
  ProprietaryAttribute = 4,
  DomainId = 5,
  NetworkFunctionId = 6,
  InterceptionPointId = 7,
  SequenceNumber = 8,
  Timestamp = 9,
  SourceIpv4Address = 10,
  DestinationIpv4Address = 11,
  SourceIpv6Address = 12,
  DestinationIpv6Address = 13,
  SourcePort = 14,
  DestinationPort = 15,
  IpProtocol = 16,
  MatchedTargetIdentifier = 17,
  OtherTargetIdentifier = 18,
  MimeContentType = 19,
  MimeContentTransferEncoding = 20,
  AdditionalXidRelatedInformation = 21,
  SdpSessionDescription = 22,
}

/** Size of one attribute TLV header: type (2 octets) + length (2 octets) (§5.3.1, table 5.3.1-1). */
export const X2_ATTRIBUTE_TLV_HEADER_LENGTH = 4;
/** Largest attribute value: the length field is 16 bits (§5.3.1). */
export const X2_MAX_ATTRIBUTE_VALUE_LENGTH = 0xffff;
