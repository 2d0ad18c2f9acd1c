import { Counter, Gauge } from 'prom-client';

/** Prometheus metrics of the X2 listener. */
export const x2Metrics = {
  connections: new Counter({
    name: 'mf_x2_connections_total',
    help:
      'X2 TCP connections by outcome: accepted, refused-tls, refused-identity, refused-capacity, ' +
      'refused-handshake-timeout, refused-handshake-capacity, refused-address-capacity, ' +
      'abandoned-handshake (closed by the client, or by a shutdown, during the TLS handshake)',
    labelNames: ['outcome'] as const,
  }),
  open: new Gauge({ name: 'mf_x2_open_connections', help: 'Open (authenticated) X2 connections' }),
  handshakes: new Gauge({
    name: 'mf_x2_handshakes_in_progress',
    help: 'X2 TCP connections whose TLS handshake is not complete',
  }),
  pdus: new Counter({
    name: 'mf_x2_pdus_total',
    help: 'X2/X3 PDUs received, by PDU type',
    labelNames: ['type'] as const,
  }),
  octets: new Counter({ name: 'mf_x2_octets_total', help: 'Octets received on X2 connections' }),
  framingErrors: new Counter({
    name: 'mf_x2_framing_errors_total',
    help: 'X2 streams closed because of a malformed or oversized PDU, by error code',
    labelNames: ['code'] as const,
  }),
  pduIssues: new Counter({
    name: 'mf_x2_pdu_issues_total',
    help: 'Framed PDUs with inconsistent fields (kept, counted), by issue code',
    labelNames: ['code'] as const,
  }),
  closed: new Counter({
    name: 'mf_x2_connections_closed_total',
    help: 'X2 connections closed, by reason',
    labelNames: ['reason'] as const,
  }),
};
