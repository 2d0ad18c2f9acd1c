import type {
  CertType,
  CsIdMapType,
  DhGroup,
  EncrAlg,
  ErrorNo,
  GeneralExtType,
  HashFunc,
  IdRole,
  IdType,
  KeyDataType,
  KvType,
  MacAlg,
  PayloadType,
  PkeCache,
  RandRole,
  SignType,
  TsRole,
  TsType,
} from './constants';

/** One entry of the SRTP-ID map (RFC 3830 §6.1.1); the CS ID is the 1-based entry index. */
export interface SrtpIdEntry {
  policyNo: number;
  ssrc: number;
  roc: number;
}

/**
 * One entry of the GENERIC-ID map (RFC 6043 §6.1.1): CS ID (8), Prot type (8), S (1), #P (7),
 * Ps (#P × 8), Session Data Length (16), Session Data, SPI Length (8), SPI.
 * For SRTP the Session Data is a list of SSRC (32) || ROC (32) || SEQ (16), see
 * {@link encodeSrtpSessionData}; SPI is the MKI.
 */
export interface GenericIdEntry {
  csId: number;
  protType: number;
  /** S flag: Session Data applies to a single sender. */
  s: boolean;
  policyNos: number[];
  sessionData: Buffer;
  spi: Buffer;
}

/** CS ID map of the common header (RFC 3830 §6.1; RFC 4563 §4; RFC 6043 §6.1.1). */
export type CsIdMap =
  | { type: CsIdMapType.SRTP_ID; entries: SrtpIdEntry[] }
  | { type: CsIdMapType.EMPTY; csCount: number }
  | { type: CsIdMapType.GENERIC_ID; entries: GenericIdEntry[] };

/** Common header payload HDR (RFC 3830 §6.1). `nextPayload` is derived by the encoder. */
export interface CommonHeader {
  version: number;
  dataType: number;
  /** V flag: a verification message is expected (RFC 3830 §6.1). */
  v: boolean;
  prfFunc: number;
  csbId: number;
  csIdMap: CsIdMap;
}

/** Key validity data (RFC 3830 §6.13, §6.14). */
export type KeyValidity =
  | { kv: KvType.NULL }
  | { kv: KvType.SPI; spi: Buffer }
  | { kv: KvType.INTERVAL; validFrom: Buffer; validTo: Buffer };

/** A Key data sub-payload (RFC 3830 §6.13), as carried inside the KEMAC encrypted data. */
export interface KeyData {
  keyType: KeyDataType;
  key: Buffer;
  /** Present exactly for TGK+SALT and TEK+SALT. */
  salt?: Buffer;
  validity: KeyValidity;
}

/** KEMAC: Encr alg (8), Encr data len (16), Encr data, Mac alg (8), MAC (RFC 3830 §6.2). */
export interface KemacPayload {
  type: PayloadType.KEMAC;
  encrAlg: EncrAlg;
  /** Key data sub-payloads, encrypted unless `encrAlg` is NULL. */
  encrData: Buffer;
  macAlg: MacAlg;
  /** MAC over the whole message except this field (RFC 3830 §6.2). */
  mac: Buffer;
}

/** PKE: C (2 bits), Data len (14 bits), Data (RFC 3830 §6.3). */
export interface PkePayload {
  type: PayloadType.PKE;
  cache: PkeCache;
  data: Buffer;
}

/** DH: DH-Group (8), DH-value, Reserv (4), KV (4), KV data (RFC 3830 §6.4). */
export interface DhPayload {
  type: PayloadType.DH;
  group: DhGroup;
  value: Buffer;
  validity: KeyValidity;
}

/** SIGN: S type (4), Signature len (12), Signature; always last, no next payload (RFC 3830 §6.5). */
export interface SignPayload {
  type: PayloadType.SIGN;
  signType: SignType;
  signature: Buffer;
}

/** T: TS type (8), TS value (RFC 3830 §6.6). */
export interface TPayload {
  type: PayloadType.T;
  tsType: TsType;
  value: Buffer;
}

/** ID: ID Type (8), ID len (16), ID data (RFC 3830 §6.7.1). */
export interface IdPayload {
  type: PayloadType.ID;
  idType: IdType;
  data: Buffer;
}

/** CERT: Cert type (8), Cert len (16), Certificate (RFC 3830 §6.7.2). */
export interface CertPayload {
  type: PayloadType.CERT;
  certType: CertType;
  data: Buffer;
}

/** CHASH: Hash func (8), Hash (RFC 3830 §6.8). */
export interface ChashPayload {
  type: PayloadType.CHASH;
  hashFunc: HashFunc;
  hash: Buffer;
}

/** V: Auth alg (8), Ver data (RFC 3830 §6.9). */
export interface VPayload {
  type: PayloadType.V;
  authAlg: MacAlg;
  mac: Buffer;
}

/** One policy parameter: Type (8), Length (8), Value (RFC 3830 §6.10). */
export interface PolicyParam {
  paramType: number;
  value: Buffer;
}

/** SP: Policy no (8), Prot type (8), Policy param length (16), Policy params (RFC 3830 §6.10). */
export interface SpPayload {
  type: PayloadType.SP;
  policyNo: number;
  protType: number;
  params: PolicyParam[];
}

/** RAND: RAND len (8), RAND (RFC 3830 §6.11). */
export interface RandPayload {
  type: PayloadType.RAND;
  rand: Buffer;
}

/** ERR: Error no (8), Reserved (16) (RFC 3830 §6.12). */
export interface ErrPayload {
  type: PayloadType.ERR;
  errorNo: ErrorNo;
  reserved: number;
}

/** General extension: Type (8), Length (16), Data (RFC 3830 §6.15). */
export interface GeneralExtPayload {
  type: PayloadType.GENERAL_EXT;
  extType: GeneralExtType;
  data: Buffer;
}

/** TR: TS Type (8), TS Role (8), TS value (RFC 6043 §6.4). */
export interface TrPayload {
  type: PayloadType.TR;
  tsType: TsType;
  role: TsRole;
  value: Buffer;
}

/** IDR: ID Role (8), ID Type (8), ID len (16), ID data (RFC 6043 §6.6). */
export interface IdrPayload {
  type: PayloadType.IDR;
  role: IdRole;
  idType: IdType;
  data: Buffer;
}

/** RANDR: RAND Role (8), RAND len (8), RAND (RFC 6043 §6.7). */
export interface RandrPayload {
  type: PayloadType.RANDR;
  role: RandRole;
  rand: Buffer;
}

/**
 * Ticket policy fields of TP and TICKET (RFC 6043 §6.10, layout as recalled — see the README):
 * Ticket Type (16), Subtype (8), Version (8), Ticket Policy length (16), Ticket Policy.
 */
export interface TicketPolicy {
  ticketType: number;
  subtype: number;
  version: number;
  policy: Buffer;
}

/** TP: the ticket policy a requester asks for (RFC 6043 §6.10). */
export interface TpPayload {
  type: PayloadType.TP;
  policy: TicketPolicy;
}

/** TICKET: ticket policy and Ticket Data length (16), Ticket Data (RFC 6043 §6.10). */
export interface TicketPayload {
  type: PayloadType.TICKET;
  policy: TicketPolicy;
  ticketData: Buffer;
}

/** SAKKE: SAKKE params (8), ID scheme (8), SAKKE data length (16), data (RFC 6509 §4.2). */
export interface SakkePayload {
  type: PayloadType.SAKKE;
  params: number;
  idScheme: number;
  data: Buffer;
}

/** Any payload after the common header. */
export type Payload =
  | KemacPayload
  | PkePayload
  | DhPayload
  | SignPayload
  | TPayload
  | IdPayload
  | CertPayload
  | ChashPayload
  | VPayload
  | SpPayload
  | RandPayload
  | ErrPayload
  | GeneralExtPayload
  | TrPayload
  | IdrPayload
  | RandrPayload
  | TpPayload
  | TicketPayload
  | SakkePayload;

/** Payload of a given type, e.g. `PayloadOf<PayloadType.IDR>`. */
export type PayloadOf<T extends Payload['type']> = Extract<Payload, { type: T }>;

/** A MIKEY message: common header and the payloads in wire order. */
export interface MikeyMessage {
  header: CommonHeader;
  payloads: Payload[];
}

/** Where a payload sits in an encoded message; `authField` is its MAC/signature field. */
export interface PayloadSpan {
  type: PayloadType;
  offset: number;
  length: number;
  authField?: { offset: number; length: number };
}

/** An encoded (or decoded) message with the position of every payload. */
export interface EncodedMikey {
  bytes: Buffer;
  message: MikeyMessage;
  /** Spans of the payloads, same order as `message.payloads`. */
  spans: PayloadSpan[];
}
