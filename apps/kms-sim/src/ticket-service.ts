import { randomBytes } from 'node:crypto';
import {
  DataType,
  IdRole,
  KeyDataType,
  KvType,
  RandRole,
  TicketType,
  TsRole,
  cryptoSessionIds,
  ntpTimestamp,
  openTicketExchangeMessage,
  sealTicketExchangeMessage,
  type KeyData,
  type TicketPolicy,
} from '@app/mikey';
import { normalizeIdentity, sameIdentity } from './identity';
import { KmsError } from './kms-errors';
import type { KmsLogger } from './kms-log';
import { authFailure, decodeTicketRequest, idr, type TicketRequestInput } from './mikey-input';
import type { ReplayGuard } from './replay-guard';
import type { ResolveLog, ResolveRecord } from './resolve-log';
import { TicketSealer, ticketDigest, type TicketContent } from './ticket-sealer';
import type { KmsUser, UserDirectory } from './user-directory';
import type { ZkClient, ZkPeer } from './zk-client';

/** Ticket types this KMS issues (RFC 6043 §6.10); the Ticket Data format is ours (ticket-sealer). */
const SUPPORTED_TICKET_TYPES = new Set<number>([TicketType.THREEGPP_BASE_TICKET]);

/** Keys a resolve hands out: TGK and MPK of the ticket (RFC 6043 §5). */
interface ResolvedKeys {
  tgk: Buffer;
  mpk: Buffer;
  initiator: string;
  notBefore: number;
  notAfter: number;
  ticketId?: string;
  issuer: string;
}

export interface TicketServiceDeps {
  identity: string;
  users: UserDirectory;
  sealer: TicketSealer;
  replay: ReplayGuard;
  resolves: ResolveLog;
  peers: Map<string, ZkPeer>;
  zk: ZkClient;
  ticketLifetimeMs: number;
  maxMessageBytes: number;
  log: KmsLogger;
  now: () => number;
}

function keyData(tgk: Buffer, mpk: Buffer): KeyData[] {
  return [
    { keyType: KeyDataType.TGK, key: tgk, validity: { kv: KvType.NULL } },
    { keyType: KeyDataType.MPK, key: mpk, validity: { kv: KvType.NULL } },
  ];
}

/**
 * The Ua exchanges of MIKEY-TICKET (RFC 6043 §4.1 Ticket Request, §4.3 Ticket Resolve; carried
 * over HTTP per TS 33.328 Annex A) and the issuing side of a Zk resolve (TS 33.328 §6.2.3.8).
 * PSK mode only: the user's pre-shared key protects the exchange (RFC 6043 §5, like MIKEY-PSK).
 */
export class TicketService {
  constructor(private readonly d: TicketServiceDeps) {}

  /** REQUEST_INIT_PSK → REQUEST_RESP carrying the ticket and, in KEMAC, the TGK and MPK. */
  ticketRequest(body: Buffer): Buffer {
    const req = decodeTicketRequest(body, DataType.REQUEST_INIT_PSK, this.d.maxMessageBytes);
    const user = this.authenticateUser(req, IdRole.INITIATOR);
    const identities = this.macIdentities(req, user, IdRole.INITIATOR);
    try {
      openTicketExchangeMessage(req.encoded, { inkey: user.psk, rand: req.rand, identities });
    } catch (e) {
      authFailure(e);
    }
    this.admit(body, req);
    const policy = req.view.ticketPolicy;
    if (!policy) throw new KmsError('MALFORMED', 'TP payload missing');
    if (!SUPPORTED_TICKET_TYPES.has(policy.ticketType)) {
      throw new KmsError('UNSUPPORTED', `ticket type ${policy.ticketType} not issued here`);
    }
    const now = this.d.now();
    const responder = idr(req.view, IdRole.RESPONDER);
    const content: TicketContent = {
      id: TicketSealer.newId(),
      issuer: this.d.identity,
      initiator: user.identity,
      ...(responder !== undefined ? { responder } : {}),
      issuedAt: now,
      notBefore: now,
      notAfter: now + this.d.ticketLifetimeMs,
      tgk: randomBytes(32),
      mpk: randomBytes(32),
    };
    const ticketPolicy: TicketPolicy = { ...policy, policy: Buffer.alloc(0) };
    const resp = sealTicketExchangeMessage(
      {
        dataType: DataType.REQUEST_RESP,
        csbId: req.view.csbId,
        csIdMap: req.encoded.message.header.csIdMap,
        prfFunc: req.view.prfFunc,
        timestamp: ntpTimestamp(new Date(now)),
        identities: { [IdRole.KMS]: this.d.identity },
        ticket: { policy: ticketPolicy, ticketData: this.d.sealer.seal(content) },
        timeByRole: {
          [TsRole.VALIDITY_START]: ntpTimestamp(new Date(content.notBefore)),
          [TsRole.VALIDITY_END]: ntpTimestamp(new Date(content.notAfter)),
        },
      },
      { inkey: user.psk, rand: req.rand, identities },
      keyData(content.tgk, content.mpk),
    );
    this.d.log({
      event: 'ticket.issued',
      ticketId: content.id,
      initiator: user.identity,
      responder,
      notAfter: new Date(content.notAfter).toISOString(),
    });
    return resp.bytes;
  }

  /**
   * RESOLVE_INIT_PSK from a responder → RESOLVE_RESP with the TGK and MPK. A ticket issued by
   * a peer KMS is resolved there over Zk and re-encoded here (TS 33.328 §6.2.3.8). Every
   * resolve is recorded for Xk (seed 000).
   */
  async ticketResolve(body: Buffer): Promise<Buffer> {
    const req = decodeTicketRequest(body, DataType.RESOLVE_INIT_PSK, this.d.maxMessageBytes);
    const user = this.authenticateUser(req, IdRole.RESPONDER);
    const identities = this.macIdentities(req, user, IdRole.RESPONDER);
    try {
      openTicketExchangeMessage(req.encoded, { inkey: user.psk, rand: req.rand, identities });
    } catch (e) {
      authFailure(e);
    }
    this.admit(body, req);
    const ticket = req.ticket;
    if (!ticket) throw new KmsError('MALFORMED', 'TICKET payload missing');
    const randInitiator = req.view.randByRole[RandRole.INITIATOR];
    const opened = this.d.sealer.open(ticket.ticketData);
    let keys: ResolvedKeys;
    let via: ResolveRecord['via'] = 'local';
    let peerId: string | undefined;
    if (opened.kind === 'ok') {
      keys = this.checkLocalTicket(opened.content, user.identity);
    } else if (opened.kind === 'foreign' && this.d.peers.has(normalizeIdentity(opened.issuer))) {
      const peer = this.d.peers.get(normalizeIdentity(opened.issuer))!;
      const r = await this.d.zk.resolve(peer, {
        responder: user.identity,
        csbId: req.view.csbId,
        csIdMap: req.encoded.message.header.csIdMap,
        prfFunc: req.view.prfFunc,
        ticket,
        ...(randInitiator ? { randInitiator } : {}),
      });
      keys = { ...r, issuer: peer.identity };
      via = 'zk-out';
      peerId = peer.identity;
    } else {
      throw new KmsError('UNKNOWN_TICKET', 'ticket not issued by this KMS or a peer');
    }
    const resp = this.resolveResponse(req, keys, user.psk, identities, this.d.identity);
    this.record(req, ticket.ticketData, keys, user.identity, via, peerId, randInitiator);
    return resp;
  }

  /**
   * Issuing side of Zk: a RESOLVE_INIT re-issued by peer KMS `peer` (authenticated by mutual
   * TLS) for one of its users, protected with the key the two KMSs share.
   */
  peerResolve(body: Buffer, peer: ZkPeer): Buffer {
    const req = decodeTicketRequest(body, DataType.RESOLVE_INIT_PSK, this.d.maxMessageBytes);
    const kmsr = idr(req.view, IdRole.RESPONDER_KMS);
    const kms = idr(req.view, IdRole.KMS);
    const responder = idr(req.view, IdRole.RESPONDER);
    if (!sameIdentity(kmsr, peer.identity))
      throw new KmsError('NOT_A_PEER', 'IDRkmsr is not the TLS peer');
    if (kms !== undefined && !sameIdentity(kms, this.d.identity))
      throw new KmsError('WRONG_KMS', 'IDRkms is not this KMS');
    if (!responder) throw new KmsError('MALFORMED', 'IDRr missing');
    const identities = [Buffer.from(peer.identity, 'utf8'), Buffer.from(this.d.identity, 'utf8')];
    try {
      openTicketExchangeMessage(req.encoded, { inkey: peer.psk, rand: req.rand, identities });
    } catch (e) {
      authFailure(e);
    }
    this.admit(body, req);
    const ticket = req.ticket;
    if (!ticket) throw new KmsError('MALFORMED', 'TICKET payload missing');
    const opened = this.d.sealer.open(ticket.ticketData);
    if (opened.kind !== 'ok') throw new KmsError('UNKNOWN_TICKET', 'ticket not issued by this KMS');
    const keys = this.checkLocalTicket(opened.content, responder);
    const resp = this.resolveResponse(req, keys, peer.psk, identities, this.d.identity);
    const randInitiator = req.view.randByRole[RandRole.INITIATOR];
    this.record(req, ticket.ticketData, keys, responder, 'zk-in', peer.identity, randInitiator);
    return resp;
  }

  private checkLocalTicket(c: TicketContent, responder: string): ResolvedKeys {
    const now = this.d.now();
    if (now < c.notBefore || now > c.notAfter)
      throw new KmsError('TICKET_EXPIRED', 'ticket outside its validity');
    if (c.responder !== undefined && !sameIdentity(c.responder, responder)) {
      throw new KmsError('NOT_AUTHORIZED', 'the ticket names another responder');
    }
    return { ...c, ticketId: c.id };
  }

  private resolveResponse(
    req: TicketRequestInput,
    keys: ResolvedKeys,
    inkey: Buffer,
    identities: Buffer[],
    kmsIdentity: string,
  ): Buffer {
    return sealTicketExchangeMessage(
      {
        dataType: DataType.RESOLVE_RESP,
        csbId: req.view.csbId,
        csIdMap: req.encoded.message.header.csIdMap,
        prfFunc: req.view.prfFunc,
        timestamp: ntpTimestamp(new Date(this.d.now())),
        identities: { [IdRole.KMS]: kmsIdentity, [IdRole.INITIATOR]: keys.initiator },
        timeByRole: {
          [TsRole.VALIDITY_START]: ntpTimestamp(new Date(keys.notBefore)),
          [TsRole.VALIDITY_END]: ntpTimestamp(new Date(keys.notAfter)),
        },
      },
      { inkey, rand: req.rand, identities },
      keyData(keys.tgk, keys.mpk),
    ).bytes;
  }

  private record(
    req: TicketRequestInput,
    ticketData: Buffer,
    keys: ResolvedKeys,
    responder: string,
    via: ResolveRecord['via'],
    peer: string | undefined,
    randInitiator: Buffer | undefined,
  ): void {
    const r: ResolveRecord = {
      at: this.d.now(),
      responder,
      initiator: keys.initiator,
      ticketDigest: ticketDigest(ticketData),
      issuer: keys.issuer,
      via,
      csbId: req.view.csbId,
      csIds: cryptoSessionIds(req.encoded.message.header),
      randResolve: req.rand,
      tgk: keys.tgk,
      notBefore: keys.notBefore,
      notAfter: keys.notAfter,
      ...(keys.ticketId ? { ticketId: keys.ticketId } : {}),
      ...(peer ? { peer } : {}),
      ...(randInitiator ? { randInitiator } : {}),
    };
    this.d.resolves.add(r);
    this.d.log({
      event: 'ticket.resolved',
      ticketId: r.ticketId,
      ticketDigest: r.ticketDigest.slice(0, 16),
      responder,
      initiator: r.initiator,
      csbId: r.csbId,
      via,
      peer,
    });
  }

  /** The user the message claims (IDRi / IDRr, or IDRpsk), checked against IDRkms. */
  private authenticateUser(
    req: TicketRequestInput,
    role: IdRole.INITIATOR | IdRole.RESPONDER,
  ): KmsUser {
    if (this.d.replay.checkTime(req.timestamp) !== 'fresh') {
      throw new KmsError('STALE_TIMESTAMP', 'T payload outside the accepted clock skew');
    }
    const kms = idr(req.view, IdRole.KMS);
    if (kms !== undefined && !sameIdentity(kms, this.d.identity)) {
      throw new KmsError('WRONG_KMS', 'IDRkms is not this KMS');
    }
    const user = this.d.users.find(idr(req.view, role), idr(req.view, IdRole.PSK));
    if (!user) throw new KmsError('AUTH_FAILED', 'MIKEY authentication failed');
    return user;
  }

  /** Identities after the message in the MAC input (RFC 6043 §5.5): the user, then the KMS. */
  private macIdentities(req: TicketRequestInput, user: KmsUser, role: IdRole): Buffer[] {
    const u = req.view.identityByRole[role]?.data ?? Buffer.from(user.identity, 'utf8');
    const k = req.view.identityByRole[IdRole.KMS]?.data ?? Buffer.from(this.d.identity, 'utf8');
    return [u, k];
  }

  private admit(body: Buffer, req: TicketRequestInput): void {
    const v = this.d.replay.admit(body, req.timestamp);
    if (v === 'replayed') throw new KmsError('REPLAYED', 'MIKEY message already received');
    if (v === 'stale')
      throw new KmsError('STALE_TIMESTAMP', 'T payload outside the accepted clock skew');
  }
}
