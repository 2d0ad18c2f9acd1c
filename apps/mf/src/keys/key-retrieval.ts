import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ImsEvent } from '@app/hi2';
import { classifyKeyManagement, decodeMikey, PrfFunc } from '@app/mikey';
import type { XkKeyRequest } from '@app/xk';
import { AuditService } from '../audit/audit.service';
import type { AuditRecord } from '../audit/audit-chain';
import { interceptionMetrics } from '../interception/interception-metrics';
import type { TicketKeyJob } from '../interception/interception-pipeline';
import { IriRecorder, PendingIri } from '../interception/iri-recorder';
import { UnitOfWork } from '../persistence/unit-of-work';
import { KeyRequestOutcome, KmsClient } from '../xk/kms-client';
import { KmsRouter } from '../xk/kms-router';
import type { XidLookup } from '../warrants/task-registry';
import { srtpKeysFromXk } from './srtp-keys-from-xk';
import { XkKeyJobEntity } from './xk-key-job.entity';

/** The content path (X3 → HI3): keys of a session in mode `decrypted`, or that none will come. */
export interface SessionKeysSink {
  keysKept(liid: string, callId: string, keys: ReturnType<typeof srtpKeysFromXk>): unknown;
  keysFailed(liid: string, callId: string): unknown;
}

/**
 * Runs MIKEY-TICKET key requests over Xk (ARCHITECTURE.md §3.6, §5; seeds 000 and 001) after
 * the event that carried the TRANSFER_INIT committed, and records the outcome:
 * - keys: a CONTINUE IRI with IMSevent decryptionKeysAvailable and mediaDecryption-info (mode
 *   `keys`; mode `decrypted` keeps them for the content path and puts none on HI2); when the
 *   KMS says the signalling LI saw was not intact, the keys still go out and a tampering alarm
 *   is raised at once (audit + metric + log).
 * - TARGET_MISMATCH, no KMS for the target, or the deadline passed: a CONTINUE IRI with
 *   mediaSecFailureIndication, an alarm audit entry and metric, immediately.
 * Durability: `save` writes each job (table `xk_key_job`) in the transaction of the X2 event that
 * carried the TRANSFER_INIT; the transaction that records the outcome deletes it. `stop` aborts
 * the requests under way without recording anything, and `resume` restarts the saved jobs with
 * their original deadline, so an MF restart neither loses a key request nor records it twice.
 */
export class KeyRetrieval {
  private readonly log = new Logger('KeyRetrieval');
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly client: KmsClient,
    private readonly router: KmsRouter,
    private readonly uow: UnitOfWork,
    private readonly iri: IriRecorder,
    private readonly audit: AuditService,
    private readonly deadlineMs: number,
    private readonly keepKeys?: SessionKeysSink,
  ) {}

  /** Saves `jobs` in the caller's transaction (the X2 event's), with their deadline. */
  async save(em: EntityManager, jobs: readonly TicketKeyJob[]): Promise<void> {
    const deadlineAt = new Date(Date.now() + this.deadlineMs).toISOString();
    await em.getRepository(XkKeyJobEntity).insert(
      jobs.map((j) => ({
        id: j.id,
        xid: j.task.target.xid,
        liid: j.task.warrant.liid,
        callId: j.callId,
        cin: j.session.cin,
        role: j.role,
        mikey: j.step.mikey.toString('base64'),
        mediaIndexes: JSON.stringify(j.step.mediaIndexes),
        initiatorUri: j.initiatorUri,
        responderUri: j.responderUri,
        observedAt: j.observedAt.toISOString(),
        deadlineAt,
      })),
    );
  }

  /** Runs saved `jobs` (after their transaction committed) until the configured deadline. */
  start(jobs: readonly TicketKeyJob[]): void {
    const deadline = Date.now() + this.deadlineMs;
    for (const job of jobs) this.launch(job, deadline);
  }

  /**
   * Restarts the jobs a previous run saved and did not finish, each with its saved deadline (a
   * passed one yields the failure indication at once). A job whose task is gone (warrant ended
   * or withdrawn) is deleted with an audit entry.
   */
  async resume(lookupXid: (xid: string, at: Date) => XidLookup): Promise<number> {
    const rows = await this.uow.run((em) => em.getRepository(XkKeyJobEntity).find());
    for (const row of rows) {
      const lookup = lookupXid(row.xid, new Date(row.observedAt));
      if (lookup.status === 'unknown') {
        await this.uow.run(async (em) => {
          await em.getRepository(XkKeyJobEntity).delete({ id: row.id });
          await this.audit.append(
            {
              actor: 'xk',
              action: 'xk.job.abandoned',
              object: `cin/${row.cin}`,
              liid: row.liid,
              outcome: 'dropped',
              details: { job: row.id, reason: 'no task for the XID any more' },
            },
            em,
          );
        });
        continue;
      }
      const mikey = Buffer.from(row.mikey, 'base64');
      const job: TicketKeyJob = {
        id: row.id,
        task: lookup.task,
        session: { liid: row.liid, callId: row.callId, cin: row.cin },
        role: row.role,
        step: {
          kind: 'ticket',
          mediaIndexes: JSON.parse(row.mediaIndexes) as number[],
          mikey,
          classification: classifyKeyManagement(decodeMikey(mikey).message),
        },
        callId: row.callId,
        initiatorUri: row.initiatorUri,
        responderUri: row.responderUri,
        observedAt: new Date(row.observedAt),
      };
      this.launch(job, Date.parse(row.deadlineAt));
    }
    return rows.length;
  }

  /** Aborts the requests under way; their jobs stay saved for `resume`. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.idle();
  }

  private launch(job: TicketKeyJob, deadline: number): void {
    const p: Promise<void> = this.run(job, deadline)
      .catch((e: unknown) =>
        this.log.error(`key job failed: ${e instanceof Error ? e.message : 'unknown'}`),
      )
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Waits for the jobs under way (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private async run(job: TicketKeyJob, deadline: number): Promise<void> {
    const c = job.step.classification;
    const kmsId = c.kmsId ?? (job.role === 'initiator' ? c.initiatorKmsId : c.responderKmsId);
    const route = this.router.route(kmsId, job.task.target.value);
    const request: XkKeyRequest = {
      requestId: randomUUID(),
      target: { kmsIdentity: job.task.target.value, role: job.role },
      session: {
        callId: job.callId,
        initiatorUri: job.initiatorUri,
        responderUri: job.responderUri,
        observedAt: job.observedAt.toISOString(),
      },
      mikey: job.step.mikey.toString('base64'),
    };
    const outcome: KeyRequestOutcome = route
      ? await this.client.requestKeys(route, request, deadline, this.stopping.signal)
      : {
          kind: 'failed',
          reason: 'no-route',
          detail: `no KMS configured for ${kmsId ?? 'the target domain'}`,
          attempts: 0,
        };
    if (this.stopping.signal.aborted) return; // saved: the next start resumes it
    await this.record(job, request.requestId, route?.kmsIdentity, outcome, c.view.prfFunc);
  }

  private async record(
    job: TicketKeyJob,
    requestId: string,
    kms: string | undefined,
    outcome: KeyRequestOutcome,
    prf: PrfFunc,
  ): Promise<void> {
    const liid = job.task.warrant.liid;
    const base = { actor: 'xk', object: `cin/${job.session.cin}`, liid };
    const details = {
      requestId,
      kms: kms ?? null,
      kmsUrl: 'kmsUrl' in outcome ? outcome.kmsUrl : null,
      role: job.role,
      media: job.step.mediaIndexes,
      attempts: outcome.attempts,
    };
    const audits: AuditRecord[] = [];
    const event: PendingIri['event'] = { type: 'CONTINUE', timestamp: new Date() };
    if (outcome.kind === 'resolved') {
      const keys = srtpKeysFromXk(outcome.answer, prf);
      audits.push({
        ...base,
        action: 'xk.keys',
        outcome: 'success',
        details: { ...details, source: outcome.answer.source, streams: keys.length },
      });
      if (!outcome.answer.signallingIntact) {
        interceptionMetrics.keyAlarms.inc({ kind: 'signalling-tampered' });
        this.log.warn(
          `LI alarm: signalling tampered (LIID ${liid}, CIN ${job.session.cin}); keys from the terminal's resolve`,
        );
        audits.push({ ...base, action: 'alarm.signalling-tampered', outcome: 'alarm', details });
      }
      if (job.task.warrant.deliveryMode === 'keys') {
        event.imsEvent = ImsEvent.decryptionKeysAvailable;
        event.keys = keys;
      } else {
        void this.keepKeys?.keysKept(liid, job.callId, keys);
      }
    } else {
      const kind = outcome.kind === 'target-mismatch' ? 'target-mismatch' : 'key-deadline';
      interceptionMetrics.keyAlarms.inc({ kind });
      this.log.warn(`LI alarm: ${kind} (LIID ${liid}, CIN ${job.session.cin})`);
      audits.push({
        ...base,
        action: outcome.kind === 'target-mismatch' ? 'alarm.target-mismatch' : 'xk.failed',
        outcome: 'alarm',
        details: {
          ...details,
          ...(outcome.kind === 'failed' ? { reason: outcome.reason, detail: outcome.detail } : {}),
        },
      });
      event.mediaSecFailure = true;
      void this.keepKeys?.keysFailed(liid, job.callId);
    }
    const send = event.keys !== undefined || event.mediaSecFailure === true;
    await this.uow.run(async (em) => {
      await em.getRepository(XkKeyJobEntity).delete({ id: job.id });
      if (send) await this.iri.record(em, [{ task: job.task, event, cin: job.session.cin }]);
      for (const a of audits) await this.audit.append(a, em);
    });
  }
}
