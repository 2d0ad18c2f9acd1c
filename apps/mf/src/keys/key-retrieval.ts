import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ImsEvent } from '@app/hi2';
import { PrfFunc } from '@app/mikey';
import type { XkKeyRequest } from '@app/xk';
import { AuditService } from '../audit/audit.service';
import type { AuditRecord } from '../audit/audit-chain';
import { interceptionMetrics } from '../interception/interception-metrics';
import type { TicketKeyJob } from '../interception/interception-pipeline';
import { IriRecorder, PendingIri } from '../interception/iri-recorder';
import { UnitOfWork } from '../persistence/unit-of-work';
import { KeyRequestOutcome, KmsClient } from '../xk/kms-client';
import { KmsRouter } from '../xk/kms-router';
import { srtpKeysFromXk } from './srtp-keys-from-xk';

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
 * Jobs live in memory: a restart loses requests in flight (their sessions get no keys IRI).
 */
export class KeyRetrieval {
  private readonly log = new Logger('KeyRetrieval');
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: KmsClient,
    private readonly router: KmsRouter,
    private readonly uow: UnitOfWork,
    private readonly iri: IriRecorder,
    private readonly audit: AuditService,
    private readonly deadlineMs: number,
    private readonly keepKeys?: SessionKeysSink,
  ) {}

  start(jobs: readonly TicketKeyJob[]): void {
    for (const job of jobs) {
      const p: Promise<void> = this.run(job)
        .catch((e: unknown) =>
          this.log.error(`key job failed: ${e instanceof Error ? e.message : 'unknown'}`),
        )
        .finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  /** Waits for the jobs under way (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private async run(job: TicketKeyJob): Promise<void> {
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
      ? await this.client.requestKeys(route, request, Date.now() + this.deadlineMs)
      : {
          kind: 'failed',
          reason: 'no-route',
          detail: `no KMS configured for ${kmsId ?? 'the target domain'}`,
          attempts: 0,
        };
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
      if (send) await this.iri.record(em, [{ task: job.task, event, cin: job.session.cin }]);
      for (const a of audits) await this.audit.append(a, em);
    });
  }
}
