import { GrammarError, SipAddress } from './sip-address';
import { SdpParseError, SipParseError } from './sip-errors';
import { REASON, TOKEN, all, scanEscaped, utf8Text } from './sip-grammar';
import { EXTENSION_HEADER_RULE, HEADER_RULES, canonicalHeaderName } from './sip-header-rules';
import { parseHeaderSection } from './sip-header-section';
import { CSeqValue, MediaType, ViaValue } from './sip-header-values';
import { SipIdentitySummary, identityOf, tagOf } from './sip-identity';
import { SipBodyPart, collectBodyParts } from './sip-multipart';
import { Uri, parseUri } from './sip-uri';
import { SessionDescription, parseSessionDescription } from './sdp/session-description';

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
const REQUIRED = ['via', 'from', 'to', 'call-id', 'cseq'];

const bad = (code: SipParseError['code'], message: string, header?: string): never => {
  throw new SipParseError(code, message, header);
};

function checkVersion(version: string): void {
  // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (RFC 3261 §7.1); only 2.0 is supported.
  if (!/^SIP\/\d+\.\d+$/i.test(version)) bad('BAD_START_LINE', 'malformed SIP-Version');
  if (version.slice(4) !== '2.0') bad('UNSUPPORTED_VERSION', 'SIP version other than 2.0');
}

/** Request-Line = Method SP Request-URI SP SIP-Version (RFC 3261 §7.1). */
function requestLine(line: string): { method: string; requestUri: Uri } {
  const parts = line.split(' ');
  if (parts.length !== 3)
    bad('BAD_START_LINE', 'Request-Line needs exactly three SP-separated parts');
  const [method, uriText, version] = parts;
  if (!all(method, TOKEN)) bad('BAD_START_LINE', 'Method is not a token');
  checkVersion(version);
  const requestUri = parseUri(uriText);
  if (!requestUri) return bad('BAD_REQUEST_URI', 'malformed Request-URI');
  // RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
  if (requestUri.kind === 'sip' && requestUri.headers.length > 0) {
    bad('BAD_REQUEST_URI', 'Request-URI with headers');
  }
  return { method, requestUri };
}

/** Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2, §25.1). */
function statusLine(line: string): { statusCode: number; reasonPhrase: string } {
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
  return { statusCode: Number(code), reasonPhrase: utf8Text(reason) };
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
  const headerEnd = raw.indexOf('\r\n\r\n', start);
  if (headerEnd < 0) bad('MISSING_HEADER_END', 'no empty line after the header section');
  const text = raw.toString('latin1', start, headerEnd + 2);
  const firstEnd = text.indexOf('\r\n');
  const firstLine = text.slice(0, firstEnd);
  if (firstLine.includes('\r') || firstLine.includes('\n')) {
    bad('BAD_LINE_ENDING', 'start line ends without CRLF');
  }
  const isResponse = firstLine.startsWith('SIP/') || firstLine.startsWith('sip/');
  const status = isResponse ? statusLine(firstLine) : undefined;
  const request = isResponse ? undefined : requestLine(firstLine);

  const fields = parseHeaderSection(
    text,
    firstEnd + 2,
    text.length - 2,
    options.maxHeaderFields ?? 256,
  );
  const parsed = new Map<string, unknown[]>();
  const headers: SipHeader[] = fields.map((f) => {
    const canonicalName = canonicalHeaderName(f.name);
    const rule = HEADER_RULES[canonicalName] ?? EXTENSION_HEADER_RULE;
    const seen = parsed.get(canonicalName);
    if (seen && !rule.repeatable)
      bad('DUPLICATE_HEADER', `${f.name} appears more than once`, f.name);
    let result: unknown;
    try {
      result = rule.check(f.value);
    } catch (e) {
      if (e instanceof GrammarError) bad('BAD_HEADER_VALUE', `${f.name}: ${e.message}`, f.name);
      throw e;
    }
    if (seen) seen.push(result);
    else parsed.set(canonicalName, [result]);
    return {
      name: f.name,
      canonicalName,
      value: utf8Text(f.value),
      offset: start + f.offset,
      length: f.length,
    };
  });
  for (const name of REQUIRED) {
    if (!parsed.has(name)) bad('MISSING_HEADER', `${name} header missing`, name);
  }
  const first = <T>(name: string): T | undefined => parsed.get(name)?.[0] as T | undefined;
  const lists = <T>(name: string): T[] => {
    const rows = parsed.get(name) as T[][] | undefined;
    if (!rows) return [];
    return rows.length === 1 ? rows[0] : ([] as T[]).concat(...rows);
  };

  const cseq = first<CSeqValue>('cseq')!;
  if (request && cseq.method !== request.method) {
    bad('CSEQ_METHOD_MISMATCH', 'CSeq method differs from the request method', 'CSeq');
  }

  const bodyStart = headerEnd + 4;
  const available = raw.length - bodyStart;
  const contentLength = first<number>('content-length');
  if (contentLength !== undefined && contentLength > available) {
    bad('CONTENT_LENGTH_MISMATCH', 'Content-Length exceeds the octets after the header section');
  }
  const bodyLength = contentLength ?? available;
  const body = raw.subarray(bodyStart, bodyStart + bodyLength);
  const contentType = first<MediaType>('content-type');
  const bodyParts: SipBodyPart[] = [];
  // A content-coded body (§20.12, e.g. gzip) is kept opaque: its parts cannot be read.
  const encoded = lists<string>('content-encoding').some((e) => e.toLowerCase() !== 'identity');
  if (body.length > 0) {
    // §20.15: Content-Type MUST be present if the body is not empty.
    if (!contentType) bad('MISSING_CONTENT_TYPE', 'body without Content-Type', 'Content-Type');
    if (encoded) bodyParts.push({ contentType: contentType!, headers: [], body, path: [] });
    else collectBodyParts(contentType!, body, 0, [], bodyParts);
  }

  let sdp: SessionDescription | undefined;
  let sdpError: SdpParseError | undefined;
  const sdpPart = encoded
    ? undefined
    : bodyParts.find((p) => p.contentType.essence === 'application/sdp');
  if (sdpPart) {
    try {
      sdp = parseSessionDescription(sdpPart.body);
    } catch (e) {
      if (!(e instanceof SdpParseError)) throw e;
      sdpError = e;
    }
  }

  const from = first<SipAddress[]>('from')![0];
  const to = first<SipAddress[]>('to')![0];
  const via = lists<ViaValue>('via');
  const contactRows = parsed.get('contact') ?? [];
  const star = contactRows.includes('*');
  if (star && contactRows.length > 1) {
    bad('BAD_HEADER_VALUE', 'Contact "*" combined with other values', 'Contact');
  }
  const contact = star ? '*' : lists<SipAddress>('contact');
  const pAssertedIdentity = lists<SipAddress>('p-asserted-identity');
  const pPreferredIdentity = lists<SipAddress>('p-preferred-identity');
  const pCalledPartyId = first<SipAddress[]>('p-called-party-id')?.[0];
  const callId = first<string>('call-id')!;
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
    maxForwards: first<number>('max-forwards'),
    contact,
    route: lists<SipAddress>('route'),
    recordRoute: lists<SipAddress>('record-route'),
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
      from: { ...identityOf(from), tag: tagOf(from.parameters) },
      to: { ...identityOf(to), tag: tagOf(to.parameters) },
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

/** Header rows with a given name (compact forms and case folded), in message order. */
export function headersNamed(message: SipMessage, name: string): SipHeader[] {
  const canonical = canonicalHeaderName(name);
  return message.headers.filter((h) => h.canonicalName === canonical);
}
