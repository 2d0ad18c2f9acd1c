import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Logger } from '@nestjs/common';
import { X2CloseReason, X2Connection, X2ConnectionLimits, X2PduSink } from './x2-connection';
import { x2Metrics } from './x2-metrics';
import { X2AuditFn, X2Refusal, X2RefusalAudit } from './x2-refusal-audit';

export interface X2ListenerOptions {
  host: string;
  port: number;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** NE identities (certificate SAN URI, SAN DNS or subject CN) allowed to connect; empty = any from the CA. */
  allowedNeIdentities: string[];
  /** Authenticated NE connections; an NE beyond them is refused after its handshake. */
  maxConnections: number;
  /** Bounds of the unauthenticated phase (see X2Listener). */
  handshakes: {
    /** A TLS handshake must complete this long after the TCP connection was accepted. */
    timeoutMs: number;
    /** TCP connections whose handshake is not complete, in all. */
    max: number;
    /** … and from one remote address. */
    maxPerAddress: number;
  };
  /** Refusals after the first one are audited as one summary entry per interval. */
  refusalAuditIntervalMs: number;
  limits: X2ConnectionLimits;
}

/** A TCP connection whose TLS handshake is under way: not authenticated, no NE slot. */
interface Handshake {
  readonly raw: net.Socket;
  /** `address:port`, which also names its TLS socket. */
  readonly key: string;
  readonly address: string;
  readonly deadline: NodeJS.Timeout;
}

type HandshakeEnd = X2Refusal | 'abandoned-handshake' | 'authenticated';

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
 * authentication against the configured CA, an optional allow-list of NE identities, and one
 * X2Connection per NE. One bad or slow connection never blocks another: each has its own
 * framer, limits and backpressure.
 *
 * Before authentication a peer costs us little and cannot take what an NE needs (the
 * specification leaves these bounds to the implementation):
 * - `maxConnections` counts authenticated NE connections only; a TCP connection whose TLS
 *   handshake is under way holds a handshake slot instead.
 * - Every handshake must complete within `handshakes.timeoutMs` of the TCP accept, however its
 *   octets trickle in (an absolute deadline, not an idle timer); then the socket is destroyed.
 * - At most `handshakes.maxPerAddress` handshakes per remote address: one more is closed at
 *   accept, before any TLS work. At most `handshakes.max` in all: one more evicts the oldest
 *   handshake of the address with the most in progress. A flood thus pushes out its own
 *   handshakes first; an NE's (alone from its address) goes only when every address holding a
 *   slot holds one, i.e. under a flood from `handshakes.max` addresses or more (addresses
 *   are exact: an IPv6 attacker with a /64 has many, and only the total then bounds it).
 * - Node's own handshake timeout leaves the socket open once `tlsClientError` has a listener;
 *   this listener destroys every socket it reports.
 * - The client certificate is checked here (`authorized`, as Node does with
 *   rejectUnauthorized) before any octet of the connection is read, so that the refusal says
 *   why; with TLS 1.3 Node would report only a hang-up.
 * - TCP connections are accepted by a plain net.Server and injected into the tls.Server (its
 *   documented `connection` event), so that the bounds apply before TLS.
 *
 * Every refusal: a `mf_x2_connections_total` outcome, and an audit entry and log line through
 * X2RefusalAudit (aggregated in floods). A peer that closes during its handshake is only counted
 * (`abandoned-handshake`): port scans and TCP health checks are not refusals.
 */
export class X2Listener {
  private server: net.Server | undefined;
  private readonly connections = new Set<X2Connection>();
  /** Handshakes in progress by `address:port`, and by address in accept order. */
  private readonly handshakes = new Map<string, Handshake>();
  private readonly handshakesByAddress = new Map<string, Set<Handshake>>();
  private readonly refusals: X2RefusalAudit;
  private readonly log = new Logger('X2Listener');

  constructor(
    private readonly opts: X2ListenerOptions,
    private readonly sink: X2PduSink,
    private readonly audit: X2AuditFn,
  ) {
    this.refusals = new X2RefusalAudit(audit, opts.refusalAuditIntervalMs);
  }

  get port(): number {
    return (this.server?.address() as net.AddressInfo | null)?.port ?? 0;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  get handshakesInProgress(): number {
    return this.handshakes.size;
  }

  async start(): Promise<void> {
    const secure = tls.createServer({
      ca: readFileSync(this.opts.caFile),
      cert: readFileSync(this.opts.certFile),
      key: readFileSync(this.opts.keyFile),
      requestCert: true,
      rejectUnauthorized: false, // `authenticated` refuses what this would (class comment)
      minVersion: 'TLSv1.2',
      // Ours is absolute and destroys the socket; Node's (if it fires first) is classified alike.
      handshakeTimeout: this.opts.handshakes.timeoutMs,
    });
    secure.on('secureConnection', (s) => this.authenticated(s));
    secure.on('tlsClientError', (e: Error & { code?: string; reason?: string }, s) => {
      const hs = this.handshakes.get(`${s.remoteAddress}:${s.remotePort}`);
      s.destroy();
      // Not found: the socket was already closed (by the peer, a deadline or an eviction).
      if (!hs) return;
      const timeout = e.code === 'ERR_TLS_HANDSHAKE_TIMEOUT';
      const detail = e.code ? `${e.code}: ${e.reason ?? e.message}` : e.message;
      this.endHandshake(hs, timeout ? 'refused-handshake-timeout' : 'refused-tls', detail);
    });
    const server = net.createServer((raw) => this.tcpAccepted(raw, secure));
    // A backstop only: the slots above bound both kinds (evictions free handshake slots async).
    server.maxConnections = this.opts.maxConnections + this.opts.handshakes.max;
    server.on('drop', (d?: { remoteAddress?: string }) => {
      x2Metrics.connections.inc({ outcome: 'refused-capacity' });
      this.refusals.record('refused-capacity', String(d?.remoteAddress), 'TCP connection limit');
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
    for (const hs of [...this.handshakes.values()]) this.endHandshake(hs, 'abandoned-handshake');
    await Promise.all([...this.connections].map((c) => c.shutdown()));
    await closed;
    this.refusals.flush();
  }

  /** Admits a TCP connection to the handshake phase, or closes it (before any TLS work). */
  private tcpAccepted(raw: net.Socket, secure: tls.Server): void {
    // Errors surface on the TLS socket that takes the handle over; never crash on this one.
    raw.on('error', () => undefined);
    const address = raw.remoteAddress;
    if (!address) return void raw.destroy(); // reset before we saw it
    const key = `${address}:${raw.remotePort}`;
    const stale = this.handshakes.get(key); // same peer address and port: its close is not seen yet
    if (stale) this.endHandshake(stale, 'abandoned-handshake');
    const { timeoutMs, max, maxPerAddress } = this.opts.handshakes;
    const sameAddress = this.handshakesByAddress.get(address) ?? new Set<Handshake>();
    if (sameAddress.size >= maxPerAddress) {
      raw.destroy();
      x2Metrics.connections.inc({ outcome: 'refused-address-capacity' });
      this.refusals.record(
        'refused-address-capacity',
        address,
        `${maxPerAddress} TLS handshakes from this address in progress`,
      );
      return;
    }
    if (this.handshakes.size >= max) this.evictHandshake();
    const hs: Handshake = {
      raw,
      key,
      address,
      deadline: setTimeout(
        () =>
          this.endHandshake(
            hs,
            'refused-handshake-timeout',
            `TLS handshake not complete after ${timeoutMs} ms`,
          ),
        timeoutMs,
      ),
    };
    this.handshakes.set(key, hs);
    this.handshakesByAddress.set(address, sameAddress.add(hs));
    x2Metrics.handshakes.set(this.handshakes.size);
    raw.once('close', () => this.endHandshake(hs, 'abandoned-handshake'));
    secure.emit('connection', raw);
  }

  /** Frees a handshake slot: the oldest handshake of the address with the most in progress. */
  private evictHandshake(): void {
    let busiest: Set<Handshake> | undefined;
    for (const same of this.handshakesByAddress.values()) {
      if (!busiest || same.size > busiest.size) busiest = same;
    }
    const [oldest] = busiest ?? [];
    if (oldest) {
      const detail = `${this.opts.handshakes.max} TLS handshakes in progress`;
      this.endHandshake(oldest, 'refused-handshake-capacity', detail);
    }
  }

  /** Ends the handshake phase of `hs` once: authenticated (kept open), or counted and closed. */
  private endHandshake(hs: Handshake, end: HandshakeEnd, detail = ''): void {
    if (this.handshakes.get(hs.key) !== hs) return;
    this.handshakes.delete(hs.key);
    const same = this.handshakesByAddress.get(hs.address);
    same?.delete(hs);
    if (same?.size === 0) this.handshakesByAddress.delete(hs.address);
    clearTimeout(hs.deadline);
    x2Metrics.handshakes.set(this.handshakes.size);
    if (end === 'authenticated') return;
    hs.raw.destroy();
    x2Metrics.connections.inc({ outcome: end });
    if (end !== 'abandoned-handshake') this.refusals.record(end, hs.address, detail);
  }

  private authenticated(socket: tls.TLSSocket): void {
    const hs = this.handshakes.get(`${socket.remoteAddress}:${socket.remotePort}`);
    // Its handshake slot was taken back (deadline, eviction, shutdown) as the handshake ended.
    if (!hs) return void socket.destroy();
    this.endHandshake(hs, 'authenticated');
    if (!socket.authorized) {
      const presented = Object.keys(socket.getPeerCertificate()).length > 0;
      const why = presented ? String(socket.authorizationError) : 'none presented';
      return this.refuse(socket, 'refused-tls', hs.address, `client certificate: ${why}`);
    }
    this.accept(socket, hs.address);
  }

  private accept(socket: tls.TLSSocket, address: string): void {
    const identities = certificateIdentities(socket.getPeerCertificate());
    const allowed = this.opts.allowedNeIdentities;
    const neIdentity = allowed.length ? identities.find((i) => allowed.includes(i)) : identities[0];
    const remoteAddress = `${address}:${socket.remotePort}`;
    const refuse = (reason: X2Refusal, detail: string) =>
      this.refuse(socket, reason, address, detail, { remoteAddress, identities });
    if (!neIdentity) return refuse('refused-identity', 'NE identity not allowed');
    if (this.connections.size >= this.opts.maxConnections) {
      return refuse('refused-capacity', `${this.opts.maxConnections} NE connections open`);
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

  private refuse(
    socket: tls.TLSSocket,
    reason: X2Refusal,
    address: string,
    detail: string,
    extra?: Record<string, unknown>,
  ): void {
    socket.destroy();
    x2Metrics.connections.inc({ outcome: reason });
    this.refusals.record(reason, address, detail, extra);
  }

  private closed(c: X2Connection, reason: X2CloseReason, detail?: string): void {
    if (!this.connections.delete(c)) return;
    x2Metrics.open.dec();
    x2Metrics.closed.inc({ reason });
    const bad =
      reason === 'framing-error' ||
      reason === 'sink-error' ||
      reason === 'socket-error' ||
      reason === 'pdu-timeout';
    if (bad) {
      const { connectionId, neIdentity, remoteAddress } = c.source;
      this.log.warn(`X2 connection ${connectionId} of ${neIdentity} (${remoteAddress}): ${reason}`);
    }
    this.audit('x2.connection.closed', bad ? 'failure' : 'success', c.source.neIdentity, {
      ...c.source,
      reason,
      ...(detail ? { detail } : {}),
    });
  }
}
