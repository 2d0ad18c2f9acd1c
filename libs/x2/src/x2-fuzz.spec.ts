import { SeededRandom, fuzzIterations, fuzzSeed } from '../../../test/support/seeded-random';
import {
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
