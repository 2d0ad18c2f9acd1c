import { randomBytes } from 'node:crypto';
import { SrtpSender } from '@app/srtp';
import { encodeX2Pdu, parseIpv4, X2PayloadDirection, X2PayloadFormat, X2PduType } from '@app/x2';
import { ipv4UdpPacket, rtpPacket } from './ip-packets';

/** SRTP profile of the X3 test media (RFC 4568 §6.2.1; RFC 3711 defaults). */
export const X3_TEST_SUITE = 'AES_CM_128_HMAC_SHA1_80';

/** One side of a media flow: IPv4 address (dotted) and UDP port. */
export interface UdpEndpoint {
  address: string;
  port: number;
}

/** One side's media: clear G.711 RTP packets and their SRTP form (RFC 3711) under `keys`. */
export interface MediaStream {
  ssrc: number;
  clear: Buffer[];
  srtp: Buffer[];
}

/**
 * `n` packets of 20 ms G.711 (PT 0, 160 random octets) from `ssrc`, sequence numbers from
 * `firstSeq` (modulo 2^16, so a stream can cross the wrap), protected with `keys`.
 */
export function srtpStream(
  keys: { masterKey: Buffer; masterSalt: Buffer },
  ssrc: number,
  n: number,
  firstSeq = 1000,
): MediaStream {
  const sender = new SrtpSender({
    suite: X3_TEST_SUITE,
    masterKeys: [{ key: keys.masterKey, salt: keys.masterSalt }],
  });
  const clear = Array.from({ length: n }, (_, i) =>
    rtpPacket({
      sequenceNumber: (firstSeq + i) % 0x10000,
      timestamp: 160 * i,
      ssrc,
      payload: randomBytes(160),
    }),
  );
  return { ssrc, clear, srtp: clear.map((p) => sender.protectRtp(p)) };
}

/**
 * An X3 PDU (TS 103 221-2 §5, PDU type 2) whose payload is an IPv4/UDP datagram (payload format
 * 5) carrying `rtp` from `from` to `to`; `fromTarget` sets the Payload Direction.
 */
export function x3RtpPdu(
  xid: string,
  rtp: Buffer,
  correlationId: bigint,
  flow: { from: UdpEndpoint; to: UdpEndpoint; fromTarget: boolean },
): Buffer {
  return encodeX2Pdu({
    pduType: X2PduType.X3,
    payloadFormat: X2PayloadFormat.Ipv4Packet,
    payloadDirection: flow.fromTarget ? X2PayloadDirection.FromTarget : X2PayloadDirection.ToTarget,
    xid,
    correlationId,
    payload: ipv4UdpPacket({
      source: ipv4(flow.from.address),
      destination: ipv4(flow.to.address),
      sourcePort: flow.from.port,
      destinationPort: flow.to.port,
      payload: rtp,
    }),
  });
}

function ipv4(address: string): Buffer {
  const octets = parseIpv4(address);
  if (!octets) throw new Error(`not an IPv4 address: ${address}`);
  return octets;
}

/** The SSRC of an RTP or SRTP packet (RFC 3550 §5.1). */
export const ssrcOf = (rtp: Buffer): number => rtp.readUInt32BE(8);
