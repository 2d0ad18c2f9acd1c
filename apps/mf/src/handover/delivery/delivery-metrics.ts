import { Counter, Gauge } from 'prom-client';

/** Prometheus metrics of HI2 delivery (served on /metrics), labelled by destination id. */
export const deliveryMetrics = {
  backlog: new Gauge({
    name: 'mf_hi2_backlog_records',
    help: 'IRI records waiting in the outbox, per LEA destination',
    labelNames: ['destination'] as const,
  }),
  oldestAge: new Gauge({
    name: 'mf_hi2_backlog_oldest_seconds',
    help: 'Age of the oldest waiting IRI record, per LEA destination',
    labelNames: ['destination'] as const,
  }),
  backlogAlarm: new Gauge({
    name: 'mf_hi2_backlog_alarm',
    help: '1 while the backlog of a destination is above HI2_BACKLOG_ALARM_THRESHOLD',
    labelNames: ['destination'] as const,
  }),
  delivered: new Counter({
    name: 'mf_hi2_delivered_records_total',
    help: 'IRI records confirmed delivered (FTPS: file renamed; TLS: keep-alive answered after them)',
    labelNames: ['destination', 'transport'] as const,
  }),
  files: new Counter({
    name: 'mf_hi2_ftps_files_total',
    help: 'HI2 files stored and renamed on FTPS destinations',
    labelNames: ['destination'] as const,
  }),
  failures: new Counter({
    name: 'mf_hi2_delivery_failures_total',
    help: 'Failed delivery attempts: connect (LEA unreachable), transfer (broken during a transfer), rejected (refused by the LEA)',
    labelNames: ['destination', 'transport', 'kind'] as const,
  }),
  deadLetters: new Counter({
    name: 'mf_hi2_dead_letter_records_total',
    help: 'IRI records moved to the dead-letter state after repeated rejection',
    labelNames: ['destination'] as const,
  }),
  connected: new Gauge({
    name: 'mf_hi2_tls_connected',
    help: '1 while the HI2 TLS connection of a destination is up',
    labelNames: ['destination'] as const,
  }),
};
