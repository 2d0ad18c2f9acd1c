/** @app/mikey — MIKEY (RFC 3830) and MIKEY-TICKET (RFC 6043) codec, PRF/KDF, KEMAC. Pure. */
export * from './constants';
export * from './errors';
export * from './types';
export { decodeCommonHeader, encodeCommonHeader, cryptoSessionIds } from './header-codec';
export { encodeSrtpSessionData, decodeSrtpSessionData, type SrtpSessionData } from './header-codec';
export { decodeKeyDataList, encodeKeyDataList } from './key-data-codec';
export {
  decodeMikey,
  encodeMikey,
  findPayload,
  findPayloads,
  type DecodeLimits,
} from './message-codec';
export { pFunction, mikeyPrf } from './prf';
export * from './key-derivation';
export * from './kemac-cipher';
export { buildKemac, openKemac } from './kemac';
export * from './message-auth';
export * from './message-view';
export * from './classify';
export * from './ticket-messages';
export * from './rfc3830-messages';
export * from './key-mgmt-attribute';
export * from './timestamp';
export * from './ticket-exchange';
export * from './srtp-policy';
