import { GenericParam, fail, parseGenericParams } from './sip-address';
import {
  DIGIT,
  TOKEN,
  WORD,
  all,
  decimal,
  decimalIn,
  isNamed,
  isTextUtf8,
  isWsp,
  scan,
  scanQuotedString,
  skipWsp,
} from './sip-grammar';
import { isHost, isIpv4 } from './sip-uri';
import { isIpv6 } from '@app/x2';

/** token characters plus ":", for Via parameter values such as received=2001:db8::1. */
const TOKEN_OR_COLON = Uint8Array.from(TOKEN, (v, c) => (c === 0x3a ? 1 : v));

/** Largest delta-seconds / CSeq number: a 32-bit unsigned integer (RFC 3261 §20.16, §25.1). */
export const MAX_UINT32 = 2 ** 32 - 1;

/** via-parm (RFC 3261 §20.42, §25.1). */
export interface ViaValue {
  protocolName: string;
  protocolVersion: string;
  transport: string;
  host: string;
  port?: number;
  parameters: GenericParam[];
  branch?: string;
}

/** CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16). */
export interface CSeqValue {
  sequence: number;
  method: string;
}

/** media-type = m-type SLASH m-subtype *(SEMI m-parameter) (RFC 3261 §20.15). */
export interface MediaType {
  type: string;
  subtype: string;
  /** Lower-case "type/subtype". */
  essence: string;
  parameters: GenericParam[];
}

/** A whole header value that must be a single token. */
function token(s: string, what: string): string {
  if (!all(s, TOKEN)) fail(`bad ${what}`);
  return s;
}

/** End of the token at i (fails when there is none). */
function tokenEnd(s: string, i: number): number {
  const end = scan(s, i, TOKEN);
  if (end === i) fail('empty token');
  return end;
}

/** Position after SLASH = SWS "/" SWS (RFC 3261 §25.1), i at the SWS before it. */
function afterSlash(s: string, i: number): number {
  // Whitespace is rare: it is tested for before a skip is called (as in parseVia).
  if (isWsp(s.charCodeAt(i))) i = skipWsp(s, i);
  if (s.charCodeAt(i) !== 0x2f) fail('missing /');
  return isWsp(s.charCodeAt(i + 1)) ? skipWsp(s, i + 1) : i + 1;
}

/** Via header value: via-parm *(COMMA via-parm). */
export function parseVia(value: string): ViaValue[] {
  const out: ViaValue[] = [];
  let i = 0;
  for (;;) {
    // sent-protocol = protocol-name SLASH protocol-version SLASH transport. LWS is tested for
    // before skipWsp is called: most values have none where it may be.
    const nameStart = isWsp(value.charCodeAt(i)) ? skipWsp(value, i) : i;
    const nameEnd = tokenEnd(value, nameStart);
    const versionStart = afterSlash(value, nameEnd);
    const versionEnd = tokenEnd(value, versionStart);
    const transportStart = afterSlash(value, versionEnd);
    const afterProtocol = tokenEnd(value, transportStart);
    i = skipWsp(value, afterProtocol);
    if (i === afterProtocol) fail('missing LWS before sent-by');
    let hostEnd: number;
    if (value.charCodeAt(i) === 0x5b) hostEnd = value.indexOf(']', i) + 1;
    else hostEnd = scan(value, i, TOKEN);
    const host = hostEnd > i ? value.slice(i, hostEnd) : '';
    if (!isHost(host)) fail('bad sent-by host');
    i = hostEnd;
    let port: number | undefined;
    const beforeColon = isWsp(value.charCodeAt(i)) ? skipWsp(value, i) : i;
    if (value.charCodeAt(beforeColon) === 0x3a) {
      const p = isWsp(value.charCodeAt(beforeColon + 1))
        ? skipWsp(value, beforeColon + 1)
        : beforeColon + 1;
      const end = scan(value, p, DIGIT);
      port = decimalIn(value, p, end, 65535);
      if (port === undefined) fail('bad sent-by port');
      i = end;
    }
    const parameters: GenericParam[] = [];
    i = parseGenericParams(value, i, parameters, TOKEN_OR_COLON);
    let branch: string | undefined;
    for (const p of parameters) {
      if (isNamed(p.name, 'branch')) {
        // An unquoted value here is an IPv6reference or token / ":" chars (parseGenericParams
        // with TOKEN_OR_COLON): it is a token when it has no "[" and no ":".
        const v = p.value;
        if (v === undefined || p.quoted || v.charCodeAt(0) === 0x5b || v.includes(':')) {
          fail('bad branch');
        }
        branch = v;
      } else if (isNamed(p.name, 'ttl')) {
        if (p.value === undefined || p.value.length > 3 || decimal(p.value, 255) === undefined) {
          fail('bad ttl');
        }
      } else if (isNamed(p.name, 'maddr')) {
        if (p.value === undefined || !isHost(p.value)) fail('bad maddr');
      } else if (isNamed(p.name, 'received')) {
        const v = p.value ?? '';
        const bracketed = v.charCodeAt(0) === 0x5b && v.charCodeAt(v.length - 1) === 0x5d;
        const bare = bracketed ? v.slice(1, -1) : v;
        if (!(isIpv4(v) || isIpv6(bare))) fail('bad received');
      }
    }
    out.push({
      protocolName: value.slice(nameStart, nameEnd),
      protocolVersion: value.slice(versionStart, versionEnd),
      transport: value.slice(transportStart, afterProtocol),
      host,
      port,
      parameters,
      branch,
    });
    if (isWsp(value.charCodeAt(i))) i = skipWsp(value, i);
    if (i === value.length) return out;
    if (value.charCodeAt(i) !== 0x2c) fail('unexpected text in Via');
    i++;
  }
}

/** CSeq value: 1*DIGIT LWS Method; the number must fit 32 bits unsigned (RFC 3261 §20.16). */
export function parseCSeq(value: string): CSeqValue {
  // The shape of /^(\d+)[ \t]+(\S+)$/, scanned: digits, SP / HTAB, then a method without
  // whitespace (a token never has any, so the whitespace test is for the error only).
  const digitsEnd = scan(value, 0, DIGIT);
  const methodStart = skipWsp(value, digitsEnd);
  const methodEnd = scan(value, methodStart, TOKEN);
  if (
    digitsEnd === 0 ||
    methodStart === digitsEnd ||
    methodStart === value.length ||
    (methodEnd !== value.length && /\s/.test(value.slice(methodStart)))
  ) {
    return fail('bad CSeq');
  }
  const sequence = decimalIn(value, 0, digitsEnd, MAX_UINT32);
  if (sequence === undefined) fail('CSeq number out of range');
  if (methodEnd !== value.length) fail('bad CSeq method');
  return { sequence: sequence!, method: value.slice(methodStart) };
}

/** callid = word [ "@" word ] (RFC 3261 §25.1). */
export function parseCallId(value: string): string {
  const at = value.indexOf('@');
  const firstEnd = at < 0 ? value.length : at;
  const ok =
    firstEnd > 0 &&
    scan(value, 0, WORD) === firstEnd &&
    (at < 0 || (at + 1 < value.length && scan(value, at + 1, WORD) === value.length));
  if (!ok) fail('bad Call-ID');
  return value;
}

/** delta-seconds = 1*DIGIT, 0..2^32-1 (RFC 3261 §25.1, §20.19). */
export function parseDeltaSeconds(value: string, what: string): number {
  const n = decimal(value, MAX_UINT32);
  if (n === undefined) fail(`bad ${what}`);
  return n!;
}

/** Max-Forwards = 1*DIGIT, an integer 0..255 (RFC 3261 §20.22). */
export function parseMaxForwards(value: string): number {
  const n = decimal(value, 255);
  if (n === undefined) fail('Max-Forwards out of range');
  return n!;
}

/** Content-Length = 1*DIGIT (RFC 3261 §20.14); bounded by `max` (the octets available). */
export function parseContentLength(value: string): number {
  const n = decimal(value, Number.MAX_SAFE_INTEGER);
  if (n === undefined) fail('bad Content-Length');
  return n!;
}

function parseMediaRange(value: string, paramValuesRequired: boolean): MediaType {
  const typeStart = skipWsp(value, 0);
  const typeEnd = tokenEnd(value, typeStart);
  const subtypeStart = afterSlash(value, typeEnd);
  const end = tokenEnd(value, subtypeStart);
  const type = value.slice(typeStart, typeEnd);
  const subtype = value.slice(subtypeStart, end);
  const parameters: GenericParam[] = [];
  const after = skipWsp(value, parseGenericParams(value, end, parameters));
  if (after !== value.length) fail('unexpected text in media type');
  if (paramValuesRequired && parameters.some((p) => p.value === undefined)) {
    fail('media type parameter without value');
  }
  return { type, subtype, essence: `${type}/${subtype}`.toLowerCase(), parameters };
}

/** media-type, also used for Content-Type of MIME body parts (RFC 2045 §5.1). */
export function parseMediaType(value: string): MediaType {
  return parseMediaRange(value, true);
}

/**
 * Accept = [ accept-range *(COMMA accept-range) ] (RFC 3261 §20.1); "*" is a token character,
 * so "*\/*" and "type/*" parse as media ranges; accept-params may be bare names.
 */
export function parseAccept(value: string): MediaType[] {
  if (value.trim() === '') return [];
  return splitOutsideQuotes(value).map((range) => parseMediaRange(range, false));
}

/** option-tag lists: Require, Proxy-Require, Unsupported (1+), Supported (0+) (§20.32, §20.37). */
export function parseTokenList(value: string, allowEmpty: boolean): string[] {
  if (value.trim() === '') {
    if (!allowEmpty) fail('empty token list');
    return [];
  }
  const tags: string[] = [];
  for (let start = 0; ;) {
    const comma = value.indexOf(',', start);
    tags.push(token(value.slice(start, comma < 0 ? value.length : comma).trim(), 'option-tag'));
    if (comma < 0) return tags;
    start = comma + 1;
  }
}

const WKDAY = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const MONTH = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const RFC1123 = new RegExp(
  `^(${WKDAY}), (\\d{2}) (${MONTH}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`,
);

/** Date = rfc1123-date, always "GMT" (RFC 3261 §20.17, §25.1). */
export function parseDate(value: string): Date {
  const m = RFC1123.exec(value);
  if (!m) return fail('Date is not an RFC 1123 GMT date');
  const d = new Date(`${m[3]} ${m[2]} ${m[4]} ${m[5]}:${m[6]}:${m[7]} GMT`);
  if (Number.isNaN(d.getTime()) || Number(m[5]) > 23 || Number(m[6]) > 59 || Number(m[7]) > 60) {
    fail('bad Date');
  }
  return d;
}

/** comment = LPAREN *(ctext / quoted-pair / comment) RPAREN (RFC 3261 §25.1). */
function skipComment(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') j++;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return fail('unterminated comment');
}

/** Retry-After = delta-seconds [ comment ] *( SEMI retry-param ) (RFC 3261 §20.33). */
export function parseRetryAfter(value: string): number {
  const end = scan(value, 0, DIGIT);
  const seconds = parseDeltaSeconds(value.slice(0, end), 'Retry-After');
  let i = skipWsp(value, end);
  if (value[i] === '(') i = skipComment(value, i);
  const params: GenericParam[] = [];
  i = skipWsp(value, parseGenericParams(value, i, params));
  if (i !== value.length) fail('unexpected text in Retry-After');
  return seconds;
}

/** Warning = warning-value *(COMMA warning-value); warn-code = 3DIGIT (RFC 3261 §20.43). */
export function parseWarning(value: string): number[] {
  const codes: number[] = [];
  let i = 0;
  for (;;) {
    i = skipWsp(value, i);
    const m = /^(\d{3}) ([^ ]+) /.exec(value.slice(i));
    if (!m) fail('bad warning-value');
    const agent = m![2];
    if (!(isHost(agent.replace(/:\d+$/, '')) || all(agent, TOKEN))) fail('bad warn-agent');
    const q = scanQuotedString(value, i + m![0].length);
    if (!q) fail('bad warn-text');
    codes.push(Number(m![1]));
    i = skipWsp(value, q!.end);
    if (i === value.length) return codes;
    if (value[i] !== ',') fail('unexpected text in Warning');
    i++;
  }
}

/**
 * credentials / challenge (RFC 3261 §20.7, §20.27, §20.28, §20.44): auth-scheme LWS
 * auth-param *(COMMA auth-param), auth-param = token EQUAL ( token / quoted-string ).
 */
export function parseAuthorization(value: string): string {
  const end = scan(value, 0, TOKEN);
  if (end === 0 || !isWsp(value.charCodeAt(end))) fail('bad auth-scheme');
  let i = skipWsp(value, end);
  for (;;) {
    const nameEnd = scan(value, i, TOKEN);
    if (nameEnd === i) fail('bad auth-param name');
    i = skipWsp(value, nameEnd);
    if (value[i] !== '=') fail('auth-param without value');
    i = skipWsp(value, i + 1);
    if (value[i] === '"') {
      const q = scanQuotedString(value, i);
      if (!q) fail('bad auth-param value');
      i = q!.end;
    } else {
      const vEnd = scan(value, i, TOKEN);
      if (vEnd === i) fail('bad auth-param value');
      i = vEnd;
    }
    i = skipWsp(value, i);
    if (i === value.length) return value.slice(0, end);
    if (value[i] !== ',') fail('unexpected text in credentials');
    i = skipWsp(value, i + 1);
  }
}

/** TEXT-UTF8-TRIM, e.g. Subject (RFC 3261 §20.36, §25.1). */
export function checkText(value: string): void {
  if (!isTextUtf8(value)) fail('characters outside TEXT-UTF8');
}

/** extension-header value: *(TEXT-UTF8char / UTF8-CONT / LWS) (RFC 3261 §25.1). */
export function checkExtensionValue(value: string): void {
  if (!isTextUtf8(value, true)) fail('characters outside header-value');
}

/** Splits at commas that are not inside quoted strings or angle brackets. */
export function splitOutsideQuotes(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') depth++;
    else if (c === '>') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}
