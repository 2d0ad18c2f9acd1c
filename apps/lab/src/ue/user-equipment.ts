import { randomBytes } from 'node:crypto';
import {
  DataType,
  IdRole,
  KeyDataType,
  MikeyCryptoError,
  PayloadType,
  RandRole,
  TicketType,
  TsRole,
  decodeMikey,
  findPayload,
  ntpTimestamp,
  ntpToDate,
  openTicketExchangeMessage,
  sealTicketExchangeMessage,
  viewMikey,
  type CsIdMap,
  type EncodedMikey,
  type SpPayload,
  type TicketPayload,
} from '@app/mikey';
import { postUa, type UaEndpoint } from './kms-ua-client';

/** A ticket obtained with REQUEST_INIT / REQUEST_RESP (RFC 6043 §4.1). */
export interface IssuedTicket {
  ticket: TicketPayload;
  tgk: Buffer;
  mpk: Buffer;
  /** The KMS that issued it (IDRkms of REQUEST_RESP). */
  kmsIdentity: string;
  notBefore: Date;
  notAfter: Date;
}

/** What the responder learns by resolving a TRANSFER_INIT's ticket (RFC 6043 §4.3). */
export interface ResolvedTransfer {
  transfer: EncodedMikey;
  tgk: Buffer;
  mpk: Buffer;
  initiator: string;
  csbId: number;
  rand: Buffer;
  prfFunc: number;
}

/** A UE's configuration: public identity, the PSK it shares with its KMS (GBA stand-in), the KMS. */
export interface UserEquipmentConfig {
  identity: string;
  psk: Buffer;
  /** Sent as IDRpsk when set (e.g. a B-TID). */
  pskId?: string;
  kms: UaEndpoint;
}

/** Thrown when a MIKEY-TICKET answer fails verification at the UE. */
export class UeVerificationError extends Error {
  override readonly name = 'UeVerificationError';
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/**
 * A simulated IMS UE running the MIKEY-TICKET exchanges of RFC 6043 over real HTTPS (Ua):
 * as initiator REQUEST_INIT_PSK → REQUEST_RESP and TRANSFER_INIT; as responder RESOLVE_INIT_PSK
 * → RESOLVE_RESP and TRANSFER_RESP. PSK protection as in kms-sim (RFC 6043 §5.5 identities:
 * user ‖ KMS on Ua, initiator ‖ responder on the transfer).
 */
export class UserEquipment {
  constructor(readonly config: UserEquipmentConfig) {}

  get identity(): string {
    return this.config.identity;
  }

  /** Ticket Request (RFC 6043 §4.1) for a call to `responder` (named in the ticket). */
  async requestTicket(responder?: string): Promise<IssuedTicket> {
    const { kms } = this.config;
    const rand = randomBytes(16);
    const csbId = randomBytes(4).readUInt32BE(0);
    const identities = [utf8(this.identity), utf8(kms.identity)];
    const init = sealTicketExchangeMessage(
      {
        dataType: DataType.REQUEST_INIT_PSK,
        csbId,
        timestamp: ntpTimestamp(new Date()),
        rand,
        identities: {
          [IdRole.INITIATOR]: this.identity,
          [IdRole.KMS]: kms.identity,
          ...(responder ? { [IdRole.RESPONDER]: responder } : {}),
          ...(this.config.pskId ? { [IdRole.PSK]: this.config.pskId } : {}),
        },
        ticketPolicy: {
          ticketType: TicketType.THREEGPP_BASE_TICKET,
          subtype: 1,
          version: 1,
          policy: Buffer.alloc(0),
        },
      },
      { inkey: this.config.psk, rand, identities },
    );
    const resp = decodeMikey(await postUa(kms, 'ticketrequest', init.bytes));
    if (
      resp.message.header.dataType !== (DataType.REQUEST_RESP as number) ||
      resp.message.header.csbId !== csbId
    ) {
      throw new UeVerificationError('not the REQUEST_RESP of this request');
    }
    const keys = this.open(resp, rand, identities);
    const view = viewMikey(resp.message);
    const tgk = keys.find((k) => k.keyType === KeyDataType.TGK)?.key;
    const mpk = keys.find((k) => k.keyType === KeyDataType.MPK)?.key;
    const start = view.timeByRole[TsRole.VALIDITY_START];
    const end = view.timeByRole[TsRole.VALIDITY_END];
    if (!tgk || !mpk || !view.ticket || !start || !end)
      throw new UeVerificationError('REQUEST_RESP lacks ticket or keys');
    return {
      ticket: view.ticket,
      tgk,
      mpk,
      kmsIdentity: view.identityByRole[IdRole.KMS]?.text ?? kms.identity,
      notBefore: ntpToDate(start.value),
      notAfter: ntpToDate(end.value),
    };
  }

  /**
   * TRANSFER_INIT (RFC 6043 §4.2) for the INVITE: the ticket, IDRi/IDRr, IDRkms (the KMS to
   * resolve at), the SRTP policy and crypto-session map, V under the MPK-derived auth key.
   */
  transferInit(
    t: IssuedTicket,
    o: {
      responder: string;
      csbId: number;
      csIdMap: CsIdMap;
      rand: Buffer;
      policies: SpPayload[];
      prfFunc: number;
    },
  ): EncodedMikey {
    return sealTicketExchangeMessage(
      {
        dataType: DataType.TRANSFER_INIT,
        csbId: o.csbId,
        csIdMap: o.csIdMap,
        prfFunc: o.prfFunc,
        v: true,
        timestamp: ntpTimestamp(new Date()),
        rand: o.rand,
        identities: {
          [IdRole.INITIATOR]: this.identity,
          [IdRole.RESPONDER]: o.responder,
          [IdRole.KMS]: t.kmsIdentity,
        },
        policies: o.policies,
        ticket: { policy: t.ticket.policy, ticketData: t.ticket.ticketData },
      },
      { inkey: t.mpk, rand: o.rand, identities: [utf8(this.identity), utf8(o.responder)] },
    );
  }

  /**
   * Responder side: resolves the ticket of a received TRANSFER_INIT at this UE's KMS
   * (RESOLVE_INIT_PSK with the TRANSFER_INIT's CSB ID, CS map and RAND as RANDRi), then checks
   * the TRANSFER_INIT's V MAC with the MPK it got back (RFC 6043 §4.2, §4.3).
   */
  async resolveTransfer(transferInit: Buffer): Promise<ResolvedTransfer> {
    const transfer = decodeMikey(transferInit);
    const m = transfer.message;
    if (m.header.dataType !== (DataType.TRANSFER_INIT as number))
      throw new UeVerificationError('not a TRANSFER_INIT');
    const ticket = findPayload(m, PayloadType.TICKET);
    const randI = findPayload(m, PayloadType.RAND)?.rand;
    if (!ticket || !randI) throw new UeVerificationError('TRANSFER_INIT lacks TICKET or RAND');
    const { kms } = this.config;
    const rand = randomBytes(16);
    const identities = [utf8(this.identity), utf8(kms.identity)];
    const init = sealTicketExchangeMessage(
      {
        dataType: DataType.RESOLVE_INIT_PSK,
        csbId: m.header.csbId,
        csIdMap: m.header.csIdMap,
        prfFunc: m.header.prfFunc,
        timestamp: ntpTimestamp(new Date()),
        rand,
        identities: {
          [IdRole.RESPONDER]: this.identity,
          [IdRole.KMS]: kms.identity,
          ...(this.config.pskId ? { [IdRole.PSK]: this.config.pskId } : {}),
        },
        ticket: { policy: ticket.policy, ticketData: ticket.ticketData },
        randByRole: { [RandRole.INITIATOR]: randI },
      },
      { inkey: this.config.psk, rand, identities },
    );
    const resp = decodeMikey(await postUa(kms, 'ticketresolve', init.bytes));
    if (resp.message.header.dataType !== (DataType.RESOLVE_RESP as number))
      throw new UeVerificationError('not a RESOLVE_RESP');
    const keys = this.open(resp, rand, identities);
    const tgk = keys.find((k) => k.keyType === KeyDataType.TGK)?.key;
    const mpk = keys.find((k) => k.keyType === KeyDataType.MPK)?.key;
    const initiator = viewMikey(resp.message).identityByRole[IdRole.INITIATOR]?.text;
    if (!tgk || !mpk || !initiator)
      throw new UeVerificationError('RESOLVE_RESP lacks keys or IDRi');
    const claimed = viewMikey(m).identityByRole[IdRole.INITIATOR]?.data ?? utf8(initiator);
    try {
      openTicketExchangeMessage(transfer, {
        inkey: mpk,
        rand: randI,
        identities: [claimed, utf8(this.identity)],
      });
    } catch (e) {
      if (e instanceof MikeyCryptoError)
        throw new UeVerificationError('TRANSFER_INIT MAC does not verify with the MPK');
      throw e;
    }
    return {
      transfer,
      tgk,
      mpk,
      initiator,
      csbId: m.header.csbId,
      rand: randI,
      prfFunc: m.header.prfFunc,
    };
  }

  /** TRANSFER_RESP (RFC 6043 §4.2) for the 200 OK: V under the MPK-derived auth key. */
  transferResp(r: ResolvedTransfer): EncodedMikey {
    return sealTicketExchangeMessage(
      {
        dataType: DataType.TRANSFER_RESP,
        csbId: r.csbId,
        csIdMap: r.transfer.message.header.csIdMap,
        prfFunc: r.prfFunc,
        timestamp: ntpTimestamp(new Date()),
        identities: { [IdRole.RESPONDER]: this.identity },
      },
      { inkey: r.mpk, rand: r.rand, identities: [utf8(r.initiator), utf8(this.identity)] },
    );
  }

  /** Initiator side: verifies the TRANSFER_RESP of the 200 OK. */
  verifyTransferResp(bytes: Buffer, t: IssuedTicket, rand: Buffer, responder: string): void {
    const resp = decodeMikey(bytes);
    if (resp.message.header.dataType !== (DataType.TRANSFER_RESP as number))
      throw new UeVerificationError('not a TRANSFER_RESP');
    try {
      openTicketExchangeMessage(resp, {
        inkey: t.mpk,
        rand,
        identities: [utf8(this.identity), utf8(responder)],
      });
    } catch (e) {
      if (e instanceof MikeyCryptoError)
        throw new UeVerificationError('TRANSFER_RESP MAC does not verify');
      throw e;
    }
  }

  private open(resp: EncodedMikey, rand: Buffer, identities: Buffer[]) {
    try {
      return openTicketExchangeMessage(resp, { inkey: this.config.psk, rand, identities });
    } catch (e) {
      if (e instanceof MikeyCryptoError)
        throw new UeVerificationError('KMS answer does not verify with the PSK');
      throw e;
    }
  }
}
