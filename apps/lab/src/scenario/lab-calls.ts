import { ImsEvent, Initiator, type IriRecordType } from '@app/hi2';
import type { TicketWorld } from '../ticket-world';
import { mikeyDhCall, sdesCall, ticketCall, type SimulatedCall, type SrtpStreamKeys } from '../ue';
import type { DeliveredKey, IriView } from './iri-view';

/** The lab's warrant target; bob and carol are other subscribers of the same operator. */
export const LAB_TARGET = 'sip:alice@ims.example';
const BOB = 'sip:bob@ims.example';
const CAROL = 'sip:carol@ims.example';

/** What LI should deliver for a call (ARCHITECTURE.md §3.5, §5; seeds 000, 001, 003). */
export interface CallExpectation {
  /** The target's side of the call → IRI initiator [4]. */
  targetRole: 'originating' | 'terminating';
  /** Where the keys on HI2 come from: the SDP (SDES), the KMS over Xk, or nowhere. */
  keys: 'sdp' | 'kms' | 'none';
  /** mediaSecFailureIndication [50] on some record of the call. */
  failureIndication: boolean;
  /** A CONTINUE of its own carries the Xk outcome (keys or failure), besides the SIP ones. */
  xkRecord: boolean;
  /** Audit actions that must exist for the call (by its CIN or its Call-ID). */
  audit: string[];
}

/** One call of the lab scenario. */
export interface LabCallPlan {
  name: string;
  expect: CallExpectation;
  /** The UEs send a few seconds of SRTP media, reported on X3 for the `decrypted` warrant. */
  media?: boolean;
  make(world: TicketWorld): Promise<SimulatedCall>;
}

const SESSION_AUDIT = ['session.begin', 'session.end'];

/**
 * The lab's calls, each with what the standards make LI deliver for it:
 * - SDES: the keys are in the SDP (seed 003) → mediaDecryption-info on the INVITE and 200 OK IRIs.
 * - MIKEY-TICKET with the target as initiator and as responder: keys from the KMS over Xk
 *   (TS 33.107 §7A.7.1) → a CONTINUE with decryptionKeysAvailable.
 * - Ticket altered before the LI point (seed 000): the KMS answers with the keys of the
 *   terminal's own resolve and signallingIntact=false → keys delivered and a tampering alarm.
 * - Another user's ticket in the target's INVITE (seed 001, DoS): TARGET_MISMATCH → a CONTINUE
 *   with mediaSecFailureIndication and an alarm.
 * - MIKEY-DH (RFC 3830 §3.3): the CSP cannot obtain the keys (seed 003) → failure indication.
 */
export const LAB_CALLS: readonly LabCallPlan[] = [
  {
    name: 'SDES, target calls',
    media: true,
    expect: {
      targetRole: 'originating',
      keys: 'sdp',
      failureIndication: false,
      xkRecord: false,
      audit: SESSION_AUDIT,
    },
    make: () => Promise.resolve(sdesCall({ initiator: LAB_TARGET, responder: BOB })),
  },
  {
    name: 'MIKEY-TICKET, target initiator',
    media: true,
    expect: {
      targetRole: 'originating',
      keys: 'kms',
      failureIndication: false,
      xkRecord: true,
      audit: [...SESSION_AUDIT, 'xk.keys'],
    },
    make: (w) => ticketCall({ initiator: w.ue(LAB_TARGET), responder: w.ue(BOB) }),
  },
  {
    name: 'MIKEY-TICKET, target responder',
    media: true,
    expect: {
      targetRole: 'terminating',
      keys: 'kms',
      failureIndication: false,
      xkRecord: true,
      audit: [...SESSION_AUDIT, 'xk.keys'],
    },
    make: (w) => ticketCall({ initiator: w.ue(BOB), responder: w.ue(LAB_TARGET) }),
  },
  {
    name: 'MIKEY-TICKET, ticket tampered',
    expect: {
      targetRole: 'originating',
      keys: 'kms',
      failureIndication: false,
      xkRecord: true,
      audit: [...SESSION_AUDIT, 'xk.keys', 'alarm.signalling-tampered'],
    },
    make: (w) =>
      ticketCall({ initiator: w.ue(LAB_TARGET), responder: w.ue(BOB), tamperAtLi: 'ticket' }),
  },
  {
    name: 'MIKEY-TICKET, unrelated ticket (DoS)',
    expect: {
      targetRole: 'originating',
      keys: 'none',
      failureIndication: true,
      xkRecord: true,
      audit: [...SESSION_AUDIT, 'alarm.target-mismatch'],
    },
    make: async (w) => {
      const other = await ticketCall({ initiator: w.ue(CAROL), responder: w.ue(BOB) });
      return ticketCall({
        initiator: w.ue(LAB_TARGET),
        responder: w.ue(BOB),
        injectAtLi: other.mikey!.init,
      });
    },
  },
  {
    name: 'MIKEY-DH',
    expect: {
      targetRole: 'originating',
      keys: 'none',
      failureIndication: true,
      xkRecord: false,
      audit: [...SESSION_AUDIT, 'keys.undecryptable'],
    },
    make: () => Promise.resolve(mikeyDhCall({ initiator: LAB_TARGET, responder: BOB })),
  },
];

/** An audit entry as the auditor API returns it (the fields the verdict needs). */
export interface AuditFact {
  action: string;
  object: string | null;
  outcome: string;
}

/** The verdict on one call as one LEA received it. */
export interface CallVerdict {
  call: string;
  lea: string;
  iriTypes: IriRecordType[];
  keysDelivered: number;
  /** Keys on HI2 equal the SRTP keys both UEs used; undefined when no keys are expected. */
  keysMatch?: boolean;
  failureIndication: boolean;
  /** Alarm audit actions of the call. */
  alarms: string[];
  problems: string[];
  ok: boolean;
}

/** The IRI types of a basic call: INVITE BEGIN, 180/200/ACK/BYE CONTINUE, 200 (BYE) END, plus the Xk CONTINUE. */
export function expectedIriTypes(e: CallExpectation): IriRecordType[] {
  return [
    'BEGIN',
    'CONTINUE',
    'CONTINUE',
    'CONTINUE',
    ...(e.xkRecord ? (['CONTINUE'] as const) : []),
    'CONTINUE',
    'END',
  ];
}

type KeyTriple = { csId: number; masterKey: Buffer; masterSalt?: Buffer };
const keyText = (k: KeyTriple): string =>
  `${k.csId}/${k.masterKey.toString('hex')}/${k.masterSalt?.toString('hex') ?? ''}`;
const keySet = (ks: readonly KeyTriple[]): string[] => ks.map(keyText).sort();
const ueKey = (k: SrtpStreamKeys): KeyTriple => ({
  csId: k.csId ?? k.cryptoTag ?? 0,
  masterKey: k.masterKey,
  masterSalt: k.masterSalt,
});

/** True when the keys on HI2 are exactly the SRTP master keys and salts both UEs derived. */
export function keysMatchUes(call: SimulatedCall, delivered: readonly DeliveredKey[]): boolean {
  const want = keySet(call.keys.map(ueKey));
  const both = want.join() === keySet(call.responderKeys.map(ueKey)).join();
  return both && want.length > 0 && keySet(delivered).join() === want.join();
}

/**
 * Judges one call as one LEA received it: IRI types in order, direction and parties on every
 * record carrying SIP, the keys (equal to the UEs' SRTP keys, or none), the failure indication,
 * the Xk record's IMS event, and the audit entries of the session.
 */
export function judgeCall(
  plan: LabCallPlan,
  call: SimulatedCall,
  lea: string,
  records: readonly IriView[],
  audit: readonly AuditFact[],
): CallVerdict {
  const e = plan.expect;
  const problems: string[] = [];
  const iriTypes = records.map((r) => r.type);
  const want = expectedIriTypes(e);
  if (iriTypes.join() !== want.join())
    problems.push(`IRI types ${iriTypes.join(' ') || 'none'}, expected ${want.join(' ')}`);
  const initiator =
    e.targetRole === 'originating' ? Initiator.originatingTarget : Initiator.terminatingTarget;
  const sipRecords = records.filter((r) => r.callId !== undefined);
  for (const r of sipRecords) {
    if (r.callId !== call.callId) problems.push(`foreign Call-ID in ${r.type}`);
    if (r.initiator !== (initiator as number))
      problems.push(`${r.startLine}: initiator ${r.initiator ?? 'absent'}, expected ${initiator}`);
    if (r.parties.originating !== call.initiator || r.parties.terminating !== call.responder)
      problems.push(
        `${r.startLine}: parties ${r.parties.originating ?? '-'} → ${r.parties.terminating ?? '-'}`,
      );
  }
  const xkRecords = records.filter((r) => r.callId === undefined && r.type === 'CONTINUE');
  if (e.keys === 'kms' && !xkRecords.some((r) => r.imsEvent === ImsEvent.decryptionKeysAvailable))
    problems.push('no CONTINUE with IMS event decryptionKeysAvailable');
  const delivered = records.flatMap((r) => r.keys);
  let keysMatch: boolean | undefined;
  if (e.keys === 'none') {
    if (delivered.length) problems.push(`${delivered.length} keys delivered, expected none`);
  } else {
    keysMatch = keysMatchUes(call, delivered);
    if (!keysMatch) problems.push("keys on HI2 differ from the UEs' SRTP keys");
  }
  const failureIndication = records.some((r) => r.failureIndication);
  if (failureIndication !== e.failureIndication)
    problems.push(`mediaSecFailureIndication ${failureIndication ? 'present' : 'absent'}`);
  const cin = records.find((r) => r.cin !== undefined)?.cin;
  const mine = audit.filter((a) => a.object === `cin/${cin}` || a.object === `call/${call.callId}`);
  for (const action of e.audit)
    if (!mine.some((a) => a.action === action)) problems.push(`no audit entry ${action}`);
  return {
    call: plan.name,
    lea,
    iriTypes,
    keysDelivered: delivered.length,
    ...(keysMatch !== undefined ? { keysMatch } : {}),
    failureIndication,
    alarms: [...new Set(mine.filter((a) => a.outcome === 'alarm').map((a) => a.action))],
    problems,
    ok: problems.length === 0,
  };
}
