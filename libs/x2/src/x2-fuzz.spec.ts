import { SeededRandom, fuzzIterations, fuzzSeed } from '../../../test/support/seeded-random';
import { ipv4UdpPacket, ipv6UdpPacket, rtpPacket } from '../../../test/support/ip-packets';
import {
  X2PayloadFormat as F,
  X3MediaError,
  unwrapX3Media,
  X2AttributeError,
  X2AttributeType as T,
  X2DecodeError,
  X2StreamFramer,
  checkX2Pdu,
  decodeX2Attribute,
  decodeX2Pdu,
  encodeX2Pdu,
} from './index';

const LIMITS = { maxHeaderLength: 4096, maxPayloadLength: 8192 };
const ITERATIONS = fuzzIterations();

function validStream(rnd: SeededRandom): Buffer {
  const parts: Buffer[] = [];
  for (let i = rnd.int(1, 4); i > 0; i--) {
    parts.push(
      encodeX2Pdu({
        pduType: rnd.int(1, 4),
        payloadFormat: rnd.int(0, 17),
        payloadDirection: rnd.int(0, 5),
        xid: rnd.bytes(16),
        correlationId: rnd.bytes(8),
        attributes: [
          {
            kind: 'sequenceNumber',
            type: T.SequenceNumber,
            sequenceNumber: rnd.int(0, 2 ** 32 - 1),
          },
          {
            kind: 'timestamp',
            type: T.Timestamp,
            seconds: rnd.int(0, 2 ** 32 - 1),
            nanoseconds: rnd.int(0, 999_999_999),
          },
          { kind: 'text', type: T.NetworkFunctionId, text: 'nf' },
          { type: rnd.int(0, 30), value: rnd.bytes(rnd.int(0, 20)) },
        ],
        payload: rnd.bytes(rnd.int(0, 200)),
      }),
    );
  }
  return Buffer.concat(parts);
}

function mutate(rnd: SeededRandom, input: Buffer): Buffer {
  let buf = Buffer.from(input);
  for (let n = rnd.int(1, 4); n > 0; n--) {
    const op = rnd.int(0, 4);
    const at = rnd.int(0, Math.max(0, buf.length - 1));
    if (op === 0) buf[at] ^= 1 << rnd.int(0, 7);
    else if (op === 1) buf[at] = rnd.pick([0x00, 0xff, 0x7f, 0x80, 0x28]);
    else if (op === 2) buf = buf.subarray(0, at);
    else if (op === 3)
      buf = Buffer.concat([buf.subarray(0, at), rnd.bytes(rnd.int(1, 8)), buf.subarray(at)]);
    else if (buf.length >= 4)
      buf.writeUInt32BE(rnd.int(0, 2 ** 32 - 1), Math.min(at, buf.length - 4));
  }
  return buf;
}

/** Plain assertion for the hot loop (jest's expect is too slow for 20k cases). */
function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`fuzz property violated: ${what}`);
}

/** Feeds a stream in random chunks; everything must end in PDUs or one typed error. */
function feedInChunks(rnd: SeededRandom, stream: Buffer): void {
  const framer = new X2StreamFramer(LIMITS);
  let failed = false;
  for (let pos = 0; pos < stream.length;) {
    const len = rnd.int(1, 64);
    const r = framer.feed(stream.subarray(pos, pos + len));
    pos += len;
    if (r.error) {
      check(r.error instanceof X2DecodeError && !r.error.resynchronisable, 'typed final error');
      failed = true;
    } else check(!failed, 'error is final');
    check(
      framer.bufferedOctets <= LIMITS.maxHeaderLength + LIMITS.maxPayloadLength,
      'bounded buffer',
    );
    for (const pdu of r.pdus) {
      checkX2Pdu(pdu);
      for (const a of pdu.attributes) {
        try {
          decodeX2Attribute(a);
        } catch (e) {
          check(e instanceof X2AttributeError, 'attribute error type');
        }
      }
    }
  }
  const end = framer.end();
  check(end === undefined || end instanceof X2DecodeError, 'end error type');
}

/** Runs a property with the iteration number in the failure message, for reproduction. */
function forEachCase(seed: number, body: (rnd: SeededRandom) => void): void {
  const rnd = new SeededRandom(seed);
  for (let i = 0; i < ITERATIONS; i++) {
    try {
      body(rnd);
    } catch (e) {
      throw new Error(`seed ${seed} case ${i}: ${(e as Error).message}`);
    }
  }
}

describe(`X2 fuzz (${ITERATIONS} cases per target; FUZZ_ITERATIONS, FUZZ_SEED)`, () => {
  it('random octets never escape the typed error', () => {
    forEachCase(fuzzSeed(0x5eed0001), (rnd) => {
      const junk = rnd.bytes(rnd.int(0, 300));
      if (rnd.int(0, 1)) junk[0] = 0; // major version 0 half of the time, to reach deeper checks
      feedInChunks(rnd, junk);
    });
  });

  it('mutated valid PDUs never escape the typed error and stay within the limits', () => {
    forEachCase(fuzzSeed(0x5eed0002), (rnd) => {
      const stream = mutate(rnd, validStream(rnd));
      feedInChunks(rnd, stream);
      try {
        decodeX2Pdu(stream, LIMITS);
      } catch (e) {
        check(e instanceof X2DecodeError, 'decode error type');
      }
    });
  });
});

/** A valid RTP packet in a valid IPv4 or IPv6 UDP datagram, or bare (format 8). */
function validMedia(rnd: SeededRandom): { format: F; payload: Buffer; rtp: Buffer } {
  const rtp = rtpPacket({
    payloadType: rnd.int(0, 63),
    marker: rnd.int(0, 1) === 1,
    sequenceNumber: rnd.int(0, 65535),
    timestamp: rnd.int(0, 2 ** 32 - 1),
    ssrc: rnd.int(0, 2 ** 32 - 1),
    csrcs: Array.from({ length: rnd.int(0, 3) }, () => rnd.int(0, 2 ** 32 - 1)),
    extension: rnd.int(0, 1) ? { profile: 0xbede, data: rnd.bytes(4 * rnd.int(0, 3)) } : undefined,
    payload: rnd.bytes(rnd.int(0, 200)),
    padding: rnd.int(0, 1) ? rnd.int(1, 8) : undefined,
  });
  const udp = {
    sourcePort: rnd.int(0, 65535),
    destinationPort: rnd.int(0, 65535),
    payload: rtp,
  };
  const format = rnd.pick([F.RtpPacket, F.Ipv4Packet, F.Ipv6Packet]);
  if (format === F.RtpPacket) return { format, payload: rtp, rtp };
  if (format === F.Ipv4Packet)
    return {
      format,
      payload: ipv4UdpPacket({ source: rnd.bytes(4), destination: rnd.bytes(4), ...udp }),
      rtp,
    };
  const options = Array.from({ length: rnd.int(0, 2) }, (_, i) => ({
    type: i === 0 && rnd.int(0, 1) ? 0 : 60,
    body: Buffer.alloc(6 + 8 * rnd.int(0, 2)),
  }));
  return {
    format,
    payload: ipv6UdpPacket({ source: rnd.bytes(16), destination: rnd.bytes(16), ...udp }, options),
    rtp,
  };
}

/** Unwraps; the result must lie inside the input, or the failure must be an X3MediaError. */
function unwrapOrTypedError(format: F, payload: Buffer): Buffer | undefined {
  try {
    const m = unwrapX3Media(format, payload);
    check(m.packet.buffer === payload.buffer, 'packet is a view of the payload');
    check(m.packet.length <= payload.length, 'packet within the payload');
    if (m.media.kind === 'rtp') {
      check(m.media.header.payloadOffset <= m.packet.length, 'RTP payload offset within packet');
      check(m.media.payload.length <= m.packet.length, 'RTP payload within packet');
    }
    return m.packet;
  } catch (e) {
    check(e instanceof X3MediaError, `typed error, got ${(e as Error).name}`);
    return undefined;
  }
}

describe(`X3 media fuzz (${ITERATIONS} cases per target; FUZZ_ITERATIONS, FUZZ_SEED)`, () => {
  it('valid RTP in IPv4/IPv6/UDP always unwraps to the same RTP packet', () => {
    forEachCase(fuzzSeed(0x5eed0003), (rnd) => {
      const { format, payload, rtp } = validMedia(rnd);
      const got = unwrapOrTypedError(format, payload);
      check(got !== undefined && got.equals(rtp), 'valid media unwraps to its RTP packet');
    });
  });

  it('random and mutated media payloads never escape the typed error', () => {
    forEachCase(fuzzSeed(0x5eed0004), (rnd) => {
      const { format, payload } = validMedia(rnd);
      unwrapOrTypedError(format, mutate(rnd, payload));
      const junk = rnd.bytes(rnd.int(0, 120));
      if (junk.length) junk[0] = rnd.pick([0x45, 0x46, 0x60, 0x80, 0x90, junk[0]]);
      unwrapOrTypedError(rnd.pick([F.RtpPacket, F.Ipv4Packet, F.Ipv6Packet]), junk);
    });
  });
});
