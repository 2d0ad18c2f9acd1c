import { canonicalIpv6 } from '@app/x2';
import { GenericParam, SipAddress } from './sip-address';
import { USER, isNamed, scan, unescape } from './sip-grammar';
import { CSeqValue } from './sip-header-values';
import {
  TelephoneSubscriber,
  Uri,
  parseTelephoneSubscriber,
  parseUri,
  uriParameter,
} from './sip-uri';

/** One identity seen in a message, with the key it is matched by. */
export interface SipIdentity {
  /** The URI as written in the message. */
  uri: string;
  /** Normalised identity (see identityKey), undefined for URIs that name no identity. */
  key?: string;
  displayName?: string;
}

/** The identities and dialog identifiers of one message, for target matching and HI2. */
export interface SipIdentitySummary {
  requestUri?: SipIdentity;
  from: SipIdentity & { tag?: string };
  to: SipIdentity & { tag?: string };
  pAssertedIdentities: SipIdentity[];
  pPreferredIdentities: SipIdentity[];
  pCalledPartyId?: SipIdentity;
  contacts: SipIdentity[];
  callId: string;
  cseq: CSeqValue;
  /** branch of the topmost Via (RFC 3261 §8.1.1.7), the transaction identifier. */
  topViaBranch?: string;
}

function telKey(t: TelephoneSubscriber): string {
  const ext = t.extension ? `;ext=${t.extension}` : '';
  return t.global ? `tel:${t.digits}${ext}` : `tel:${t.digits}${ext};phone-context=${t.context}`;
}

/** Re-escapes a binary string with %HH for every octet outside `user` (upper-case hex). */
function canonicalEscape(binary: string): string {
  if (scan(binary, 0, USER) === binary.length) return binary;
  let out = '';
  for (let i = 0; i < binary.length; i++) {
    const c = binary.charCodeAt(i);
    out += USER[c] === 1 ? binary[i] : `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Normalised identity of a URI, equal for URIs that name the same subscriber:
 * - tel: (RFC 3966 §4, §5.1.1): "tel:" + digits without visual separators ("+49-30-123456" →
 *   "tel:+4930123456"); local numbers keep their phone-context; ";ext=" is kept, other
 *   parameters (isub, ...) are not part of the identity.
 * - sip:/sips: with user=phone (RFC 3261 §19.1.1, §19.1.6): the user part is a
 *   telephone-subscriber and the key is its tel: key, so that tel:+4930123456 matches
 *   sip:+49-30-123456@ims.example;user=phone. Without user=phone the user part is a user
 *   name, even when it looks like a number (RFC 3261 §19.1.1).
 * - other sip:/sips: URIs: "sip:" + user@host. The user part is case-sensitive and compared
 *   after %HH unescaping; the host is case-insensitive (RFC 3261 §19.1.4). Port, parameters
 *   and headers are not part of the identity. sips: maps to sip: — chosen because it is the
 *   same address-of-record; §19.1.4 keeps them distinct only for routing.
 * - other schemes: lower-case scheme, rest as written.
 */
export function identityKey(uri: Uri): string | undefined {
  if (uri.kind === 'tel') return telKey(uri.subscriber);
  if (uri.kind === 'absolute') {
    const colon = uri.text.indexOf(':');
    return `${uri.scheme}:${uri.text.slice(colon + 1)}`;
  }
  const userParam = uri.user === undefined ? undefined : uriParameter(uri, 'user')?.value;
  if (uri.user !== undefined && userParam !== undefined && isNamed(unescape(userParam), 'phone')) {
    const subscriber = parseTelephoneSubscriber(unescape(uri.user));
    if (subscriber) return telKey(subscriber);
  }
  let host = uri.host.toLowerCase();
  if (host.charCodeAt(host.length - 1) === 0x2e) host = host.slice(0, -1);
  if (host.charCodeAt(0) === 0x5b) host = `[${normaliseIpv6(host.slice(1, -1))}]`;
  if (uri.user === undefined) return `sip:${host}`;
  return `sip:${canonicalEscape(unescape(uri.user))}@${host}`;
}

/** RFC 5952 text of a valid IPv6 address (isHost checked it when the URI was parsed). */
function normaliseIpv6(text: string): string {
  return canonicalIpv6(text) ?? text.toLowerCase();
}

/** identityKey of a URI given as text (e.g. a warrant target), undefined if it is no URI. */
export function identityKeyOfText(text: string): string | undefined {
  const uri = parseUri(text.trim());
  return uri && identityKey(uri);
}

/** Whether two URIs (text or parsed) name the same identity (see identityKey). */
export function identitiesMatch(a: string | Uri, b: string | Uri): boolean {
  const ka = typeof a === 'string' ? identityKeyOfText(a) : identityKey(a);
  const kb = typeof b === 'string' ? identityKeyOfText(b) : identityKey(b);
  return ka !== undefined && ka === kb;
}

/** SipIdentity of an address header value. */
export function identityOf(address: SipAddress): SipIdentity {
  return { uri: address.uri.text, key: identityKey(address.uri), displayName: address.displayName };
}

/** tag parameter (RFC 3261 §19.3) of From/To. */
export function tagOf(params: readonly GenericParam[]): string | undefined {
  for (const p of params) if (isNamed(p.name, 'tag')) return p.value;
  return undefined;
}
