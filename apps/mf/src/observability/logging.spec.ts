import pino from 'pino';
import { Writable } from 'node:stream';
import { LOG_REDACT_PATHS } from './logging';

describe('log redaction', () => {
  it('replaces key material, tickets, passwords and SIP bodies, and keeps the rest', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino({ redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } }, sink);
    const secret = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    log.info(
      { session: { key: secret, salt: secret, callId: 'abc@host' }, password: secret },
      'keys',
    );
    log.info({ xk: { mikey: secret, ticket: secret, status: 'resolved' } }, 'xk');
    log.info({ req: { headers: { authorization: `Bearer ${secret}` } } }, 'http');
    const out = lines.join('');
    expect(out).not.toContain(secret);
    expect(out).toContain('abc@host');
    expect(out).toContain('resolved');
    expect(out.match(/\[redacted\]/g)).toHaveLength(6);
  });
});
