/** @app/srtp — SRTP/SRTCP (RFC 3711, RFC 6188, RFC 7714) receiver and sender. Pure, node:crypto. */
export * from './errors';
export * from './suites';
export * from './kdf';
export { readRtpHeader, readRtcpSsrc, type RtpHeaderView } from './rtp-header';
export { sealSrtp, openSrtp, srtpLayout, type RtpCryptoInput } from './transform';
export { sealSrtcp, openSrtcp, srtcpLayout, readSrtcpIndex, MAX_SRTCP_INDEX } from './srtcp';
export * from './srtp-context';
export * from './srtp-receiver';
export * from './srtp-sender';
