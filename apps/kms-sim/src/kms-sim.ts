import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { XK_KEY_REQUEST_PATH } from '@app/xk';
import { parseKmsSimConfig, type KmsSimConfig, type KmsSimConfigInput } from './config';
import { readBody, mediaType, sendError, sendJson, sendMikey } from './http-io';
import { normalizeIdentity } from './identity';
import { KmsError } from './kms-errors';
import { jsonLineLogger, type KmsLogger } from './kms-log';
import { RateLimiter } from './rate-limiter';
import { ReplayGuard } from './replay-guard';
import { ResolveLog, type ResolveSummary } from './resolve-log';
import { TicketSealer } from './ticket-sealer';
import { TicketService } from './ticket-service';
import { UserDirectory } from './user-directory';
import { XkService } from './xk-service';
import { ZkClient, type ZkPeer } from './zk-client';

/** Options that only make sense in-process (tests, the lab). */
export interface KmsSimRuntime {
  /** Structured log sink; default JSON lines on stderr. */
  logger?: KmsLogger;
  /** Clock (ms since epoch); default Date.now. */
  now?: () => number;
}

/** A running KMS simulator. */
export interface KmsSim {
  identity: string;
  /** Bound ports (ephemeral when configured as 0). */
  ports: { ua: number; xk: number; zk: number };
  /** Base URLs, e.g. `https://127.0.0.1:40123`. */
  urls: { ua: string; xk: string; zk: string };
  /** The resolves recorded so far, without keys (who, ticket, RANDs, CSB ID, when). */
  resolves(): ResolveSummary[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function requesttype(req: IncomingMessage): string | null {
  return new URL(req.url ?? '/', 'https://kms.invalid').searchParams.get('requesttype');
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'https://kms.invalid').pathname;
}

function peerCertificate(
  req: IncomingMessage,
): { fingerprint: string; cn?: string; uris: string[] } | undefined {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.fingerprint256) return undefined;
  const uris = (cert.subjectaltname ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('URI:'))
    .map((s) => s.slice(4));
  const cn: unknown = cert.subject?.CN;
  return { fingerprint: cert.fingerprint256, ...(typeof cn === 'string' ? { cn } : {}), uris };
}

/**
 * Starts a KMS simulator (ARCHITECTURE.md §6) with three HTTPS listeners:
 * - Ua (server authentication only): `POST ?requesttype=ticketrequest|ticketresolve`,
 *   `application/mikey` (TS 33.328 Annex A);
 * - Xk (mutual TLS, client certificate with the LI role URI): `POST /xk/v1/key-requests`;
 * - Zk (mutual TLS, a configured peer KMS): `POST ?requesttype=ticketresolve` and forwarded
 *   Xk requests for tickets this KMS issued.
 */
export async function startKmsSim(
  input: KmsSimConfigInput | KmsSimConfig,
  runtime: KmsSimRuntime = {},
): Promise<KmsSim> {
  const config = parseKmsSimConfig(input);
  const now = runtime.now ?? Date.now;
  const log = runtime.logger ?? jsonLineLogger(config.identity);
  const lim = config.limits;
  const tls = {
    ca: readFileSync(config.tls.ca),
    cert: readFileSync(config.tls.cert),
    key: readFileSync(config.tls.key),
  };
  const peers = new Map<string, ZkPeer>(
    config.peers.map((p) => [
      normalizeIdentity(p.identity),
      {
        identity: p.identity,
        ...(p.url ? { url: p.url } : {}),
        psk: Buffer.from(p.psk, 'base64'),
        tlsName: p.tlsName ?? p.identity,
      },
    ]),
  );
  const resolves = new ResolveLog(lim.maxResolveRecords);
  const sealer = new TicketSealer(
    config.identity,
    config.ticketKey ? Buffer.from(config.ticketKey, 'base64') : randomBytes(32),
  );
  const zk = new ZkClient(config.identity, tls, lim.peerTimeoutMs, lim.maxUaBodyBytes, now);
  const tickets = new TicketService({
    identity: config.identity,
    users: new UserDirectory(config.users),
    sealer,
    replay: new ReplayGuard(lim.clockSkewMs, lim.replayCacheSize, now),
    resolves,
    peers,
    zk,
    ticketLifetimeMs: lim.ticketLifetimeMs,
    maxMessageBytes: lim.maxUaBodyBytes,
    log,
    now,
  });
  const xk = new XkService({
    sealer,
    resolves,
    peers,
    zk,
    pendingWindowMs: lim.pendingWindowMs,
    retryAfterMs: lim.retryAfterMs,
    sessionMatchWindowMs: lim.sessionMatchWindowMs,
    clockSkewMs: lim.clockSkewMs,
    maxMikeyBytes: lim.maxUaBodyBytes,
    log,
    now,
  });
  const limiter = new RateLimiter(lim.ratePerSecond, lim.burst, 10_000, now);

  /** Common wrapper: rate limit, method check, typed errors → JSON, nothing secret logged. */
  const guarded =
    (iface: string, clientKey: (req: IncomingMessage) => string, inner: Handler) =>
    (req: IncomingMessage, res: ServerResponse): void => {
      const run = async (): Promise<void> => {
        if (!limiter.take(`${iface}:${clientKey(req)}`))
          throw new KmsError('RATE_LIMITED', 'too many requests');
        if (req.method !== 'POST') throw new KmsError('METHOD_NOT_ALLOWED', 'only POST');
        await inner(req, res);
      };
      run().catch((e: unknown) => {
        const err = e instanceof KmsError ? e : new KmsError('KMS_ERROR', 'internal error');
        log({ event: `${iface}.error`, code: err.code, status: err.status, reason: err.message });
        if (!(e instanceof KmsError)) {
          log({ event: `${iface}.internal`, type: e instanceof Error ? e.name : typeof e });
        }
        sendError(res, err);
      });
    };

  const ua = guarded(
    'ua',
    (req) => req.socket.remoteAddress ?? '?',
    async (req, res) => {
      if (mediaType(req) !== 'application/mikey')
        throw new KmsError('UNSUPPORTED_MEDIA_TYPE', 'expected application/mikey');
      const type = requesttype(req);
      const body = await readBody(req, lim.maxUaBodyBytes);
      if (type === 'ticketrequest') return sendMikey(res, tickets.ticketRequest(body));
      if (type === 'ticketresolve') return sendMikey(res, await tickets.ticketResolve(body));
      throw new KmsError('NOT_FOUND', 'requesttype must be ticketrequest or ticketresolve');
    },
  );

  const xkHandler = guarded(
    'xk',
    (req) => peerCertificate(req)?.fingerprint ?? '?',
    async (req, res) => {
      const cert = peerCertificate(req);
      if (!cert || !cert.uris.includes(config.liRoleUri))
        throw new KmsError('NOT_LI_CLIENT', 'client certificate lacks the LI role');
      if (pathOf(req) !== XK_KEY_REQUEST_PATH) throw new KmsError('NOT_FOUND', 'unknown path');
      if (mediaType(req) !== 'application/json')
        throw new KmsError('UNSUPPORTED_MEDIA_TYPE', 'expected application/json');
      const reply = await xk.handle(await readBody(req, lim.maxXkBodyBytes), true);
      sendJson(res, reply.status, reply.body);
    },
  );

  const zkHandler = guarded(
    'zk',
    (req) => peerCertificate(req)?.fingerprint ?? '?',
    async (req, res) => {
      const cert = peerCertificate(req);
      const peer = [...peers.values()].find((p) => cert?.cn === p.tlsName);
      if (!peer)
        throw new KmsError('NOT_A_PEER', 'client certificate is not a configured peer KMS');
      if (pathOf(req) === XK_KEY_REQUEST_PATH) {
        if (mediaType(req) !== 'application/json')
          throw new KmsError('UNSUPPORTED_MEDIA_TYPE', 'expected application/json');
        const reply = await xk.handle(await readBody(req, lim.maxXkBodyBytes), false);
        return sendJson(res, reply.status, reply.body);
      }
      if (mediaType(req) !== 'application/mikey')
        throw new KmsError('UNSUPPORTED_MEDIA_TYPE', 'expected application/mikey');
      if (requesttype(req) !== 'ticketresolve')
        throw new KmsError('NOT_FOUND', 'Zk carries ticketresolve only');
      sendMikey(res, tickets.peerResolve(await readBody(req, lim.maxUaBodyBytes), peer));
    },
  );

  const base = { key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' as const };
  const mutual = { ...base, ca: tls.ca, requestCert: true, rejectUnauthorized: true };
  const servers = {
    ua: createServer(base, ua),
    xk: createServer(mutual, xkHandler),
    zk: createServer(mutual, zkHandler),
  };
  for (const s of Object.values(servers)) {
    s.requestTimeout = lim.requestTimeoutMs;
    s.headersTimeout = Math.min(lim.requestTimeoutMs, 10_000);
    s.maxHeadersCount = 64;
    s.keepAliveTimeout = 5_000;
    s.maxConnections = 1_000;
    s.on('tlsClientError', () => log({ event: 'tls.refused' }));
  }
  const started: Server[] = [];
  try {
    const ports = { ua: 0, xk: 0, zk: 0 };
    for (const name of ['ua', 'xk', 'zk'] as const) {
      ports[name] = await listen(servers[name], config.ports[name], config.host);
      started.push(servers[name]);
    }
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const urls = {
      ua: `https://${host}:${ports.ua}`,
      xk: `https://${host}:${ports.xk}`,
      zk: `https://${host}:${ports.zk}`,
    };
    log({
      event: 'kms.started',
      ua: ports.ua,
      xk: ports.xk,
      zk: ports.zk,
      users: config.users.length,
      peers: peers.size,
    });
    return {
      identity: config.identity,
      ports,
      urls,
      resolves: () => resolves.summaries(),
      close: async () => {
        await Promise.all(started.map(closeServer));
      },
    };
  } catch (e) {
    await Promise.all(started.map(closeServer));
    throw e;
  }
}
