import { ipv4Checksum } from './pcap-writer';

/**
 * Builders of RTP packets and of the IPv4/IPv6 UDP datagrams that carry them, for X3 tests
 * (payload formats RTP packet, IPv4 packet, IPv6 packet of TS 103 221-2). Checksums are filled in.
 */
export interface RtpFields {
  payloadType?: number;
  marker?: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs?: number[];
  /** Header extension: profile-defined 16 bits and data (a multiple of 4 octets). */
  extension?: { profile: number; data: Buffer };
  payload: Buffer;
  /** Padding octets to append (RFC 3550 §5.1), the last one holding the count. */
  padding?: number;
}

export function rtpPacket(f: RtpFields): Buffer {
  const csrcs = f.csrcs ?? [];
  const head = Buffer.alloc(12 + 4 * csrcs.length);
  head[0] = (2 << 6) | (f.padding ? 0x20 : 0) | (f.extension ? 0x10 : 0) | (csrcs.length & 0x0f);
  head[1] = (f.marker ? 0x80 : 0) | ((f.payloadType ?? 0) & 0x7f);
  head.writeUInt16BE(f.sequenceNumber, 2);
  head.writeUInt32BE(f.timestamp >>> 0, 4);
  head.writeUInt32BE(f.ssrc >>> 0, 8);
  csrcs.forEach((c, i) => head.writeUInt32BE(c >>> 0, 12 + 4 * i));
  const parts: Buffer[] = [head];
  if (f.extension) {
    const x = Buffer.alloc(4);
    x.writeUInt16BE(f.extension.profile, 0);
    x.writeUInt16BE(f.extension.data.length / 4, 2);
    parts.push(x, f.extension.data);
  }
  parts.push(f.payload);
  if (f.padding) {
    const pad = Buffer.alloc(f.padding);
    pad[f.padding - 1] = f.padding;
    parts.push(pad);
  }
  return Buffer.concat(parts);
}

export interface UdpFields {
  source: Buffer;
  destination: Buffer;
  sourcePort: number;
  destinationPort: number;
  payload: Buffer;
}

function udpDatagram(f: UdpFields, pseudo: Buffer): Buffer {
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(f.sourcePort, 0);
  udp.writeUInt16BE(f.destinationPort, 2);
  udp.writeUInt16BE(8 + f.payload.length, 4);
  const datagram = Buffer.concat([udp, f.payload]);
  const sum = ipv4Checksum(Buffer.concat([pseudo, datagram, Buffer.alloc(datagram.length % 2)]));
  datagram.writeUInt16BE(sum === 0 ? 0xffff : sum, 6); // RFC 768: a computed 0 is sent as all ones
  return datagram;
}

/** IPv4 (no options, DF set) / UDP; `source`, `destination` 4 octets. */
export function ipv4UdpPacket(f: UdpFields, identification = 1): Buffer {
  const pseudo = Buffer.alloc(12);
  f.source.copy(pseudo, 0);
  f.destination.copy(pseudo, 4);
  pseudo[9] = 17;
  pseudo.writeUInt16BE(8 + f.payload.length, 10);
  const datagram = udpDatagram(f, pseudo);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + datagram.length, 2);
  ip.writeUInt16BE(identification, 4);
  ip[6] = 0x40; // DF
  ip[8] = 64;
  ip[9] = 17;
  f.source.copy(ip, 12);
  f.destination.copy(ip, 16);
  ip.writeUInt16BE(ipv4Checksum(ip), 10);
  return Buffer.concat([ip, datagram]);
}

/**
 * IPv6 / [extension headers] / UDP; `source`, `destination` 16 octets. Each extension is given as
 * its type and body after the first two octets (body length + 2 a multiple of 8).
 */
export function ipv6UdpPacket(
  f: UdpFields,
  extensions: { type: number; body: Buffer }[] = [],
): Buffer {
  const pseudo = Buffer.alloc(40);
  f.source.copy(pseudo, 0);
  f.destination.copy(pseudo, 16);
  pseudo.writeUInt32BE(8 + f.payload.length, 32);
  pseudo[39] = 17;
  const datagram = udpDatagram(f, pseudo);
  const headers = extensions.map((e, i) => {
    const h = Buffer.concat([Buffer.alloc(2), e.body]);
    h[0] = i + 1 < extensions.length ? extensions[i + 1].type : 17;
    h[1] = h.length / 8 - 1;
    return h;
  });
  const ip = Buffer.alloc(40);
  ip[0] = 0x60;
  const payloadLength = headers.reduce((n, h) => n + h.length, 0) + datagram.length;
  ip.writeUInt16BE(payloadLength, 4);
  ip[6] = extensions.length ? extensions[0].type : 17;
  ip[7] = 64;
  f.source.copy(ip, 8);
  f.destination.copy(ip, 24);
  return Buffer.concat([ip, ...headers, datagram]);
}
