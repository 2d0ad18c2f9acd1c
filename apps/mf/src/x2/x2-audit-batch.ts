import type { AuditRecord } from '../audit/audit-chain';
import type { X2AuditFn } from './x2-refusal-audit';

/**
 * The X2 listener's audit (actor `x2`), appended in batches: the entries recorded while the
 * previous batch commits, or within one event-loop turn, go into one transaction
 * (AuditService.appendMany). A burst of connection events — 200 slow-loris connections
 * reaching their PDU deadline together — then costs a few commits, not 200 (each a blocking
 * fsync with SQLite, during which no NE is served). Entries keep their order; fire and forget,
 * as the listener's audit always was (a failed append loses its batch).
 */
export function batchedX2Audit(
  appendMany: (records: AuditRecord[]) => Promise<unknown>,
): X2AuditFn {
  let pending: AuditRecord[] = [];
  let flushing = false;
  const flush = async () => {
    flushing = true;
    while (pending.length) {
      const records = pending;
      pending = [];
      await appendMany(records).catch(() => undefined);
    }
    flushing = false;
  };
  return (action, outcome, object, details) => {
    pending.push({ actor: 'x2', action, outcome, object, details });
    if (!flushing && pending.length === 1) setImmediate(() => void flush());
  };
}
