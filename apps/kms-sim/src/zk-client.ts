import { randomBytes } from 'node:crypto';
import {
  DataType,
  IdRole,
  KeyDataType,
  MikeyCryptoError,
  MikeyDecodeError,
  RandRole,
  TsRole,
  decodeMikey,
  ntpTimestamp,
  ntpToDate,
  openTicketExchangeMessage,
  sealTicketExchangeMessage,
  viewMikey,
  type CsIdMap,
  type TicketPayload,
} from '@app/mikey';
import { XK_KEY_REQUEST_PATH } from '@app/xk';
import { HttpsClientError, httpsPost, type HttpsClientTls } from './https-client';
import { KmsError } from './kms-errors';

/** A peer KMS reachable over Zk (TS 33.328 §6.2.3.8, seed 004). */
export interface ZkPeer {
  identity: string;
  /** Absent: the peer calls us, we never call it. */
  url?: string;
  psk: Buffer;
  tlsName: string;
}

/** What the issuing KMS returns for a ticket resolved over Zk. */
export interface ZkResolution {
  tgk: Buffer;
  mpk: Buffer;
  initiator: string;
  notBefore: number;
  notAfter: number;
}

/** The resolve a KMS_R forwards: the responder's request, re-issued by KMS_R. */
export interface ZkResolveRequest {
  responder: string;
  csbId: number;
  csIdMap: CsIdMap;
  prfFunc: number;
  ticket: TicketPayload;
  randInitiator?: Buffer;
}

/** Query of the Zk listener that carries ticket resolves (TS 33.328 §4.2.4: only ticketresolve). */
export const ZK_RESOLVE_QUERY = '?requesttype=ticketresolve';

/**
 * KMS_R side of Zk: re-issues a RESOLVE_INIT to the issuing KMS over mutual TLS (the KMS
 * certificate as client certificate; the peer's CN checked) and opens its RESOLVE_RESP. The
 * message is protected like a PSK resolve with a key shared by the two KMSs; IDRkmsr names
 * KMS_R and the MAC covers IDRkmsr ‖ IDRkms (our RFC 6043 §5.5 choice for this hop).
 */
export class ZkClient {
  constructor(
    private readonly self: string,
    private readonly tls: HttpsClientTls,
    private readonly timeoutMs: number,
    private readonly maxBytes: number,
    private readonly now: () => number,
  ) {}

  async resolve(peer: ZkPeer, r: ZkResolveRequest): Promise<ZkResolution> {
    const rand = randomBytes(16);
    const identities = [Buffer.from(this.self, 'utf8'), Buffer.from(peer.identity, 'utf8')];
    const init = sealTicketExchangeMessage(
      {
        dataType: DataType.RESOLVE_INIT_PSK,
        csbId: r.csbId,
        csIdMap: r.csIdMap,
        prfFunc: r.prfFunc,
        timestamp: ntpTimestamp(new Date(this.now())),
        rand,
        identities: {
          [IdRole.RESPONDER]: r.responder,
          [IdRole.KMS]: peer.identity,
          [IdRole.RESPONDER_KMS]: this.self,
        },
        ticket: { policy: r.ticket.policy, ticketData: r.ticket.ticketData },
        ...(r.randInitiator ? { randByRole: { [RandRole.INITIATOR]: r.randInitiator } } : {}),
      },
      { inkey: peer.psk, rand, identities },
    );
    const res = await this.post(peer, ZK_RESOLVE_QUERY, init.bytes, 'application/mikey');
    if (res.status === 404)
      throw new KmsError('UNKNOWN_TICKET', 'issuing KMS does not know the ticket');
    if (res.status === 403) throw new KmsError('NOT_AUTHORIZED', 'issuing KMS refused the resolve');
    if (res.status !== 200 || res.contentType !== 'application/mikey') {
      throw new KmsError('PEER_UNAVAILABLE', `issuing KMS answered HTTP ${res.status}`);
    }
    try {
      const resp = decodeMikey(res.body, { maxLength: this.maxBytes });
      if (resp.message.header.dataType !== (DataType.RESOLVE_RESP as number)) {
        throw new KmsError('PEER_UNAVAILABLE', 'issuing KMS did not send RESOLVE_RESP');
      }
      const keys = openTicketExchangeMessage(resp, { inkey: peer.psk, rand, identities });
      const view = viewMikey(resp.message);
      const tgk = keys.find((k) => k.keyType === KeyDataType.TGK)?.key;
      const mpk = keys.find((k) => k.keyType === KeyDataType.MPK)?.key;
      const initiator = view.identityByRole[IdRole.INITIATOR]?.text;
      const start = view.timeByRole[TsRole.VALIDITY_START];
      const end = view.timeByRole[TsRole.VALIDITY_END];
      if (!tgk || !mpk || !initiator || !start || !end) {
        throw new KmsError(
          'PEER_UNAVAILABLE',
          'RESOLVE_RESP from the issuing KMS lacks keys or fields',
        );
      }
      return {
        tgk,
        mpk,
        initiator,
        notBefore: ntpToDate(start.value).getTime(),
        notAfter: ntpToDate(end.value).getTime(),
      };
    } catch (e) {
      if (e instanceof MikeyDecodeError || e instanceof MikeyCryptoError) {
        throw new KmsError(
          'PEER_UNAVAILABLE',
          'RESOLVE_RESP from the issuing KMS failed verification',
        );
      }
      throw e;
    }
  }

  /** Forwards an Xk key request for a ticket the peer issued; returns its status and JSON. */
  async forwardXk(peer: ZkPeer, body: Buffer): Promise<{ status: number; body: unknown }> {
    const res = await this.post(peer, XK_KEY_REQUEST_PATH, body, 'application/json');
    if (res.contentType !== 'application/json') {
      throw new KmsError('PEER_UNAVAILABLE', `peer KMS answered HTTP ${res.status} without JSON`);
    }
    try {
      return { status: res.status, body: JSON.parse(res.body.toString('utf8')) as unknown };
    } catch {
      throw new KmsError('PEER_UNAVAILABLE', 'peer KMS answered invalid JSON');
    }
  }

  private async post(peer: ZkPeer, path: string, body: Buffer, contentType: string) {
    if (!peer.url)
      throw new KmsError('PEER_UNAVAILABLE', `no Zk URL configured for ${peer.identity}`);
    try {
      return await httpsPost(new URL(path, peer.url), body, {
        tls: this.tls,
        contentType,
        timeoutMs: this.timeoutMs,
        maxResponseBytes: this.maxBytes,
        expectCommonName: peer.tlsName,
      });
    } catch (e) {
      if (e instanceof HttpsClientError)
        throw new KmsError('PEER_UNAVAILABLE', `Zk to ${peer.identity}: ${e.message}`);
      throw e;
    }
  }
}
