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
  // Own properties only: "constructor" or "__proto__" are header names, not compact forms.
  return Object.hasOwn(COMPACT_HEADER_NAMES, lower) ? COMPACT_HEADER_NAMES[lower] : lower;
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
 * Grammar-checked headers, spelled as RFC 3261 §20 spells them (RFC 3261 §20, §25.1; RFC 3325
 * §9.1 P-Asserted-Identity and P-Preferred-Identity: name-addr / addr-spec without
 * parameters; RFC 3455 §4.2 P-Called-Party-ID: name-addr with generic parameters). Every other
 * header is an extension-header whose value must be TEXT-UTF8 / LWS (RFC 3261 §25.1).
 */
const HEADER_RULES: Readonly<Record<string, HeaderRule>> = {
  Via: list(parseVia),
  From: single(addresses(ONE_ADDRESS)),
  To: single(addresses(ONE_ADDRESS)),
  Contact: list((v) => {
    if (v.trim() === '*') return '*';
    const list = parseAddresses(v, { list: true, parameters: true });
    list.forEach((a) => checkContactParams(a.parameters));
    return list;
  }),
  Route: list(addresses({ list: true, nameAddrOnly: true, parameters: true })),
  'Record-Route': list(addresses({ list: true, nameAddrOnly: true, parameters: true })),
  'Reply-To': single(addresses(ONE_ADDRESS)),
  'P-Asserted-Identity': list(addresses({ list: true, parameters: false })),
  'P-Preferred-Identity': list(addresses({ list: true, parameters: false })),
  'P-Called-Party-ID': single(addresses({ list: false, nameAddrOnly: true, parameters: true })),
  'Call-ID': single(parseCallId),
  CSeq: single(parseCSeq),
  'Max-Forwards': single(parseMaxForwards),
  'Content-Length': single(parseContentLength),
  'Content-Type': single(parseMediaType),
  Expires: single((v) => parseDeltaSeconds(v, 'Expires')),
  'Min-Expires': single((v) => parseDeltaSeconds(v, 'Min-Expires')),
  Date: single(parseDate),
  'Retry-After': single(parseRetryAfter),
  Warning: list(parseWarning),
  Require: list((v) => parseTokenList(v, false)),
  'Proxy-Require': list((v) => parseTokenList(v, false)),
  Unsupported: list((v) => parseTokenList(v, false)),
  Supported: list((v) => parseTokenList(v, true)),
  Allow: list((v) => parseTokenList(v, true)),
  'Content-Encoding': list((v) => parseTokenList(v, false)),
  Accept: list(parseAccept),
  Authorization: list(parseAuthorization),
  'Proxy-Authorization': list(parseAuthorization),
  'WWW-Authenticate': list(parseAuthorization),
  'Proxy-Authenticate': list(parseAuthorization),
  Subject: single(checkText),
};

/** Rule for extension headers: header-value = *(TEXT-UTF8char / UTF8-CONT / LWS). */
const EXTENSION_HEADER_RULE: HeaderRule = list(checkExtensionValue);

/** A received header name resolved: its canonical name and how its value is checked. */
export interface HeaderKind {
  canonicalName: string;
  rule: HeaderRule;
  /**
   * Index of a grammar-checked header in a message's parsed values (see CHECKED_HEADER_COUNT),
   * -1 for extension headers, whose checked values nobody reads.
   */
  slot: number;
}

const CHECKED = Object.keys(HEADER_RULES);
/** Number of grammar-checked headers, the size of a message's parsed-values table. */
export const CHECKED_HEADER_COUNT = CHECKED.length;
const CHECKED_KINDS = new Map<string, HeaderKind>(
  CHECKED.map((spelled, slot) => {
    const canonicalName = spelled.toLowerCase();
    return [canonicalName, { canonicalName, rule: HEADER_RULES[spelled], slot }];
  }),
);

function kindOf(canonicalName: string): HeaderKind {
  return (
    CHECKED_KINDS.get(canonicalName) ?? { canonicalName, rule: EXTENSION_HEADER_RULE, slot: -1 }
  );
}

/**
 * Extension headers of IMS call signalling (3GPP TS 24.229 §7.2; RFC 4028 Session-Expires and
 * Min-SE; RFC 3261 §20 User-Agent, Server; RFC 3323 Privacy), resolved in advance like the
 * checked ones.
 */
const COMMON_EXTENSION_HEADERS = [
  'Session-Expires',
  'Min-SE',
  'User-Agent',
  'Server',
  'Privacy',
  'P-Access-Network-Info',
  'P-Charging-Vector',
  'P-Charging-Function-Addresses',
  'P-Visited-Network-ID',
  'P-Early-Media',
  'Accept-Contact',
  'RSeq',
  'RAck',
  'Reason',
];

/**
 * Kinds of received names resolved in advance: the names as spelled above, in lower case,
 * and the compact forms in either case. Other names are case-folded when received.
 */
const KNOWN_NAMES = new Map<string, HeaderKind>();
for (const name of [
  ...CHECKED,
  ...COMMON_EXTENSION_HEADERS,
  ...Object.keys(COMPACT_HEADER_NAMES).map((c) => c.toUpperCase()),
]) {
  for (const spelling of [name, name.toLowerCase()]) {
    KNOWN_NAMES.set(spelling, kindOf(canonicalHeaderName(spelling)));
  }
}

/** How a header with this received name is checked (compact forms and case folded). */
export function headerKind(name: string): HeaderKind {
  return KNOWN_NAMES.get(name) ?? kindOf(canonicalHeaderName(name));
}

/** Slot of a grammar-checked header by canonical name (see HeaderKind.slot). */
export function headerSlot(canonicalName: string): number {
  const kind = CHECKED_KINDS.get(canonicalName);
  if (!kind) throw new Error(`${canonicalName} is not a grammar-checked header`);
  return kind.slot;
}
