import {
  CorpusEntry,
  NumericField,
  byteStrategies,
  corruptNumericField,
} from '../../../test/support/byte-mutators';
import {
  FuzzOutcome,
  FuzzStrategy,
  check,
  expectSoundRun,
  largestAllocation,
  rejection,
  runFuzz,
} from '../../../test/support/fuzz';
import { ipv4UdpPacket, ipv6UdpPacket, rtpPacket } from '../../../test/support/ip-packets';
import { SeededRandom } from '../../../test/support/seeded-random';
import {
  X2PayloadFormat as F,
  X2PduType,
  X3MediaError,
  X2Attribute,
  X2AttributeError,
  X2AttributeType as T,
  X2DecodeError,
  X2Pdu,
  X2TypedAttribute,
  X2StreamFramer,
  X2_DEFAULT_LIMITS,
  X2_FIXED_HEADER_LENGTH,
  checkX2Pdu,
  decodeX2Attribute,
  decodeX2Pdu,
  encodeX2Pdu,
  x2AttributeProblem,
  unwrapX3Media,
  unwrapX3Pdu,
} from './index';

/** Small limits, so that mutated length fields often land on both sides of them. */
const LIMITS = { maxHeaderLength: 4096, maxPayloadLength: 8192 };

/** A valid RTP or RTCP packet, bare or in an IPv4 or IPv6 UDP datagram. */
interface MediaEntry extends CorpusEntry {
  format: F;
  rtp: Buffer;
}

function rtpOrRtcp(rnd: SeededRandom): Buffer {
  if (rnd.int(0, 5) === 0) {
    const rtcp = rnd.bytes(8 + 4 * rnd.int(0, 6));
    rtcp[0] = 0x80;
    rtcp[1] = rnd.pick([200, 201, 202, 203, 204]);
    return rtcp;
  }
  return rtpPacket({
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
}

/** The first octet, CSRC count / extension length, and padding count of an RTP packet at `at`. */
function rtpFields(packet: Buffer, at: number): NumericField[] {
  const fields: NumericField[] = [
    { offset: at, width: 1 },
    { offset: at + 1, width: 1 },
    { offset: packet.length - 1, width: 1 },
  ];
  if (packet[at] & 0x10 && packet[at + 1] < 192) {
    fields.push({ offset: at + 12 + 4 * (packet[at] & 0x0f) + 2, width: 2 });
  }
  return fields;
}

function validMedia(rnd: SeededRandom): MediaEntry {
  const rtp = rtpOrRtcp(rnd);
  const udp = { sourcePort: rnd.int(0, 65535), destinationPort: rnd.int(0, 65535), payload: rtp };
  const format = rnd.pick([F.RtpPacket, F.Ipv4Packet, F.Ipv6Packet]);
  if (format === F.RtpPacket) return { format, bytes: rtp, rtp, fields: rtpFields(rtp, 0) };
  if (format === F.Ipv4Packet) {
    const bytes = ipv4UdpPacket({ source: rnd.bytes(4), destination: rnd.bytes(4), ...udp });
    const fields: NumericField[] = [
      { offset: 0, width: 1 }, // version, IHL
      { offset: 2, width: 2 }, // total length
      { offset: 6, width: 2 }, // flags, fragment offset
      { offset: 9, width: 1 }, // protocol
      { offset: 24, width: 2 }, // UDP length
    ];
    return { format, bytes, rtp, fields: [...fields, ...rtpFields(bytes, 28)] };
  }
  const extensions = Array.from({ length: rnd.int(0, 2) }, (_, i) => ({
    type: i === 0 && rnd.int(0, 1) ? 0 : 60,
    body: Buffer.alloc(6 + 8 * rnd.int(0, 2)),
  }));
  const bytes = ipv6UdpPacket({ source: rnd.bytes(16), destination: rnd.bytes(16), ...udp }, [
    ...extensions,
  ]);
  const fields: NumericField[] = [
    { offset: 0, width: 1 },
    { offset: 4, width: 2 }, // payload length
    { offset: 6, width: 1 }, // next header
  ];
  let at = 40;
  for (const e of extensions) {
    fields.push({ offset: at, width: 1 }, { offset: at + 1, width: 1 });
    at += 2 + e.body.length;
  }
  fields.push({ offset: at + 4, width: 2 });
  return { format, bytes, rtp, fields: [...fields, ...rtpFields(bytes, at + 8)] };
}

/** A random subset of attributes of every value kind, and one of a random type. */
function randomAttributes(rnd: SeededRandom): (X2TypedAttribute | X2Attribute)[] {
  const all: (X2TypedAttribute | X2Attribute)[] = [
    { kind: 'sequenceNumber', type: T.SequenceNumber, sequenceNumber: rnd.int(0, 2 ** 32 - 1) },
    {
      kind: 'timestamp',
      type: T.Timestamp,
      seconds: rnd.int(0, 2 ** 32 - 1),
      nanoseconds: rnd.int(0, 999_999_999),
    },
    { kind: 'text', type: T.NetworkFunctionId, text: 'nf-1' },
    { kind: 'ipAddress', type: T.SourceIpv4Address, address: '192.0.2.1' },
    { kind: 'ipAddress', type: T.DestinationIpv6Address, address: '2001:db8::2' },
    { kind: 'port', type: T.SourcePort, port: rnd.int(0, 65535) },
    { kind: 'ipProtocol', type: T.IpProtocol, protocol: 17 },
    { type: rnd.int(0, 30), value: rnd.bytes(rnd.int(0, 20)) },
  ];
  return all.filter(() => rnd.int(0, 2) > 0);
}

/** One to four PDUs back to back: X2 (any format), X3 with valid media, keepalives. */
function validStream(rnd: SeededRandom): Buffer {
  const pdus: Buffer[] = [];
  for (let n = rnd.int(1, 4); n > 0; n--) {
    const pduType = rnd.int(1, 4) as X2PduType;
    const media = pduType === X2PduType.X3 ? validMedia(rnd) : undefined;
    pdus.push(
      encodeX2Pdu({
        pduType,
        payloadFormat: media?.format ?? rnd.int(0, 17),
        payloadDirection: rnd.int(0, 5),
        xid: rnd.bytes(16),
        correlationId: rnd.bytes(8),
        attributes: randomAttributes(rnd),
        payload:
          media?.bytes ??
          (pduType >= X2PduType.Keepalive ? Buffer.alloc(0) : rnd.bytes(rnd.int(0, 200))),
      }),
    );
  }
  return Buffer.concat(pdus);
}

/** PDU type, lengths, format, direction of every PDU; type and length of every attribute. */
function streamFields(stream: Buffer): NumericField[] {
  const fields: NumericField[] = [];
  for (let pdu = 0; pdu + X2_FIXED_HEADER_LENGTH <= stream.length;) {
    const headerLength = stream.readUInt32BE(pdu + 4);
    for (const [offset, width] of [
      [0, 1],
      [2, 2],
      [4, 4],
      [8, 4],
      [12, 2],
      [14, 2],
    ] as const) {
      fields.push({ offset: pdu + offset, width });
    }
    for (let a = pdu + X2_FIXED_HEADER_LENGTH; a < pdu + headerLength;) {
      fields.push({ offset: a, width: 2 }, { offset: a + 2, width: 2 });
      a += 4 + stream.readUInt16BE(a + 2);
    }
    pdu += headerLength + stream.readUInt32BE(pdu + 8);
  }
  return fields;
}

/** A PDU with hundreds to thousands of attributes (oversized count), under the default limits. */
function manyAttributes(rnd: SeededRandom): Buffer {
  const attributes: X2Attribute[] = Array.from({ length: rnd.int(200, 16_000) }, () => ({
    type: rnd.int(0, 24),
    value: rnd.bytes(rnd.int(0, 1)),
  }));
  return encodeX2Pdu({
    pduType: X2PduType.X3,
    payloadFormat: F.RtpPacket,
    payloadDirection: 1,
    xid: rnd.bytes(16),
    correlationId: rnd.bytes(8),
    attributes,
    payload: validMedia(rnd).rtp,
  });
}

/**
 * Everything the MF does with a framed PDU must end in a value or a typed error. Attributes:
 * x2AttributeProblem (what checkX2Pdu uses) and decodeX2Attribute agree — the latter only on
 * the first malformed attribute, as its exception is the expensive part of a 16 000-attribute PDU.
 */
function inspect(pdu: X2Pdu): void {
  checkX2Pdu(pdu); // reports issues, never throws
  let thrown = false;
  for (const a of pdu.attributes) {
    const problem = x2AttributeProblem(a);
    if (problem && thrown) continue;
    const ok = !rejection('decodeX2Attribute', X2AttributeError, () => decodeX2Attribute(a));
    check(ok === !problem, 'x2AttributeProblem agrees with decodeX2Attribute');
    thrown ||= !ok;
  }
  if (pdu.pduType === (X2PduType.X3 as number)) {
    try {
      unwrapX3Pdu(pdu);
    } catch (e) {
      check(
        e instanceof X3MediaError || e instanceof X2AttributeError,
        `unwrapX3Pdu threw ${(e as Error).name}`,
      );
    }
  }
}

/**
 * Feeds `stream` in chunks of a random size, as the MF's X2 listener does; decoded when it
 * framed without an error. After a framing error the MF closes the connection: one more chunk
 * checks that the error is final, then the stream is dropped.
 */
function frame(stream: Buffer, rnd: SeededRandom, limits = LIMITS): FuzzOutcome {
  const framer = new X2StreamFramer(limits);
  // at most some 256 chunks, so that a 64 KiB stream is not fed octet by octet
  const chunkMax = Math.max(rnd.pick([1, 7, 64, 1500, stream.length]), stream.length >> 8);
  let failed = false;
  for (let pos = 0; pos < stream.length && !failed;) {
    const len = rnd.int(1, chunkMax);
    const r = framer.feed(stream.subarray(pos, pos + len));
    pos += len;
    check(
      framer.bufferedOctets <= limits.maxHeaderLength + limits.maxPayloadLength,
      'buffered octets within the limits',
    );
    r.pdus.forEach(inspect);
    if (r.error) {
      failed = true;
      const again = framer.feed(stream.subarray(pos, pos + 1));
      check(again.error?.code === 'STREAM_FAILED' && again.pdus.length === 0, 'errors are final');
    }
  }
  failed ||= framer.end() !== undefined;
  rejection('decodeX2Pdu', X2DecodeError, () => decodeX2Pdu(stream, limits)); // typed or nothing
  return failed ? 'rejected' : 'decoded';
}

/** Unwraps media; the result must lie inside the input. Throws only X3MediaError. */
function unwrap(format: F, payload: Buffer): FuzzOutcome {
  const m = unwrapX3Media(format, payload);
  check(m.packet.buffer === payload.buffer, 'packet is a view of the payload');
  check(m.packet.length <= payload.length, 'packet within the payload');
  if (m.media.kind === 'rtp') {
    check(m.media.header.payloadOffset <= m.packet.length, 'RTP payload offset within packet');
    check(m.media.payload.length <= m.packet.length, 'RTP payload within packet');
  }
  return 'decoded';
}

const corpusRandom = new SeededRandom(0xc0ffee02);
const STREAMS: CorpusEntry[] = Array.from({ length: 96 }, () => {
  const bytes = validStream(corpusRandom);
  return { bytes, fields: streamFields(bytes) };
});
const MANY_ATTRIBUTES: CorpusEntry[] = Array.from({ length: 8 }, () => {
  const bytes = manyAttributes(corpusRandom);
  return { bytes, fields: streamFields(bytes) };
});
const MEDIA: MediaEntry[] = Array.from({ length: 96 }, () => validMedia(corpusRandom));

const STRATEGIES: FuzzStrategy[] = [
  // weights: the oversized-count strategy costs some 50 times a small stream, so it gets 1 in 77
  ...byteStrategies('X2 stream', STREAMS, (input, _from, rnd) => frame(input, rnd), 4),
  {
    name: 'X2 stream: oversized attribute count',
    run: (rnd) => {
      const pdu = rnd.pick(MANY_ATTRIBUTES);
      const input = rnd.int(0, 1) ? corruptNumericField(rnd, pdu.bytes, pdu.fields) : pdu.bytes;
      return frame(input, rnd, X2_DEFAULT_LIMITS);
    },
  },
  {
    name: 'X2 stream: random octets after a version 0 octet',
    weight: 4,
    run: (rnd) => {
      const junk = rnd.bytes(rnd.int(1, 300));
      junk[0] = 0;
      return frame(junk, rnd);
    },
  },
  ...byteStrategies('X3 media', MEDIA, (input, from) => unwrap(from.format, input), 4),
];

describe('X2/X3 fuzz (test/support/fuzz.ts: FUZZ_ITERATIONS, FUZZ_SEED, FUZZ_CASE)', () => {
  it('10^5 mutated PDU streams and media payloads end in a decode or a typed error', () => {
    const report = runFuzz({
      kind: 'X2',
      seed: 0x5eed0002,
      strategies: STRATEGIES,
      typedErrors: [X2DecodeError, X2AttributeError, X3MediaError],
    });
    expectSoundRun(report);
  });

  it('every valid RTP/RTCP packet in IPv4/IPv6/UDP unwraps to itself', () => {
    for (const m of MEDIA) expect(unwrapX3Media(m.format, m.bytes).packet).toEqual(m.rtp);
  });
});

describe('declared lengths beyond the limits are refused before any allocation', () => {
  /** A lone 40-octet header declaring `headerLength` and `payloadLength`. */
  function header(headerLength: number, payloadLength: number): Buffer {
    const h = Buffer.alloc(X2_FIXED_HEADER_LENGTH);
    h.writeUInt16BE(X2PduType.X2, 2);
    h.writeUInt32BE(headerLength, 4);
    h.writeUInt32BE(payloadLength, 8);
    return h;
  }

  it.each([
    ['a 4 GiB payload', 40, 0xffffffff, 'PAYLOAD_TOO_LARGE'],
    ['a 4 GiB header', 0xffffffff, 0, 'HEADER_TOO_LARGE'],
    [
      'one octet of payload over the limit',
      40,
      X2_DEFAULT_LIMITS.maxPayloadLength + 1,
      'PAYLOAD_TOO_LARGE',
    ],
  ])('%s', (_name, headerLength, payloadLength, code) => {
    const h = header(headerLength, payloadLength);
    const whole = new X2StreamFramer();
    const split = new X2StreamFramer(); // header collected in its 40-octet scratch buffer first
    const errors: (X2DecodeError | undefined)[] = [];
    const largest = largestAllocation(() => {
      errors.push(whole.feed(h).error);
      expect(split.feed(h.subarray(0, 17)).error).toBeUndefined();
      errors.push(split.feed(h.subarray(17)).error);
    });
    expect(errors.map((e) => e?.code)).toEqual([code, code]);
    expect([whole.bufferedOctets, split.bufferedOctets]).toEqual([0, 0]);
    expect(() => decodeX2Pdu(h)).toThrow(expect.objectContaining({ code }) as Error);
    expect(largest).toBeLessThan(1024);
  });

  it('a header at the limits allocates the declared PDU size and no more', () => {
    const { maxHeaderLength, maxPayloadLength } = X2_DEFAULT_LIMITS;
    const framer = new X2StreamFramer();
    const h = header(X2_FIXED_HEADER_LENGTH, maxPayloadLength);
    const largest = largestAllocation(() => expect(framer.feed(h).error).toBeUndefined());
    expect(framer.bufferedOctets).toBe(X2_FIXED_HEADER_LENGTH);
    expect(largest).toBe(X2_FIXED_HEADER_LENGTH + maxPayloadLength);
    expect(largest).toBeLessThanOrEqual(maxHeaderLength + maxPayloadLength);
  });
});
