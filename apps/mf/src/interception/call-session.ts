import type { TargetRole } from '@app/hi2';
import type { SessionState } from './iri-state-machine';

/** One intercepted session (LIID, Call-ID): its CIN, IRI state and target side. */
export interface CallSession extends SessionState {
  liid: string;
  callId: string;
  /** Communication Identity Number (TS 102 232-1), the IRI↔IRI and IRI↔CC correlation. */
  cin: number;
  initiator: TargetRole;
  xid: string;
  startedAt: Date;
  lastEventAt: Date;
  endedAt?: Date;
}

/** Map key of a session. */
export const sessionKey = (liid: string, callId: string) => `${liid}\u0000${callId}`;
