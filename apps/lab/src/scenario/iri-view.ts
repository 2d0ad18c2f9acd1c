import { decodeEpsIriContent, PartyQualifier, recordParts, type IriRecordType } from '@app/hi2';
import { parseSipMessage, SipParseError } from '@app/sip';
import type { ReceivedSnapshot } from '../lea/received-log';

/** Keys of one crypto session as an LEA found them in mediaDecryption-info (TS 33.108 CCKeyInfo). */
export interface DeliveredKey {
  /** cCCSID: the MIKEY CS ID or the SDES crypto tag, as an unsigned integer. */
  csId: number;
  masterKey: Buffer;
  masterSalt?: Buffer;
}

/** What an LEA can read from one received IRI record (decoded with libs/hi2). */
export interface IriView {
  type: IriRecordType;
  /** Session correlation: imsVoIP [57] iMS-IRI, the CIN as ASCII digits. */
  cin?: string;
  /** initiator [4]: 0 not available, 1 originating target, 2 terminating target. */
  initiator?: number;
  parties: { originating?: string; terminating?: string };
  /** iMSevent [29]. */
  imsEvent?: number;
  /** Call-ID and first line of sIPMessage [30], when it holds a SIP message. */
  callId?: string;
  startLine?: string;
  keys: DeliveredKey[];
  /** mediaSecFailureIndication [50] present. */
  failureIndication: boolean;
}

const PARTY_ROLES = new Map<number, 'originating' | 'terminating'>([
  [PartyQualifier.originatingParty, 'originating'],
  [PartyQualifier.terminatingParty, 'terminating'],
]);

const uint = (b: Buffer): number => b.reduce((v, o) => v * 256 + o, 0);

function sipFacts(raw: Buffer | undefined): Pick<IriView, 'callId' | 'startLine'> {
  if (!raw) return {};
  const startLine = raw.toString('utf8').split('\r\n', 1)[0];
  try {
    return { callId: parseSipMessage(raw).callId, startLine };
  } catch (e) {
    if (e instanceof SipParseError) return { startLine };
    throw e;
  }
}

/** Decodes every record an LEA received, in the order received. */
export function iriViews(snapshot: ReceivedSnapshot): IriView[] {
  return snapshot.records.map((r) => {
    const { kind, parameters: p } = recordParts(decodeEpsIriContent(Buffer.from(r.ber, 'base64')));
    const parties: IriView['parties'] = {};
    for (const party of p.partyInformation ?? []) {
      const id = party.partyIdentity.sipUri ?? party.partyIdentity.telUrl;
      const role = PARTY_ROLES.get(party.partyQualifier);
      if (id && role) parties[role] = id.toString('utf8');
    }
    const cin = p.imsVoIP?.[0]?.imsIri;
    return {
      type: kind,
      ...(cin ? { cin: cin.toString('ascii') } : {}),
      ...(p.initiator !== undefined ? { initiator: p.initiator } : {}),
      parties,
      ...(p.iMSevent !== undefined ? { imsEvent: p.iMSevent } : {}),
      ...sipFacts(p.sIPMessage),
      keys: (p.mediaDecryptionInfo ?? []).map((k) => ({
        csId: uint(k.cCCSID),
        masterKey: k.cCDecKey,
        ...(k.cCSalt ? { masterSalt: k.cCSalt } : {}),
      })),
      failureIndication: p.mediaSecFailureIndication !== undefined,
    };
  });
}

/**
 * The records of one call: the session (CIN) whose BEGIN carries the call's Call-ID, and every
 * record correlated to it, in the order received. Empty while the BEGIN has not arrived.
 */
export function callRecords(views: readonly IriView[], callId: string): IriView[] {
  const cin = views.find((v) => v.type === 'BEGIN' && v.callId === callId)?.cin;
  return cin === undefined ? [] : views.filter((v) => v.cin === cin);
}
