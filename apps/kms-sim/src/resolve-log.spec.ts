import { normalizeIdentity, sameIdentity } from './identity';
import { ResolveLog, type ResolveRecord } from './resolve-log';

const rec = (o: Partial<ResolveRecord>): ResolveRecord => ({
  at: 1000,
  responder: 'sip:bob@ims.example',
  initiator: 'sip:alice@ims.example',
  ticketDigest: 'd0',
  issuer: 'kms.ims.example',
  via: 'local',
  csbId: 1,
  csIds: [1, 2],
  randResolve: Buffer.alloc(16, 1),
  tgk: Buffer.alloc(32, 9),
  notBefore: 0,
  notAfter: 10_000,
  ...o,
});

describe('identity comparison', () => {
  it('drops display names, brackets, parameters and case', () => {
    expect(normalizeIdentity('"Alice" <SIP:Alice@IMS.example;user=phone>')).toBe(
      'sip:alice@ims.example',
    );
    expect(sameIdentity('sip:bob@x', '<sip:bob@x>;tag=1')).toBe(true);
    expect(sameIdentity('sips:bob@x', 'sip:bob@x')).toBe(false);
    expect(sameIdentity(undefined, 'sip:bob@x')).toBe(false);
  });
});

describe('ResolveLog', () => {
  const session = {
    initiatorUri: '<sip:alice@ims.example>',
    responderUri: 'sip:bob@ims.example',
    observedAt: 1000,
  };

  it('finds the latest resolve of a digest and never holds more than its bound', () => {
    const log = new ResolveLog(2);
    log.add(rec({ ticketDigest: 'x', csbId: 1 }));
    log.add(rec({ ticketDigest: 'x', csbId: 2 }));
    expect(log.byDigest('x')?.csbId).toBe(2);
    log.add(rec({ ticketDigest: 'y' }));
    expect(log.summaries()).toHaveLength(2);
    expect(JSON.stringify(log.summaries())).not.toContain('tgk');
  });

  it('matches a session by parties and time, preferring the CSB ID / RAND LI saw', () => {
    const log = new ResolveLog(10);
    log.add(rec({ at: 990, csbId: 7 })); // earlier call, closest in time
    log.add(rec({ at: 1500, csbId: 8, randInitiator: Buffer.alloc(16, 3) }));
    log.add(rec({ at: 1200, responder: 'sip:carol@ims.example', csbId: 9 }));
    expect(log.bySession(session, 10_000, { notBefore: 0 })).toMatchObject({
      record: { csbId: 8 },
      hinted: false,
    });
    expect(log.bySession(session, 10_000, { notBefore: 0, csbId: 7 })).toMatchObject({
      record: { csbId: 7 },
      hinted: true,
    });
    expect(
      log.bySession(session, 10_000, { notBefore: 0, rand: Buffer.alloc(16, 3) })?.record.csbId,
    ).toBe(8);
    expect(log.bySession(session, 100, { notBefore: 0 })?.record.csbId).toBe(7);
    expect(log.bySession(session, 10_000, { notBefore: 2000 })).toBeUndefined();
    expect(
      log.bySession({ ...session, responderUri: 'sip:dave@x' }, 10_000, { notBefore: 0 }),
    ).toBeUndefined();
  });
});
