import { randomUUID } from 'node:crypto';
import { parseXkAnswer, parseXkKeyRequest, XkKeyRequest, XkProtocolError } from './xk-messages';

const request = (): XkKeyRequest => ({
  requestId: randomUUID(),
  target: { kmsIdentity: 'sip:alice@ims.example', role: 'initiator' },
  session: {
    callId: 'a84b4c76e66710@pc33.ims.example',
    initiatorUri: 'sip:alice@ims.example',
    responderUri: 'sip:bob@ims.example',
    observedAt: '2026-11-23T10:00:00.123Z',
  },
  mikey: Buffer.from([1, 26, 1, 0]).toString('base64'),
});

describe('Xk key request', () => {
  it('accepts a well-formed request unchanged', () => {
    const r = request();
    expect(parseXkKeyRequest(JSON.parse(JSON.stringify(r)))).toEqual(r);
  });

  it.each([
    ['an unknown role', (r: any) => (r.target.role = 'kms'), 'target.role'],
    ['a missing Call-ID', (r: any) => delete r.session.callId, 'session.callId'],
    ['MIKEY that is not base64', (r: any) => (r.mikey = 'not base64!'), 'mikey: must be base64'],
    ['a request id that is not a UUID', (r: any) => (r.requestId = '42'), 'requestId'],
    ['an extra field', (r: any) => (r.keys = []), 'Unrecognized key'],
    [
      'a local time without offset',
      (r: any) => (r.session.observedAt = '2026-11-23T10:00:00'),
      'observedAt',
    ],
  ])('refuses %s, naming the field', (_name, mutate, expected) => {
    const r = request();
    mutate(r);
    expect(() => parseXkKeyRequest(r)).toThrow(XkProtocolError);
    expect(() => parseXkKeyRequest(r)).toThrow(expected);
  });

  it('does not echo values in the error', () => {
    const r = request() as any;
    r.mikey = 'SECRET$$';
    try {
      parseXkKeyRequest(r);
      throw new Error('expected a failure');
    } catch (e) {
      expect((e as Error).message).not.toContain('SECRET');
    }
  });
});

describe('Xk answers', () => {
  const id = randomUUID();
  const resolved = {
    requestId: id,
    status: 'resolved',
    source: 'terminal-resolve',
    signallingIntact: false,
    csbId: 0x12345678,
    rand: Buffer.alloc(16, 7).toString('base64'),
    keys: [{ csId: 1, kind: 'TGK', key: Buffer.alloc(16, 1).toString('base64') }],
    validity: { notBefore: '2026-11-23T10:00:00Z', notAfter: '2026-11-23T11:00:00Z' },
  };

  it('reads a 200 as resolved', () => {
    expect(parseXkAnswer(200, resolved)).toEqual({ kind: 'resolved', body: resolved });
  });

  it('reads a 202 as pending', () => {
    expect(parseXkAnswer(202, { status: 'pending', retryAfterMs: 500 })).toEqual({
      kind: 'pending',
      body: { status: 'pending', retryAfterMs: 500 },
    });
  });

  it('reads a 409 TARGET_MISMATCH', () => {
    expect(parseXkAnswer(409, { requestId: id, error: 'TARGET_MISMATCH' })).toEqual({
      kind: 'error',
      status: 409,
      body: { requestId: id, error: 'TARGET_MISMATCH' },
    });
  });

  it('refuses an error code sent with the wrong status, a 200 without keys, and a CS ID > 255', () => {
    expect(() => parseXkAnswer(404, { error: 'TARGET_MISMATCH' })).toThrow('does not match');
    expect(() => parseXkAnswer(200, { ...resolved, keys: [] })).toThrow('keys');
    expect(() =>
      parseXkAnswer(200, { ...resolved, keys: [{ csId: 256, kind: 'TEK', key: 'AAAA' }] }),
    ).toThrow('keys.0.csId');
  });
});
