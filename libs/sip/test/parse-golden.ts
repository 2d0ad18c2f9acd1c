import { createHash } from 'node:crypto';
import { imsInvite } from './ims-messages';
import { RFC4475_MESSAGES } from './rfc4475-messages';

/**
 * Golden corpus of parseSipMessage (a characterization test): messages, variants derived from
 * each by rule, and a digest of everything the parser returns or throws for them. The digests
 * in parse-golden-digests.json were recorded with the parser as it was before its speed-up
 * (commit 5515444), by running outcomeDigest over that parser; the equivalence spec checks
 * that today's parser still gives exactly those results.
 */
export interface GoldenFamily {
  name: string;
  /** The message first, then its variants. */
  variants: Buffer[];
}

const BASE = [
  'OPTIONS sip:bob@ims.example SIP/2.0',
  'Via: SIP/2.0/UDP host.ims.example;branch=z9hG4bK1',
  'From: <sip:alice@ims.example>;tag=1',
  'To: <sip:bob@ims.example>',
  'Call-ID: a@b',
  'CSeq: 1 OPTIONS',
];
const handmade = (extra: string[], body = '', start = BASE): string =>
  [...start, ...extra, '', body].join('\r\n');
const SDP = [
  'v=0',
  'o=- 1 1 IN IP4 h',
  's=\xc3\xa9',
  'i=info',
  'u=http://x',
  'e=a@b',
  'p=+1',
  'c=IN IP4 224.2.1.1/127/3',
  'b=AS:64',
  't=1 2',
  'r=7d 1h 0 25h',
  'z=0 0',
  'k=clear:x',
  'a=key-mgmt:mikey AQAB',
  'a=tool:\xe2\x82\xac',
  'm=audio 5/2 RTP/SAVP 0 8',
  'i=x',
  'c=IN IP4 1.2.3.4',
  'b=CT:1',
  'k=prompt',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODw/w8fLz9PX29/j5+vv8/Q==|2^20|1:4;inline:AAECAwQFBgcICQoLDA0ODw/w8fLz9PX29/j5+vv8/Q==|2:4 KDR=1 UNENCRYPTED_SRTP UNAUTHENTICATED_SRTP FEC_ORDER=FEC_SRTP FEC_KEY=inline:AAECAwQFBgcICQoLDA0ODw/w8fLz9PX29/j5+vv8/Q==|1:4 WSH=128 -ext',
  'a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:bad',
  'a=key-mgmt:mikey ====',
  'a=crypto',
  'a=sendonly',
  'm=video 0 RTP/AVP 31',
  '',
].join('\r\n');
const INNER =
  '--in\r\nContent-Type: application/sdp\r\n\r\nv=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n\r\n--in--\r\n';

const MULTIPART = '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--';

/** Messages with the headers and body forms the RFC 4475 and IMS messages lack. */
const HANDMADE: [string, string][] = [
  [
    'other-headers',
    handmade([
      'Date: Sat, 13 Nov 2010 23:29:00 GMT',
      'Retry-After: 18000 (x) ;duration=3600',
      'Warning: 370 devnull "Choose a bigger pipe", 399 [::1]:5 "x"',
      'Accept: application/sdp;level=1, */*;q=0.5',
      'Authorization: Digest username="a", realm="b", nonce="c", uri="sip:x", response="d"',
      'Subject: hi there',
      'Reply-To: Bob <sip:bob@x>',
      'Require: 100rel',
      'Proxy-Require: foo',
      'Unsupported: bar',
      'Supported:',
      'Min-Expires: 60',
      'Expires: 4294967295',
      'P-Called-Party-ID: <sip:x@y;user=phone>;p=1',
      'Content-Encoding: identity',
      'Content-Type: application/sdp',
      'l: 0',
    ]),
  ],
  [
    'address-lists',
    handmade([
      'Contact: "A" <sip:a@b>;expires=3600;q=0.7, <sip:c@d;ob>;+sip.instance="<urn:uuid:1>"',
      'Route: <sip:p1;lr>, <sip:p2.example:5060;lr;transport=tcp>',
      'Route: <sips:[::1];lr>',
      'Record-Route: <sip:r@[2001:db8::1]:5060;lr>',
      'P-Asserted-Identity: <tel:+1-202-555-0100;ext=12>',
      'P-Asserted-Identity: "X" <sip:%61lice@H.EXAMPLE.;user=phone>, <tel:12AB;phone-context=+49>',
      'P-Preferred-Identity: sip:+49-30-1@h;user=phone, <tel:1;phone-context=ims.example>',
      'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa;ttl=16;maddr=224.0.0.1;received=10.0.0.2, SIP / 2.0 / TCP h2 : 5 ; branch = q',
    ]),
  ],
  ['wildcard-contact', handmade(['Contact: *', 'Expires: 0'])],
  ['response', handmade([], '', ['SIP/2.0 486 Busy \xc3\xa9 Here', ...BASE.slice(1)])],
  ['sdp-lines', handmade(['Content-Type: application/SDP'], SDP)],
  ['sdp-error', handmade(['Content-Type: application/sdp'], 'v=0\r\nx=1\r\n')],
  ['encoded-body', handmade(['Content-Type: application/sdp', 'Content-Encoding: gzip'], 'xyz')],
  [
    'nested-multipart',
    handmade(
      ['Content-Type: multipart/mixed; boundary=out'],
      `--out\r\nContent-Type: text/plain\r\n\r\nhi\r\n--out\r\nContent-Type: multipart/alternative; boundary="in"\r\n\r\n${INNER}\r\n--out--\r\n`,
    ),
  ],
  ['trailing-octets', handmade(['Content-Type: text/plain', 'Content-Length: 3'], 'abcdef')],
  [
    // Content-Length ends inside the close delimiter: the octet after it is not the body's.
    'multipart-cut-close',
    handmade(
      ['Content-Type: multipart/mixed;boundary=b', `Content-Length: ${MULTIPART.length - 1}`],
      MULTIPART,
    ),
  ],
  ['crlf-prefix', `\r\n\r\n${handmade([])}`],
];

/** The header section (start line first) and the body of a message as binary strings. */
function split(message: string): [string[], string] {
  const end = message.indexOf('\r\n\r\n');
  return end < 0
    ? [message.split('\r\n'), '']
    : [message.slice(0, end).split('\r\n'), message.slice(end + 4)];
}

/**
 * The message, then for each header line: the message without it, with it twice, with its
 * field name in upper case, and with its value folded onto a continuation line.
 */
function variants(message: string): string[] {
  const [lines, body] = split(message);
  const join = (head: string[]): string => `${head.join('\r\n')}\r\n\r\n${body}`;
  const out = [message];
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k];
    const colon = line.indexOf(':');
    out.push(join([...lines.slice(0, k), ...lines.slice(k + 1)]));
    out.push(join([...lines.slice(0, k + 1), line, ...lines.slice(k + 1)]));
    if (colon > 0) {
      const upper = line.slice(0, colon).toUpperCase() + line.slice(colon);
      const folded = `${line.slice(0, colon + 1)}\r\n ${line.slice(colon + 1)}`;
      out.push(join([...lines.slice(0, k), upper, ...lines.slice(k + 1)]));
      out.push(join([...lines.slice(0, k), folded, ...lines.slice(k + 1)]));
    }
  }
  return out;
}

/** The families of the golden corpus, in a fixed order. */
export function goldenFamilies(): GoldenFamily[] {
  const ims = imsInvite().toString('latin1');
  const messages: [string, string][] = [
    ...RFC4475_MESSAGES.map((m): [string, string] => [m.name, m.bytes.toString('latin1')]),
    ['ims-invite', ims],
    ['ims-200', ims.replace(/^INVITE [^\r]*/, 'SIP/2.0 200 OK')],
    ...HANDMADE,
  ];
  return messages.map(([name, text]) => ({
    name,
    variants: variants(text).map((v) => Buffer.from(v, 'latin1')),
  }));
}

/**
 * A JSON-able form of a parse result that keeps what toEqual would not: keys with undefined
 * values, key order, and where each Buffer lies in the parsed octets (or that it is a copy).
 */
export function canonical(value: unknown, raw?: Buffer): unknown {
  if (value === undefined) return '~undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) {
    const inside =
      raw !== undefined &&
      value.buffer === raw.buffer &&
      value.byteOffset >= raw.byteOffset &&
      value.byteOffset + value.length <= raw.byteOffset + raw.length;
    return `buffer@${inside ? value.byteOffset - raw.byteOffset : 'copy'}:${value.toString('hex')}`;
  }
  if (value instanceof Date) return `date:${value.getTime()}`;
  if (value instanceof Error) {
    const e = value as Error & { code?: string; header?: string; line?: number };
    return { error: e.name, code: e.code, message: e.message, header: e.header, line: e.line };
  }
  if (Array.isArray(value)) return value.map((v) => canonical(v, raw));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = canonical(v, raw);
  return out;
}

/** Digest of the outcomes (result or thrown error) of `parse` over the variants of a family. */
export function outcomeDigest(parse: (bytes: Buffer) => unknown, family: GoldenFamily): string {
  const hash = createHash('sha256');
  for (const bytes of family.variants) {
    let outcome: unknown;
    try {
      outcome = { result: canonical(parse(bytes), bytes) };
    } catch (e) {
      outcome = { thrown: canonical(e) };
    }
    hash.update(`${JSON.stringify(outcome)}\n`);
  }
  return hash.digest('hex').slice(0, 32);
}
