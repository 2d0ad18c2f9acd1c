/**
 * Seeded RTP/RTCP packet streams for the SRTP tests and benchmark: random headers (CSRCs, RFC
 * 8285 one-byte header extensions, padding), payloads, and a delivery order with local
 * reordering and loss across sequence-number wraps.
 */
import type { SeededRandom } from '../../../test/support/seeded-random';

/** One RTP packet of a stream and its true 48-bit packet index (2^16 · ROC + SEQ). */
export interface StreamPacket {
  ssrc: number;
  index: number;
  rtp: Buffer;
}

/** A random RTP version 2 packet with sequence number index mod 2^16 (RFC 3550 §5.1). */
export function randomRtpPacket(rnd: SeededRandom, ssrc: number, index: number): Buffer {
  const csrcs = rnd.int(0, 2);
  const extension = rnd.next() < 0.25 ? oneByteExtension(rnd) : Buffer.alloc(0);
  const padding = rnd.next() < 0.1 ? rnd.int(1, 8) : 0;
  const header = Buffer.alloc(12 + 4 * csrcs);
  header[0] = 0x80 | (padding ? 0x20 : 0) | (extension.length ? 0x10 : 0) | csrcs;
  header[1] = (rnd.next() < 0.05 ? 0x80 : 0) | rnd.int(96, 127);
  header.writeUInt16BE(index % 0x10000, 2);
  header.writeUInt32BE(rnd.int(0, 0xffffffff), 4);
  header.writeUInt32BE(ssrc, 8);
  for (let i = 0; i < csrcs; i++) header.writeUInt32BE(rnd.int(0, 0xffffffff), 12 + 4 * i);
  const payload = rnd.bytes(rnd.int(0, 300));
  const pad = Buffer.alloc(padding);
  if (padding) pad[padding - 1] = padding;
  return Buffer.concat([header, extension, payload, pad]);
}

/** Header extension with profile 0xBEDE and 1-3 one-byte elements, zero-padded (RFC 8285 §4.2). */
function oneByteExtension(rnd: SeededRandom): Buffer {
  const elements: Buffer[] = [];
  for (let n = rnd.int(1, 3); n > 0; n--) {
    const len = rnd.int(1, 8);
    elements.push(Buffer.concat([Buffer.of((rnd.int(1, 14) << 4) | (len - 1)), rnd.bytes(len)]));
  }
  const body = Buffer.concat(elements);
  const words = Math.ceil(body.length / 4);
  const ext = Buffer.alloc(4 + 4 * words);
  ext.writeUInt16BE(0xbede, 0);
  ext.writeUInt16BE(words, 2);
  body.copy(ext, 4);
  return ext;
}

/**
 * `count` packets per SSRC in sending order, interleaved; each SSRC starts at its own index
 * (choose one just below 2^16 · k to cross a sequence-number wrap).
 */
export function rtpStream(
  rnd: SeededRandom,
  starts: ReadonlyMap<number, number>,
  count: number,
): StreamPacket[] {
  const out: StreamPacket[] = [];
  for (let i = 0; i < count; i++) {
    for (const [ssrc, start] of starts) {
      out.push({ ssrc, index: start + i, rtp: randomRtpPacket(rnd, ssrc, start + i) });
    }
  }
  return out;
}

/**
 * A delivery order of `items`: some are lost (probability `loss`) and some are delayed by up
 * to `maxDelay` positions, as a network would reorder them.
 */
export function networkOrder<T>(
  rnd: SeededRandom,
  items: readonly T[],
  maxDelay: number,
  loss = 0.01,
): T[] {
  const keyed = items
    .filter(() => rnd.next() >= loss)
    .map((item, i) => ({ item, at: i + (rnd.next() < 0.05 ? rnd.int(1, maxDelay) + 0.5 : 0) }));
  return keyed.sort((a, b) => a.at - b.at).map((k) => k.item);
}

/** A random RTCP receiver or sender report (RFC 3550 §6.4) with a random body. */
export function randomRtcpPacket(rnd: SeededRandom, ssrc: number): Buffer {
  const words = rnd.int(1, 20);
  const packet = Buffer.concat([Buffer.alloc(8), rnd.bytes(4 * words)]);
  packet[0] = 0x80 | rnd.int(0, 3);
  packet[1] = rnd.pick([200, 201]);
  packet.writeUInt16BE(words + 1, 2);
  packet.writeUInt32BE(ssrc, 4);
  return packet;
}
