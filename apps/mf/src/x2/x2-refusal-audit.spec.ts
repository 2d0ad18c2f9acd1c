import { Logger } from '@nestjs/common';
import { X2RefusalAudit } from './x2-refusal-audit';

describe('X2RefusalAudit', () => {
  const entries: Array<{ action: string; object: string; details: Record<string, unknown> }> = [];
  let refusals: X2RefusalAudit;

  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    entries.length = 0;
    refusals = new X2RefusalAudit((action, _o, object, details) => {
      entries.push({ action, object, details });
    }, 60_000);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('audits the first refusal at once and the rest of a flood as one summary per interval', () => {
    refusals.record('refused-tls', '192.0.2.1', 'ERR_SSL_X: no certificate', { identities: [] });
    expect(entries).toEqual([
      {
        action: 'x2.connection.refused',
        object: '192.0.2.1',
        details: { reason: 'refused-tls', detail: 'ERR_SSL_X: no certificate', identities: [] },
      },
    ]);
    for (let i = 0; i < 500; i++) {
      refusals.record(
        i % 2 ? 'refused-handshake-timeout' : 'refused-address-capacity',
        `192.0.2.${i % 30}`,
        'x',
      );
    }
    expect(entries).toHaveLength(1);
    jest.advanceTimersByTime(60_000);
    expect(entries).toHaveLength(2);
    const summary = entries[1];
    expect(summary).toMatchObject({
      action: 'x2.connection.refused.summary',
      object: 'x2',
      details: {
        count: 500,
        reasons: { 'refused-handshake-timeout': 250, 'refused-address-capacity': 250 },
        otherAddresses: 10,
      },
    });
    expect(Object.keys(summary.details.addresses as object)).toHaveLength(20);
    // Still flooding: the next interval is summarised too, not audited one by one.
    refusals.record('refused-tls', '192.0.2.9', 'x');
    jest.advanceTimersByTime(60_000);
    expect(entries.map((e) => e.action)).toEqual([
      'x2.connection.refused',
      'x2.connection.refused.summary',
      'x2.connection.refused.summary',
    ]);
    expect(entries[2].details).toMatchObject({ count: 1, addresses: { '192.0.2.9': 1 } });
  });

  it('audits the next refusal at once after a quiet interval, and flushes the count on shutdown', () => {
    refusals.record('refused-tls', '192.0.2.1', 'x');
    jest.advanceTimersByTime(120_000);
    refusals.record('refused-identity', '192.0.2.2', 'NE identity not allowed');
    refusals.record('refused-identity', '192.0.2.2', 'NE identity not allowed');
    expect(entries.map((e) => e.object)).toEqual(['192.0.2.1', '192.0.2.2']);
    refusals.flush();
    expect(entries[2]).toMatchObject({
      action: 'x2.connection.refused.summary',
      details: { count: 1, reasons: { 'refused-identity': 1 } },
    });
    expect(jest.getTimerCount()).toBe(0);
  });
});
