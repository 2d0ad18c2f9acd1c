import {
  DataType,
  MikeyDecodeError,
  PayloadType,
  cryptoSessionIds,
  decodeMikey,
  findPayload,
} from '@app/mikey';
import {
  XK_ERRORS,
  XkProtocolError,
  parseXkKeyRequest,
  type XkError,
  type XkErrorCode,
  type XkKeyRequest,
  type XkPending,
  type XkResolved,
} from '@app/xk';
import { normalizeIdentity, sameIdentity } from './identity';
import { KmsError } from './kms-errors';
import type { KmsLogger } from './kms-log';
import type { ResolveLog, ResolveRecord } from './resolve-log';
import { ticketDigest, type TicketContent, type TicketSealer } from './ticket-sealer';
import type { ZkClient, ZkPeer } from './zk-client';

/** An Xk answer: HTTP status and JSON body (ARCHITECTURE.md §5). */
export interface XkReply {
  status: number;
  body: XkResolved | XkPending | XkError;
}

export interface XkServiceDeps {
  sealer: TicketSealer;
  resolves: ResolveLog;
  peers: Map<string, ZkPeer>;
  zk: ZkClient;
  pendingWindowMs: number;
  retryAfterMs: number;
  sessionMatchWindowMs: number;
  clockSkewMs: number;
  maxMikeyBytes: number;
  log: KmsLogger;
  now: () => number;
}

/** What LI saw: the TRANSFER_INIT of the signalling (RFC 6043 §4.2), decoded if possible. */
interface SeenTransfer {
  csbId: number;
  csIds: number[];
  rand?: Buffer;
  ticketData?: Buffer;
}

const MAX_PENDING_SESSIONS = 10_000;

function error(code: XkErrorCode, message: string, requestId?: string): XkReply {
  return {
    status: XK_ERRORS[code],
    body: { ...(requestId ? { requestId } : {}), error: code, message },
  };
}

/**
 * The KMS side of Xk (ARCHITECTURE.md §5; TS 33.107 §7A.7.1; seeds 000, 001):
 * 1. the key-management data LI saw must belong to the target identity in the stated role
 *    (seed 001 requirement 2), else 409 TARGET_MISMATCH;
 * 2. the keys come from the resolve the terminal itself made (seed 000: the KMS does not trust
 *    the ticket LI saw), matched by ticket or by the session identities; `signallingIntact`
 *    is false when LI's TRANSFER_INIT differs from what the terminal resolved;
 * 3. before the responder resolved: 202 for `pendingWindowMs`, then the keys from LI's ticket
 *    if it is authentic (source `ticket`), else 404 UNKNOWN_TICKET.
 * A ticket issued by a peer KMS without a local resolve is forwarded to that peer over Zk.
 */
export class XkService {
  private readonly firstSeen = new Map<string, number>();

  constructor(private readonly d: XkServiceDeps) {}

  async handle(raw: Buffer, forwardAllowed: boolean): Promise<XkReply> {
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return error('MALFORMED', 'body is not JSON');
    }
    let req: XkKeyRequest;
    try {
      req = parseXkKeyRequest(json);
    } catch (e) {
      if (e instanceof XkProtocolError)
        return error('MALFORMED', e.problems.join('; ').slice(0, 480));
      throw e;
    }
    const reply = await this.answer(req, raw, forwardAllowed);
    this.d.log({
      event: 'xk.answer',
      requestId: req.requestId,
      role: req.target.role,
      status: reply.status,
      source: 'source' in reply.body ? reply.body.source : undefined,
      signallingIntact: 'signallingIntact' in reply.body ? reply.body.signallingIntact : undefined,
      error: 'error' in reply.body ? reply.body.error : undefined,
    });
    return reply;
  }

  private async answer(req: XkKeyRequest, raw: Buffer, forwardAllowed: boolean): Promise<XkReply> {
    const observedAt = Date.parse(req.session.observedAt);
    const seen = this.decodeSeen(Buffer.from(req.mikey, 'base64'));
    const digest = seen?.ticketData ? ticketDigest(seen.ticketData) : undefined;
    const opened = seen?.ticketData ? this.d.sealer.open(seen.ticketData) : undefined;
    const ticket: TicketContent | undefined = opened?.kind === 'ok' ? opened.content : undefined;

    const direct = digest ? this.d.resolves.byDigest(digest) : undefined;
    const match = direct
      ? undefined
      : this.d.resolves.bySession(
          {
            initiatorUri: req.session.initiatorUri,
            responderUri: req.session.responderUri,
            observedAt,
          },
          this.d.sessionMatchWindowMs,
          {
            notBefore: observedAt - this.d.clockSkewMs,
            ...(seen ? { csbId: seen.csbId } : {}),
            ...(seen?.rand ? { rand: seen.rand } : {}),
          },
        );
    // An authentic ticket that nobody resolved yet is only replaced by a resolve of the same
    // session (same CSB ID or RAND); LI data that does not open is matched by parties and time.
    const sessionRecord = match && (!ticket || match.hinted) ? match.record : undefined;
    const resolved = direct ?? sessionRecord;

    if (!resolved && opened?.kind === 'foreign' && forwardAllowed) {
      const peer = this.d.peers.get(normalizeIdentity(opened.issuer));
      if (peer) return this.forward(peer, raw, req.requestId);
    }
    if (!seen && !resolved)
      return error('MALFORMED', 'mikey is not a TRANSFER_INIT with a TICKET', req.requestId);

    const initiator = ticket ? ticket.initiator : resolved?.initiator;
    const responder = ticket
      ? (ticket.responder ?? direct?.responder ?? sessionRecord?.responder)
      : resolved?.responder;
    const expected = req.target.role === 'initiator' ? initiator : responder;
    const pending = this.withinPendingWindow(`${req.session.callId}\u0000${digest ?? ''}`);
    if (expected === undefined) {
      return pending
        ? this.pending(req)
        : error('UNKNOWN_TICKET', 'no resolvable ticket for this session', req.requestId);
    }
    if (!sameIdentity(expected, req.target.kmsIdentity)) {
      return error(
        'TARGET_MISMATCH',
        'the key-management data is not related to the target in that role',
        req.requestId,
      );
    }
    if (resolved) return this.fromResolve(req, resolved, seen, digest);
    if (!ticket || !seen) {
      return pending
        ? this.pending(req)
        : error('UNKNOWN_TICKET', 'no resolvable ticket for this session', req.requestId);
    }
    if (pending) return this.pending(req);
    if (!seen.rand) return error('MALFORMED', 'TRANSFER_INIT without RAND', req.requestId);
    return this.resolvedReply(
      req,
      'ticket',
      true,
      seen.csbId,
      seen.rand,
      seen.csIds,
      ticket.tgk,
      ticket,
    );
  }

  private fromResolve(
    req: XkKeyRequest,
    r: ResolveRecord,
    seen: SeenTransfer | undefined,
    digest: string | undefined,
  ): XkReply {
    const rand = r.randInitiator ?? seen?.rand;
    if (!rand)
      return error('KMS_ERROR', 'the resolve carried no RAND of the TRANSFER_INIT', req.requestId);
    const intact =
      seen !== undefined &&
      digest === r.ticketDigest &&
      seen.csbId === r.csbId &&
      (r.randInitiator === undefined ||
        (seen.rand !== undefined && seen.rand.equals(r.randInitiator)));
    const csIds = r.csIds.length > 0 ? r.csIds : (seen?.csIds ?? []);
    return this.resolvedReply(req, 'terminal-resolve', intact, r.csbId, rand, csIds, r.tgk, r);
  }

  private resolvedReply(
    req: XkKeyRequest,
    source: XkResolved['source'],
    signallingIntact: boolean,
    csbId: number,
    rand: Buffer,
    csIds: number[],
    tgk: Buffer,
    validity: { notBefore: number; notAfter: number },
  ): XkReply {
    const ids = csIds.length > 0 ? csIds : [1];
    const body: XkResolved = {
      requestId: req.requestId,
      status: 'resolved',
      source,
      signallingIntact,
      csbId,
      rand: rand.toString('base64'),
      keys: ids.map((csId) => ({ csId, kind: 'TGK', key: tgk.toString('base64') })),
      validity: {
        notBefore: new Date(validity.notBefore).toISOString(),
        notAfter: new Date(validity.notAfter).toISOString(),
      },
    };
    return { status: 200, body };
  }

  private pending(req: XkKeyRequest): XkReply {
    return {
      status: 202,
      body: { requestId: req.requestId, status: 'pending', retryAfterMs: this.d.retryAfterMs },
    };
  }

  private async forward(peer: ZkPeer, raw: Buffer, requestId: string): Promise<XkReply> {
    try {
      const r = await this.d.zk.forwardXk(peer, raw);
      return { status: r.status, body: r.body as XkReply['body'] };
    } catch (e) {
      if (e instanceof KmsError)
        return error('KMS_ERROR', `issuing KMS not reachable over Zk`, requestId);
      throw e;
    }
  }

  /** The TRANSFER_INIT LI saw, or undefined when it is not one (or not decodable). */
  private decodeSeen(bytes: Buffer): SeenTransfer | undefined {
    try {
      const { message } = decodeMikey(bytes, { maxLength: this.d.maxMikeyBytes });
      if (message.header.dataType !== (DataType.TRANSFER_INIT as number)) return undefined;
      const ticket = findPayload(message, PayloadType.TICKET);
      const rand = findPayload(message, PayloadType.RAND);
      return {
        csbId: message.header.csbId,
        csIds: cryptoSessionIds(message.header),
        ...(rand ? { rand: rand.rand } : {}),
        ...(ticket ? { ticketData: ticket.ticketData } : {}),
      };
    } catch (e) {
      if (e instanceof MikeyDecodeError) return undefined;
      throw e;
    }
  }

  /** True while `key` was first asked about less than `pendingWindowMs` ago. */
  private withinPendingWindow(key: string): boolean {
    const now = this.d.now();
    let first = this.firstSeen.get(key);
    if (first === undefined) {
      first = now;
      this.firstSeen.set(key, now);
      if (this.firstSeen.size > MAX_PENDING_SESSIONS) {
        const oldest = this.firstSeen.keys().next().value;
        if (oldest !== undefined) this.firstSeen.delete(oldest);
      }
    }
    return now - first < this.d.pendingWindowMs;
  }
}
