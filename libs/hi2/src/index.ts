/** @app/hi2 — TS 33.108 EPS/IMS IRI (BER) and the TS 102 232-1 PS-PDU envelope. Pure: no Nest, no TypeORM. */
export * from './errors';
export type { DecodeLimits } from './asn1/ber-normaliser';
export * from './schema/hi2-operations';
export * from './schema/eps-hi2-operations';
export * from './schema/ip-multimedia-pdu';
export * from './schema/li-ps-pdu';
export * from './codec';
export * from './iri-builder';
export * from './ps-pdu-builder';
export * from './ps-pdu-framer';
export * from './encoded-record';
