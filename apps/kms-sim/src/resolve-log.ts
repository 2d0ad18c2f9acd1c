import { normalizeIdentity } from './identity';

/**
 * One ticket resolve by a terminal (RFC 6043 §4.3), as the KMS records it so that Xk can
 * answer from what the terminal itself resolved (seed 000). Holds the keys: memory only.
 */
export interface ResolveRecord {
  /** When the KMS answered the resolve (ms since epoch). */
  at: number;
  /** The responder that resolved (authenticated IDRr). */
  responder: string;
  /** The initiator named in the ticket. */
  initiator: string;
  /** Ticket id when this KMS issued the ticket; absent when it was resolved over Zk. */
  ticketId?: string;
  /** SHA-256 of the Ticket Data the terminal sent. */
  ticketDigest: string;
  /** The KMS that issued the ticket. */
  issuer: string;
  /** `local`: issued here; `zk-in`: a peer KMS resolved it here for its user; `zk-out`: resolved at the issuer via Zk. */
  via: 'local' | 'zk-in' | 'zk-out';
  /** The peer KMS on the Zk hop, if any. */
  peer?: string;
  csbId: number;
  csIds: number[];
  /** RAND of the TRANSFER_INIT (RANDRi of the RESOLVE_INIT), used for the TEK derivation. */
  randInitiator?: Buffer;
  /** RAND of the RESOLVE_INIT itself. */
  randResolve: Buffer;
  tgk: Buffer;
  notBefore: number;
  notAfter: number;
}

/** The non-secret part of a record, for logs, audits and tests. */
export type ResolveSummary = Omit<ResolveRecord, 'tgk' | 'randInitiator' | 'randResolve'> & {
  randInitiator?: string;
  randResolve: string;
};

/** What Xk knows of the session it asks about (ARCHITECTURE.md §5 `session`). */
export interface SessionKey {
  initiatorUri: string;
  responderUri: string;
  observedAt: number;
}

/**
 * The resolves this KMS answered, bounded to `max` records (oldest dropped). Lookup by ticket
 * digest, or by the session identities for a ticket that LI saw modified (seed 000).
 */
export class ResolveLog {
  private readonly records: ResolveRecord[] = [];

  constructor(private readonly max: number) {}

  add(r: ResolveRecord): void {
    this.records.push(r);
    if (this.records.length > this.max) this.records.splice(0, this.records.length - this.max);
  }

  /** Latest resolve of the ticket with this digest. */
  byDigest(digest: string): ResolveRecord | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) {
      if (this.records[i].ticketDigest === digest) return this.records[i];
    }
    return undefined;
  }

  /**
   * The resolve of the session's parties (ticket initiator and resolving responder) that best
   * fits what LI saw: within `windowMs` of `observedAt` and not before `notBefore` (a terminal
   * resolves after the INVITE passed the LI point); preferring the same CSB ID and RAND, then a
   * resolve after `observedAt`, then the closest in time. `hinted` says whether the CSB ID or
   * the RAND matched.
   */
  bySession(
    s: SessionKey,
    windowMs: number,
    hints: { notBefore: number; csbId?: number; rand?: Buffer },
  ): { record: ResolveRecord; hinted: boolean } | undefined {
    const ini = normalizeIdentity(s.initiatorUri);
    const res = normalizeIdentity(s.responderUri);
    const score = (r: ResolveRecord): [number, number, number] => [
      (r.csbId === hints.csbId ? 2 : 0) +
        (hints.rand && r.randInitiator?.equals(hints.rand) ? 2 : 0),
      r.at >= s.observedAt ? 1 : 0,
      -Math.abs(r.at - s.observedAt),
    ];
    let best: { record: ResolveRecord; score: [number, number, number] } | undefined;
    for (const r of this.records) {
      if (Math.abs(r.at - s.observedAt) > windowMs || r.at < hints.notBefore) continue;
      if (normalizeIdentity(r.initiator) !== ini || normalizeIdentity(r.responder) !== res)
        continue;
      const sc = score(r);
      if (
        !best ||
        sc[0] > best.score[0] ||
        (sc[0] === best.score[0] &&
          (sc[1] > best.score[1] || (sc[1] === best.score[1] && sc[2] > best.score[2])))
      ) {
        best = { record: r, score: sc };
      }
    }
    return best && { record: best.record, hinted: best.score[0] > 0 };
  }

  summaries(): ResolveSummary[] {
    return this.records.map(({ tgk: _k, randInitiator, randResolve, ...rest }) => ({
      ...rest,
      ...(randInitiator ? { randInitiator: randInitiator.toString('hex') } : {}),
      randResolve: randResolve.toString('hex'),
    }));
  }
}
