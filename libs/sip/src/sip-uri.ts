import { parseIpv6 } from '@app/x2';
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
  decimal,
  scanEscaped,
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
  const labels = (h.endsWith('.') ? h.slice(0, -1) : h).split('.');
  if (labels.length === 0 || labels[0] === '') return false;
  return labels.every((label, i) => {
    if (label.length === 0 || label.length > 63) return false;
    const first = label.charCodeAt(0);
    const last = label.charCodeAt(label.length - 1);
    // toplabel starts with ALPHA, domainlabel with alphanum; both end with alphanum.
    if ((i === labels.length - 1 ? ALPHA[first] : ALPHANUM[first]) !== 1) return false;
    if (ALPHANUM[last] !== 1) return false;
    for (let k = 1; k < label.length - 1; k++) {
      const c = label.charCodeAt(k);
      if (ALPHANUM[c] !== 1 && c !== 0x2d) return false;
    }
    return true;
  });
}

/** IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each octet 0..255. */
export function isIpv4(h: string): boolean {
  const parts = h.split('.');
  return parts.length === 4 && parts.every((p) => p.length <= 3 && decimal(p, 255) !== undefined);
}

/** host = hostname / IPv4address / IPv6reference. */
export function isHost(h: string): boolean {
  if (h.startsWith('[')) return h.endsWith(']') && parseIpv6(h.slice(1, -1)) !== undefined;
  // A hostname's toplabel starts with ALPHA, so a last label starting with a digit is IPv4.
  const top = h.charCodeAt(h.lastIndexOf('.', h.length - 2) + 1);
  return DIGIT[top] === 1 ? isIpv4(h) : isHostname(h);
}

function parseParameters(text: string, nameTable: Uint8Array): UriParameter[] | undefined {
  const out: UriParameter[] = [];
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    if (!allEscaped(name, nameTable)) return undefined;
    if (eq < 0) out.push({ name });
    else {
      const value = part.slice(eq + 1);
      if (!allEscaped(value, PARAMCHAR)) return undefined;
      out.push({ name, value });
    }
  }
  return out;
}

/** SIP-URI / SIPS-URI after the scheme (RFC 3261 §25.1). */
function parseSipUri(scheme: 'sip' | 'sips', rest: string, text: string): SipUri | undefined {
  let user: string | undefined;
  let password: string | undefined;
  const at = rest.indexOf('@');
  let hostPart = rest;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (!allEscaped(user, USER)) return undefined;
    if (colon >= 0) {
      password = userinfo.slice(colon + 1);
      if (password !== '' && !allEscaped(password, PASSWORD)) return undefined;
    }
  }
  const q = hostPart.indexOf('?');
  const headerText = q < 0 ? undefined : hostPart.slice(q + 1);
  const beforeHeaders = q < 0 ? hostPart : hostPart.slice(0, q);
  const semi = beforeHeaders.indexOf(';');
  const hostport = semi < 0 ? beforeHeaders : beforeHeaders.slice(0, semi);
  let host = hostport;
  let port: number | undefined;
  const close = hostport.lastIndexOf(']');
  const colon = hostport.lastIndexOf(':');
  if (colon > close) {
    host = hostport.slice(0, colon);
    port = decimal(hostport.slice(colon + 1), 65535);
    if (port === undefined) return undefined;
  }
  if (!isHost(host)) return undefined;
  const parameters = semi < 0 ? [] : parseParameters(beforeHeaders.slice(semi + 1), PARAMCHAR);
  if (!parameters) return undefined;
  const headers: UriParameter[] = [];
  if (headerText !== undefined) {
    for (const h of headerText.split('&')) {
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
  if (!/^\+[0-9\-.()]*$/.test(s)) return undefined;
  const digits = s.replace(PHONEDIGIT_SEPARATORS, '');
  return digits.length > 1 ? digits : undefined;
}

/**
 * telephone-subscriber (RFC 3966 §3): global-number / local-number with their parameters
 * (ext, isub, phone-context, other parameters).
 */
export function parseTelephoneSubscriber(s: string): TelephoneSubscriber | undefined {
  const [number, ...paramTexts] = s.split(';');
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
  const colon = text.indexOf(':');
  if (colon <= 0 || ALPHA[text.charCodeAt(0)] !== 1) return undefined;
  const scheme = text.slice(0, colon).toLowerCase();
  for (let i = 1; i < colon; i++) if (SCHEME[text.charCodeAt(i)] !== 1) return undefined;
  const rest = text.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest, text);
  if (scheme === 'tel') {
    if (!allEscaped(rest, URIC)) return undefined;
    const subscriber = parseTelephoneSubscriber(rest);
    return subscriber && { kind: 'tel', subscriber, text };
  }
  // absoluteURI = scheme ":" ( hier-part / opaque-part ), every char a uric (RFC 2396 §3).
  if (rest.length === 0 || scanEscaped(rest, 0, URIC) !== rest.length) return undefined;
  return { kind: 'absolute', scheme, text };
}

/** A SIP URI parameter value by case-insensitive name (RFC 3261 §19.1.4). */
export function uriParameter(uri: SipUri, name: string): UriParameter | undefined {
  const lower = name.toLowerCase();
  return uri.parameters.find((p) => unescape(p.name).toLowerCase() === lower);
}
