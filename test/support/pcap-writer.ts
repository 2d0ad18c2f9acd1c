/**
 * Minimal libpcap file writer (classic format, LINKTYPE_ETHERNET) for conformance tests that
 * hand bytes to tshark: each payload becomes one TCP segment of a single client→server flow
 * (IPv4, no handshake; tshark dissects by port with `-d tcp.port==N,<proto>`).
 */
export interface TcpFlow {
  srcPort: number;
  dstPort: number;
  /** Default 192.0.2.1 → 192.0.2.2 (RFC 5737 documentation range). */
  srcIp?: [number, number, number, number];
  dstIp?: [number, number, number, number];
}

/** RFC 1071 Internet checksum of an even-length buffer (IPv4 header, TCP/UDP with pseudo-header). */
export function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function tcpChecksum(src: Buffer, dst: Buffer, segment: Buffer): number {
  const pseudo = Buffer.alloc(12);
  src.copy(pseudo, 0);
  dst.copy(pseudo, 4);
  pseudo[9] = 6;
  pseudo.writeUInt16BE(segment.length, 10);
  const all = Buffer.concat([pseudo, segment, Buffer.alloc(segment.length % 2)]);
  return ipv4Checksum(all);
}

/** Builds a pcap file with one TCP segment per payload, sequence numbers contiguous. */
export function tcpStreamPcap(flow: TcpFlow, payloads: readonly Buffer[]): Buffer {
  const src = Buffer.from(flow.srcIp ?? [192, 0, 2, 1]);
  const dst = Buffer.from(flow.dstIp ?? [192, 0, 2, 2]);
  const fileHeader = Buffer.alloc(24);
  fileHeader.writeUInt32LE(0xa1b2c3d4, 0);
  fileHeader.writeUInt16LE(2, 4);
  fileHeader.writeUInt16LE(4, 6);
  fileHeader.writeUInt32LE(262144, 16);
  fileHeader.writeUInt32LE(1, 20);
  const records: Buffer[] = [fileHeader];
  let seq = 1000;
  payloads.forEach((payload, i) => {
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(flow.srcPort, 0);
    tcp.writeUInt16BE(flow.dstPort, 2);
    tcp.writeUInt32BE(seq, 4);
    tcp.writeUInt32BE(1, 8);
    tcp[12] = 5 << 4;
    tcp[13] = 0x18; // PSH, ACK
    tcp.writeUInt16BE(65535, 14);
    const segment = Buffer.concat([tcp, payload]);
    segment.writeUInt16BE(tcpChecksum(src, dst, segment), 16);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + segment.length, 2);
    ip.writeUInt16BE(i & 0xffff, 4);
    ip[8] = 64;
    ip[9] = 6;
    src.copy(ip, 12);
    dst.copy(ip, 16);
    ip.writeUInt16BE(ipv4Checksum(ip), 10);
    const eth = Buffer.from('020000000002020000000001' + '0800', 'hex');
    const frame = Buffer.concat([eth, ip, segment]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    records.push(rec, frame);
    seq += payload.length;
  });
  return Buffer.concat(records);
}

/** LINKTYPE_RAW (101): each record is one IPv4 or IPv6 packet, no link-layer header. */
export function rawIpPcap(packets: readonly Buffer[]): Buffer {
  const fileHeader = Buffer.alloc(24);
  fileHeader.writeUInt32LE(0xa1b2c3d4, 0);
  fileHeader.writeUInt16LE(2, 4);
  fileHeader.writeUInt16LE(4, 6);
  fileHeader.writeUInt32LE(262144, 16);
  fileHeader.writeUInt32LE(101, 20);
  const records: Buffer[] = [fileHeader];
  packets.forEach((packet, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(packet.length, 8);
    rec.writeUInt32LE(packet.length, 12);
    records.push(rec, packet);
  });
  return Buffer.concat(records);
}
