import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool, toolAvailable } from '../../../test/support/external-tool';
import { ipv4UdpPacket, ipv6UdpPacket, rtpPacket } from '../../../test/support/ip-packets';
import { rawIpPcap } from '../../../test/support/pcap-writer';
import { SeededRandom } from '../../../test/support/seeded-random';
import { X2PayloadFormat as F, unwrapX3Media } from './index';

/**
 * Independent decoder cross-check: Wireshark's IP, UDP and RTP dissectors read the same IPv4/IPv6
 * datagrams as `unwrapX3Media`, and every field they show must equal ours. Checksum validation is
 * switched on, which also checks the test packet builders.
 */
const TSHARK = toolAvailable('tshark');
const RTP_PORT = 50000;
const CASES = 60;

type Json = Record<string, unknown>;

function tsharkLayers(pcap: Buffer): Json[] {
  const dir = mkdtempSync(join(tmpdir(), 'x3-tshark-'));
  try {
    const file = join(dir, 'x3.pcap');
    writeFileSync(file, pcap);
    const out = runTool('tshark', [
      '-r',
      file,
      '-d',
      `udp.port==${RTP_PORT},rtp`,
      '-o',
      'ip.check_checksum:TRUE',
      '-o',
      'udp.check_checksum:TRUE',
      '-T',
      'json',
      '--no-duplicate-keys',
    ]);
    return (JSON.parse(out) as { _source: { layers: Json } }[]).map((f) => f._source.layers);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const colonHex = (b: Buffer): string | undefined =>
  b.length ? (b.toString('hex').match(/../g) ?? []).join(':') : undefined;

(TSHARK ? describe : describe.skip)(
  `X3 media: tshark's IP/UDP/RTP dissectors agree with unwrapX3Media${TSHARK ? '' : ' (skipped: tshark absent)'}`,
  () => {
    it(`${CASES} seeded IPv4 and IPv6 datagrams, field by field`, () => {
      const rnd = new SeededRandom(0x3e3e3e01);
      const cases = Array.from({ length: CASES }, (_, i) => {
        const rtp = rtpPacket({
          payloadType: rnd.pick([0, 8, 9, 18, 96, 101, 111, 127]), // static and dynamic, none in 64..95
          marker: rnd.int(0, 1) === 1,
          sequenceNumber: rnd.int(0, 65535),
          timestamp: rnd.int(0, 2 ** 32 - 1),
          ssrc: rnd.int(0, 2 ** 32 - 1),
          csrcs: Array.from({ length: rnd.int(0, 2) }, () => rnd.int(0, 2 ** 32 - 1)),
          extension: rnd.int(0, 1)
            ? { profile: rnd.int(0, 65535), data: rnd.bytes(4 * rnd.int(1, 2)) }
            : undefined,
          payload: rnd.bytes(rnd.int(1, 60)),
          padding: rnd.int(0, 1) ? rnd.int(1, 4) : undefined,
        });
        const udp = { sourcePort: rnd.int(1024, 65535), destinationPort: RTP_PORT, payload: rtp };
        const format = i % 2 ? F.Ipv6Packet : F.Ipv4Packet;
        const packet =
          format === F.Ipv4Packet
            ? ipv4UdpPacket({ source: rnd.bytes(4), destination: rnd.bytes(4), ...udp }, i)
            : ipv6UdpPacket(
                { source: rnd.bytes(16), destination: rnd.bytes(16), ...udp },
                rnd.int(0, 1) ? [{ type: 60, body: Buffer.alloc(6) }] : [],
              );
        return { packet, ours: unwrapX3Media(format, packet) };
      });
      const frames = tsharkLayers(rawIpPcap(cases.map((c) => c.packet)));
      expect(frames).toHaveLength(CASES);
      frames.forEach((layers, i) => {
        const { ours } = cases[i];
        const flow = ours.flow!;
        const ip = (layers.ip ?? layers.ipv6) as Json;
        const prefix = flow.ipVersion === 4 ? 'ip' : 'ipv6';
        const udp = layers.udp as Json;
        const rtp = layers.rtp as Json;
        if (ours.media.kind !== 'rtp') throw new Error(`frame ${i}: not RTP`);
        const h = ours.media.header;
        expect({
          src: ip[`${prefix}.src`],
          dst: ip[`${prefix}.dst`],
          sport: udp['udp.srcport'],
          dport: udp['udp.dstport'],
          udpChecksum: udp['udp.checksum.status'],
          ipChecksum: flow.ipVersion === 4 ? ip['ip.checksum.status'] : '1',
          version: rtp['rtp.version'],
          padding: rtp['rtp.padding'],
          ext: rtp['rtp.ext'],
          cc: rtp['rtp.cc'],
          marker: rtp['rtp.marker'],
          pt: rtp['rtp.p_type'],
          seq: rtp['rtp.seq'],
          ts: rtp['rtp.timestamp'],
          ssrc: rtp['rtp.ssrc'],
          payload: rtp['rtp.payload'],
          paddingCount: rtp['rtp.padding.count'],
        }).toEqual({
          src: flow.sourceAddress,
          dst: flow.destinationAddress,
          sport: String(flow.sourcePort),
          dport: String(flow.destinationPort),
          udpChecksum: '1', // Good
          ipChecksum: '1',
          version: '2',
          padding: h.padding ? '1' : '0',
          ext: h.extension ? '1' : '0',
          cc: String(h.csrcCount),
          marker: h.marker ? '1' : '0',
          pt: String(h.payloadType),
          seq: String(h.sequenceNumber),
          ts: String(h.timestamp),
          ssrc: `0x${h.ssrc.toString(16).padStart(8, '0')}`,
          payload: colonHex(ours.media.payload),
          paddingCount: h.padding
            ? String(ours.packet.length - h.payloadOffset - ours.media.payload.length)
            : undefined,
        });
      });
    });
  },
);
