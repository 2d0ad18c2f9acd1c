import { Counter, Gauge } from 'prom-client';

/** Prometheus metrics of the content path (X3 → HI3). */
export const contentMetrics = {
  packets: new Counter({
    name: 'mf_x3_packets_total',
    help: 'X3 media packets by outcome (decrypted, as-received, unauthenticated, dropped)',
    labelNames: ['outcome'] as const,
  }),
  dropped: new Counter({
    name: 'mf_x3_dropped_total',
    help: 'X3 PDUs not delivered, by reason (unknown XID, uncorrelated, malformed …)',
    labelNames: ['reason'] as const,
  }),
  pendingBytes: new Gauge({
    name: 'mf_x3_pending_bytes',
    help: 'Octets of X3 media held until their session or keys are known',
  }),
};
