import { SdpParseError, SdpParseErrorCode } from '../sip-errors';
import { utf8Text } from '../sip-grammar';
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
 * description with an unknown type letter must be rejected).
 */
const SESSION_ORDER: Readonly<Record<string, number>> = {
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
};
const MEDIA_ORDER: Readonly<Record<string, number>> = { m: 0, i: 1, c: 2, b: 3, k: 4, a: 5 };
const SESSION_REPEATABLE = new Set(['e', 'p', 'b', 't', 'r', 'a']);
const MEDIA_REPEATABLE = new Set(['c', 'b', 'a']);
const MAX_LINES = 2000;

function fail(code: SdpParseErrorCode, message: string, line: number): never {
  throw new SdpParseError(code, message, line);
}

function fields(value: string, count: number, what: string, line: number): string[] {
  const f = value.split(' ');
  if (f.length !== count || f.some((x) => x === '')) {
    fail('BAD_FIELD', `${what} needs ${count} fields separated by single spaces`, line);
  }
  return f;
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

function attribute(value: string, line: number, section: Section, mediaLevel: boolean): void {
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  if (!/^[A-Za-z0-9!#$%&'*+\-.^_`{|}~]+$/.test(name)) fail('BAD_FIELD', 'bad attribute name', line);
  const raw = colon < 0 ? undefined : value.slice(colon + 1);
  section.attributes.push({ name, value: raw === undefined ? undefined : utf8Text(raw), line });
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

/**
 * Parses an SDP body (RFC 4566 §5, §9 grammar) into the model the key-management pipeline
 * needs. sdp-transform was not used: it accepts lines out of order and unknown types without
 * error, puts a=key-mgmt into `invalid` and keeps one crypto session parameter only, so the
 * strict line checks and the media-level attribute lists would have to be redone anyway. Lines end with CRLF; a bare LF is accepted (§5: "parsers SHOULD be tolerant").
 * Structural errors throw SdpParseError; a malformed a=crypto / a=key-mgmt line is recorded in
 * attributeErrors of its section and skipped. Error messages never contain key material.
 */
export function parseSessionDescription(body: Buffer): SessionDescription {
  const text = body.toString('latin1');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length > MAX_LINES) fail('BAD_LINE', `more than ${MAX_LINES} lines`, MAX_LINES);
  const session: Section = { attributes: [], crypto: [], keyMgmt: [], attributeErrors: [] };
  let origin: SdpOrigin | undefined;
  let sessionName: string | undefined;
  let sessionConnection: SdpConnection | undefined;
  let times = 0;
  let lastLetter = '';
  let lastRank = -1;
  const media: SdpMedia[] = [];

  lines.forEach((rawLine, index) => {
    const lineNo = index + 1;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.includes('\r') || line.includes('\0'))
      fail('BAD_LINE', 'control character in line', lineNo);
    if (line.length < 2 || line[1] !== '=' || !/[a-z]/.test(line[0])) {
      fail('BAD_LINE', 'line is not <type>=<value>', lineNo);
    }
    const letter = line[0];
    const value = line.slice(2);
    const current = media[media.length - 1];
    const order = letter === 'm' || current ? MEDIA_ORDER : SESSION_ORDER;
    const rank = order[letter];
    if (rank === undefined) {
      fail(
        letter in SESSION_ORDER || letter in MEDIA_ORDER ? 'BAD_ORDER' : 'UNKNOWN_TYPE',
        `type ${letter} not allowed here`,
        lineNo,
      );
    }
    if (letter === 'm') {
      if (!origin || sessionName === undefined || times === 0) {
        fail('MISSING_FIELD', 'session section needs v=, o=, s= and t=', lineNo);
      }
    } else {
      const repeatable = current ? MEDIA_REPEATABLE : SESSION_REPEATABLE;
      if (rank < lastRank || (rank === lastRank && !repeatable.has(letter))) {
        fail('BAD_ORDER', `${letter}= out of order`, lineNo);
      }
      if (letter === 'r' && lastLetter !== 't' && lastLetter !== 'r') {
        fail('BAD_ORDER', 'r= must follow t=', lineNo);
      }
    }
    lastRank = letter === 'm' ? 0 : rank;
    lastLetter = letter;

    switch (letter) {
      case 'v':
        if (value !== '0') fail('BAD_FIELD', 'v= must be 0', lineNo);
        break;
      case 'o': {
        const [username, sessionId, sessionVersion, netType, addrType, address] = fields(
          value,
          6,
          'o=',
          lineNo,
        );
        if (!/^\d+$/.test(sessionId) || !/^\d+$/.test(sessionVersion)) {
          fail('BAD_FIELD', 'o= session id and version must be decimal', lineNo);
        }
        origin = { username, sessionId, sessionVersion, netType, addrType, address };
        break;
      }
      case 's':
        if (value === '') fail('BAD_FIELD', 's= must not be empty', lineNo);
        sessionName = utf8Text(value);
        break;
      case 't':
        if (!/^\d+ \d+$/.test(value)) fail('BAD_FIELD', 't= needs start and stop time', lineNo);
        times++;
        break;
      case 'c':
        if (current) current.connection ??= connection(value, lineNo);
        else sessionConnection = connection(value, lineNo);
        break;
      case 'm': {
        const m =
          /^([A-Za-z0-9!#$%&'*+\-.^_`{|}~]+) (\d{1,5})(?:\/(\d+))? ([A-Za-z0-9/._+-]+)((?: [^ ]+)+)$/.exec(
            value,
          );
        if (!m || Number(m[2]) > 65535) fail('BAD_FIELD', 'bad m= line', lineNo);
        media.push({
          index: media.length,
          media: m[1],
          port: Number(m[2]),
          portCount: m[3] === undefined ? undefined : Number(m[3]),
          proto: m[4],
          formats: m[5].trim().split(' '),
          attributes: [],
          crypto: [],
          keyMgmt: [],
          keyMgmtLevel: 'none',
          attributeErrors: [],
        });
        break;
      }
      case 'a':
        attribute(value, lineNo, current ?? session, current !== undefined);
        break;
      default:
        if (value === '' && letter !== 'k')
          fail('BAD_FIELD', `${letter}= must not be empty`, lineNo);
    }
  });

  if (!origin || sessionName === undefined || times === 0) {
    fail('MISSING_FIELD', 'session section needs v=, o=, s= and t=', lines.length);
  }
  if (!lines[0]?.startsWith('v=')) fail('MISSING_FIELD', 'first line must be v=', 1);

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
