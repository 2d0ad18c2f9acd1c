import { Counter, Gauge } from 'prom-client';

/** Prometheus metrics of the interception pipeline. */
export const interceptionMetrics = {
  records: new Counter({
    name: 'mf_iri_records_total',
    help: 'IRI records committed to the HI2 outbox, by IRI type',
    labelNames: ['type'] as const,
  }),
  dropped: new Counter({
    name: 'mf_x2_events_dropped_total',
    help: 'X2/X3 events dropped (no IRI), by reason',
    labelNames: ['reason'] as const,
  }),
  sipErrors: new Counter({
    name: 'mf_sip_parse_errors_total',
    help: 'SIP messages of targets that did not parse (delivered as REPORT with the raw bytes)',
  }),
  keyAlarms: new Counter({
    name: 'mf_key_alarms_total',
    help: 'Key-management alarms: target-mismatch, signalling-tampered, undecryptable, key-deadline',
    labelNames: ['kind'] as const,
  }),
  openSessions: new Gauge({
    name: 'mf_open_call_sessions',
    help: 'Open intercepted call sessions',
  }),
  batchFailures: new Counter({
    name: 'mf_pipeline_batch_failures_total',
    help: 'Batches whose transaction failed (their X2 connections are closed; nothing was accepted)',
  }),
};
