import { SdpParseError, SdpParseErrorCode } from '../sip-errors';
import { isAscii } from 'node:buffer';
import {
  CharCursor,
  DIGIT,
  all,
  charTable,
  decimalIn,
  scan,
  splitAt,
  utf8Text,
} from '../sip-grammar';
import { CryptoAttribute, parseCryptoAttribute } from './crypto-attribute';
import { KeyMgmtAttribute, parseKeyMgmtAttribute } from './key-mgmt-attribute';

/** c=<nettype> <addrtype> <connection-address> (RFC 4566 §5.7). */
export interface SdpConnection {
  netType: string;
  addrType: string;
  /** connection-address as written, including any /ttl or /number suffix. */
  address: string;
}

/** a=<attribute>[:<value>] (RFC 4566 §5.13), value as UTF-8 text. */
export interface SdpAttributeLine {
  name: string;
  value?: string;
  line: number;
}

/** An a=crypto or a=key-mgmt line that could not be used; the rest of the SDP still is. */
export interface SdpAttributeError {
  line: number;
  code: SdpParseErrorCode;
  message: string;
}

/** One m= section with the key management that applies to it. */
export interface SdpMedia {
  index: number;
  media: string;
  port: number;
  portCount?: number;
  proto: string;
  formats: string[];
  /** The media-level c= line, else the session-level one (RFC 4566 §5.7). */
  connection?: SdpConnection;
  attributes: SdpAttributeLine[];
  /** a=crypto lines of this m= section (media-level only, RFC 4568 §9.1). */
  crypto: CryptoAttribute[];
  /**
   * a=key-mgmt that applies: the media-level ones if any, else the session-level ones
   * (RFC 4567 §3.1: a media-level attribute overrides the session-level one for that stream).
   */
  keyMgmt: KeyMgmtAttribute[];
  keyMgmtLevel: 'media' | 'session' | 'none';
  attributeErrors: SdpAttributeError[];
}

/** o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (§5.2). */
export interface SdpOrigin {
  username: string;
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

export interface SessionDescription {
  origin: SdpOrigin;
  sessionName: string;
  connection?: SdpConnection;
  attributes: SdpAttributeLine[];
  /** Session-level a=key-mgmt lines. */
  keyMgmt: KeyMgmtAttribute[];
  attributeErrors: SdpAttributeError[];
  media: SdpMedia[];
}

/**
 * Order of the lines (RFC 4566 §5): session v o s i u e p c b (t r*)+ z k a, then per media
 * m i c b k a. Lines must appear in this order; letters not listed are unknown (§5: a session
 * description with an unknown type letter must be rejected). Ranks by char code, -1 when the
 * letter is not allowed at that level.
 */
const SESSION_ORDER = ranks({
  v: 0,
  o: 1,
  s: 2,
  i: 3,
  u: 4,
  e: 5,
  p: 6,
  c: 7,
  b: 8,
  t: 9,
  r: 9,
  z: 10,
  k: 11,
  a: 12,
});
const MEDIA_ORDER = ranks({ m: 0, i: 1, c: 2, b: 3, k: 4, a: 5 });
const SESSION_REPEATABLE = charTable('epbtra');
const MEDIA_REPEATABLE = charTable('cba');
const MAX_LINES = 2000;

function ranks(order: Record<string, number>): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (const [letter, rank] of Object.entries(order)) table[letter.charCodeAt(0)] = rank;
  return table;
}

/** token (RFC 4566 §9), the attribute name. */
const ATT_FIELD = charTable("!#$%&'*+-.^_`{|}~", ['A', 'Z'], ['a', 'z'], ['0', '9']);

function fail(code: SdpParseErrorCode, message: string, line: number): never {
  throw new SdpParseError(code, message, line);
}

/** `count` fields separated by single spaces, none empty. */
function fields(value: string, count: number, what: string, line: number): string[] {
  const f: string[] = [];
  for (let start = 0; ;) {
    const space = value.indexOf(' ', start);
    const end = space < 0 ? value.length : space;
    if (end === start || f.length === count) break;
    f.push(value.slice(start, end));
    if (space < 0) {
      if (f.length === count) return f;
      break;
    }
    start = space + 1;
  }
  return fail('BAD_FIELD', `${what} needs ${count} fields separated by single spaces`, line);
}

function connection(value: string, line: number): SdpConnection {
  const [netType, addrType, address] = fields(value, 3, 'c=', line);
  return { netType, addrType, address };
}

/** The attribute lists of the session or of one m= section. */
interface Section {
  attributes: SdpAttributeLine[];
  crypto: CryptoAttribute[];
  keyMgmt: KeyMgmtAttribute[];
  attributeErrors: SdpAttributeError[];
}

/** a= line text[start, end) after "a="; `ascii` when the whole SDP is US-ASCII. */
function attribute(
  text: string,
  start: number,
  end: number,
  line: number,
  section: Section,
  mediaLevel: boolean,
  ascii: boolean,
): void {
  const nameEnd = scan(text, start, ATT_FIELD);
  // att-field = token, then ":" att-value or the end of the line.
  if (nameEnd === start || (nameEnd < end && text.charCodeAt(nameEnd) !== 0x3a)) {
    fail('BAD_FIELD', 'bad attribute name', line);
  }
  const name = text.slice(start, nameEnd);
  const raw = nameEnd < end ? text.slice(nameEnd + 1, end) : undefined;
  section.attributes.push({
    name,
    value: raw === undefined || ascii ? raw : utf8Text(raw),
    line,
  });
  try {
    if (name === 'crypto' && raw !== undefined) {
      if (!mediaLevel) fail('BAD_CRYPTO', 'a=crypto is a media-level attribute', line);
      section.crypto.push(parseCryptoAttribute(raw));
    } else if (name === 'key-mgmt' && raw !== undefined) {
      section.keyMgmt.push(parseKeyMgmtAttribute(raw));
    } else if (name === 'crypto' || name === 'key-mgmt') {
      fail(name === 'crypto' ? 'BAD_CRYPTO' : 'BAD_KEY_MGMT', `a=${name} without value`, line);
    }
  } catch (e) {
    if (!(e instanceof SdpParseError)) throw e;
    section.attributeErrors.push({ line, code: e.code, message: e.message });
  }
}

/** proto (RFC 4566 §9): token *("/" token), as the characters allowed here. */
const PROTO = charTable('/._+-', ['A', 'Z'], ['a', 'z'], ['0', '9']);

/**
 * m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 4566 §5.14) of text[start, end),
 * with the grammar of /^(token) (\d{1,5})(?:\/(\d+))? ([A-Za-z0-9/._+-]+)((?: [^ ]+)+)$/,
 * scanned: every field is followed by exactly one SP, formats are separated by one SP.
 */
function mediaLine(
  text: string,
  start: number,
  end: number,
  index: number,
  line: number,
): SdpMedia {
  const mediaEnd = scan(text, start, ATT_FIELD);
  const portStart = mediaEnd + 1;
  const portEnd = scan(text, portStart, DIGIT);
  let countEnd = portEnd;
  if (text.charCodeAt(portEnd) === 0x2f) countEnd = scan(text, portEnd + 1, DIGIT);
  const protoStart = countEnd + 1;
  const protoEnd = scan(text, protoStart, PROTO);
  const port = decimalIn(text, portStart, portEnd, 65535);
  const formats = text.slice(protoEnd, end);
  if (
    mediaEnd === start ||
    text.charCodeAt(mediaEnd) !== 0x20 ||
    port === undefined ||
    portEnd - portStart > 5 ||
    countEnd === portEnd + 1 ||
    text.charCodeAt(countEnd) !== 0x20 ||
    protoEnd === protoStart ||
    formats.length < 2 ||
    formats.charCodeAt(0) !== 0x20 ||
    formats.charCodeAt(formats.length - 1) === 0x20 ||
    formats.includes('  ')
  ) {
    fail('BAD_FIELD', 'bad m= line', line);
  }
  return {
    index,
    media: text.slice(start, mediaEnd),
    port,
    portCount: countEnd === portEnd ? undefined : Number(text.slice(portEnd + 1, countEnd)),
    proto: text.slice(protoStart, protoEnd),
    formats: splitAt(formats.trim(), ' '),
    attributes: [],
    crypto: [],
    keyMgmt: [],
    keyMgmtLevel: 'none',
    attributeErrors: [],
  };
}

/**
 * Number of lines of an SDP text split at LF, a final empty line not counted; counting stops
 * above MAX_LINES.
 */
function lineCount(text: string): number {
  let count = text.length > 0 && text.charCodeAt(text.length - 1) !== 0x0a ? 1 : 0;
  for (let i = text.indexOf('\n'); i >= 0 && count <= MAX_LINES; i = text.indexOf('\n', i + 1)) {
    count++;
  }
  return count;
}

/**
 * Parses an SDP body (RFC 4566 §5, §9 grammar) into the model the key-management pipeline
 * needs. sdp-transform was not used: it accepts lines out of order and unknown types without
 * error, puts a=key-mgmt into `invalid` and keeps one crypto session parameter only, so the
 * strict line checks and the media-level attribute lists would have to be redone anyway. Lines end with CRLF; a bare LF is accepted (§5: "parsers SHOULD be tolerant").
 * Structural errors throw SdpParseError; a malformed a=crypto / a=key-mgmt line is recorded in
 * attributeErrors of its section and skipped. Error messages never contain key material.
 */
export function parseSessionDescription(body: Buffer): SessionDescription {
  // ASCII text is its own UTF-8 decoding.
  return parseSessionDescriptionText(body.toString('latin1'), isAscii(body));
}

/**
 * parseSessionDescription of the body as a binary string (one char per octet); `ascii` tells
 * that it has no octet above 0x7F. For the SIP parser, which has the message as text already.
 */
export function parseSessionDescriptionText(text: string, ascii: boolean): SessionDescription {
  const lines = lineCount(text);
  if (lines > MAX_LINES) fail('BAD_LINE', `more than ${MAX_LINES} lines`, MAX_LINES);
  const cr = new CharCursor(text, '\r');
  const nul = new CharCursor(text, '\0');
  const session: Section = { attributes: [], crypto: [], keyMgmt: [], attributeErrors: [] };
  let origin: SdpOrigin | undefined;
  let sessionName: string | undefined;
  let sessionConnection: SdpConnection | undefined;
  let times = 0;
  let lastLetter = 0;
  let lastRank = -1;
  const media: SdpMedia[] = [];
  let current: SdpMedia | undefined;

  for (let lineNo = 1, pos = 0; lineNo <= lines; lineNo++) {
    // The line is text[pos, end), without its LF and a CR before it.
    const lf = text.indexOf('\n', pos);
    const next = lf < 0 ? text.length : lf;
    const end = next > pos && text.charCodeAt(next - 1) === 0x0d ? next - 1 : next;
    if (cr.within(pos, end) || nul.within(pos, end)) {
      fail('BAD_LINE', 'control character in line', lineNo);
    }
    const letter = text.charCodeAt(pos);
    if (end - pos < 2 || text.charCodeAt(pos + 1) !== 0x3d || !(letter >= 0x61 && letter <= 0x7a)) {
      fail('BAD_LINE', 'line is not <type>=<value>', lineNo);
    }
    const valueStart = pos + 2;
    pos = next + 1;
    const rank = (letter === 0x6d || current ? MEDIA_ORDER : SESSION_ORDER)[letter];
    if (rank < 0) {
      const known = SESSION_ORDER[letter] >= 0 || MEDIA_ORDER[letter] >= 0;
      fail(
        known ? 'BAD_ORDER' : 'UNKNOWN_TYPE',
        `type ${String.fromCharCode(letter)} not allowed here`,
        lineNo,
      );
    }
    if (letter === 0x6d) {
      if (!origin || sessionName === undefined || times === 0) {
        fail('MISSING_FIELD', 'session section needs v=, o=, s= and t=', lineNo);
      }
    } else {
      const repeatable = current ? MEDIA_REPEATABLE : SESSION_REPEATABLE;
      if (rank < lastRank || (rank === lastRank && repeatable[letter] !== 1)) {
        fail('BAD_ORDER', `${String.fromCharCode(letter)}= out of order`, lineNo);
      }
      if (letter === 0x72 && lastLetter !== 0x74 && lastLetter !== 0x72) {
        fail('BAD_ORDER', 'r= must follow t=', lineNo);
      }
    }
    lastRank = letter === 0x6d ? 0 : rank;
    lastLetter = letter;

    switch (letter) {
      case 0x76: // v
        if (end - valueStart !== 1 || text.charCodeAt(valueStart) !== 0x30) {
          fail('BAD_FIELD', 'v= must be 0', lineNo);
        }
        break;
      case 0x6f: {
        // o
        const [username, sessionId, sessionVersion, netType, addrType, address] = fields(
          text.slice(valueStart, end),
          6,
          'o=',
          lineNo,
        );
        if (!all(sessionId, DIGIT) || !all(sessionVersion, DIGIT)) {
          fail('BAD_FIELD', 'o= session id and version must be decimal', lineNo);
        }
        origin = { username, sessionId, sessionVersion, netType, addrType, address };
        break;
      }
      case 0x73: {
        // s
        if (end === valueStart) fail('BAD_FIELD', 's= must not be empty', lineNo);
        const value = text.slice(valueStart, end);
        sessionName = ascii ? value : utf8Text(value);
        break;
      }
      case 0x74: {
        // t=<start-time> SP <stop-time>, both 1*DIGIT
        const startEnd = scan(text, valueStart, DIGIT);
        const stopEnd = scan(text, startEnd + 1, DIGIT);
        if (
          startEnd === valueStart ||
          text.charCodeAt(startEnd) !== 0x20 ||
          stopEnd === startEnd + 1 ||
          stopEnd !== end
        ) {
          fail('BAD_FIELD', 't= needs start and stop time', lineNo);
        }
        times++;
        break;
      }
      case 0x63: // c
        if (current) current.connection ??= connection(text.slice(valueStart, end), lineNo);
        else sessionConnection = connection(text.slice(valueStart, end), lineNo);
        break;
      case 0x6d: {
        // m
        current = mediaLine(text, valueStart, end, media.length, lineNo);
        media.push(current);
        break;
      }
      case 0x61: // a
        attribute(text, valueStart, end, lineNo, current ?? session, current !== undefined, ascii);
        break;
      default:
        if (end === valueStart && letter !== 0x6b) {
          fail('BAD_FIELD', `${String.fromCharCode(letter)}= must not be empty`, lineNo);
        }
    }
  }

  if (!origin || sessionName === undefined || times === 0) {
    fail('MISSING_FIELD', 'session section needs v=, o=, s= and t=', lines);
  }
  if (!text.startsWith('v=')) fail('MISSING_FIELD', 'first line must be v=', 1);

  for (const m of media) {
    m.connection ??= sessionConnection;
    if (m.keyMgmt.length > 0) m.keyMgmtLevel = 'media';
    else if (session.keyMgmt.length > 0) {
      m.keyMgmt = session.keyMgmt;
      m.keyMgmtLevel = 'session';
    }
  }
  return {
    origin,
    sessionName,
    connection: sessionConnection,
    attributes: session.attributes,
    keyMgmt: session.keyMgmt,
    attributeErrors: session.attributeErrors,
    media,
  };
}
