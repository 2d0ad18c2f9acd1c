import { Logger } from '@nestjs/common';

/** Records an X2 connection event in the audit log (actor `x2`). */
export type X2AuditFn = (
  action: string,
  outcome: 'success' | 'failure' | 'denied',
  object: string,
  details: Record<string, unknown>,
) => void;

/** Why the MF refused an X2 connection before it became an NE connection (metric outcomes). */
export type X2Refusal =
  | 'refused-tls'
  | 'refused-identity'
  | 'refused-capacity'
  | 'refused-handshake-timeout'
  | 'refused-handshake-capacity'
  | 'refused-address-capacity';

/** Addresses named one by one in a summary entry; the rest are only counted. */
const SUMMARY_ADDRESSES = 20;

/**
 * Audits and logs refused X2 connections without letting a flood flood the hash-chained audit
 * log (each entry is a database transaction on the ingest path). TS 103 221-2 leaves this open;
 * the choice here: the first refusal after a quiet period is audited on its own
 * (`x2.connection.refused`, denied, object = remote address); the refusals of the following
 * `intervalMs` are only counted, then audited as one `x2.connection.refused.summary` entry
 * (counts by reason and by remote address, the top 20 addresses named). A sustained flood thus
 * costs at most one audit entry and one log line per interval; the metric counts every refusal.
 */
export class X2RefusalAudit {
  private readonly log = new Logger('X2Listener');
  private window: NodeJS.Timeout | undefined;
  private since = new Date();
  private count = 0;
  private byReason = new Map<X2Refusal, number>();
  private byAddress = new Map<string, number>();

  constructor(
    private readonly audit: X2AuditFn,
    private readonly intervalMs: number,
  ) {}

  /**
   * One refused connection from `address` (no port: ports only split a flood into noise);
   * `detail` says why in words, `extra` goes into the audit entry only.
   */
  record(
    reason: X2Refusal,
    address: string,
    detail: string,
    extra: Record<string, unknown> = {},
  ): void {
    if (!this.window) {
      this.audit('x2.connection.refused', 'denied', address, { ...extra, reason, detail });
      this.log.warn(`X2 connection from ${address} refused (${reason}): ${detail}`);
      this.openWindow();
      return;
    }
    this.count++;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
  }

  /** Audits the refusals counted so far (shutdown) and stops the interval. */
  flush(): void {
    if (this.window) clearTimeout(this.window);
    this.window = undefined;
    this.summarise();
  }

  private openWindow(): void {
    this.since = new Date();
    this.window = setTimeout(() => {
      this.window = undefined;
      // Refusals during the interval: summarise them and keep counting; none: quiet again.
      if (this.summarise()) this.openWindow();
    }, this.intervalMs);
    this.window.unref();
  }

  private summarise(): boolean {
    if (this.count === 0) return false;
    const addresses = [...this.byAddress].sort((a, b) => b[1] - a[1]);
    const named = addresses.slice(0, SUMMARY_ADDRESSES);
    const details = {
      count: this.count,
      since: this.since.toISOString(),
      until: new Date().toISOString(),
      reasons: Object.fromEntries(this.byReason),
      addresses: Object.fromEntries(named),
      otherAddresses: addresses.length - named.length,
    };
    this.audit('x2.connection.refused.summary', 'denied', 'x2', details);
    this.log.warn(
      `${this.count} more X2 connections refused since ${details.since}: ${JSON.stringify(details.reasons)}`,
    );
    this.count = 0;
    this.byReason = new Map();
    this.byAddress = new Map();
    return true;
  }
}
