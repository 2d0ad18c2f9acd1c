import { CorpusEntry, byteStrategies } from '../../../test/support/byte-mutators';
import {
  FuzzOutcome,
  FuzzStrategy,
  check,
  expectSoundRun,
  largestAllocation,
  rejection,
  runFuzz,
} from '../../../test/support/fuzz';
import { SeededRandom } from '../../../test/support/seeded-random';
import { IMS_AUDIO_KEY, IMS_AUDIO_SALT, IMS_MIKEY, imsInvite } from '../test/ims-messages';
import { RFC4475_MESSAGES } from '../test/rfc4475-messages';
import {
  SdpParseError,
  SipMessage,
  SipParseError,
  parseSessionDescription,
  parseSipMessage,
} from './index';

/** Key material of the corpus: no error message may contain it (RULES: no keys in logs). */
const KEY_TEXTS = [
  Buffer.concat([IMS_AUDIO_KEY, IMS_AUDIO_SALT]).toString('base64'),
  IMS_MIKEY.toString('base64'),
];

/** A message of the corpus as a binary string (one char per octet), split at its empty line. */
interface SipEntry extends CorpusEntry {
  head: string[];
  body: string;
}

function entry(bytes: Buffer): SipEntry {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  return end < 0
    ? { bytes, fields: [], head: text.split('\r\n'), body: '' }
    : { bytes, fields: [], head: text.slice(0, end).split('\r\n'), body: text.slice(end + 4) };
}

const invite = imsInvite();
const CORPUS: SipEntry[] = [
  invite,
  Buffer.from(invite.toString('latin1').replace(/^INVITE [^\r]*/, 'SIP/2.0 200 OK'), 'latin1'),
  ...RFC4475_MESSAGES.map((m) => m.bytes),
].map(entry);

/** SDP bodies of the corpus: the IMS offer and the RFC 4475 ones. */
const SDP_BODIES: string[] = CORPUS.flatMap((e) => {
  try {
    const part = parseSipMessage(e.bytes).sdpPart;
    return part ? [part.body.toString('latin1')] : [];
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    return []; // the RFC 4475 messages that are invalid on purpose
  }
});

/** Separators and escapes of the SIP/SDP grammars, and octets outside them. */
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
  ']',
  '/',
  '?',
  '&',
  '\0',
  '\xff',
  '\xc3',
  '\r\n ',
  '\r\n\r\n',
  '--boundary42',
  '2^',
  '|',
];

/** Values that stress a Content-Length (RFC 3261 §20.14: 1*DIGIT). */
const CONTENT_LENGTHS = [
  '0',
  '1',
  '-1',
  '+1',
  ' 1',
  '1 2',
  '00000000000000000001',
  '4294967295',
  '4294967296',
  '9007199254740993',
  '99999999999999999999999999999999',
  '1e3',
  '0x10',
  '',
];

/** Attribute and field lines of SDP that stress the a=crypto / a=key-mgmt / m= parsers. */
function sdpLine(rnd: SeededRandom): string {
  const key = KEY_TEXTS[0];
  return rnd.pick([
    () =>
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^${rnd.pick(['0', '48', '49', '128', '129', '99999999999999999999'])}|${rnd.int(0, 2 ** 31)}:${rnd.pick([0, 1, 4, 128, 129, 999])}`,
    () =>
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}|1:4;inline:${key}|2:4 KDR=99 WSH=63 FEC_KEY=inline:${key}`,
    () =>
      `a=crypto:${rnd.pick(['999999999', '9999999999', '-1'])} ${rnd.pick(['AES_256_CM_HMAC_SHA1_32', 'X', ''])} inline:${rnd.bytes(rnd.int(0, 64)).toString('base64')}`,
    () =>
      `a=key-mgmt:${rnd.pick(['mikey', 'MIKEY', 'mikey2', ''])} ${rnd.pick([rnd.bytes(rnd.int(0, 200)).toString('base64'), '====', 'A', ''])}`,
    () =>
      `m=audio ${rnd.pick(['0', '65535', '65536', '1/2'])} RTP/SAVP${' 0'.repeat(rnd.int(0, 5000))}`,
    () => `c=IN IP6 ${'f'.repeat(rnd.int(0, 10_000))}`,
    () => `a=${'x'.repeat(rnd.int(0, 70_000))}`,
    () =>
      `${rnd.pick(['v', 'o', 's', 't', 'r', 'z', 'k', 'b', 'i', 'u', 'e', 'p', 'y'])}=${rnd.pick(['', '0', '0 0', 'x'])}`,
  ])();
}

/** A line operation: duplicate, delete, swap with another, repeat 2..`maxRepeat` times, or replace. */
function mutateLines(
  rnd: SeededRandom,
  lines: string[],
  replacement: () => string,
  maxRepeat: number,
): string[] {
  const out = [...lines];
  const at = rnd.int(0, out.length - 1);
  switch (rnd.int(0, 4)) {
    case 0:
      out.splice(at, 0, ...new Array<string>(rnd.int(1, 3)).fill(out[at]));
      break;
    case 1:
      out.splice(at, 1);
      break;
    case 2: {
      const other = rnd.int(0, out.length - 1);
      [out[at], out[other]] = [out[other], out[at]];
      break;
    }
    case 3:
      out.splice(at, 0, ...new Array<string>(rnd.int(2, maxRepeat)).fill(out[at]));
      break;
    default:
      out[at] = replacement();
  }
  return out;
}

const CONTENT_LENGTH_LINE = /^(Content-Length|l)[ \t]*:/i;

/** The message with `head` and `body`; Content-Length set to `contentLength` (else the body's). */
function message(head: string[], body: string, contentLength = String(body.length)): Buffer {
  const lines = head.map((l) =>
    CONTENT_LENGTH_LINE.test(l) ? `Content-Length: ${contentLength}` : l,
  );
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

/** Parses; checks what a successful parse promises. Throws only SipParseError. */
function parse(bytes: Buffer): FuzzOutcome {
  let m: SipMessage | undefined;
  const error = rejection('parseSipMessage', SipParseError, () => (m = parseSipMessage(bytes)));
  if (error) {
    check(!error.message.includes('\n'), 'error message is one line');
    keyFree(error.message);
    return 'rejected';
  }
  check(m!.raw === bytes, 'raw is the input');
  check(m!.body.length + m!.trailingOctets <= bytes.length, 'body inside the message');
  for (const h of m!.headers)
    check(h.offset + h.length <= bytes.length, 'header inside the message');
  check(m!.sdp === undefined || m!.sdpError === undefined, 'sdp xor sdpError');
  if (m!.sdpError) keyFree(m!.sdpError.message);
  for (const media of m!.sdp?.media ?? []) media.attributeErrors.forEach((e) => keyFree(e.message));
  return 'decoded';
}

function keyFree(message: string): void {
  check(!KEY_TEXTS.some((k) => message.includes(k)), 'no key material in an error message');
}

function parseSdp(text: string): FuzzOutcome {
  const bytes = Buffer.from(text, 'latin1');
  const error = rejection('parseSessionDescription', SdpParseError, () =>
    parseSessionDescription(bytes),
  );
  if (error) keyFree(error.message);
  return error ? 'rejected' : 'decoded';
}

const STRATEGIES: FuzzStrategy[] = [
  ...byteStrategies('SIP', CORPUS, (input) => parse(input)),
  {
    name: 'SIP: header lines duplicated, deleted, swapped, repeated up to 400 times',
    run: (rnd) => {
      const e = rnd.pick(CORPUS);
      const [start, ...rest] = e.head;
      const replacement = (): string =>
        `${rnd.pick(rest.length ? rest : [start]).split(':')[0]}: ${rnd.pick(INTERESTING)}`;
      return parse(message([start, ...mutateLines(rnd, rest, replacement, 400)], e.body));
    },
  },
  {
    name: 'SIP: Content-Length values',
    run: (rnd) => {
      const e = rnd.pick(CORPUS);
      return parse(message(e.head, e.body, rnd.pick(CONTENT_LENGTHS)));
    },
  },
  {
    name: 'SIP: oversized header values (long lists, many parameters, long tokens)',
    run: (rnd) => {
      const e = rnd.pick(CORPUS);
      const head = [...e.head];
      const at = rnd.int(0, head.length - 1);
      const n = rnd.int(1, 5000);
      head[at] += rnd.pick([
        () => `, ${head[at].slice(head[at].indexOf(':') + 1)}`.repeat(Math.min(n, 500)),
        () => ';p=x'.repeat(n),
        () => 'a'.repeat(20 * n),
        () => '\r\n '.repeat(n), // folding
        () => ` "${'\\"'.repeat(n)}"`,
        () => ` <${'<'.repeat(n)}`,
      ])();
      return parse(message(head, e.body));
    },
  },
  {
    name: 'SIP: grammar separators inserted',
    run: (rnd) => {
      let text = rnd.pick(CORPUS).bytes.toString('latin1');
      for (let n = rnd.int(1, 5); n > 0; n--) {
        const at = rnd.int(0, text.length);
        text = text.slice(0, at) + rnd.pick(INTERESTING) + text.slice(at);
      }
      return parse(Buffer.from(text, 'latin1'));
    },
  },
  {
    name: 'SIP: body lines (SDP, multipart) mutated, Content-Length kept right',
    run: (rnd) => {
      const e = rnd.pick(CORPUS.filter((c) => c.body.length > 0));
      const lines = mutateLines(rnd, e.body.split('\r\n'), () => sdpLine(rnd), 2500);
      return parse(message(e.head, lines.join('\r\n')));
    },
  },
  {
    name: 'SIP: two messages spliced at a line',
    run: (rnd) => {
      const a = rnd.pick(CORPUS).bytes.toString('latin1').split('\r\n');
      const b = rnd.pick(CORPUS).bytes.toString('latin1').split('\r\n');
      const spliced = [...a.slice(0, rnd.int(0, a.length)), ...b.slice(rnd.int(0, b.length))];
      return parse(Buffer.from(spliced.join('\r\n'), 'latin1'));
    },
  },
  {
    name: 'SIP: random octets after a start line',
    run: (rnd) => {
      const head = rnd.pick(['INVITE sip:a@b SIP/2.0\r\n', 'SIP/2.0 200 OK\r\n', '']);
      return parse(Buffer.concat([Buffer.from(head), rnd.bytes(rnd.int(0, 200))]));
    },
  },
  {
    name: 'SDP alone: lines mutated',
    run: (rnd) => {
      const lines = rnd.pick(SDP_BODIES).split('\r\n');
      return parseSdp(mutateLines(rnd, lines, () => sdpLine(rnd), 2500).join('\r\n'));
    },
  },
  ...byteStrategies(
    'SDP alone',
    SDP_BODIES.map((text) => ({ bytes: Buffer.from(text, 'latin1'), fields: [] })),
    (input) => parseSdp(input.toString('latin1')),
  ),
];

describe('SIP/SDP fuzz (test/support/fuzz.ts: FUZZ_ITERATIONS, FUZZ_SEED, FUZZ_CASE)', () => {
  it('10^5 mutated SIP messages and SDP bodies end in a parse or a typed error', () => {
    expect(SDP_BODIES.length).toBeGreaterThan(5);
    const report = runFuzz({
      kind: 'SIP',
      seed: 0x51b0001,
      strategies: STRATEGIES,
      typedErrors: [SipParseError, SdpParseError],
    });
    expectSoundRun(report);
  });

  it.each(['4294967295', '99999999999999999999999999999999'])(
    'a Content-Length of %s is refused without allocating it',
    (contentLength) => {
      const e = CORPUS[0];
      const bytes = message(e.head, e.body, contentLength);
      const largest = largestAllocation(() =>
        expect(() => parseSipMessage(bytes)).toThrow(SipParseError),
      );
      expect(largest).toBeLessThan(2 * bytes.length);
    },
  );
});
