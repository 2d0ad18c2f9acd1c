import type { PartyInput, TargetRole } from '@app/hi2';
import type { SipIdentity, SipMessage } from '@app/sip';

/**
 * Which side of the call the target is (ARCHITECTURE.md §3.4): originating when its
 * normalised identity is the From or a P-Asserted/P-Preferred-Identity of the message that
 * opened the session, terminating when it is the To, the Request-URI or the
 * P-Called-Party-ID (TS 24.229 §7.2A.4); unknown otherwise (e.g. an IMPI target).
 */
export function targetRole(sip: SipMessage, targetKey: string): TargetRole {
  const id = sip.identity;
  const is = (i: SipIdentity | undefined) => i?.key === targetKey;
  if (is(id.from) || id.pAssertedIdentities.some(is) || id.pPreferredIdentities.some(is))
    return 'originating';
  if (is(id.to) || is(id.requestUri) || is(id.pCalledPartyId)) return 'terminating';
  return 'unknown';
}

function party(role: PartyInput['role'], i: SipIdentity): PartyInput {
  return /^tel:/i.test(i.uri) ? { role, telUrl: i.uri } : { role, sipUri: i.uri };
}

/**
 * PartyInformation of an IRI (TS 101 671): the originating party as asserted by the network
 * (first P-Asserted-Identity, else From) and the terminating party (P-Called-Party-ID, else
 * To), as written in the message.
 */
export function partiesOf(sip: SipMessage): PartyInput[] {
  const id = sip.identity;
  return [
    party('originating', id.pAssertedIdentities[0] ?? id.from),
    party('terminating', id.pCalledPartyId ?? id.to),
  ];
}
