import type { PartyInput, TargetRole } from '@app/hi2';
import type { SipIdentity, SipMessage } from '@app/sip';

/**
 * P-Asserted-Identity / P-Preferred-Identity carry "the identity of the user sending a SIP
 * message" (RFC 3325 §9.1, §9.2): the caller in a request of the caller, the answering user in
 * a response. So in a response they name the terminating side, not the originating one.
 */
function assertedIdentities(sip: SipMessage): SipIdentity[] {
  return [...sip.identity.pAssertedIdentities, ...sip.identity.pPreferredIdentities];
}

/**
 * Which side of the call the target is (ARCHITECTURE.md §3.4): originating when its
 * normalised identity is the From (or, in a request, a P-Asserted/P-Preferred-Identity);
 * terminating when it is the To, the Request-URI, the P-Called-Party-ID (TS 24.229 §7.2A.4)
 * or, in a response, the asserted identity of the answering user; unknown otherwise (e.g. an
 * IMPI target).
 */
export function targetRole(sip: SipMessage, targetKey: string): TargetRole {
  const id = sip.identity;
  const is = (i: SipIdentity | undefined) => i?.key === targetKey;
  const asserted = assertedIdentities(sip).some(is);
  const request = sip.kind === 'request';
  if (is(id.from) || (request && asserted)) return 'originating';
  if (is(id.to) || is(id.requestUri) || is(id.pCalledPartyId) || (!request && asserted))
    return 'terminating';
  return 'unknown';
}

function party(role: PartyInput['role'], i: SipIdentity): PartyInput {
  return /^tel:/i.test(i.uri) ? { role, telUrl: i.uri } : { role, sipUri: i.uri };
}

/**
 * PartyInformation of an IRI (TS 101 671): the originating and the terminating party as
 * asserted by the network where it says so, as written in the message otherwise. In a request:
 * originating = first P-Asserted-Identity, else From; terminating = P-Called-Party-ID, else To.
 * In a response: originating = From; terminating = the answering user's first
 * P-Asserted-Identity (RFC 3325 §9.1), else P-Called-Party-ID, else To.
 */
export function partiesOf(sip: SipMessage): PartyInput[] {
  const id = sip.identity;
  const asserted = sip.identity.pAssertedIdentities[0];
  if (sip.kind === 'request') {
    return [
      party('originating', asserted ?? id.from),
      party('terminating', id.pCalledPartyId ?? id.to),
    ];
  }
  return [
    party('originating', id.from),
    party('terminating', asserted ?? id.pCalledPartyId ?? id.to),
  ];
}
