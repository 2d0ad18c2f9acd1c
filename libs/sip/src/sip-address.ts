import {
  TOKEN,
  decimal,
  isNamed,
  isWsp,
  scan,
  scanQuotedString,
  skipWsp,
  utf8Text,
} from './sip-grammar';
import { Uri, isHost, parseUri } from './sip-uri';

/** generic-param = token [ EQUAL gen-value ]; gen-value = token / host / quoted-string. */
export interface GenericParam {
  name: string;
  /** Unquoted value (quoted-pairs resolved, UTF-8 decoded); absent for a bare name. */
  value?: string;
  quoted?: boolean;
}

/** name-addr / addr-spec with header parameters (RFC 3261 §20.10, §20.20, §20.39, §25.1). */
export interface SipAddress {
  /** Display name as text: the quoted-string content, or the tokens as written. */
  displayName?: string;
  uri: Uri;
  /** Whether the URI was enclosed in "<" ">" (name-addr form). */
  bracketed: boolean;
  parameters: GenericParam[];
}

export interface AddressGrammar {
  /** Comma-separated list allowed (Contact, Route, P-Asserted-Identity ...). */
  list: boolean;
  /** Only name-addr allowed (Route, Record-Route, P-Called-Party-ID). */
  nameAddrOnly?: boolean;
  /** Header parameters allowed (false for P-Asserted-Identity, RFC 3325 §9.1). */
  parameters: boolean;
}

/** Thrown inside the value parsers; the message parser turns it into a SipParseError. */
export class GrammarError extends Error {}

export const fail = (what: string): never => {
  throw new GrammarError(what);
};

/**
 * Parses generic-params after an element: *( SEMI generic-param ). `valueChars` is the set of
 * an unquoted value (token by default; Via adds ":" for via-received = IPv6address, §25.1).
 */
export function parseGenericParams(
  s: string,
  i: number,
  out: GenericParam[],
  valueChars: Uint8Array = TOKEN,
): number {
  for (;;) {
    // SEMI = SWS ";" SWS, EQUAL = SWS "=" SWS; whitespace is rare, so it is tested before a
    // skip is called.
    let j = i;
    if (isWsp(s.charCodeAt(j))) j = skipWsp(s, j);
    if (s.charCodeAt(j) !== 0x3b) return i;
    let k = j + 1;
    if (isWsp(s.charCodeAt(k))) k = skipWsp(s, k);
    const nameEnd = scan(s, k, TOKEN);
    if (nameEnd === k) fail('empty parameter');
    const name = s.slice(k, nameEnd);
    k = nameEnd;
    if (isWsp(s.charCodeAt(k))) k = skipWsp(s, k);
    if (s.charCodeAt(k) !== 0x3d) {
      out.push({ name });
      i = nameEnd;
      continue;
    }
    k++;
    if (isWsp(s.charCodeAt(k))) k = skipWsp(s, k);
    const c = s.charCodeAt(k);
    if (c === 0x22) {
      const q = scanQuotedString(s, k);
      if (!q) fail('unterminated quoted parameter value');
      out.push({ name, value: utf8Text(q!.text), quoted: true });
      i = q!.end;
    } else if (c === 0x5b) {
      const close = s.indexOf(']', k);
      const host = close < 0 ? '' : s.slice(k, close + 1);
      if (!isHost(host)) fail('bad IPv6 reference in parameter');
      out.push({ name, value: host });
      i = close + 1;
    } else {
      const end = scan(s, k, valueChars);
      if (end === k) fail('empty parameter value');
      out.push({ name, value: s.slice(k, end) });
      i = end;
    }
  }
}

/** ";", ",", SP and HTAB end an addr-spec (§20.10: URIs with them must be in <>). */
const isAddrSpecEnd = (c: number): boolean => c === 0x3b || c === 0x2c || isWsp(c);

/** Parses one address at `start` into `out`; returns the position after it and its SWS. */
function parseOneAddress(
  s: string,
  start: number,
  grammar: AddressGrammar,
  out: SipAddress[],
): number {
  // Whitespace is rare: it is tested for before a skip is called (see parseGenericParams).
  let i = isWsp(s.charCodeAt(start)) ? skipWsp(s, start) : start;
  let displayName: string | undefined;
  let bracketed = false;
  if (s.charCodeAt(i) === 0x22) {
    const q = scanQuotedString(s, i);
    if (!q) fail('unterminated quoted display name');
    displayName = utf8Text(q!.text);
    i = skipWsp(s, q!.end);
    if (s.charCodeAt(i) !== 0x3c) fail('quoted display name not followed by <');
    bracketed = true;
  } else {
    // display-name = *(token LWS): tokens up to "<" (RFC 4475 §3.1.1.6: LWS before "<" optional)
    let j = i;
    for (;;) {
      const t = scan(s, j, TOKEN);
      if (t === j) break;
      j = skipWsp(s, t);
    }
    if (s.charCodeAt(j) === 0x3c) {
      if (j > i) displayName = s.slice(i, j).trimEnd();
      i = j;
      bracketed = true;
    }
  }
  let uri: Uri | undefined;
  if (bracketed) {
    const close = s.indexOf('>', i);
    if (close < 0) fail('missing >');
    const text = s.slice(i + 1, close);
    // LAQUOT = SWS "<" and RAQUOT = ">" SWS: no whitespace inside the brackets.
    uri = parseUri(text);
    if (!uri) fail('bad URI in name-addr');
    i = close + 1;
  } else {
    if (grammar.nameAddrOnly) fail('URI must be enclosed in <>');
    let end = i;
    while (end < s.length && !isAddrSpecEnd(s.charCodeAt(end))) end++;
    const text = s.slice(i, end);
    // §20.10: a URI with a comma, question mark or semicolon must be in <> (addr-spec ends here)
    if (text.includes('?')) fail('URI with headers must be enclosed in <>');
    uri = parseUri(text);
    if (!uri) fail('bad URI in addr-spec');
    i = end;
  }
  const parameters: GenericParam[] = [];
  i = parseGenericParams(s, i, parameters);
  if (parameters.length > 0 && !grammar.parameters) fail('parameters not allowed');
  out.push({ displayName, uri: uri!, bracketed, parameters });
  return isWsp(s.charCodeAt(i)) ? skipWsp(s, i) : i;
}

/** Parses a From/To/Contact/Route style header value into addresses. */
export function parseAddresses(value: string, grammar: AddressGrammar): SipAddress[] {
  const out: SipAddress[] = [];
  let i = 0;
  for (;;) {
    const next = parseOneAddress(value, i, grammar, out);
    if (next === value.length) return out;
    if (value.charCodeAt(next) !== 0x2c || !grammar.list) fail('unexpected text after address');
    i = next + 1;
  }
}

/**
 * Contact parameters (RFC 3261 §20.10): expires = delta-seconds (0..2^32-1, RFC 3261 §25.1),
 * q = qvalue ("0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ]).
 */
export function checkContactParams(params: readonly GenericParam[]): void {
  for (const p of params) {
    if (
      isNamed(p.name, 'expires') &&
      (p.value === undefined || decimal(p.value, 2 ** 32 - 1) === undefined)
    ) {
      fail('contact expires out of range');
    }
    if (
      isNamed(p.name, 'q') &&
      (p.value === undefined || !/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(p.value))
    ) {
      fail('bad qvalue');
    }
  }
}

/** Header parameter by case-insensitive name. */
export function param(params: readonly GenericParam[], name: string): GenericParam | undefined {
  const lower = name.toLowerCase();
  return params.find((p) => p.name.toLowerCase() === lower);
}
