import {
  IdType,
  PayloadType,
  type IdRole,
  type RandRole,
  type TsRole,
  type TsType,
} from './constants';
import { cryptoSessionIds } from './header-codec';
import type { MikeyMessage, TicketPayload, TicketPolicy } from './types';

/** An identity as carried in ID / IDR (RFC 3830 §6.7.1, RFC 6043 §6.6). */
export interface MikeyIdentity {
  idType: IdType;
  data: Buffer;
  /** UTF-8 text for NAI and URI, lower-case hex for byte strings. */
  text: string;
}

/** A timestamp value with its type (RFC 3830 §6.6). */
export interface MikeyTimestamp {
  tsType: TsType;
  value: Buffer;
}

/** Flat read-only view of the fields an application looks up in a MIKEY message. */
export interface MikeyView {
  dataType: number;
  csbId: number;
  prfFunc: number;
  csIds: number[];
  timestamp?: MikeyTimestamp;
  rand?: Buffer;
  /** RANDR payloads by role (RFC 6043 §6.7). */
  randByRole: Partial<Record<RandRole, Buffer>>;
  /** IDR payloads by role (RFC 6043 §6.6); the first of each role. */
  identityByRole: Partial<Record<IdRole, MikeyIdentity>>;
  /** Plain ID payloads in order (RFC 3830: IDi first, then IDr). */
  ids: MikeyIdentity[];
  /** TR payloads by role (RFC 6043 §6.4). */
  timeByRole: Partial<Record<TsRole, MikeyTimestamp>>;
  ticket?: TicketPayload;
  ticketPolicy?: TicketPolicy;
}

/** Text form of an identity: UTF-8 for NAI/URI, hex otherwise. */
export function identityOf(idType: IdType, data: Buffer): MikeyIdentity {
  const text =
    idType === IdType.NAI || idType === IdType.URI ? data.toString('utf8') : data.toString('hex');
  return { idType, data: Buffer.from(data), text };
}

/** Builds a {@link MikeyView} of a decoded message. */
export function viewMikey(message: MikeyMessage): MikeyView {
  const { header } = message;
  const view: MikeyView = {
    dataType: header.dataType,
    csbId: header.csbId,
    prfFunc: header.prfFunc,
    csIds: cryptoSessionIds(header),
    randByRole: {},
    identityByRole: {},
    ids: [],
    timeByRole: {},
  };
  for (const p of message.payloads) {
    switch (p.type) {
      case PayloadType.T:
        view.timestamp ??= { tsType: p.tsType, value: p.value };
        break;
      case PayloadType.RAND:
        view.rand ??= p.rand;
        break;
      case PayloadType.RANDR:
        view.randByRole[p.role] ??= p.rand;
        break;
      case PayloadType.IDR:
        view.identityByRole[p.role] ??= identityOf(p.idType, p.data);
        break;
      case PayloadType.ID:
        view.ids.push(identityOf(p.idType, p.data));
        break;
      case PayloadType.TR:
        view.timeByRole[p.role] ??= { tsType: p.tsType, value: p.value };
        break;
      case PayloadType.TICKET:
        view.ticket ??= p;
        break;
      case PayloadType.TP:
        view.ticketPolicy ??= p.policy;
        break;
      default:
        break;
    }
  }
  return view;
}
