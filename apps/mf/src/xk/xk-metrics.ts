import { Counter } from 'prom-client';

/** Prometheus metrics of the Xk client. */
export const xkMetrics = {
  exchanges: new Counter({
    name: 'mf_xk_exchanges_total',
    help:
      'Xk exchanges with a KMS, by KMS identity and result: resolved, pending (202), error ' +
      '(an Xk error answer), unreachable (no usable HTTP answer: connection failed, timed out, ' +
      'not JSON), invalid (an answer outside the Xk schema)',
    labelNames: ['kms', 'result'] as const,
  }),
};
