import { createHash } from 'node:crypto';

/** Outcome of an audited action. */
export type AuditOutcome = 'success' | 'failure' | 'denied' | 'dropped' | 'alarm';

/** What a caller records; the chain fields are added by the audit service. */
export interface AuditRecord {
  actor: string;
  action: string;
  object?: string | null;
  liid?: string | null;
  outcome: AuditOutcome;
  /** Free-form context; never key material, tickets, passwords or SIP bodies. */
  details?: Record<string, unknown> | null;
}

/** One stored entry of the chain. `at` is UTC ISO-8601 with milliseconds. */
export interface ChainedAuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  object: string | null;
  liid: string | null;
  outcome: AuditOutcome;
  details: string | null;
  prevHash: string;
  hash: string;
}

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical form of an entry: a JSON array of its fields in a fixed order, so that the
 * hash does not depend on property order or on the database engine.
 */
export function canonicalEntry(e: Omit<ChainedAuditEntry, 'prevHash' | 'hash'>): string {
  return JSON.stringify([e.seq, e.at, e.actor, e.action, e.object, e.liid, e.outcome, e.details]);
}

/** hash = SHA-256(previous hash ‖ canonical entry), hex. */
export function chainHash(
  prevHash: string,
  e: Omit<ChainedAuditEntry, 'prevHash' | 'hash'>,
): string {
  return createHash('sha256').update(prevHash).update(canonicalEntry(e)).digest('hex');
}

/** Where verification first found the chain broken. */
export interface ChainBreak {
  seq: number;
  reason: 'hash-mismatch' | 'prev-hash-mismatch' | 'sequence-gap';
}

/**
 * Checks a run of entries in seq order that follows `prevHash` / `prevSeq` (the genesis
 * values for the start of the log). Returns the first break, or null.
 */
export function verifyChain(
  entries: Iterable<ChainedAuditEntry>,
  prevHash = GENESIS_HASH,
  prevSeq = 0,
): ChainBreak | null {
  for (const e of entries) {
    if (e.seq !== prevSeq + 1) return { seq: e.seq, reason: 'sequence-gap' };
    if (e.prevHash !== prevHash) return { seq: e.seq, reason: 'prev-hash-mismatch' };
    if (chainHash(e.prevHash, e) !== e.hash) return { seq: e.seq, reason: 'hash-mismatch' };
    prevHash = e.hash;
    prevSeq = e.seq;
  }
  return null;
}
