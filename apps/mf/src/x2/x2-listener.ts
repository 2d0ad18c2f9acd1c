import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { X2CloseReason, X2Connection, X2ConnectionLimits, X2PduSink } from './x2-connection';
import { x2Metrics } from './x2-metrics';

/** Something that records connection events in the audit log. */
export type X2AuditFn = (
  action: string,
  outcome: 'success' | 'failure' | 'denied',
  object: string,
  details: Record<string, unknown>,
) => void;

export interface X2ListenerOptions {
  host: string;
  port: number;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** NE identities (certificate SAN URI, SAN DNS or subject CN) allowed to connect; empty = any from the CA. */
  allowedNeIdentities: string[];
  maxConnections: number;
  limits: X2ConnectionLimits;
}

/** Identities a client certificate presents, most specific first: SAN URIs, SAN DNS names, subject CN. */
export function certificateIdentities(cert: tls.PeerCertificate): string[] {
  const sans = (cert.subjectaltname ?? '').split(', ');
  const of = (kind: string) =>
    sans.filter((s) => s.startsWith(`${kind}:`)).map((s) => s.slice(kind.length + 1));
  const cn = cert.subject?.CN;
  return [...of('URI'), ...of('DNS'), ...(cn ? [String(cn)] : [])];
}

/**
 * The X2 listener (TS 103 221-2 §6; ARCHITECTURE.md §3.1): TLS 1.2+ with mutual
 * authentication against the configured CA, an optional allow-list of NE identities, a cap
 * on open connections, and one X2Connection per NE. One bad or slow connection never blocks
 * another: each has its own framer, limits and backpressure.
 */
export class X2Listener {
  private server: tls.Server | undefined;
  private readonly connections = new Set<X2Connection>();

  constructor(
    private readonly opts: X2ListenerOptions,
    private readonly sink: X2PduSink,
    private readonly audit: X2AuditFn,
  ) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  async start(): Promise<void> {
    const server = tls.createServer({
      ca: readFileSync(this.opts.caFile),
      cert: readFileSync(this.opts.certFile),
      key: readFileSync(this.opts.keyFile),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    });
    server.maxConnections = this.opts.maxConnections;
    server.on('secureConnection', (s) => this.accept(s));
    server.on('tlsClientError', (e, s) => {
      x2Metrics.connections.inc({ outcome: 'refused-tls' });
      this.audit('x2.connection.refused', 'denied', String(s.remoteAddress), { reason: e.message });
    });
    server.on('drop', (d?: { remoteAddress?: string }) => {
      x2Metrics.connections.inc({ outcome: 'refused-capacity' });
      this.audit('x2.connection.refused', 'denied', String(d?.remoteAddress), {
        reason: 'too many connections',
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Graceful shutdown: no new connections; in-flight PDUs of every connection finish. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((r) => server.close(() => r()));
    await Promise.all([...this.connections].map((c) => c.shutdown()));
    await closed;
  }

  private accept(socket: tls.TLSSocket): void {
    const identities = certificateIdentities(socket.getPeerCertificate());
    const allowed = this.opts.allowedNeIdentities;
    const neIdentity = allowed.length ? identities.find((i) => allowed.includes(i)) : identities[0];
    const remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    if (!neIdentity) {
      x2Metrics.connections.inc({ outcome: 'refused-identity' });
      this.audit('x2.connection.refused', 'denied', remoteAddress, {
        reason: 'NE identity not allowed',
        identities,
      });
      socket.destroy();
      return;
    }
    const source = { connectionId: randomUUID(), neIdentity, remoteAddress };
    const conn = new X2Connection(
      socket,
      source,
      this.opts.limits,
      this.sink,
      (c, reason, detail) => this.closed(c, reason, detail),
    );
    this.connections.add(conn);
    x2Metrics.connections.inc({ outcome: 'accepted' });
    x2Metrics.open.inc();
    this.audit('x2.connection.open', 'success', neIdentity, {
      ...source,
      tls: socket.getProtocol(),
    });
  }

  private closed(c: X2Connection, reason: X2CloseReason, detail?: string): void {
    if (!this.connections.delete(c)) return;
    x2Metrics.open.dec();
    x2Metrics.closed.inc({ reason });
    const bad = reason === 'framing-error' || reason === 'sink-error' || reason === 'socket-error';
    this.audit('x2.connection.closed', bad ? 'failure' : 'success', c.source.neIdentity, {
      ...c.source,
      reason,
      ...(detail ? { detail } : {}),
    });
  }
}
