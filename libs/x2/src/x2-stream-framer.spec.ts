import { SeededRandom } from '../../../test/support/seeded-random';
import { X2AttributeType as T, X2Pdu, X2StreamFramer, encodeX2Pdu } from './index';

function samplePdu(i: number, payloadLength = 20 + (i % 50)): Buffer {
  return encodeX2Pdu({
    pduType: 1,
    payloadFormat: 9,
    payloadDirection: 1 + (i % 5),
    xid: Buffer.alloc(16, i & 0xff),
    correlationId: BigInt(i),
    attributes: [{ kind: 'sequenceNumber', type: T.SequenceNumber, sequenceNumber: i }],
    payload: Buffer.alloc(payloadLength, 0x41 + (i % 26)),
  });
}

function feedAll(framer: X2StreamFramer, chunks: Buffer[]): X2Pdu[] {
  const out: X2Pdu[] = [];
  for (const c of chunks) {
    const r = framer.feed(c);
    expect(r.error).toBeUndefined();
    out.push(...r.pdus);
  }
  return out;
}

describe('X2StreamFramer', () => {
  const pdus = Array.from({ length: 40 }, (_, i) => samplePdu(i));
  const stream = Buffer.concat(pdus);

  it('frames many PDUs from one chunk without copying them', () => {
    const framer = new X2StreamFramer();
    const r = framer.feed(stream);
    expect(r.error).toBeUndefined();
    expect(r.pdus.map((p) => p.sequenceNumber())).toEqual(pdus.map((_, i) => i));
    for (const p of r.pdus) expect(p.raw.buffer).toBe(stream.buffer);
    expect(framer.bufferedOctets).toBe(0);
    expect(framer.peerVersion).toEqual({ major: 0, minor: 5 });
  });

  it('reassembles PDUs fed one octet at a time', () => {
    const framer = new X2StreamFramer();
    const out = feedAll(
      framer,
      Array.from(stream, (b) => Buffer.from([b])),
    );
    expect(out.map((p) => p.raw.toString('hex'))).toEqual(pdus.map((p) => p.toString('hex')));
    expect(framer.end()).toBeUndefined();
  });

  it('gives the same PDUs for every way of cutting the stream', () => {
    const rnd = new SeededRandom(7);
    for (let round = 0; round < 200; round++) {
      const chunks: Buffer[] = [];
      for (let pos = 0; pos < stream.length;) {
        const len = rnd.int(1, 300);
        chunks.push(stream.subarray(pos, pos + len));
        pos += len;
      }
      const out = feedAll(new X2StreamFramer(), chunks);
      expect(out.map((p) => p.correlationIdValue)).toEqual(pdus.map((_, i) => BigInt(i)));
      expect(Buffer.concat(out.map((p) => p.raw)).equals(stream)).toBe(true);
    }
  });

  it('rejects an oversized PDU as soon as its header is complete, before buffering it', () => {
    const framer = new X2StreamFramer({ maxHeaderLength: 1024, maxPayloadLength: 1000 });
    const big = samplePdu(1, 1001);
    const first = framer.feed(Buffer.concat([pdus[0], big.subarray(0, 39)]));
    expect(first.pdus).toHaveLength(1);
    expect(first.error).toBeUndefined();
    const second = framer.feed(big.subarray(39, 45));
    expect(second.error?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(second.error?.resynchronisable).toBe(false);
    expect(second.error?.offset).toBe(pdus[0].length);
    expect(framer.bufferedOctets).toBe(0);
    const after = framer.feed(pdus[2]);
    expect(after.pdus).toEqual([]);
    expect(after.error?.code).toBe('STREAM_FAILED');
  });

  it('returns the PDUs that precede a malformed one in the same chunk', () => {
    const bad = Buffer.from(pdus[3]);
    bad.writeUInt32BE(20, 4);
    const framer = new X2StreamFramer();
    const r = framer.feed(Buffer.concat([pdus[0], pdus[1], bad, pdus[4]]));
    expect(r.pdus).toHaveLength(2);
    expect(r.error?.code).toBe('HEADER_LENGTH_TOO_SMALL');
    expect(r.error?.offset).toBe(pdus[0].length + pdus[1].length);
    expect(framer.error).toBe(r.error);
  });

  it('enforces the header limit and the major version', () => {
    expect(new X2StreamFramer({ maxHeaderLength: 40 }).feed(pdus[0]).error?.code).toBe(
      'HEADER_TOO_LARGE',
    );
    const v1 = Buffer.from(pdus[0]);
    v1[0] = 1;
    expect(new X2StreamFramer().feed(v1).error?.code).toBe('UNSUPPORTED_MAJOR_VERSION');
  });

  it('reports a PDU cut off by the end of the connection', () => {
    const inHeader = new X2StreamFramer();
    inHeader.feed(pdus[0].subarray(0, 10));
    expect(inHeader.end()?.code).toBe('TRUNCATED');
    const inBody = new X2StreamFramer();
    inBody.feed(Buffer.concat([pdus[0], pdus[1].subarray(0, 50)]));
    expect(inBody.bufferedOctets).toBe(50);
    const e = inBody.end();
    expect(e?.code).toBe('TRUNCATED');
    expect(e?.offset).toBe(pdus[0].length);
  });
});
