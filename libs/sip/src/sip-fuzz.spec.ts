import { SeededRandom, fuzzIterations, fuzzSeed } from '../../../test/support/seeded-random';
import { imsInvite } from '../test/ims-messages';
import { RFC4475_MESSAGES } from '../test/rfc4475-messages';
import { SdpParseError, SipParseError, parseSessionDescription, parseSipMessage } from './index';

const ITERATIONS = fuzzIterations();
const SEEDS = [imsInvite(), ...RFC4475_MESSAGES.map((m) => m.bytes)];
const INTERESTING = [
  '\r\n',
  '\r',
  '\n',
  ' ',
  '\t',
  ':',
  ';',
  ',',
  '"',
  '\\',
  '<',
  '>',
  '=',
  '%',
  '%0',
  '@',
  '[',
  '/',
  '\0',
  '\xff',
];

/** Plain assertion for the hot loop (jest's expect is too slow for 20k cases). */
function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`fuzz property violated: ${what}`);
}

function mutate(rnd: SeededRandom, input: Buffer): Buffer {
  let buf = Buffer.from(input);
  for (let n = rnd.int(1, 5); n > 0; n--) {
    const at = rnd.int(0, buf.length);
    switch (rnd.int(0, 5)) {
      case 0:
        if (at < buf.length) buf[at] ^= 1 << rnd.int(0, 7);
        break;
      case 1:
        buf = Buffer.concat([
          buf.subarray(0, at),
          Buffer.from(rnd.pick(INTERESTING), 'latin1'),
          buf.subarray(at),
        ]);
        break;
      case 2:
        buf = Buffer.concat([
          buf.subarray(0, at),
          buf.subarray(Math.min(buf.length, at + rnd.int(1, 40))),
        ]);
        break;
      case 3: {
        const from = rnd.int(0, buf.length);
        const piece = buf.subarray(from, from + rnd.int(1, 80));
        buf = Buffer.concat([buf.subarray(0, at), piece, buf.subarray(at)]);
        break;
      }
      case 4:
        buf = buf.subarray(0, at);
        break;
      default:
        if (at < buf.length) buf[at] = rnd.int(0, 255);
    }
  }
  return buf;
}

/** Parses and checks what a successful parse promises; only SipParseError may be thrown. */
function parseChecked(bytes: Buffer): void {
  try {
    const m = parseSipMessage(bytes);
    check(m.raw === bytes, 'raw is the input');
    check(m.body.length + m.trailingOctets <= bytes.length, 'body inside the message');
    for (const h of m.headers)
      check(h.offset + h.length <= bytes.length, 'header inside the message');
    check(m.sdp === undefined || m.sdpError === undefined, 'sdp xor sdpError');
  } catch (e) {
    check(e instanceof SipParseError, `unexpected ${(e as Error).name}: ${(e as Error).message}`);
    check(!(e as Error).message.includes('\n'), 'error message is one line');
  }
}

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

describe(`SIP/SDP fuzz (${ITERATIONS} cases per target; FUZZ_ITERATIONS, FUZZ_SEED)`, () => {
  it('mutated RFC 4475 and IMS messages never throw anything but SipParseError', () => {
    forEachCase(fuzzSeed(0x51b0001), (rnd) => parseChecked(mutate(rnd, rnd.pick(SEEDS))));
  });

  it('random octets with a SIP start line never throw anything but SipParseError', () => {
    forEachCase(fuzzSeed(0x51b0002), (rnd) => {
      const head = rnd.pick(['INVITE sip:a@b SIP/2.0\r\n', 'SIP/2.0 200 OK\r\n', '']);
      parseChecked(Buffer.concat([Buffer.from(head), rnd.bytes(rnd.int(0, 200))]));
    });
  });

  it('mutated SDP bodies never throw anything but SdpParseError', () => {
    const sdp = parseSipMessage(imsInvite()).sdpPart!.body;
    forEachCase(fuzzSeed(0x51b0003), (rnd) => {
      try {
        parseSessionDescription(mutate(rnd, sdp));
      } catch (e) {
        check(e instanceof SdpParseError, `unexpected ${(e as Error).name}`);
      }
    });
  });
});
