/** @app/sip — RFC 3261 SIP message parsing, identities, SDP with SDES / MIKEY key management. Pure: no Nest. */
export * from './sip-errors';
export * from './sip-uri';
export { param, parseAddresses } from './sip-address';
export type { AddressGrammar, GenericParam, SipAddress } from './sip-address';
export * from './sip-header-values';
export { COMPACT_HEADER_NAMES, canonicalHeaderName } from './sip-header-rules';
export { collectBodyParts } from './sip-multipart';
export type { SipBodyPart } from './sip-multipart';
export * from './sip-identity';
export * from './sip-message';
export * from './sdp/base64';
export * from './sdp/crypto-attribute';
export * from './sdp/key-mgmt-attribute';
export { parseSessionDescription } from './sdp/session-description';
export type {
  SdpAttributeError,
  SdpAttributeLine,
  SdpConnection,
  SdpMedia,
  SdpOrigin,
  SessionDescription,
} from './sdp/session-description';
export * from './sdes-redaction';
