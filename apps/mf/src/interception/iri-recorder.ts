import { IriBuilder, IriEvent } from '@app/hi2';
import { EntityManager } from 'typeorm';
import type { OutboxItem } from '../handover/outbox/outbox-writer';
import type { ActiveTask } from '../warrants/task-registry';
import { interceptionMetrics } from './interception-metrics';

/** Where IRI records go: the HI2 outbox (OutboxWriter), inside the caller's transaction. */
export interface OutboxPort {
  enqueue(em: EntityManager, items: OutboxItem | readonly OutboxItem[]): Promise<unknown>;
}

/** One IRI to record for a task; `cin` is absent for REPORTs outside a session. */
export interface PendingIri {
  task: ActiveTask;
  event: Omit<IriEvent, 'liid' | 'nationalParameters' | 'correlation'>;
  cin?: number;
}

/**
 * Builds IRI records (libs/hi2 IriBuilder: TS 33.108 EpsIRIContent) for tasks and writes them
 * to the outbox for every LEA destination of the task's warrant, in the caller's transaction.
 * The LIID, national parameters and CIN correlation (imsVoIP [57], CIN as ASCII digits) come
 * from the task and session, so every record of a session correlates.
 */
export class IriRecorder {
  constructor(
    private readonly builder: IriBuilder,
    private readonly outbox: OutboxPort,
  ) {}

  async record(em: EntityManager, pending: readonly PendingIri[]): Promise<void> {
    const items: OutboxItem[] = [];
    for (const p of pending) {
      const w = p.task.warrant;
      const destinations = w.destinations.filter((d) => d.enabled).map((d) => d.id);
      if (!destinations.length) {
        interceptionMetrics.dropped.inc({ reason: 'no-destination' });
        continue;
      }
      // One shape per object, absent = undefined (conditional spreads cost a temporary each).
      const record = this.builder.build({
        ...p.event,
        liid: w.liid,
        nationalParameters: w.nationalParameters.length
          ? w.nationalParameters.map((n) => Buffer.from(n, 'utf8'))
          : undefined,
        correlation: p.cin !== undefined ? { iri: String(p.cin) } : undefined,
      });
      items.push({ record, destinations, cin: p.cin });
      interceptionMetrics.records.inc({ type: p.event.type });
    }
    if (items.length) await this.outbox.enqueue(em, items);
  }
}
