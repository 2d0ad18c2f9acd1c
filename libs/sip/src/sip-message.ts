import { GrammarError, SipAddress } from './sip-address';
import { SdpParseError, SipParseError } from './sip-errors';
import { isAscii } from 'node:buffer';
import { REASON, TOKEN, all, scanEscaped, utf8Text } from './sip-grammar';
import {
  CHECKED_HEADER_COUNT,
  canonicalHeaderName,
  headerKind,
  headerSlot,
} from './sip-header-rules';
import { parseHeaderSection } from './sip-header-section';
import { CSeqValue, MediaType, ViaValue } from './sip-header-values';
import { SipIdentity, SipIdentitySummary, identityKey, identityOf, tagOf } from './sip-identity';
import { SipBodyPart, collectParts } from './sip-multipart';
import { Uri, parseUri } from './sip-uri';
import { SessionDescription, parseSessionDescriptionText } from './sdp/session-description';

/** One header field row as received. */
export interface SipHeader {
  /** Field name as written (e.g. "v", "VIA"). */
  name: string;
  /** Lower-case full name, compact forms expanded (e.g. "via"). */
  canonicalName: string;
  /** Value as UTF-8 text, folding removed, surrounding whitespace trimmed. */
  value: string;
  /** Octet offset and length of the row in `raw` (without its final CRLF). */
  offset: number;
  length: number;
}

/** A parsed SIP message; `raw` holds the original octets for HI2 (sIPMessage). */
export interface SipMessage {
  raw: Buffer;
  kind: 'request' | 'response';
  method?: string;
  requestUri?: Uri;
  statusCode?: number;
  reasonPhrase?: string;
  headers: SipHeader[];
  via: ViaValue[];
  from: SipAddress;
  to: SipAddress;
  callId: string;
  cseq: CSeqValue;
  maxForwards?: number;
  /** Contact values, "*" for a wildcard REGISTER, [] when absent. */
  contact: SipAddress[] | '*';
  route: SipAddress[];
  recordRoute: SipAddress[];
  pAssertedIdentity: SipAddress[];
  pPreferredIdentity: SipAddress[];
  pCalledPartyId?: SipAddress;
  contentType?: MediaType;
  contentLength?: number;
  /** Message body (Content-Length octets, or everything after the header section). */
  body: Buffer;
  /** Leaf body parts: the body itself, or the parts of a multipart body (RFC 5621). */
  bodyParts: SipBodyPart[];
  /** Octets after Content-Length (RFC 4475 §3.1.1.8: ignored, counted here). */
  trailingOctets: number;
  /** The first application/sdp body part, parsed; sdpError when it is malformed. */
  sdp?: SessionDescription;
  sdpPart?: SipBodyPart;
  sdpError?: SdpParseError;
  identity: SipIdentitySummary;
}

export interface SipParseOptions {
  /** Largest number of header field rows (default 256). */
  maxHeaderFields?: number;
}

/** Headers every request and response carries (RFC 3261 §8.1.1, §8.2.6.2). Max-Forwards is
 * not required: RFC 2543 requests lack it and RFC 4475 §3.4.1 keeps them acceptable. */
const REQUIRED = ['via', 'from', 'to', 'call-id', 'cseq'].map((name) => ({
  name,
  slot: headerSlot(name),
}));

/** Slots of the parsed header values the message fields are made of. */
const VIA = headerSlot('via');
const FROM = headerSlot('from');
const TO = headerSlot('to');
const CALL_ID = headerSlot('call-id');
const CSEQ = headerSlot('cseq');
const MAX_FORWARDS = headerSlot('max-forwards');
const CONTACT = headerSlot('contact');
const ROUTE = headerSlot('route');
const RECORD_ROUTE = headerSlot('record-route');
const P_ASSERTED_IDENTITY = headerSlot('p-asserted-identity');
const P_PREFERRED_IDENTITY = headerSlot('p-preferred-identity');
const P_CALLED_PARTY_ID = headerSlot('p-called-party-id');
const CONTENT_LENGTH = headerSlot('content-length');
const CONTENT_TYPE = headerSlot('content-type');
const CONTENT_ENCODING = headerSlot('content-encoding');

/** Stands for a checked value `undefined` in ParsedHeaders, where undefined means absent. */
const UNDEFINED_VALUE = Symbol('undefined value');

/**
 * The checked values of the grammar-checked headers of one message, by HeaderKind.slot: the
 * value of each row, in message order.
 */
class ParsedHeaders {
  /** Value of the first row; `more` holds the values of the next rows, if any. */
  private readonly firstRows = new Array<unknown>(CHECKED_HEADER_COUNT);
  private more: (unknown[] | undefined)[] | undefined;

  has(slot: number): boolean {
    return slot >= 0 && this.firstRows[slot] !== undefined;
  }

  add(slot: number, value: unknown): void {
    if (this.firstRows[slot] === undefined) {
      this.firstRows[slot] = value === undefined ? UNDEFINED_VALUE : value;
    } else {
      this.more ??= [];
      (this.more[slot] ??= []).push(value);
    }
  }

  first(slot: number): unknown {
    const value = this.firstRows[slot];
    return value === UNDEFINED_VALUE ? undefined : value;
  }

  /** Values of every row, [] when the header is absent. */
  rows(slot: number): unknown[] {
    if (!this.has(slot)) return [];
    return [this.first(slot), ...(this.more?.[slot] ?? [])];
  }

  /** The lists of every row of a list-valued header joined, [] when it is absent. */
  list(slot: number): unknown[] {
    if (!this.has(slot)) return [];
    const more = this.more?.[slot];
    const first = this.firstRows[slot] as unknown[];
    return more ? first.concat(...(more as unknown[][])) : first;
  }
}

const bad = (code: SipParseError['code'], message: string, header?: string): never => {
  throw new SipParseError(code, message, header);
};

function checkVersion(version: string): void {
  if (version === 'SIP/2.0') return;
  // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (RFC 3261 §7.1); only 2.0 is supported.
  if (!/^SIP\/\d+\.\d+$/i.test(version)) bad('BAD_START_LINE', 'malformed SIP-Version');
  if (version.slice(4) !== '2.0') bad('UNSUPPORTED_VERSION', 'SIP version other than 2.0');
}

/** Request-Line = Method SP Request-URI SP SIP-Version (RFC 3261 §7.1). */
function requestLine(line: string): { method: string; requestUri: Uri } {
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 < 0 || sp2 < 0 || line.includes(' ', sp2 + 1)) {
    bad('BAD_START_LINE', 'Request-Line needs exactly three SP-separated parts');
  }
  const method = line.slice(0, sp1);
  if (!all(method, TOKEN)) bad('BAD_START_LINE', 'Method is not a token');
  checkVersion(line.slice(sp2 + 1));
  const requestUri = parseUri(line.slice(sp1 + 1, sp2));
  if (!requestUri) return bad('BAD_REQUEST_URI', 'malformed Request-URI');
  // RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
  if (requestUri.kind === 'sip' && requestUri.headers.length > 0) {
    bad('BAD_REQUEST_URI', 'Request-URI with headers');
  }
  return { method, requestUri };
}

/** Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2, §25.1). */
/** `ascii`: the line has no octet above 0x7F (its UTF-8 decoding is itself). */
function statusLine(line: string, ascii: boolean): { statusCode: number; reasonPhrase: string } {
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 < 0 || sp2 < 0) bad('BAD_START_LINE', 'Status-Line needs version, code and reason');
  checkVersion(line.slice(0, sp1));
  const code = line.slice(sp1 + 1, sp2);
  // Status-Code = 3DIGIT; classes 1xx..6xx (RFC 3261 §21).
  if (!/^[1-6]\d\d$/.test(code)) bad('BAD_STATUS_CODE', 'Status-Code is not 100..699');
  const reason = line.slice(sp2 + 1);
  if (scanEscaped(reason, 0, REASON) !== reason.length) {
    bad('BAD_START_LINE', 'Reason-Phrase with characters outside its grammar');
  }
  return { statusCode: Number(code), reasonPhrase: ascii ? reason : utf8Text(reason) };
}

/**
 * Parses one complete SIP message (RFC 3261 §7), as delivered whole in an X2 PDU (payload
 * format 9). Strict: CRLF line ends, the §25.1 grammar of every header listed in
 * HEADER_RULES, single-valued headers at most once, Content-Length consistent with the octets.
 * Throws SipParseError (never with header values in its message). The SDP body part is parsed
 * too; an SDP error does not fail the SIP message and is returned in `sdpError`.
 */
export function parseSipMessage(raw: Buffer, options: SipParseOptions = {}): SipMessage {
  if (raw.length === 0) bad('EMPTY_MESSAGE', 'empty message');
  let start = 0;
  // §7.5: CRLFs before the start-line are ignored.
  while (raw[start] === 0x0d && raw[start + 1] === 0x0a) start += 2;
  // The whole message as a binary string, once: the header section and the SDP are read in it.
  const text = raw.toString('latin1');
  const headerEnd = text.indexOf('\r\n\r\n', start);
  if (headerEnd < 0) bad('MISSING_HEADER_END', 'no empty line after the header section');
  const firstEnd = text.indexOf('\r\n', start);
  const firstLine = text.slice(start, firstEnd);
  if (firstLine.includes('\r') || firstLine.includes('\n')) {
    bad('BAD_LINE_ENDING', 'start line ends without CRLF');
  }
  const isResponse = firstLine.startsWith('SIP/') || firstLine.startsWith('sip/');
  // ASCII text is its own UTF-8 decoding (most messages are ASCII throughout).
  const asciiMessage = isAscii(raw);
  const ascii = asciiMessage || isAscii(raw.subarray(start, headerEnd + 2));
  const status = isResponse ? statusLine(firstLine, ascii) : undefined;
  const request = isResponse ? undefined : requestLine(firstLine);

  const fields = parseHeaderSection(text, firstEnd + 2, headerEnd, options.maxHeaderFields ?? 256);
  const parsed = new ParsedHeaders();
  const headers = new Array<SipHeader>(fields.length);
  for (let n = 0; n < fields.length; n++) {
    const f = fields[n];
    const kind = headerKind(f.name);
    if (!kind.rule.repeatable && parsed.has(kind.slot)) {
      bad('DUPLICATE_HEADER', `${f.name} appears more than once`, f.name);
    }
    let result: unknown;
    try {
      result = kind.rule.check(f.value);
    } catch (e) {
      if (e instanceof GrammarError) bad('BAD_HEADER_VALUE', `${f.name}: ${e.message}`, f.name);
      throw e;
    }
    if (kind.slot >= 0) parsed.add(kind.slot, result);
    headers[n] = {
      name: f.name,
      canonicalName: kind.canonicalName,
      value: ascii ? f.value : utf8Text(f.value),
      offset: f.offset,
      length: f.length,
    };
  }
  for (const { name, slot } of REQUIRED) {
    if (!parsed.has(slot)) bad('MISSING_HEADER', `${name} header missing`, name);
  }

  const cseq = parsed.first(CSEQ) as CSeqValue;
  if (request && cseq.method !== request.method) {
    bad('CSEQ_METHOD_MISMATCH', 'CSeq method differs from the request method', 'CSeq');
  }

  const bodyStart = headerEnd + 4;
  const available = raw.length - bodyStart;
  const contentLength = parsed.first(CONTENT_LENGTH) as number | undefined;
  if (contentLength !== undefined && contentLength > available) {
    bad('CONTENT_LENGTH_MISMATCH', 'Content-Length exceeds the octets after the header section');
  }
  const bodyLength = contentLength ?? available;
  const body = raw.subarray(bodyStart, bodyStart + bodyLength);
  const contentType = parsed.first(CONTENT_TYPE) as MediaType | undefined;
  const bodyParts: SipBodyPart[] = [];
  // A content-coded body (§20.12, e.g. gzip) is kept opaque: its parts cannot be read.
  const encoded =
    parsed.has(CONTENT_ENCODING) &&
    (parsed.list(CONTENT_ENCODING) as string[]).some((e) => e.toLowerCase() !== 'identity');
  if (body.length > 0) {
    // §20.15: Content-Type MUST be present if the body is not empty.
    if (!contentType) bad('MISSING_CONTENT_TYPE', 'body without Content-Type', 'Content-Type');
    if (encoded) bodyParts.push({ contentType: contentType!, headers: [], body, path: [] });
    else collectParts(contentType!, body, text, bodyStart, 0, [], bodyParts);
  }

  let sdp: SessionDescription | undefined;
  let sdpError: SdpParseError | undefined;
  const sdpPart = encoded
    ? undefined
    : bodyParts.find((p) => p.contentType.essence === 'application/sdp');
  if (sdpPart) {
    try {
      // Body parts are views of `raw`, so the part is at the same offset in `text`.
      const offset = sdpPart.body.byteOffset - raw.byteOffset;
      const sdpText = text.slice(offset, offset + sdpPart.body.length);
      sdp = parseSessionDescriptionText(sdpText, asciiMessage || isAscii(sdpPart.body));
    } catch (e) {
      if (!(e instanceof SdpParseError)) throw e;
      sdpError = e;
    }
  }

  const from = (parsed.first(FROM) as SipAddress[])[0];
  const to = (parsed.first(TO) as SipAddress[])[0];
  const via = parsed.list(VIA) as ViaValue[];
  const contactRows = parsed.rows(CONTACT);
  const star = contactRows.includes('*');
  if (star && contactRows.length > 1) {
    bad('BAD_HEADER_VALUE', 'Contact "*" combined with other values', 'Contact');
  }
  const contact = star ? '*' : (parsed.list(CONTACT) as SipAddress[]);
  const pAssertedIdentity = parsed.list(P_ASSERTED_IDENTITY) as SipAddress[];
  const pPreferredIdentity = parsed.list(P_PREFERRED_IDENTITY) as SipAddress[];
  const pCalledPartyId = (parsed.first(P_CALLED_PARTY_ID) as SipAddress[] | undefined)?.[0];
  const callId = parsed.first(CALL_ID) as string;
  const requestUri = request?.requestUri;

  return {
    raw,
    kind: isResponse ? 'response' : 'request',
    method: request?.method,
    requestUri,
    statusCode: status?.statusCode,
    reasonPhrase: status?.reasonPhrase,
    headers,
    via,
    from,
    to,
    callId,
    cseq,
    maxForwards: parsed.first(MAX_FORWARDS) as number | undefined,
    contact,
    route: parsed.list(ROUTE) as SipAddress[],
    recordRoute: parsed.list(RECORD_ROUTE) as SipAddress[],
    pAssertedIdentity,
    pPreferredIdentity,
    pCalledPartyId,
    contentType,
    contentLength,
    body,
    bodyParts,
    trailingOctets: available - bodyLength,
    sdp,
    sdpPart,
    sdpError,
    identity: {
      requestUri: requestUri && identityOf({ uri: requestUri, bracketed: false, parameters: [] }),
      from: taggedIdentityOf(from),
      to: taggedIdentityOf(to),
      pAssertedIdentities: pAssertedIdentity.map(identityOf),
      pPreferredIdentities: pPreferredIdentity.map(identityOf),
      pCalledPartyId: pCalledPartyId && identityOf(pCalledPartyId),
      contacts: contact === '*' ? [] : contact.map(identityOf),
      callId,
      cseq,
      topViaBranch: via[0]?.branch,
    },
  };
}

/** SipIdentity of a From / To value with its tag (RFC 3261 §19.3). */
function taggedIdentityOf(address: SipAddress): SipIdentity & { tag?: string } {
  return {
    uri: address.uri.text,
    key: identityKey(address.uri),
    displayName: address.displayName,
    tag: tagOf(address.parameters),
  };
}

/** Header rows with a given name (compact forms and case folded), in message order. */
export function headersNamed(message: SipMessage, name: string): SipHeader[] {
  const canonical = canonicalHeaderName(name);
  return message.headers.filter((h) => h.canonicalName === canonical);
}
