import {
  decideInSession,
  decideWithoutSession,
  IriType,
  SessionState,
  SipFacts,
} from './iri-state-machine';

/** Runs a call flow through the machine and returns the IRI type of each message. */
function run(flow: Array<Omit<SipFacts, 'callId'>>): IriType[] {
  let state: SessionState | undefined;
  return flow.map((m) => {
    const f = { callId: 'c1', ...m };
    if (!state) {
      const r = decideWithoutSession(f);
      state = r.state;
      return r.decision.type;
    }
    return decideInSession(state, f).type;
  });
}

const INVITE = { method: 'INVITE', cseqMethod: 'INVITE', fromTag: 'a' };
const r = (status: number, cseqMethod: string, toTag?: string) => ({
  status,
  cseqMethod,
  fromTag: 'a',
  toTag,
});

describe('IRI state machine', () => {
  it('basic call: BEGIN, CONTINUE …, END on the 200 to BYE, REPORT afterwards', () => {
    expect(
      run([
        INVITE,
        r(100, 'INVITE'),
        r(180, 'INVITE', 'b'),
        r(200, 'INVITE', 'b'),
        { method: 'ACK', cseqMethod: 'ACK', fromTag: 'a', toTag: 'b' },
        { method: 'BYE', cseqMethod: 'BYE', fromTag: 'b', toTag: 'a' },
        { status: 200, cseqMethod: 'BYE', fromTag: 'b', toTag: 'a' },
        { status: 200, cseqMethod: 'BYE', fromTag: 'b', toTag: 'a' },
      ]),
    ).toEqual([
      'BEGIN',
      'CONTINUE',
      'CONTINUE',
      'CONTINUE',
      'CONTINUE',
      'CONTINUE',
      'END',
      'REPORT',
    ]);
  });

  it('retransmitted INVITE and re-INVITE stay CONTINUE', () => {
    expect(
      run([
        INVITE,
        INVITE,
        r(200, 'INVITE', 'b'),
        { ...INVITE, toTag: 'b' },
        r(491, 'INVITE', 'b'),
        r(200, 'INVITE', 'b'),
      ]),
    ).toEqual(['BEGIN', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'CONTINUE']);
  });

  it('CANCEL flow ends on the 487 to the INVITE', () => {
    expect(
      run([
        INVITE,
        r(180, 'INVITE', 'b'),
        { method: 'CANCEL', cseqMethod: 'CANCEL', fromTag: 'a' },
        r(200, 'CANCEL', 'b'),
        r(487, 'INVITE', 'b'),
      ]),
    ).toEqual(['BEGIN', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'END']);
  });

  it('a non-2xx final response to the initial INVITE ends the session', () => {
    expect(run([INVITE, r(486, 'INVITE', 'b')])).toEqual(['BEGIN', 'END']);
  });

  it('forked call with two confirmed dialogs ends only when both are released', () => {
    expect(
      run([
        INVITE,
        r(180, 'INVITE', 'b1'),
        r(180, 'INVITE', 'b2'),
        r(200, 'INVITE', 'b1'),
        r(200, 'INVITE', 'b2'),
        r(200, 'BYE', 'b2'),
        { status: 200, cseqMethod: 'BYE', fromTag: 'b1', toTag: 'a' },
      ]),
    ).toEqual(['BEGIN', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'CONTINUE', 'END']);
  });

  it('a BYE that is refused does not end the session', () => {
    expect(run([INVITE, r(200, 'INVITE', 'b'), r(481, 'BYE', 'b'), r(200, 'BYE', 'b')])).toEqual([
      'BEGIN',
      'CONTINUE',
      'CONTINUE',
      'END',
    ]);
  });

  it('out-of-dialog requests and stray responses are REPORTs without a session', () => {
    for (const f of [
      { callId: 'x', method: 'MESSAGE', cseqMethod: 'MESSAGE' },
      { callId: 'x', method: 'REGISTER', cseqMethod: 'REGISTER' },
      { callId: 'x', status: 200, cseqMethod: 'OPTIONS' },
      { callId: 'x', method: 'INVITE', cseqMethod: 'INVITE', toTag: 'late' },
    ]) {
      expect(decideWithoutSession(f)).toEqual({
        decision: { type: 'REPORT', opened: false, closed: false },
      });
    }
  });
});
