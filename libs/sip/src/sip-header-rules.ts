import { AddressGrammar, checkContactParams, parseAddresses } from './sip-address';
import {
  checkExtensionValue,
  checkText,
  parseAccept,
  parseAuthorization,
  parseCSeq,
  parseCallId,
  parseContentLength,
  parseDate,
  parseDeltaSeconds,
  parseMaxForwards,
  parseMediaType,
  parseRetryAfter,
  parseTokenList,
  parseVia,
  parseWarning,
} from './sip-header-values';

/**
 * Compact header names (RFC 3261 §7.3.3 and §20; RFC 6665 §8.2.1 Event "o" / Allow-Events "u";
 * RFC 3515 Refer-To "r"; RFC 3892 Referred-By "b"; RFC 3841 Accept-Contact "a", Reject-Contact
 * "j", Request-Disposition "d"; RFC 4028 Session-Expires "x"; RFC 8224 Identity "y").
 */
export const COMPACT_HEADER_NAMES: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  u: 'allow-events',
  r: 'refer-to',
  b: 'referred-by',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
  x: 'session-expires',
  y: 'identity',
};

/** Lower-case full header name of a received name (compact forms expanded). */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT_HEADER_NAMES[lower] ?? lower;
}

/** How one known header is checked, and whether it may occur more than once. */
export interface HeaderRule {
  /**
   * May appear in several header rows: its value is a comma-separated list, or it is one of
   * the authorization headers RFC 3261 §7.3.1 allows to repeat.
   */
  repeatable: boolean;
  check: (binaryValue: string) => unknown;
}

const addresses = (grammar: AddressGrammar) => (v: string) => parseAddresses(v, grammar);
const single = (check: (v: string) => unknown): HeaderRule => ({ repeatable: false, check });
const list = (check: (v: string) => unknown): HeaderRule => ({ repeatable: true, check });
const ONE_ADDRESS: AddressGrammar = { list: false, parameters: true };

/**
 * Grammar-checked headers (RFC 3261 §20, §25.1; RFC 3325 §9.1 P-Asserted-Identity and
 * P-Preferred-Identity: name-addr / addr-spec without parameters; RFC 3455 §4.2
 * P-Called-Party-ID: name-addr with generic parameters). Every other header is an
 * extension-header whose value must be TEXT-UTF8 / LWS (RFC 3261 §25.1).
 */
export const HEADER_RULES: Readonly<Record<string, HeaderRule>> = {
  via: list(parseVia),
  from: single(addresses(ONE_ADDRESS)),
  to: single(addresses(ONE_ADDRESS)),
  contact: list((v) => {
    if (v.trim() === '*') return '*';
    const list = parseAddresses(v, { list: true, parameters: true });
    list.forEach((a) => checkContactParams(a.parameters));
    return list;
  }),
  route: list(addresses({ list: true, nameAddrOnly: true, parameters: true })),
  'record-route': list(addresses({ list: true, nameAddrOnly: true, parameters: true })),
  'reply-to': single(addresses(ONE_ADDRESS)),
  'p-asserted-identity': list(addresses({ list: true, parameters: false })),
  'p-preferred-identity': list(addresses({ list: true, parameters: false })),
  'p-called-party-id': single(addresses({ list: false, nameAddrOnly: true, parameters: true })),
  'call-id': single(parseCallId),
  cseq: single(parseCSeq),
  'max-forwards': single(parseMaxForwards),
  'content-length': single(parseContentLength),
  'content-type': single(parseMediaType),
  expires: single((v) => parseDeltaSeconds(v, 'Expires')),
  'min-expires': single((v) => parseDeltaSeconds(v, 'Min-Expires')),
  date: single(parseDate),
  'retry-after': single(parseRetryAfter),
  warning: list(parseWarning),
  require: list((v) => parseTokenList(v, false)),
  'proxy-require': list((v) => parseTokenList(v, false)),
  unsupported: list((v) => parseTokenList(v, false)),
  supported: list((v) => parseTokenList(v, true)),
  allow: list((v) => parseTokenList(v, true)),
  'content-encoding': list((v) => parseTokenList(v, false)),
  accept: list(parseAccept),
  authorization: list(parseAuthorization),
  'proxy-authorization': list(parseAuthorization),
  'www-authenticate': list(parseAuthorization),
  'proxy-authenticate': list(parseAuthorization),
  subject: single(checkText),
};

/** Rule for extension headers: header-value = *(TEXT-UTF8char / UTF8-CONT / LWS). */
export const EXTENSION_HEADER_RULE: HeaderRule = list(checkExtensionValue);
