import { randomUUID } from 'node:crypto';
import { ImsEvent } from '@app/hi2';
import { parseSipMessage, redactSdesKeys, SipMessage, SipParseError } from '@app/sip';
import { X2AttributeType, X2PayloadFormat, X2Pdu } from '@app/x2';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuditRecord } from '../audit/audit-chain';
import type { MediaObservation } from '../content/content-pipeline';
import { KeyManagementStep, planKeyManagement } from '../keys/key-management-plan';
import type { DbOutageRetry } from '../persistence/db-outage';
import { UnitOfWork } from '../persistence/unit-of-work';
import type { ActiveTask, XidLookup } from '../warrants/task-registry';
import type { X2PduSink, X2Source } from '../x2/x2-connection';
import { CallSession, callSession } from './call-session';
import { CallSessionStore } from './call-session-store';
import { CounterBlock } from './counter-block';
import { detached } from './detached-string';
import { interceptionMetrics } from './interception-metrics';
import { IriRecorder, PendingIri } from './iri-recorder';
import { decideInSession, decideWithoutSession, IriDecision, SipFacts } from './iri-state-machine';
import { KeyPairMap } from './key-pair-map';
import { partiesOf, targetRole } from './target-match';

/** A MIKEY-TICKET key request to start once the event that carried it is committed. */
export interface TicketKeyJob {
  /** Row id in `xk_key_job`. */
  id: string;
  task: ActiveTask;
  session: Pick<CallSession, 'liid' | 'callId' | 'cin'>;
  /** The target's role in the MIKEY exchange (RFC 6043): sender of the TRANSFER_INIT or not. */
  role: 'initiator' | 'responder';
  step: Extract<KeyManagementStep, { kind: 'ticket' }>;
  callId: string;
  initiatorUri: string;
  responderUri: string;
  observedAt: Date;
}

export interface PipelinePorts {
  uow: UnitOfWork;
  /** Reruns a batch's transaction while the database is briefly unavailable. */
  outage: Pick<DbOutageRetry, 'transaction'>;
  tasks: { lookupXid(xid: string, at: Date): XidLookup };
  sessions: CallSessionStore;
  cins: Pick<CounterBlock, 'take'>;
  iri: IriRecorder;
  audit: AuditService;
  /** Ticket key jobs (KeyRetrieval): saved with their event, started once it committed. */
  keyJobs: {
    save(em: EntityManager, jobs: readonly TicketKeyJob[]): Promise<void>;
    start(jobs: readonly TicketKeyJob[]): void;
  };
  batch: { maxEvents: number; maxDelayMs: number };
  /** The content path (X3 → HI3): told about sessions after their events committed. */
  content?: { observe(observations: readonly MediaObservation[]): unknown };
}

interface Item {
  pdus: X2Pdu[];
  source: X2Source;
  resolve(): void;
  reject(e: unknown): void;
}

/** What one batch produced, written in one transaction. */
interface BatchOutput {
  iris: PendingIri[];
  /** By LIID and Call-ID: the batch's copies of the sessions it changed. */
  sessions: KeyPairMap<CallSession>;
  audits: AuditRecord[];
  drops: Map<string, { reason: string; count: number; xid: string; liid?: string }>;
  keyJobs: TicketKeyJob[];
  media: MediaObservation[];
}

/**
 * The MF's main job (ARCHITECTURE.md §3): X2 PDUs in → task lookup → SIP parse → session and
 * IRI state → key management → IRI records in the outbox. PDUs from all connections are
 * gathered into batches (at most `maxEvents`, at most `maxDelayMs` old) and each batch is one
 * transaction: session rows, outbox rows and audit entries commit together, and only then
 * are the batch's PDUs accepted (their connections resume reading) and its key requests
 * started. While the database is briefly unavailable the transaction is rerun (DbOutageRetry,
 * at most DB_OUTAGE_MAX_MS) and the PDUs stay in flight; rerunning is safe because processing
 * only builds the BatchOutput and nothing live changes before the commit. A failed transaction
 * rejects the whole batch: the connections close, session state in memory is left as it was
 * before the batch.
 *
 * Events are handled in arrival order; IRI types per (LIID, Call-ID) follow iri-state-machine.
 * Choices where the standards leave room are documented there and in target-match.ts.
 */
export class InterceptionPipeline implements X2PduSink {
  private queue: Item[] = [];
  private queuedEvents = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly ports: PipelinePorts) {}

  submit(pdus: X2Pdu[], source: X2Source): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ pdus, source, resolve, reject });
      this.queuedEvents += pdus.length;
      if (this.queuedEvents >= this.ports.batch.maxEvents) this.flushSoon(0);
      else this.flushSoon(this.ports.batch.maxDelayMs);
    });
  }

  /** Processes everything queued so far (graceful shutdown, tests). */
  async drain(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.running.then(() => this.flush());
    await this.running;
  }

  /**
   * Ends sessions without any event for `timeoutMs` (calls whose end was never seen): an END
   * IRI without SIP message while the warrant is still active, an audit entry either way.
   */
  expireIdleSessions(timeoutMs: number, now = new Date()): Promise<number> {
    // Runs between batches, never beside one: both change the same sessions.
    const done = this.running.then(() => this.endIdle(timeoutMs, now));
    this.running = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  private async endIdle(timeoutMs: number, now: Date): Promise<number> {
    const idle = this.ports.sessions.idleSince(now.getTime() - timeoutMs);
    if (!idle.length) return 0;
    const ended = idle.map((s) => callSession({ ...s, phase: 'ended', endedAt: now.getTime() }));
    await this.ports.uow.run(async (em) => {
      await this.ports.sessions.persist(em, ended);
      const iris: PendingIri[] = [];
      const audits: AuditRecord[] = [];
      for (const s of ended) {
        const lookup = this.ports.tasks.lookupXid(s.xid, now);
        if (lookup.status === 'active') {
          iris.push({
            task: lookup.task,
            event: { type: 'END', timestamp: now, initiator: s.initiator },
            cin: s.cin,
          });
        }
        audits.push({
          actor: 'pipeline',
          action: 'session.timeout',
          object: `cin/${s.cin}`,
          liid: s.liid,
          outcome: 'success',
          details: {
            lastEventAt: new Date(s.lastEventAt).toISOString(),
            endIri: lookup.status === 'active',
          },
        });
      }
      await this.ports.iri.record(em, iris);
      await this.ports.audit.appendMany(audits, em);
    });
    this.ports.sessions.evictEnded(ended);
    interceptionMetrics.openSessions.set(this.ports.sessions.size);
    const tasks = ended.flatMap((s) => {
      const lookup = this.ports.tasks.lookupXid(s.xid, now);
      return 'task' in lookup
        ? [{ task: lookup.task, callId: s.callId, cin: s.cin, xid: s.xid, closed: true }]
        : [];
    });
    if (tasks.length) this.ports.content?.observe(tasks);
    return ended.length;
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.flush());
    }, delayMs);
  }

  private async flush(): Promise<void> {
    const items = this.queue;
    if (!items.length) return;
    this.queue = [];
    this.queuedEvents = 0;
    const out: BatchOutput = {
      iris: [],
      sessions: new KeyPairMap(),
      audits: [],
      drops: new Map(),
      keyJobs: [],
      media: [],
    };
    try {
      for (const item of items)
        for (const pdu of item.pdus) await this.process(pdu, item.source, out);
      await this.ports.outage.transaction('pipeline.commit', (em) => this.commit(em, out));
    } catch (e) {
      interceptionMetrics.batchFailures.inc();
      for (const i of items) i.reject(e);
      return;
    }
    for (const s of out.sessions.values()) this.ports.sessions.add(s);
    this.ports.sessions.evictEnded(out.sessions.values());
    interceptionMetrics.openSessions.set(this.ports.sessions.size);
    for (const d of out.drops.values())
      interceptionMetrics.dropped.inc({ reason: d.reason }, d.count);
    // The content path knows the session before any key request for it can answer.
    if (out.media.length) this.ports.content?.observe(out.media);
    if (out.keyJobs.length) this.ports.keyJobs.start(out.keyJobs);
    for (const i of items) i.resolve();
  }

  private async commit(em: EntityManager, out: BatchOutput): Promise<void> {
    await this.ports.sessions.persist(em, [...out.sessions.values()]);
    await this.ports.iri.record(em, out.iris);
    if (out.keyJobs.length) await this.ports.keyJobs.save(em, out.keyJobs);
    // Not added to `out`: a rerun of this transaction must write each entry once.
    const drops = [...out.drops.values()].map((d): AuditRecord => ({
      actor: 'x2',
      action: 'x2.event.dropped',
      object: `xid/${d.xid}`,
      liid: d.liid ?? null,
      outcome: 'dropped',
      details: { reason: d.reason, count: d.count },
    }));
    await this.ports.audit.appendMany([...out.audits, ...drops], em);
  }

  private drop(out: BatchOutput, reason: string, xid: string, liid?: string): void {
    const k = `${reason}\u0000${xid}`;
    const d = out.drops.get(k);
    if (d) d.count++;
    else out.drops.set(k, { reason, count: 1, xid, ...(liid ? { liid } : {}) });
  }

  private async process(pdu: X2Pdu, source: X2Source, out: BatchOutput): Promise<void> {
    const at = eventTime(pdu);
    // The validity window is judged on the MF's own clock, not on the NE's timestamp.
    const lookup = this.ports.tasks.lookupXid(pdu.xid, new Date());
    if (lookup.status !== 'active') {
      return this.drop(
        out,
        `xid-${lookup.status}`,
        pdu.xid,
        'task' in lookup ? lookup.task.warrant.liid : undefined,
      );
    }
    const task = lookup.task;
    if ((pdu.payloadFormat as X2PayloadFormat) !== X2PayloadFormat.SipMessage) {
      return this.drop(out, `payload-format-${pdu.payloadFormat}`, pdu.xid, task.warrant.liid);
    }
    let sip: SipMessage;
    try {
      sip = parseSipMessage(pdu.payload);
    } catch (e) {
      if (!(e instanceof SipParseError)) throw e;
      interceptionMetrics.sipErrors.inc();
      out.audits.push({
        actor: 'x2',
        action: 'x2.sip.malformed',
        object: source.neIdentity,
        liid: task.warrant.liid,
        outcome: 'failure',
        details: { code: e.code, xid: pdu.xid, delivered: 'REPORT with the raw message' },
      });
      out.iris.push({
        task,
        event: {
          type: 'REPORT',
          timestamp: at,
          imsEvent: ImsEvent.unfilteredSIPmessage,
          sipMessage: pdu.payload,
        },
      });
      return;
    }
    await this.processSip(task, pdu, sip, at, out);
  }

  private async processSip(
    task: ActiveTask,
    pdu: X2Pdu,
    sip: SipMessage,
    at: Date,
    out: BatchOutput,
  ): Promise<void> {
    const liid = task.warrant.liid;
    // Kept with the session: copies that do not hold the SIP message text in memory.
    const callId = detached(sip.callId);
    // Objects made per event have one fixed shape (absent = undefined): conditional spreads
    // built a new hidden class per combination and a temporary object per spread.
    const { from, to } = sip.identity;
    const facts: SipFacts = {
      callId,
      method: sip.method || undefined,
      status: sip.statusCode,
      cseqMethod: sip.cseq.method,
      fromTag: from.tag ? detached(from.tag) : undefined,
      toTag: to.tag ? detached(to.tag) : undefined,
    };
    // The task's XID string (equal to the PDU's, which is a string of its own per PDU).
    const xid = task.target.xid;
    let session = out.sessions.get(liid, callId);
    if (!session) {
      const live = this.ports.sessions.get(liid, callId);
      if (live) session = callSession(live);
    }
    let decision: IriDecision;
    if (session) {
      decision = decideInSession(session, facts);
      session.lastEventAt = at.getTime();
      if (decision.closed) session.endedAt = at.getTime();
    } else {
      const r = decideWithoutSession(facts);
      decision = r.decision;
      if (r.state) {
        session = callSession({
          ...r.state,
          liid,
          callId,
          cin: await this.ports.cins.take(),
          initiator: targetRole(sip, task.target.normalized),
          xid,
          startedAt: at.getTime(),
          lastEventAt: at.getTime(),
          endedAt: undefined,
        });
      }
    }
    if (session) out.sessions.set(liid, callId, session);

    const keysMode = task.warrant.deliveryMode === 'keys';
    const event: PendingIri['event'] = {
      type: decision.type,
      timestamp: at,
      initiator: session?.initiator ?? targetRole(sip, task.target.normalized),
      parties: partiesOf(sip),
      imsEvent: ImsEvent.unfilteredSIPmessage,
      sipMessage: keysMode ? sip.raw : redactSdesKeys(sip),
    };
    const steps = sip.sdp ? planKeyManagement(sip.sdp) : [];
    if (session) {
      out.media.push({
        task,
        callId,
        cin: session.cin,
        xid,
        correlationId: pdu.correlationId.toString('hex'),
        sdp: sip.sdp,
        steps,
        closed: decision.closed,
      });
    }
    let undecryptable = false;
    for (const step of steps) {
      if (step.kind === 'sdes' && keysMode) event.keys = [...(event.keys ?? []), ...step.keys];
      else if (step.kind === 'undecryptable') {
        undecryptable = true;
        interceptionMetrics.keyAlarms.inc({ kind: 'undecryptable' });
        out.audits.push({
          actor: 'keys',
          action: 'keys.undecryptable',
          object: `call/${callId}`,
          liid,
          outcome: 'alarm',
          details: { scheme: step.scheme, reason: step.reason, media: step.mediaIndexes },
        });
      } else if (step.kind === 'ticket' && session) {
        const sender = targetRole(sip, task.target.normalized);
        const targetSent =
          sip.kind === 'request' ? sender === 'originating' : sender === 'terminating';
        out.keyJobs.push({
          id: randomUUID(),
          task,
          session: { liid, callId, cin: session.cin },
          role: targetSent ? 'initiator' : 'responder',
          step,
          callId,
          initiatorUri: (sip.kind === 'request' ? sip.identity.from : sip.identity.to).uri,
          responderUri: (sip.kind === 'request' ? sip.identity.to : sip.identity.from).uri,
          observedAt: at,
        });
      }
    }
    // A record carries keys or mediaSecFailureIndication, not both (libs/hi2). An SDP with SDES
    // keys and media the CSP cannot key (e.g. SDES audio, MIKEY-DH video) gets the keys, for
    // the streams the LEA can decrypt; the others are in the keys.undecryptable alarm above.
    // (Both in one record failed the whole batch, found by test/x2-fuzz.e2e-spec.ts.)
    if (undecryptable && !event.keys?.length) event.mediaSecFailure = true;
    out.iris.push({
      task,
      event,
      cin: session && decision.type !== 'REPORT' ? session.cin : undefined,
    });
    if (decision.opened || decision.closed) {
      out.audits.push({
        actor: 'pipeline',
        action: decision.opened ? 'session.begin' : 'session.end',
        object: `cin/${session?.cin}`,
        liid,
        outcome: 'success',
        details: { initiator: session?.initiator },
      });
    }
  }
}

/**
 * Time of the event: the NE's Timestamp attribute (TS 103 221-2 §5.3.10), else now — also when
 * it is malformed (counted as a PDU issue by the X2 listener), which once failed the whole batch.
 */
function eventTime(pdu: X2Pdu): Date {
  const ts = pdu.wellFormedAttribute(X2AttributeType.Timestamp);
  if (ts?.kind === 'timestamp')
    return new Date(ts.seconds * 1000 + Math.floor(ts.nanoseconds / 1e6));
  return new Date();
}
