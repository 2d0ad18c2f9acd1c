import { ImsEvent, Initiator } from '@app/hi2';
import { sdesCall } from '../ue';
import type { IriView } from './iri-view';
import { judgeCall, LAB_CALLS, LAB_TARGET, type AuditFact } from './lab-calls';

const BOB = 'sip:bob@ims.example';

/** The records a correct MF delivers for an SDES call of the target, as an LEA decodes them. */
function sdesRecords(call: ReturnType<typeof sdesCall>): IriView[] {
  const lines = ['INVITE', '180', '200', 'ACK', 'BYE', '200'];
  return lines.map((startLine, i) => ({
    type: i === 0 ? 'BEGIN' : i === lines.length - 1 ? 'END' : 'CONTINUE',
    cin: '7',
    initiator: Initiator.originatingTarget,
    parties: { originating: call.initiator, terminating: call.responder },
    imsEvent: ImsEvent.unfilteredSIPmessage,
    callId: call.callId,
    startLine,
    keys:
      i === 0 || i === 2
        ? [
            {
              csId: 1,
              masterKey: call.keys[i / 2].masterKey,
              masterSalt: call.keys[i / 2].masterSalt,
            },
          ]
        : [],
    failureIndication: false,
  }));
}

describe('lab verdict of a call', () => {
  const plan = LAB_CALLS[0];
  const call = sdesCall({ initiator: LAB_TARGET, responder: BOB });
  const audit: AuditFact[] = [
    { action: 'session.begin', object: 'cin/7', outcome: 'success' },
    { action: 'session.end', object: 'cin/7', outcome: 'success' },
  ];

  it('holds for what a correct MF delivers', () => {
    const v = judgeCall(plan, call, 'tls', sdesRecords(call), audit);
    expect(v).toMatchObject({ ok: true, problems: [], keysDelivered: 2, keysMatch: true });
  });

  it.each([
    [
      'a key that differs from the UE key',
      (rs: IriView[]) => {
        rs[0].keys[0].masterKey = Buffer.alloc(16);
      },
      "keys on HI2 differ from the UEs' SRTP keys",
    ],
    [
      'a missing END',
      (rs: IriView[]) => {
        rs.pop();
      },
      'IRI types BEGIN CONTINUE CONTINUE CONTINUE CONTINUE, expected BEGIN CONTINUE CONTINUE CONTINUE CONTINUE END',
    ],
    [
      'the wrong direction',
      (rs: IriView[]) => {
        rs[3].initiator = Initiator.terminatingTarget;
      },
      'ACK: initiator 2, expected 1',
    ],
    [
      'swapped parties',
      (rs: IriView[]) => {
        rs[2].parties = { originating: BOB, terminating: LAB_TARGET };
      },
      `200: parties ${BOB} → ${LAB_TARGET}`,
    ],
    [
      'an unexpected failure indication',
      (rs: IriView[]) => {
        rs[1].failureIndication = true;
      },
      'mediaSecFailureIndication present',
    ],
  ])('fails for %s', (_what, spoil, problem) => {
    const rs = sdesRecords(call);
    spoil(rs);
    const v = judgeCall(plan, call, 'ftps', rs, audit);
    expect(v.ok).toBe(false);
    expect(v.problems).toContain(problem);
  });

  it('fails when an expected audit entry is missing', () => {
    const v = judgeCall(plan, call, 'tls', sdesRecords(call), audit.slice(0, 1));
    expect(v.problems).toEqual(['no audit entry session.end']);
  });
});
