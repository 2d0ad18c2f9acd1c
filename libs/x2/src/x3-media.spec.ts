import { ipv4UdpPacket, ipv6UdpPacket, rtpPacket } from '../../../test/support/ip-packets';
import {
  X2AttributeType as T,
  X2PayloadDirection,
  X2PayloadFormat as F,
  X2PduType,
  X2TypedAttribute,
  decodeX2Pdu,
  encodeX2Pdu,
  flowFromX3Attributes,
  unwrapX3Pdu,
  X3MediaError,
  X3MediaErrorCode,
  parseIpv4,
  parseIpv6,
  parseMediaPacket,
  parseRtpHeader,
  rtpPaddingLength,
  unwrapX3Media,
} from './index';

const V4 = { source: parseIpv4('192.0.2.10')!, destination: parseIpv4('198.51.100.20')! };
const V6 = { source: parseIpv6('2001:db8::a')!, destination: parseIpv6('2001:db8:1::14')! };
const PORTS = { sourcePort: 40000, destinationPort: 50002 };
const voice = Buffer.alloc(160, 0xd5);
const rtp = rtpPacket({
  payloadType: 8,
  sequenceNumber: 513,
  timestamp: 160,
  ssrc: 0xcafe,
  payload: voice,
});

function fails(code: X3MediaErrorCode, run: () => unknown): void {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(X3MediaError);
  expect((error as X3MediaError).code).toBe(code);
}

describe('RTP header (RFC 3550 §5.1)', () => {
  it('reads the fixed header, skips CSRCs and the header extension, strips padding', () => {
    const packet = rtpPacket({
      payloadType: 111,
      marker: true,
      sequenceNumber: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0x89abcdef,
      csrcs: [1, 2],
      extension: { profile: 0xbede, data: Buffer.alloc(8, 7) },
      payload: Buffer.from('opus'),
      padding: 3,
    });
    const h = parseRtpHeader(packet);
    expect(h).toEqual({
      padding: true,
      extension: true,
      csrcCount: 2,
      marker: true,
      payloadType: 111,
      sequenceNumber: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0x89abcdef,
      payloadOffset: 12 + 8 + 4 + 8,
    });
    expect(rtpPaddingLength(packet, h)).toBe(3);
    const m = parseMediaPacket(packet);
    expect(m.kind === 'rtp' && m.payload.toString()).toBe('opus');
  });

  it('refuses a version other than 2, a short header, a CSRC list, extension or padding that does not fit', () => {
    fails('BAD_RTP', () => parseRtpHeader(rtp.subarray(0, 11)));
    const v1 = Buffer.from(rtp);
    v1[0] = (1 << 6) | (v1[0] & 0x3f);
    fails('BAD_RTP', () => parseRtpHeader(v1));
    const csrc = Buffer.from(rtp.subarray(0, 20));
    csrc[0] |= 0x03; // 3 CSRCs = 24 octets of header
    fails('BAD_RTP', () => parseRtpHeader(csrc));
    const ext = rtpPacket({
      sequenceNumber: 1,
      timestamp: 1,
      ssrc: 1,
      extension: { profile: 1, data: Buffer.alloc(4) },
      payload: Buffer.alloc(0),
    });
    ext.writeUInt16BE(2, 14); // extension length 2 words, only 1 present
    fails('BAD_RTP', () => parseRtpHeader(ext));
    const pad = Buffer.from(rtp);
    pad[0] |= 0x20;
    pad[pad.length - 1] = 0; // count 0 is not a padding count
    fails('BAD_RTP', () => parseMediaPacket(pad));
    pad[pad.length - 1] = voice.length + 1; // reaches into the header
    fails('BAD_RTP', () => parseMediaPacket(pad));
  });

  it('tells RTCP from RTP by the second octet (RFC 5761 §4)', () => {
    const sr = Buffer.from('80c8000600000bad', 'hex'); // SR, SSRC 0xbad
    expect(parseMediaPacket(sr)).toEqual({ kind: 'rtcp', packetType: 200, ssrc: 0xbad });
    const pt95 = Buffer.from(rtp);
    pt95[1] = 0x5f; // PT 95 without marker is RTP
    expect(parseMediaPacket(pt95).kind).toBe('rtp');
    fails('BAD_RTP', () => parseMediaPacket(sr.subarray(0, 7)));
  });
});

describe('unwrapX3Media (TS 103 221-2 payload formats 5, 6, 8)', () => {
  it('RTP packet (8): the payload is the packet, no flow', () => {
    const m = unwrapX3Media(F.RtpPacket, rtp);
    expect(m.packet).toBe(rtp);
    expect(m.flow).toBeUndefined();
    expect(m.media.kind === 'rtp' && m.media.header.sequenceNumber).toBe(513);
  });

  it('IPv4 packet (5): UDP/RTP unwrapped with its 5-tuple', () => {
    const m = unwrapX3Media(F.Ipv4Packet, ipv4UdpPacket({ ...V4, ...PORTS, payload: rtp }));
    expect(m.packet.equals(rtp)).toBe(true);
    expect(m.flow).toEqual({
      ipVersion: 4,
      sourceAddress: '192.0.2.10',
      destinationAddress: '198.51.100.20',
      sourcePort: 40000,
      destinationPort: 50002,
    });
  });

  it('IPv4 with options is read past its IHL', () => {
    const plain = ipv4UdpPacket({ ...V4, ...PORTS, payload: rtp });
    const withOptions = Buffer.concat([
      plain.subarray(0, 20),
      Buffer.alloc(4, 1),
      plain.subarray(20),
    ]);
    withOptions[0] = 0x46;
    withOptions.writeUInt16BE(withOptions.length, 2);
    expect(unwrapX3Media(F.Ipv4Packet, withOptions).packet.equals(rtp)).toBe(true);
  });

  it('IPv4: refuses fragments, non-UDP, bad IHL, Total Length or UDP length', () => {
    const good = ipv4UdpPacket({ ...V4, ...PORTS, payload: rtp });
    const edit = (f: (b: Buffer) => void): Buffer => {
      const b = Buffer.from(good);
      f(b);
      return b;
    };
    fails('IP_FRAGMENT', () =>
      unwrapX3Media(
        F.Ipv4Packet,
        edit((b) => (b[6] = 0x20)),
      ),
    ); // MF
    fails('IP_FRAGMENT', () =>
      unwrapX3Media(
        F.Ipv4Packet,
        edit((b) => b.writeUInt16BE(0x4001, 6)),
      ),
    );
    fails('NOT_UDP', () =>
      unwrapX3Media(
        F.Ipv4Packet,
        edit((b) => (b[9] = 6)),
      ),
    );
    fails('BAD_IP_HEADER', () =>
      unwrapX3Media(
        F.Ipv4Packet,
        edit((b) => (b[0] = 0x44)),
      ),
    );
    fails('BAD_IP_VERSION', () =>
      unwrapX3Media(
        F.Ipv4Packet,
        edit((b) => (b[0] = 0x65)),
      ),
    );
    fails('BAD_IP_LENGTH', () =>
      unwrapX3Media(F.Ipv4Packet, Buffer.concat([good, Buffer.alloc(1)])),
    );
    fails('BAD_IP_LENGTH', () => unwrapX3Media(F.Ipv4Packet, good.subarray(0, good.length - 1)));
    fails('BAD_UDP', () =>
      unwrapX3Media(
        F.Ipv4Packet,
        edit((b) => b.writeUInt16BE(9, 24)),
      ),
    );
    fails('TRUNCATED', () => unwrapX3Media(F.Ipv4Packet, good.subarray(0, 19)));
    // the checksums are not verified (documented): a zeroed UDP checksum still unwraps
    expect(
      unwrapX3Media(
        F.Ipv4Packet,
        edit((b) => b.writeUInt16BE(0, 26)),
      ).packet.equals(rtp),
    ).toBe(true);
  });

  it('IPv6 packet (6): UDP directly, after Hop-by-Hop and Destination Options', () => {
    const flow = {
      ipVersion: 6,
      sourceAddress: '2001:db8::a',
      destinationAddress: '2001:db8:1::14',
      sourcePort: 40000,
      destinationPort: 50002,
    };
    const direct = unwrapX3Media(F.Ipv6Packet, ipv6UdpPacket({ ...V6, ...PORTS, payload: rtp }));
    expect(direct.flow).toEqual(flow);
    expect(direct.packet.equals(rtp)).toBe(true);
    const chained = ipv6UdpPacket({ ...V6, ...PORTS, payload: rtp }, [
      { type: 0, body: Buffer.from('010400000000', 'hex') }, // PadN
      { type: 60, body: Buffer.alloc(14) },
    ]);
    expect(unwrapX3Media(F.Ipv6Packet, chained).flow).toEqual(flow);
  });

  it('IPv6: refuses fragments, other extension headers, late Hop-by-Hop, non-UDP, bad lengths', () => {
    const ext = (type: number, body = Buffer.alloc(6)): Buffer =>
      ipv6UdpPacket({ ...V6, ...PORTS, payload: rtp }, [{ type, body }]);
    fails('IP_FRAGMENT', () => unwrapX3Media(F.Ipv6Packet, ext(44)));
    fails('UNSUPPORTED_IPV6_EXTENSION', () => unwrapX3Media(F.Ipv6Packet, ext(43)));
    const late = ipv6UdpPacket({ ...V6, ...PORTS, payload: rtp }, [
      { type: 60, body: Buffer.alloc(6) },
      { type: 0, body: Buffer.alloc(6) },
    ]);
    fails('UNSUPPORTED_IPV6_EXTENSION', () => unwrapX3Media(F.Ipv6Packet, late));
    const good = ipv6UdpPacket({ ...V6, ...PORTS, payload: rtp });
    const tcp = Buffer.from(good);
    tcp[6] = 6;
    fails('NOT_UDP', () => unwrapX3Media(F.Ipv6Packet, tcp));
    const jumbo = Buffer.from(good);
    jumbo.writeUInt16BE(0, 4);
    fails('BAD_IP_LENGTH', () => unwrapX3Media(F.Ipv6Packet, jumbo));
    const longOptions = ext(60);
    longOptions[41] = 200; // Hdr Ext Len beyond the packet
    fails('BAD_IP_HEADER', () => unwrapX3Media(F.Ipv6Packet, longOptions));
    fails('BAD_IP_VERSION', () =>
      unwrapX3Media(F.Ipv6Packet, ipv4UdpPacket({ ...V4, ...PORTS, payload: rtp })),
    );
    fails('TRUNCATED', () => unwrapX3Media(F.Ipv6Packet, good.subarray(0, 39)));
  });

  it('refuses payload formats that are not media', () => {
    fails('UNSUPPORTED_PAYLOAD_FORMAT', () => unwrapX3Media(F.SipMessage, rtp));
    fails('UNSUPPORTED_PAYLOAD_FORMAT', () => unwrapX3Media(F.EthernetFrame, rtp));
  });
});

describe('unwrapX3Pdu / flowFromX3Attributes (TS 103 221-2 §5.3.11-5.3.17)', () => {
  const x3 = (payloadFormat: F, payload: Buffer, attributes: X2TypedAttribute[] = []) =>
    decodeX2Pdu(
      encodeX2Pdu({
        pduType: X2PduType.X3,
        payloadFormat,
        payloadDirection: X2PayloadDirection.ToTarget,
        xid: '5e5e5e5e-0000-4000-8000-000000000001',
        correlationId: 7n,
        attributes,
        payload,
      }),
    );
  const v4: X2TypedAttribute[] = [
    { kind: 'ipAddress', type: T.SourceIpv4Address, address: '192.0.2.10' },
    { kind: 'ipAddress', type: T.DestinationIpv4Address, address: '198.51.100.20' },
    { kind: 'port', type: T.SourcePort, port: 40000 },
    { kind: 'port', type: T.DestinationPort, port: 50002 },
  ];

  it('RTP packet format: the flow comes from the attributes', () => {
    const m = unwrapX3Pdu(
      x3(F.RtpPacket, rtp, [...v4, { kind: 'ipProtocol', type: T.IpProtocol, protocol: 17 }]),
    );
    expect(m.packet.equals(rtp)).toBe(true);
    expect(m.flow).toEqual({
      ipVersion: 4,
      sourceAddress: '192.0.2.10',
      destinationAddress: '198.51.100.20',
      sourcePort: 40000,
      destinationPort: 50002,
    });
    const v6 = flowFromX3Attributes(
      x3(F.RtpPacket, rtp, [
        { kind: 'ipAddress', type: T.SourceIpv6Address, address: '2001:db8::a' },
        { kind: 'ipAddress', type: T.DestinationIpv6Address, address: '2001:db8:1::14' },
        ...v4.slice(2),
      ]),
    );
    expect(v6?.ipVersion).toBe(6);
    expect(v6?.destinationAddress).toBe('2001:db8:1::14');
  });

  it('no flow without both addresses and ports, or when the IP protocol is not UDP', () => {
    expect(unwrapX3Pdu(x3(F.RtpPacket, rtp)).flow).toBeUndefined();
    expect(flowFromX3Attributes(x3(F.RtpPacket, rtp, v4.slice(1)))).toBeUndefined();
    expect(flowFromX3Attributes(x3(F.RtpPacket, rtp, v4.slice(0, 3)))).toBeUndefined();
    expect(
      flowFromX3Attributes(
        x3(F.RtpPacket, rtp, [...v4, { kind: 'ipProtocol', type: T.IpProtocol, protocol: 6 }]),
      ),
    ).toBeUndefined();
  });

  it('IP payload formats: the flow comes from the packet, not the attributes', () => {
    const packet = ipv6UdpPacket({ ...V6, ...PORTS, payload: rtp });
    expect(unwrapX3Pdu(x3(F.Ipv6Packet, packet, v4)).flow?.sourceAddress).toBe('2001:db8::a');
  });
});
