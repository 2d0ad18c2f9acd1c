/** @app/x2 — ETSI TS 103 221-2 X2/X3 PDU codec, stream framer and X3 media unwrapping. Pure: no Nest, no TypeORM. */
export * from './x2-constants';
export * from './x2-errors';
export * from './x2-attributes';
export * from './x2-pdu';
export * from './x2-pdu-encoder';
export * from './x2-pdu-checks';
export * from './x2-stream-framer';
export * from './x3-media';
export { canonicalIpv6, formatIpv4, formatIpv6, isIpv6, parseIpv4, parseIpv6 } from './ip-address';
