import {
  CsIdMapType,
  DataType,
  IdRole,
  IdType,
  MAC_LENGTH,
  MIKEY_VERSION,
  PayloadType,
  PrfFunc,
  RandRole,
  TsRole,
  TsType,
  type MacAlg,
} from './constants';
import { MikeyCryptoError } from './errors';
import { sealWithMac, sealWithSignature, type MikeySigner } from './message-auth';
import type {
  CertPayload,
  ChashPayload,
  CsIdMap,
  EncodedMikey,
  GeneralExtPayload,
  KemacPayload,
  Payload,
  PkePayload,
  SpPayload,
  TicketPolicy,
} from './types';

/** The data types of RFC 6043 §6.1. */
export type TicketDataType =
  | DataType.REQUEST_INIT_PSK
  | DataType.REQUEST_INIT_PK
  | DataType.REQUEST_RESP
  | DataType.TRANSFER_INIT
  | DataType.TRANSFER_RESP
  | DataType.RESOLVE_INIT_PSK
  | DataType.RESOLVE_INIT_PK
  | DataType.RESOLVE_RESP;

/** An identity for an IDR payload: a URI string (ID Type URI) or an explicit type and data. */
export type IdentityInput = string | { idType: IdType; data: Buffer };

/** A timestamp: 8 octets of NTP-UTC, or an explicit TS type and value. */
export type TimestampInput = Buffer | { tsType: TsType; value: Buffer };

/** Everything a MIKEY-TICKET message may carry; which fields are allowed depends on the type. */
export interface TicketMessageSpec {
  dataType: TicketDataType;
  csbId: number;
  /** Default: empty map with #CS 0. */
  csIdMap?: CsIdMap;
  /** Default PRF-HMAC-SHA-256 (RFC 6043 §6.1). */
  prfFunc?: PrfFunc;
  v?: boolean;
  timestamp: TimestampInput;
  rand?: Buffer;
  identities?: Partial<Record<IdRole, IdentityInput>>;
  certificates?: CertPayload[];
  chash?: ChashPayload;
  pke?: PkePayload;
  policies?: SpPayload[];
  ticketPolicy?: TicketPolicy;
  ticket?: { policy: TicketPolicy; ticketData: Buffer };
  randByRole?: Partial<Record<RandRole, Buffer>>;
  timeByRole?: Partial<Record<TsRole, TimestampInput>>;
  kemac?: KemacPayload;
  extensions?: GeneralExtPayload[];
}

type Slot =
  | 'T'
  | 'RAND'
  | `IDR${IdRole}`
  | 'CERT'
  | 'SP'
  | 'TP'
  | 'TICKET'
  | `RANDR${RandRole}`
  | `TR${TsRole}`
  | 'CHASH'
  | 'PKE'
  | 'KEMAC'
  | 'EXT';

const I = `IDR${IdRole.INITIATOR}` as const;
const R = `IDR${IdRole.RESPONDER}` as const;
const K = `IDR${IdRole.KMS}` as const;
const PSK = `IDR${IdRole.PSK}` as const;
const APP = `IDR${IdRole.APPLICATION}` as const;
const KI = `IDR${IdRole.INITIATOR_KMS}` as const;
const KR = `IDR${IdRole.RESPONDER_KMS}` as const;

/**
 * Payload order per message, after HDR and before the closing V or SIGN, following the message
 * components of RFC 6043 §4.1 (Ticket Request), §4.2 (Ticket Transfer) and §4.3 (Ticket
 * Resolve) as recalled (see the README: the order is not verified against the RFC text).
 * Optional payloads appear only when given. Our additions, used by kms-sim and the lab UEs:
 * IDRr in REQUEST_INIT (the intended responder, recorded in the ticket); IDRkms in
 * TRANSFER_INIT (the KMS that resolves the ticket: the MF routes Xk by it, ARCHITECTURE.md §5);
 * in RESOLVE_INIT, IDRkmsr (the forwarding KMS on Zk, RFC 6043 §9 / TS 33.328 §6.2.3.8) and
 * RANDRi (the RAND of the TRANSFER_INIT the responder received, so that the KMS records the
 * RAND the terminal actually uses — seed 000).
 */
const ORDER: Record<TicketDataType, Slot[]> = {
  [DataType.REQUEST_INIT_PSK]: ['T', 'RAND', I, R, K, APP, 'TP', PSK, 'EXT'],
  [DataType.REQUEST_INIT_PK]: ['T', 'RAND', I, R, 'CERT', K, APP, 'TP', 'CHASH', 'PKE', 'EXT'],
  [DataType.REQUEST_RESP]: [
    'T',
    K,
    'TICKET',
    `RANDR${RandRole.KMS}`,
    `TR${TsRole.VALIDITY_START}`,
    `TR${TsRole.VALIDITY_END}`,
    'KEMAC',
    'EXT',
  ],
  [DataType.TRANSFER_INIT]: ['T', 'RAND', I, R, K, KI, KR, APP, 'SP', 'TICKET', 'KEMAC', 'EXT'],
  [DataType.TRANSFER_RESP]: ['T', R, `RANDR${RandRole.RESPONDER}`, 'SP', 'KEMAC', 'EXT'],
  [DataType.RESOLVE_INIT_PSK]: [
    'T',
    'RAND',
    R,
    K,
    KR,
    APP,
    'TICKET',
    `RANDR${RandRole.INITIATOR}`,
    PSK,
    'EXT',
  ],
  [DataType.RESOLVE_INIT_PK]: [
    'T',
    'RAND',
    R,
    'CERT',
    K,
    KR,
    APP,
    'TICKET',
    `RANDR${RandRole.INITIATOR}`,
    'CHASH',
    'PKE',
    'EXT',
  ],
  [DataType.RESOLVE_RESP]: [
    'T',
    K,
    I,
    `TR${TsRole.VALIDITY_START}`,
    `TR${TsRole.VALIDITY_END}`,
    `TR${TsRole.REKEYING_INTERVAL}`,
    `RANDR${RandRole.KMS}`,
    'KEMAC',
    'EXT',
  ],
};

function timestampPayload(t: TimestampInput): { tsType: TsType; value: Buffer } {
  return Buffer.isBuffer(t) ? { tsType: TsType.NTP_UTC, value: t } : t;
}

function idrPayload(role: IdRole, id: IdentityInput): Payload {
  const { idType, data } =
    typeof id === 'string' ? { idType: IdType.URI, data: Buffer.from(id, 'utf8') } : id;
  return { type: PayloadType.IDR, role, idType, data };
}

/** Payloads a spec provides, by slot. */
function slotsOf(spec: TicketMessageSpec): Map<Slot, Payload[]> {
  const m = new Map<Slot, Payload[]>();
  const put = (slot: Slot, ...p: Payload[]): void => {
    if (p.length > 0) m.set(slot, p);
  };
  put('T', { type: PayloadType.T, ...timestampPayload(spec.timestamp) });
  if (spec.rand) put('RAND', { type: PayloadType.RAND, rand: spec.rand });
  for (const [role, id] of Object.entries(spec.identities ?? {})) {
    if (id !== undefined) put(`IDR${Number(role) as IdRole}`, idrPayload(Number(role), id));
  }
  put('CERT', ...(spec.certificates ?? []));
  if (spec.chash) put('CHASH', spec.chash);
  if (spec.pke) put('PKE', spec.pke);
  put('SP', ...(spec.policies ?? []));
  if (spec.ticketPolicy) put('TP', { type: PayloadType.TP, policy: spec.ticketPolicy });
  if (spec.ticket) put('TICKET', { type: PayloadType.TICKET, ...spec.ticket });
  for (const [role, rand] of Object.entries(spec.randByRole ?? {})) {
    if (rand)
      put(`RANDR${Number(role) as RandRole}`, {
        type: PayloadType.RANDR,
        role: Number(role),
        rand,
      });
  }
  for (const [role, ts] of Object.entries(spec.timeByRole ?? {})) {
    if (ts) {
      put(`TR${Number(role) as TsRole}`, {
        type: PayloadType.TR,
        role: Number(role),
        ...timestampPayload(ts),
      });
    }
  }
  if (spec.kemac) put('KEMAC', spec.kemac);
  put('EXT', ...(spec.extensions ?? []));
  return m;
}

/** HDR and payloads of a ticket message in RFC 6043 order, without the closing V or SIGN. */
export function ticketMessagePayloads(spec: TicketMessageSpec): {
  header: EncodedMikey['message']['header'];
  payloads: Payload[];
} {
  const order = ORDER[spec.dataType];
  if (!order) throw new MikeyCryptoError('INVALID_ARGUMENT', `not a ticket data type`);
  const slots = slotsOf(spec);
  for (const slot of slots.keys()) {
    if (!order.includes(slot)) {
      throw new MikeyCryptoError('INVALID_ARGUMENT', `${slot} is not a component of this message`);
    }
  }
  return {
    header: {
      version: MIKEY_VERSION,
      dataType: spec.dataType,
      v: spec.v ?? false,
      prfFunc: spec.prfFunc ?? PrfFunc.PRF_HMAC_SHA_256,
      csbId: spec.csbId,
      csIdMap: spec.csIdMap ?? { type: CsIdMapType.EMPTY, csCount: 0 },
    },
    payloads: order.flatMap((slot) => slots.get(slot) ?? []),
  };
}

/** How a ticket message is protected: V payload MAC (PSK modes) or SIGN (PK modes). */
export type TicketProtection =
  | {
      kind: 'mac';
      macAlg: MacAlg;
      authKey: Buffer;
      /** Identities that follow the message in the MAC input (RFC 6043 §5.5). */
      identities?: Buffer[];
    }
  | { kind: 'signature'; signer: MikeySigner; identities?: Buffer[] };

/**
 * Builds any RFC 6043 message: components in RFC order, then V (MAC over the message and the
 * identities) or SIGN. A KEMAC inside must use MAC alg NULL, the V payload authenticating it.
 */
export function buildTicketMessage(
  spec: TicketMessageSpec,
  protection: TicketProtection,
): EncodedMikey {
  const { header, payloads } = ticketMessagePayloads(spec);
  if (spec.kemac && spec.kemac.mac.length > 0) {
    throw new MikeyCryptoError(
      'INVALID_ARGUMENT',
      'KEMAC in a ticket message must have MAC alg NULL',
    );
  }
  if (protection.kind === 'signature') {
    return sealWithSignature({ header, payloads }, protection.signer, protection.identities);
  }
  const v: Payload = {
    type: PayloadType.V,
    authAlg: protection.macAlg,
    mac: Buffer.alloc(MAC_LENGTH[protection.macAlg] ?? 0),
  };
  return sealWithMac(
    { header, payloads: [...payloads, v] },
    protection.authKey,
    protection.identities,
  );
}
