/** The fields of an RTP header that SRTP needs (RFC 3550 §5.1). */
export interface RtpHeaderView {
  /** Fixed header, CSRC list and header extension, octets: the SRTP/GCM associated data. */
  headerLength: number;
  sequenceNumber: number;
  ssrc: number;
}

/**
 * Reads an RTP version 2 header: 12 octets, 4·CC octets of CSRCs, and when X is set a header
 * extension of 4 + 4·length octets (RFC 3550 §5.1, §5.3.1). Undefined when the header does not
 * fit in the first `end` octets or the version is not 2.
 */
export function readRtpHeader(packet: Buffer, end: number): RtpHeaderView | undefined {
  if (end < 12 || packet[0] >> 6 !== 2) return undefined;
  let headerLength = 12 + 4 * (packet[0] & 0x0f);
  if (packet[0] & 0x10) {
    if (headerLength + 4 > end) return undefined;
    headerLength += 4 + 4 * packet.readUInt16BE(headerLength + 2);
  }
  if (headerLength > end) return undefined;
  return { headerLength, sequenceNumber: packet.readUInt16BE(2), ssrc: packet.readUInt32BE(8) };
}

/** Length of the RTCP header that SRTCP leaves in clear: V/P/RC, PT, length, SSRC (RFC 3711 §3.4). */
export const RTCP_HEADER_LENGTH = 8;

/**
 * SSRC of the first RTCP packet of a (compound) packet, octets 4-7 (RFC 3550 §6.4.1); undefined
 * when shorter than the header. SRTCP needs nothing else from the header, so the version is not
 * checked (libsrtp's reference SRTCP packet does not carry version 2).
 */
export function readRtcpSsrc(packet: Buffer, end: number): number | undefined {
  if (end < RTCP_HEADER_LENGTH) return undefined;
  return packet.readUInt32BE(4);
}
