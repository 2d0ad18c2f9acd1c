import type { CryptoSessionKeys, PreciseTime } from '@app/hi2';
import { encodeCcPayload, PayloadDirection } from '@app/hi2';
import type { SessionDescription } from '@app/sip';
import {
  unwrapX3Pdu,
  X2AttributeError,
  X2AttributeType,
  X2PayloadDirection,
  X3MediaError,
  type X2Pdu,
  type X3Media,
} from '@app/x2';
import type { EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { AuditRecord } from '../audit/audit-chain';
import type { CcOutboxItem } from '../handover/outbox/outbox-writer';
import { KeyPairMap } from '../interception/key-pair-map';
import type { KeyManagementStep } from '../keys/key-management-plan';
import type { DbOutageRetry } from '../persistence/db-outage';
import type { ActiveTask, XidLookup } from '../warrants/task-registry';
import type { X2PduSink, X2Source } from '../x2/x2-connection';
import { contentMetrics as m } from './content-metrics';
import { MediaSession } from './media-session';

/** What the interception pipeline tells the content path about a session, after it committed. */
export interface MediaObservation {
  task: ActiveTask;
  callId: string;
  cin: number;
  xid: string;
  /** The X2 PDU's Correlation ID (TS 103 221-2 §5.2.6), hex; X2 and X3 of a session share it. */
  correlationId?: string;
  sdp?: SessionDescription;
  steps?: readonly KeyManagementStep[];
  closed?: boolean;
}

export interface ContentPorts {
  /** Runs a commit, again while the database is briefly unavailable (DB_OUTAGE_MAX_MS). */
  db: Pick<DbOutageRetry, 'transaction'>;
  tasks: { lookupXid(xid: string, at: Date): XidLookup };
  outbox: { enqueueCc(em: EntityManager, items: readonly CcOutboxItem[]): Promise<unknown> };
  audit: AuditService;
  /** Media held until its session or keys are known: at most this old and this many octets. */
  pending: { maxMs: number; maxBytes: number };
}

/** An X3 packet the path could unwrap, with what the PDU said about it. */
interface X3Packet {
  xid: string;
  correlationId: string;
  direction: PayloadDirection;
  interceptedAt: PreciseTime;
  media: X3Media;
  receivedAt: number;
}

/** Audit entries of one run, aggregated by (action, LIID, object, reason). */
class AuditBatch {
  private readonly entries = new Map<string, AuditRecord & { details: { count: number } }>();

  add(
    action: string,
    outcome: AuditRecord['outcome'],
    object: string,
    liid: string | null,
    details: Record<string, unknown>,
  ): void {
    const k = [action, object, liid, JSON.stringify(details)].join('\u0000');
    const e = this.entries.get(k);
    if (e) e.details.count++;
    else
      this.entries.set(k, {
        actor: 'x3',
        action,
        object,
        liid,
        outcome,
        details: { ...details, count: 1 },
      });
  }

  get records(): AuditRecord[] {
    return [...this.entries.values()];
  }
}

/**
 * The content path (issue 9): X3 PDUs (TS 103 221-2 PDU type 2; payload formats RTP packet,
 * IPv4/IPv6 packet with UDP/RTP, unwrapped by libs/x2) → session → SRTP decryption (libs/srtp) →
 * one HI3 CC record per packet in the outbox, delivered over TLS as TS 102 232-1 PS-PDUs with a
 * TS 102 232-5 IPMMCC payload, the session's LIID and CIN and a CC sequence of their own.
 *
 * - Correlation: XID + Correlation ID of the X2 PDUs of the session; else a session of the same
 *   XID whose SDP endpoints (c= address, m= port) are the packet's UDP source or destination.
 * - Mode `keys`: packets go as received (the LEA decrypts with mediaDecryption-info from HI2).
 * - Mode `decrypted`: authenticated packets go decrypted; a packet that does not authenticate
 *   (tampered, wrong key) goes exactly as received, still encrypted, and is counted
 *   (`mf_x3_packets_total{outcome="unauthenticated"}`) and audited (`x3.srtp.unauthenticated`,
 *   per session and failure, with the count). No key leaves the MF.
 * - Held media: packets without a session yet, or (mode decrypted) whose keys are not known yet,
 *   wait in memory, at most `pending.maxMs` and `pending.maxBytes` (oldest first out). When the
 *   keys come they are decrypted; when time or room runs out, a correlated packet goes as
 *   received (audited `x3.keys.not-in-time`; a failed key request has already put
 *   mediaSecFailureIndication on HI2), an uncorrelated one is dropped (counted, audited
 *   `x3.uncorrelated`). Held packets are acknowledged to the NE before they are durable: a
 *   restart loses them (bounded by the two limits). Everything else is committed before the
 *   PDUs are accepted, like X2.
 * - RTCP goes as received (SRTCP is not decrypted).
 */
export class ContentPipeline implements X2PduSink {
  /** By LIID and Call-ID. */
  private readonly sessions = new KeyPairMap<MediaSession>();
  /** By XID and Correlation ID. */
  private readonly byCorrelation = new KeyPairMap<MediaSession>();
  private held: X3Packet[] = [];
  private heldBytes = 0;
  private running: Promise<void> = Promise.resolve();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly ports: ContentPorts) {}

  /** Starts the sweep of held media (every quarter of `pending.maxMs`, at most 1 s). */
  start(): void {
    const every = Math.max(10, Math.min(1000, Math.floor(this.ports.pending.maxMs / 4)));
    this.sweeper = setInterval(
      () => void this.enqueue((out) => this.sweep(out)).catch(commitFailed),
      every,
    );
    this.sweeper.unref();
  }

  /** Stops the sweep and waits for the work under way. Held media is lost (see above). */
  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    await this.running.catch(() => undefined);
  }

  submit(pdus: X2Pdu[], _source: X2Source): Promise<void> {
    return this.enqueue((out) => {
      for (const pdu of pdus) this.ingest(pdu, out);
    });
  }

  /** Session facts from the interception pipeline (after their X2 event committed). */
  observe(observations: readonly MediaObservation[]): Promise<void> {
    for (const o of observations) {
      let s = this.sessions.get(o.task.warrant.liid, o.callId);
      if (!s) {
        s = new MediaSession(o.task, o.callId, o.cin, o.xid);
        this.sessions.set(s.liid, s.callId, s);
      }
      if (o.correlationId !== undefined)
        this.byCorrelation.set(o.xid, s.addCorrelationId(o.correlationId), s);
      if (o.sdp) s.addSdp(o.sdp, o.steps ?? []);
      if (o.closed) s.endedAt ??= Date.now();
    }
    return this.enqueue((out) => this.retryHeld(out)).catch(commitFailed);
  }

  /** Keys from Xk for a session in mode `decrypted` (KeyRetrieval). */
  keysKept(liid: string, callId: string, keys: readonly CryptoSessionKeys[]): Promise<void> {
    const s = this.sessions.get(liid, callId);
    if (!s) return Promise.resolve();
    s.addTicketKeys(keys);
    return this.enqueue((out) => {
      for (const u of s.takeUnusableKeys())
        out.audits.add('x3.keys.unusable', 'failure', `cin/${s.cin}`, s.liid, { reason: u });
      this.retryHeld(out);
    }).catch(commitFailed);
  }

  /** The key request of a session failed: its held media goes as received. */
  keysFailed(liid: string, callId: string): Promise<void> {
    this.sessions.get(liid, callId)?.keysFailed();
    return this.enqueue((out) => this.retryHeld(out)).catch(commitFailed);
  }

  /** Waits until everything submitted so far is committed (tests, shutdown). */
  async drain(): Promise<void> {
    await this.running.catch(() => undefined);
  }

  get heldPackets(): number {
    return this.held.length;
  }

  /** Runs `work` after the previous run and commits its output in one transaction. */
  private enqueue(work: (out: RunOutput) => void): Promise<void> {
    const done = this.running.then(async () => {
      const out: RunOutput = { items: [], audits: new AuditBatch() };
      work(out);
      this.evictEnded();
      m.pendingBytes.set(this.heldBytes);
      const audits = out.audits.records;
      if (!out.items.length && !audits.length) return;
      await this.ports.db.transaction('content.commit', async (em) => {
        if (out.items.length) await this.ports.outbox.enqueueCc(em, out.items);
        for (const a of audits) await this.ports.audit.append(a, em);
      });
    });
    this.running = done.catch(() => undefined);
    return done;
  }

  private retryHeld(out: RunOutput): void {
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const p of held) this.route(p, out);
  }

  /** Releases held media that is too old, then the oldest while over the octet limit. */
  private sweep(out: RunOutput): void {
    const { maxMs, maxBytes } = this.ports.pending;
    const now = Date.now();
    while (
      this.held.length &&
      (now - this.held[0].receivedAt >= maxMs || this.heldBytes > maxBytes)
    ) {
      const p = this.held.shift()!;
      this.heldBytes -= p.media.packet.length;
      this.release(p, out);
    }
  }

  private ingest(pdu: X2Pdu, out: RunOutput): void {
    const lookup = this.ports.tasks.lookupXid(pdu.xid, new Date());
    if (lookup.status !== 'active') {
      return this.drop(
        out,
        `xid-${lookup.status}`,
        pdu.xid,
        'task' in lookup ? lookup.task.warrant.liid : null,
      );
    }
    let media: X3Media;
    try {
      media = unwrapX3Pdu(pdu);
    } catch (e) {
      if (!(e instanceof X3MediaError) && !(e instanceof X2AttributeError)) throw e;
      return this.drop(out, `malformed-${e.code}`, pdu.xid, lookup.task.warrant.liid);
    }
    this.route(
      {
        xid: pdu.xid,
        correlationId: pdu.correlationId.toString('hex'),
        direction: direction(pdu.payloadDirection),
        interceptedAt: interceptionTime(pdu),
        media,
        receivedAt: Date.now(),
      },
      out,
    );
  }

  /** Delivers a packet now, or holds it until its session or keys are known. */
  private route(p: X3Packet, out: RunOutput): void {
    const s = this.correlate(p);
    if (!s) return this.hold(p);
    if (p.media.media.kind === 'rtcp' || !s.decrypts)
      return this.deliver(s, p, p.media.packet, out);
    switch (s.keyState) {
      case 'unknown':
      case 'awaiting':
        return this.hold(p);
      case 'plain':
      case 'failed':
        return this.deliver(s, p, p.media.packet, out);
      case 'ready': {
        const r = s.unprotect(p.media.packet, p.media.flow);
        if (r.kind === 'clear') {
          m.packets.inc({ outcome: 'decrypted' });
          return this.deliver(s, p, r.rtp, out, r.mediaIndex);
        }
        m.packets.inc({ outcome: 'unauthenticated' });
        out.audits.add('x3.srtp.unauthenticated', 'alarm', `cin/${s.cin}`, s.liid, {
          failure: r.failure,
          delivered: 'as received',
        });
        return this.deliver(s, p, p.media.packet, out);
      }
    }
  }

  private correlate(p: X3Packet): MediaSession | undefined {
    const direct = this.byCorrelation.get(p.xid, p.correlationId);
    if (direct) return direct;
    const flow = p.media.flow;
    if (!flow) return undefined;
    for (const s of this.sessions.values())
      if (s.xid === p.xid && s.endedAt === undefined && s.matchesFlow(flow)) return s;
    return undefined;
  }

  private hold(p: X3Packet): void {
    this.held.push(p);
    this.heldBytes += p.media.packet.length;
  }

  /** Out of time or room while held: as received if correlated, else dropped. */
  private release(p: X3Packet, out: RunOutput): void {
    const s = this.correlate(p);
    if (!s) {
      const lookup = this.ports.tasks.lookupXid(p.xid, new Date());
      return this.drop(
        out,
        'uncorrelated',
        p.xid,
        'task' in lookup ? lookup.task.warrant.liid : null,
      );
    }
    out.audits.add('x3.keys.not-in-time', 'alarm', `cin/${s.cin}`, s.liid, {
      keyState: s.keyState,
      delivered: 'as received',
    });
    this.deliver(s, p, p.media.packet, out);
  }

  private deliver(
    s: MediaSession,
    p: X3Packet,
    rtp: Buffer,
    out: RunOutput,
    mediaIndex?: number,
  ): void {
    const destinations = s.task.warrant.destinations
      .filter((d) => d.enabled && d.transport === 'tls')
      .map((d) => d.id);
    if (!destinations.length) return this.drop(out, 'no-hi3-destination', s.xid, s.liid);
    if (rtp === p.media.packet) m.packets.inc({ outcome: 'as-received' });
    out.items.push({
      liid: s.liid,
      cin: s.cin,
      destinations,
      ccPayload: encodeCcPayload({
        liid: s.liid,
        rtp,
        direction: p.direction,
        ...(mediaIndex !== undefined ? { streamIdentifier: Buffer.from(String(mediaIndex)) } : {}),
        interceptedAt: p.interceptedAt,
      }),
    });
  }

  private drop(out: RunOutput, reason: string, xid: string, liid: string | null): void {
    m.dropped.inc({ reason });
    out.audits.add(
      reason === 'uncorrelated' ? 'x3.uncorrelated' : 'x3.dropped',
      'dropped',
      `xid/${xid}`,
      liid,
      { reason },
    );
  }

  /**
   * Ended sessions stay `pending.maxMs` for trailing media (by Correlation ID only), then leave
   * once nothing of theirs is held; later media of theirs is uncorrelated.
   */
  private evictEnded(): void {
    const before = Date.now() - this.ports.pending.maxMs;
    for (const s of this.sessions.values()) {
      if (s.endedAt === undefined || s.endedAt > before) continue;
      if (this.held.some((p) => this.correlate(p) === s)) continue;
      this.sessions.delete(s.liid, s.callId);
      for (const c of s.correlationIds) this.byCorrelation.delete(s.xid, c);
    }
  }
}

/** A run not triggered by an NE (keys, sweep) failed to commit: its packets are lost, counted. */
function commitFailed(): void {
  m.dropped.inc({ reason: 'commit-failed' });
}

interface RunOutput {
  items: CcOutboxItem[];
  audits: AuditBatch;
}

/** X2 payload direction (TS 103 221-2 §5.2.5) → CCPayload.payloadDirection (TS 102 232-1). */
function direction(d: X2PayloadDirection): PayloadDirection {
  switch (d) {
    case X2PayloadDirection.FromTarget:
      return PayloadDirection.fromTarget;
    case X2PayloadDirection.ToTarget:
      return PayloadDirection.toTarget;
    case X2PayloadDirection.MultipleDirections:
      return PayloadDirection.combined;
    case X2PayloadDirection.NotApplicable:
      return PayloadDirection.notapplicable;
    default:
      return PayloadDirection.indeterminate;
  }
}

/** The X3 PDU's Timestamp attribute (TS 103 221-2 §5.3.10), else (also when malformed) now. */
function interceptionTime(pdu: X2Pdu): PreciseTime {
  const ts = pdu.wellFormedAttribute(X2AttributeType.Timestamp);
  if (ts?.kind === 'timestamp') return { seconds: ts.seconds, nanoseconds: ts.nanoseconds };
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanoseconds: (ms % 1000) * 1e6 };
}
