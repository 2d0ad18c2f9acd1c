/**
 * IRI record types of TS 33.108 (§B.3 IRI-Content choice; ARCHITECTURE.md §3.4) and the
 * per-session state machine that chooses them for IMS signalling (TS 33.107 §7A.3: every
 * intercepted SIP message of the target is reported).
 *
 * Choices where the standards leave room, written down:
 * - BEGIN: the initial INVITE (no To tag) of a Call-ID not seen before for this LIID.
 * - CONTINUE: every later message of a session: provisional and final responses, ACK, PRACK,
 *   UPDATE, re-INVITE, INFO, BYE, CANCEL, retransmissions and forked responses (each fork is
 *   a dialog, identified by its To tag).
 * - END: the message that ends the last dialog: the 2xx to BYE (or to the BYE of the last
 *   confirmed dialog when forks were confirmed), the final non-2xx response to the initial
 *   INVITE when no dialog was confirmed (this includes 487 after CANCEL), or the session timeout
 *   (no message for the configured time: an END without SIP message).
 * - REPORT: messages outside a session: out-of-dialog non-INVITE requests (REGISTER, MESSAGE,
 *   OPTIONS, SUBSCRIBE, NOTIFY, PUBLISH …) and their responses, and late messages for a session
 *   that already ended (retransmitted 200 to BYE, ACK of a non-2xx), so nothing is lost.
 */
export type IriType = 'BEGIN' | 'CONTINUE' | 'END' | 'REPORT';

/** The facts about one SIP message that the state machine needs (from libs/sip). */
export interface SipFacts {
  callId: string;
  /** Request method, or undefined for a response. */
  method?: string;
  /** Response status code, or undefined for a request. */
  status?: number;
  /** CSeq method (for responses: which request they answer). */
  cseqMethod: string;
  fromTag?: string;
  toTag?: string;
}

/** What the machine decided for one message. */
export interface IriDecision {
  type: IriType;
  /** True when this message opened a new session (a new CIN is needed). */
  opened: boolean;
  /** True when this message closed the session. */
  closed: boolean;
}

/** Mutable state of one session (LIID, Call-ID); persisted by the caller. */
export interface SessionState {
  phase: 'early' | 'confirmed' | 'ended';
  /**
   * To tags of dialogs confirmed by a 2xx to the INVITE and not yet ended by BYE. Replaced, never
   * changed in place: copies of a session share it, and sessions without a dialog share one.
   */
  openDialogs: readonly string[];
}

/** The dialogs of a session before its first 2xx (shared by all such sessions). */
export const NO_DIALOGS: readonly string[] = Object.freeze([]);

const isDialogCreating = (f: SipFacts) => f.method === 'INVITE' && !f.toTag;

/** A new session opens on an initial INVITE; anything else without a session is a REPORT. */
export function decideWithoutSession(f: SipFacts): { decision: IriDecision; state?: SessionState } {
  if (isDialogCreating(f)) {
    return {
      decision: { type: 'BEGIN', opened: true, closed: false },
      state: { phase: 'early', openDialogs: NO_DIALOGS },
    };
  }
  return { decision: { type: 'REPORT', opened: false, closed: false } };
}

/** Advances `s` for message `f` of an existing session; returns the IRI type for `f`. */
export function decideInSession(s: SessionState, f: SipFacts): IriDecision {
  const cont: IriDecision = { type: 'CONTINUE', opened: false, closed: false };
  const end: IriDecision = { type: 'END', opened: false, closed: true };
  if (s.phase === 'ended') return { type: 'REPORT', opened: false, closed: false };
  const status = f.status;
  if (status === undefined) return cont; // requests never end a session by themselves
  if (f.cseqMethod === 'INVITE') {
    if (status >= 200 && status < 300 && f.toTag) {
      if (!s.openDialogs.includes(f.toTag)) s.openDialogs = s.openDialogs.concat(f.toTag);
      s.phase = 'confirmed';
      return cont;
    }
    if (status >= 300 && s.phase === 'early') {
      s.phase = 'ended';
      return end;
    }
    return cont; // provisional, or a failed re-INVITE inside a confirmed dialog
  }
  if (f.cseqMethod === 'BYE' && status >= 200 && status < 300) {
    s.openDialogs = s.openDialogs.filter((t) => t !== f.toTag && t !== f.fromTag);
    if (s.openDialogs.length === 0) {
      s.phase = 'ended';
      return end;
    }
  }
  return cont;
}
