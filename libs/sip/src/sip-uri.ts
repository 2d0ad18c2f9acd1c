import { isIpv6 } from '@app/x2';
import {
  ALPHA,
  ALPHANUM,
  DIGIT,
  HNV,
  PARAMCHAR,
  PASSWORD,
  SCHEME,
  URIC,
  USER,
  allEscaped,
  decimalIn,
  scanEscaped,
  splitAt,
  unescape,
} from './sip-grammar';

/** A URI or header parameter as written (escapes kept); `value` absent for `;lr` style. */
export interface UriParameter {
  name: string;
  value?: string;
}

/** SIP-URI / SIPS-URI (RFC 3261 §19.1.1, §25.1). Parts keep their %HH escapes. */
export interface SipUri {
  kind: 'sip';
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  host: string;
  port?: number;
  parameters: UriParameter[];
  headers: UriParameter[];
  text: string;
}

/** telephone-uri (RFC 3966 §3). */
export interface TelUri {
  kind: 'tel';
  subscriber: TelephoneSubscriber;
  text: string;
}

/** telephone-subscriber (RFC 3966 §3), also the user part of a SIP URI with user=phone. */
export interface TelephoneSubscriber {
  /** global-number (starts with "+") or local-number. */
  global: boolean;
  /** The digits without visual separators (RFC 3966 §5.1.1); "+" kept; hex digits upper case. */
  digits: string;
  /** phone-context descriptor, lower case (RFC 3966 §5.1.5); required for local numbers. */
  context?: string;
  extension?: string;
  isdnSubaddress?: string;
  parameters: UriParameter[];
}

/** Any other absoluteURI (RFC 3261 §25.1 via RFC 2396), e.g. http:, urn:, isbn:. */
export interface AbsoluteUri {
  kind: 'absolute';
  scheme: string;
  text: string;
}

export type Uri = SipUri | TelUri | AbsoluteUri;

/** hostname = *( domainlabel "." ) toplabel [ "." ] (RFC 3261 §25.1). */
export function isHostname(h: string): boolean {
  // One pass; a final "." is dropped, and `end` closes the toplabel like a ".".
  const end = h.charCodeAt(h.length - 1) === 0x2e ? h.length - 1 : h.length;
  let label = 0;
  for (let k = 0; k <= end; k++) {
    const c = k === end ? 0x2e : h.charCodeAt(k);
    if (c === 0x2e) {
      if (k === label || k - label > 63) return false;
      // toplabel starts with ALPHA, domainlabel with alphanum; both end with alphanum.
      if ((k === end ? ALPHA : ALPHANUM)[h.charCodeAt(label)] !== 1) return false;
      if (ALPHANUM[h.charCodeAt(k - 1)] !== 1) return false;
      label = k + 1;
    } else if (ALPHANUM[c] !== 1 && c !== 0x2d) return false;
  }
  return true;
}

/** IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each octet 0..255. */
export function isIpv4(h: string): boolean {
  let dots = 0;
  let digits = 0;
  let octet = 0;
  for (let k = 0; k < h.length; k++) {
    const c = h.charCodeAt(k);
    if (c === 0x2e) {
      if (digits === 0 || dots === 3) return false;
      dots++;
      digits = 0;
      octet = 0;
    } else {
      const d = c - 0x30;
      if (d < 0 || d > 9 || digits === 3) return false;
      digits++;
      octet = octet * 10 + d;
      if (octet > 255) return false;
    }
  }
  return dots === 3 && digits > 0;
}

/** host = hostname / IPv4address / IPv6reference. */
export function isHost(h: string): boolean {
  if (h.charCodeAt(0) === 0x5b) {
    return h.charCodeAt(h.length - 1) === 0x5d && isIpv6(h.slice(1, -1));
  }
  // A hostname's toplabel starts with ALPHA, so a last label starting with a digit is IPv4.
  let dot = h.length - 2;
  while (dot >= 0 && h.charCodeAt(dot) !== 0x2e) dot--;
  const top = h.charCodeAt(dot + 1);
  return DIGIT[top] === 1 ? isIpv4(h) : isHostname(h);
}

/**
 * uri-parameters = *( ";" uri-parameter ) of text[start, end), the first ";" excluded;
 * uri-parameter = pname [ "=" pvalue ], both 1*paramchar (RFC 3261 §25.1). text[end] is "?"
 * or the end of text, neither a paramchar.
 */
function parseParameters(text: string, start: number, end: number): UriParameter[] | undefined {
  const out: UriParameter[] = [];
  for (let i = start; ;) {
    const nameEnd = scanEscaped(text, i, PARAMCHAR);
    if (nameEnd <= i) return undefined;
    const name = text.slice(i, nameEnd);
    let next = nameEnd;
    if (text.charCodeAt(nameEnd) === 0x3d) {
      next = scanEscaped(text, nameEnd + 1, PARAMCHAR);
      if (next <= nameEnd + 1) return undefined;
      out.push({ name, value: text.slice(nameEnd + 1, next) });
    } else out.push({ name });
    if (next === end) return out;
    if (text.charCodeAt(next) !== 0x3b) return undefined;
    i = next + 1;
  }
}

/** Last ":" of text[start, end) after its last "]", -1 if none. */
function lastPortColon(text: string, start: number, end: number): number {
  const colon = text.lastIndexOf(':', end - 1);
  return colon >= start && colon > text.lastIndexOf(']', end - 1) ? colon : -1;
}

/** SIP-URI / SIPS-URI (RFC 3261 §25.1); `from` is the index after "sip:" / "sips:". */
function parseSipUri(scheme: 'sip' | 'sips', text: string, from: number): SipUri | undefined {
  let user: string | undefined;
  let password: string | undefined;
  let hostStart = from;
  const at = text.indexOf('@', from);
  // The first ":" after the scheme: the password separator if before "@", else the one the
  // port follows (for hosts other than IPv6references).
  let colon = text.indexOf(':', from);
  if (at >= 0) {
    const userEnd = colon >= 0 && colon < at ? colon : at;
    user = text.slice(from, userEnd);
    if (!allEscaped(user, USER)) return undefined;
    if (userEnd < at) {
      password = text.slice(userEnd + 1, at);
      if (password !== '' && !allEscaped(password, PASSWORD)) return undefined;
    }
    hostStart = at + 1;
    if (userEnd < at) colon = text.indexOf(':', hostStart);
  }
  const q = text.indexOf('?', hostStart);
  const end = q < 0 ? text.length : q;
  const semi = text.indexOf(';', hostStart);
  const hostportEnd = semi >= 0 && semi < end ? semi : end;
  let hostEnd = hostportEnd;
  let port: number | undefined;
  // The port follows the last ":" that is not inside an IPv6reference. A host other than an
  // IPv6reference has no ":" and no "]": splitting at its first ":" is then as good, as any
  // other ":" or "]" makes the host or the port invalid.
  if (text.charCodeAt(hostStart) === 0x5b) colon = lastPortColon(text, hostStart, hostportEnd);
  if (colon >= hostStart && colon < hostportEnd) {
    hostEnd = colon;
    port = decimalIn(text, colon + 1, hostportEnd, 65535);
    if (port === undefined) return undefined;
  }
  const host = text.slice(hostStart, hostEnd);
  if (!isHost(host)) return undefined;
  const parameters = hostportEnd === end ? [] : parseParameters(text, hostportEnd + 1, end);
  if (!parameters) return undefined;
  const headers: UriParameter[] = [];
  if (q >= 0) {
    for (const h of text.slice(q + 1).split('&')) {
      const eq = h.indexOf('=');
      if (eq < 0) return undefined;
      const name = h.slice(0, eq);
      const value = h.slice(eq + 1);
      if (!allEscaped(name, HNV) || (value !== '' && !allEscaped(value, HNV))) return undefined;
      headers.push({ name, value });
    }
  }
  return { kind: 'sip', scheme, user, password, host, port, parameters, headers, text };
}

const PHONEDIGIT_SEPARATORS = /[-.()]/g;

/** global-number-digits = "+" *phonedigit DIGIT *phonedigit (RFC 3966 §3). */
function globalDigits(s: string): string | undefined {
  // "+" then DIGIT / visual-separator ("-" "." "(" ")"), scanned; the separators are removed.
  if (s.charCodeAt(0) !== 0x2b) return undefined;
  let separators = false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2d || c === 0x2e || c === 0x28 || c === 0x29) separators = true;
    else if (c < 0x30 || c > 0x39) return undefined;
  }
  const digits = separators ? s.replace(PHONEDIGIT_SEPARATORS, '') : s;
  return digits.length > 1 ? digits : undefined;
}

/**
 * telephone-subscriber (RFC 3966 §3): global-number / local-number with their parameters
 * (ext, isub, phone-context, other parameters).
 */
export function parseTelephoneSubscriber(s: string): TelephoneSubscriber | undefined {
  const [number, ...paramTexts] = splitAt(s, ';');
  const parameters: UriParameter[] = [];
  let context: string | undefined;
  let extension: string | undefined;
  let isdnSubaddress: string | undefined;
  for (const p of paramTexts) {
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? undefined : p.slice(eq + 1);
    if (!/^[a-z0-9-]+$/.test(name)) return undefined;
    if (name === 'ext') {
      if (!value || !/^[0-9\-.()]+$/.test(value) || extension !== undefined) return undefined;
      extension = value.replace(PHONEDIGIT_SEPARATORS, '');
    } else if (name === 'isub') {
      if (!value || !allEscaped(value, URIC) || isdnSubaddress !== undefined) return undefined;
      isdnSubaddress = value;
    } else if (name === 'phone-context') {
      if (!value || context !== undefined) return undefined;
      const g = globalDigits(value);
      if (g) context = g;
      else if (isHostname(value)) context = value.toLowerCase();
      else return undefined;
    } else {
      if (value !== undefined && !allEscaped(value, PARAMCHAR)) return undefined;
      parameters.push(value === undefined ? { name } : { name, value });
    }
  }
  if (number.startsWith('+')) {
    const digits = globalDigits(number);
    if (!digits || context !== undefined) return undefined;
    return { global: true, digits, extension, isdnSubaddress, parameters };
  }
  // local-number-digits = *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex; needs context.
  if (!/^[0-9A-Fa-f*#\-.()]+$/.test(number) || context === undefined) return undefined;
  const digits = number.replace(PHONEDIGIT_SEPARATORS, '').toUpperCase();
  if (digits.length === 0) return undefined;
  return { global: false, digits, context, extension, isdnSubaddress, parameters };
}

/**
 * Parses a URI as used in the Request-URI and in name-addr / addr-spec: SIP-URI, SIPS-URI,
 * tel URI or any other absoluteURI. Scheme names are case-insensitive (RFC 3986 §3.1).
 * Returns undefined when the text does not follow the grammar of its scheme.
 */
export function parseUri(text: string): Uri | undefined {
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), ended by the first ":".
  if (ALPHA[text.charCodeAt(0)] !== 1) return undefined;
  let colon = 1;
  while (SCHEME[text.charCodeAt(colon)] === 1) colon++;
  if (text.charCodeAt(colon) !== 0x3a) return undefined;
  const scheme = colon === 3 && isSip(text) ? 'sip' : text.slice(0, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, text, colon + 1);
  const rest = text.slice(colon + 1);
  if (scheme === 'tel') {
    if (!allEscaped(rest, URIC)) return undefined;
    const subscriber = parseTelephoneSubscriber(rest);
    return subscriber && { kind: 'tel', subscriber, text };
  }
  // absoluteURI = scheme ":" ( hier-part / opaque-part ), every char a uric (RFC 2396 §3).
  if (rest.length === 0 || scanEscaped(rest, 0, URIC) !== rest.length) return undefined;
  return { kind: 'absolute', scheme, text };
}

/** Whether text starts with "sip" in any case. */
function isSip(text: string): boolean {
  return (
    (text.charCodeAt(0) | 0x20) === 0x73 &&
    (text.charCodeAt(1) | 0x20) === 0x69 &&
    (text.charCodeAt(2) | 0x20) === 0x70
  );
}

/** A SIP URI parameter value by case-insensitive name (RFC 3261 §19.1.4). */
export function uriParameter(uri: SipUri, name: string): UriParameter | undefined {
  const lower = name.toLowerCase();
  for (const p of uri.parameters) if (unescape(p.name).toLowerCase() === lower) return p;
  return undefined;
}
