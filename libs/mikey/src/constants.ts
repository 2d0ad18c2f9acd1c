/**
 * MIKEY name spaces (IANA "MIKEY Payload Name Spaces", https://www.iana.org/assignments/mikey-payloads).
 *
 * Sources, per table: RFC 3830 §6 (core), RFC 4650 (DHHMAC), RFC 4738 (RSA-R), RFC 4563
 * (empty CS ID map), RFC 6043 (MIKEY-TICKET), RFC 6509 (MIKEY-SAKKE). Marks per value:
 * - "tshark-checked": equal to the value tables of the Wireshark 4.0 `mikey` dissector
 *   (`tshark -G values`).
 * - "corroborated": equal to an independent implementation that cites the IANA registry and
 *   RFC 6043 section by section (a MCPTT KMS client in Java, `mikey/tables/*.java`: NextPayload,
 *   PRFFunc, CsIdMapType, TSType, IDRole). Not the registry text itself.
 * - unmarked RFC 6043 values: from the RFC as recalled; the registry page and the RFC text
 *   could not be read past their first screen in this project's reference store (the IANA page
 *   confirms only that the TS Role, ID Role, RAND Role and Ticket Type registries exist).
 * RFC 6043 §6 numbering used in the citations: 6.1 HDR (6.1.1 GENERIC-ID), 6.2 KEMAC, 6.3 T,
 * 6.4 TR, 6.5 ID, 6.6 IDR, 6.7 RANDR, 6.8 ERR, 6.9 Key data, 6.10 TP/TICKET (6.3 and 6.6
 * corroborated by the same source).
 */

/** Common header version (RFC 3830 §6.1): 0x01. */
export const MIKEY_VERSION = 1;

/** HDR data type (RFC 3830 §6.1; RFC 4650; RFC 4738; RFC 6043 §6.1; RFC 6509 §4.1). */
export enum DataType {
  /** Initiator's pre-shared key message (RFC 3830 §3.1). tshark-checked. */
  PSK_INIT = 0,
  /** Verification message of a pre-shared key message. tshark-checked. */
  PSK_RESP = 1,
  /** Initiator's public-key transport message (RFC 3830 §3.2). tshark-checked. */
  PK_INIT = 2,
  /** Verification message of a public-key message. tshark-checked. */
  PK_RESP = 3,
  /** Initiator's DH exchange message (RFC 3830 §3.3). tshark-checked. */
  DH_INIT = 4,
  /** Responder's DH exchange message. tshark-checked. */
  DH_RESP = 5,
  /** Error message (RFC 3830 §5.1.2). tshark-checked. */
  ERROR = 6,
  /** DH-HMAC initiator message (RFC 4650 §5.1). tshark-checked. */
  DHHMAC_INIT = 7,
  /** DH-HMAC responder message (RFC 4650). tshark-checked. */
  DHHMAC_RESP = 8,
  /** MIKEY-RSA-R initiator message I_MSG (RFC 4738 §4.1). tshark-checked. */
  RSA_R_INIT = 9,
  /** MIKEY-RSA-R responder message R_MSG (RFC 4738). tshark-checked. */
  RSA_R_RESP = 10,
  /** Ticket Request initiation, PSK protected (RFC 6043 §6.1). */
  REQUEST_INIT_PSK = 11,
  /** Ticket Request initiation, PK protected (RFC 6043 §6.1). */
  REQUEST_INIT_PK = 12,
  /** Ticket Request response (RFC 6043 §6.1). */
  REQUEST_RESP = 13,
  /** Ticket Transfer initiation (RFC 6043 §6.1). */
  TRANSFER_INIT = 14,
  /** Ticket Transfer response (RFC 6043 §6.1). */
  TRANSFER_RESP = 15,
  /** Ticket Resolve initiation, PSK protected (RFC 6043 §6.1). */
  RESOLVE_INIT_PSK = 16,
  /** Ticket Resolve initiation, PK protected (RFC 6043 §6.1). */
  RESOLVE_INIT_PK = 17,
  /** Ticket Resolve response (RFC 6043 §6.1). */
  RESOLVE_RESP = 18,
  /** MIKEY-SAKKE I_MESSAGE (RFC 6509 §4.1). tshark-checked. */
  SAKKE = 26,
}

/** Next payload / payload type (RFC 3830 §6.1 table; RFC 6043 §6; RFC 6509 §4.2). */
export enum PayloadType {
  /** Last payload (no further payload). tshark-checked. */
  LAST = 0,
  /** Key data transport payload (RFC 3830 §6.2). tshark-checked. */
  KEMAC = 1,
  /** Envelope data payload (RFC 3830 §6.3). tshark-checked. */
  PKE = 2,
  /** DH data payload (RFC 3830 §6.4). tshark-checked. */
  DH = 3,
  /** Signature payload (RFC 3830 §6.5). tshark-checked. */
  SIGN = 4,
  /** Timestamp payload (RFC 3830 §6.6). tshark-checked. */
  T = 5,
  /** ID payload (RFC 3830 §6.7.1). tshark-checked. */
  ID = 6,
  /** Certificate payload (RFC 3830 §6.7.2). tshark-checked. */
  CERT = 7,
  /** Cert hash payload (RFC 3830 §6.8). tshark-checked. */
  CHASH = 8,
  /** Verification payload (RFC 3830 §6.9). tshark-checked. */
  V = 9,
  /** Security policy payload (RFC 3830 §6.10). tshark-checked. */
  SP = 10,
  /** RAND payload (RFC 3830 §6.11). tshark-checked. */
  RAND = 11,
  /** Error payload (RFC 3830 §6.12). tshark-checked. */
  ERR = 12,
  /** Timestamp payload with role indicator (RFC 6043 §6.4). Corroborated. */
  TR = 13,
  /** ID payload with role indicator (RFC 6043 §6.6). tshark-checked, corroborated. */
  IDR = 14,
  /** RAND payload with role indicator (RFC 6043 §6.7). Corroborated. */
  RANDR = 15,
  /** Ticket Policy payload (RFC 6043 §6.10). Corroborated. */
  TP = 16,
  /** Ticket payload (RFC 6043 §6.10). Corroborated. */
  TICKET = 17,
  /** Key data sub-payload (RFC 3830 §6.13); only inside KEMAC/PKE encrypted data. */
  KEY_DATA = 20,
  /** General extension payload (RFC 3830 §6.15). tshark-checked. */
  GENERAL_EXT = 21,
  /** SAKKE encapsulated data (RFC 6509 §4.2). tshark-checked. */
  SAKKE = 26,
}

/** PRF func (RFC 3830 §6.1; RFC 6043 §6.1). */
export enum PrfFunc {
  /** MIKEY-1: the RFC 3830 §4.1.2 PRF over HMAC-SHA-1. tshark-checked. */
  MIKEY_1 = 0,
  /** PRF-HMAC-SHA-256 (RFC 6043 §6.1): the same construction over HMAC-SHA-256. Corroborated. */
  PRF_HMAC_SHA_256 = 1,
}

/** CS ID map type (RFC 3830 §6.1.1; RFC 4563 §4; RFC 6043 §6.1.1). */
export enum CsIdMapType {
  /** SRTP-ID map: Policy_no, SSRC, ROC per crypto session. tshark-checked. */
  SRTP_ID = 0,
  /** Empty map: no map info (RFC 4563 §4). */
  EMPTY = 1,
  /** GENERIC-ID map (RFC 6043 §6.1.1). Corroborated (value; the entry layout is not). */
  GENERIC_ID = 2,
}

/** KEMAC encryption algorithm (RFC 3830 §6.2). */
export enum EncrAlg {
  NULL = 0,
  /** AES in counter mode, 128-bit key (RFC 3830 §4.2.3). tshark-checked. */
  AES_CM_128 = 1,
  /** AES key wrap, 128-bit key (RFC 3830 §6.2, RFC 3394; used by RFC 6043). tshark-checked. */
  AES_KW_128 = 2,
}

/** KEMAC MAC / V auth algorithm (RFC 3830 §6.2, §6.9; RFC 6043 §6.2). */
export enum MacAlg {
  NULL = 0,
  /** HMAC-SHA-1 with a 160-bit tag (RFC 3830 §6.2). tshark-checked. */
  HMAC_SHA_1_160 = 1,
  /** HMAC-SHA-256 with a 256-bit tag (RFC 6043 §6.2). */
  HMAC_SHA_256_256 = 2,
}

/** Length in octets of the MAC for each algorithm. */
export const MAC_LENGTH: Readonly<Record<MacAlg, number>> = {
  [MacAlg.NULL]: 0,
  [MacAlg.HMAC_SHA_1_160]: 20,
  [MacAlg.HMAC_SHA_256_256]: 32,
};

/** PKE cache indicator C (RFC 3830 §6.3). tshark-checked. */
export enum PkeCache {
  NO_CACHE = 0,
  CACHE = 1,
  CACHE_FOR_CSB = 2,
}

/** DH group (RFC 3830 §6.4). tshark-checked. */
export enum DhGroup {
  /** OAKLEY group 5: 1536-bit MODP. */
  OAKLEY_5 = 0,
  /** OAKLEY group 1: 768-bit MODP. */
  OAKLEY_1 = 1,
  /** OAKLEY group 2: 1024-bit MODP. */
  OAKLEY_2 = 2,
}

/** DH-value length in octets per group (RFC 3830 §6.4: the length follows from the group). */
export const DH_VALUE_LENGTH: Readonly<Record<DhGroup, number>> = {
  [DhGroup.OAKLEY_5]: 192,
  [DhGroup.OAKLEY_1]: 96,
  [DhGroup.OAKLEY_2]: 128,
};

/** Signature type S (RFC 3830 §6.5; RFC 6509 §4.3 adds ECCSI). tshark-checked. */
export enum SignType {
  RSA_PKCS1_1_5 = 0,
  RSA_PSS = 1,
  ECCSI = 2,
}

/** Timestamp type (RFC 3830 §6.6; RFC 6043 §6.3 adds NTP-UTC-32). */
export enum TsType {
  /** 64-bit NTP timestamp in UTC. tshark-checked. */
  NTP_UTC = 0,
  /** 64-bit NTP timestamp (local time). tshark-checked. */
  NTP = 1,
  /** 32-bit counter. tshark-checked. */
  COUNTER = 2,
  /**
   * NTP-UTC-32 (RFC 6043 §6.3): a 32-bit NTP-UTC form. Value 3 corroborated (see header);
   * which 32 bits of the 64-bit NTP timestamp it carries is not verified here — not produced by
   * this code base (our messages use NTP-UTC).
   */
  NTP_UTC_32 = 3,
}

/** Length of the TS value in octets per TS type. */
export const TS_VALUE_LENGTH: Readonly<Record<TsType, number>> = {
  [TsType.NTP_UTC]: 8,
  [TsType.NTP]: 8,
  [TsType.COUNTER]: 4,
  [TsType.NTP_UTC_32]: 4,
};

/** ID type (RFC 3830 §6.7.1; RFC 6043 §6.5 adds Byte string). tshark-checked. */
export enum IdType {
  NAI = 0,
  URI = 1,
  BYTE_STRING = 2,
}

/** Certificate type (RFC 3830 §6.7.2). tshark-checked. */
export enum CertType {
  X509V3 = 0,
  X509V3_URL = 1,
  X509V3_SIGN = 2,
  X509V3_ENCR = 3,
}

/** CHASH hash function (RFC 3830 §6.8). */
export enum HashFunc {
  SHA_1 = 0,
  MD5 = 1,
}

/** Hash length in octets per CHASH hash function (RFC 3830 §6.8). */
export const HASH_LENGTH: Readonly<Record<HashFunc, number>> = {
  [HashFunc.SHA_1]: 20,
  [HashFunc.MD5]: 16,
};

/** Security protocol type in SP / GENERIC-ID (RFC 3830 §6.10). tshark-checked. */
export enum ProtType {
  SRTP = 0,
}

/** SRTP policy parameter types (RFC 3830 §6.10.1). tshark-checked (order and names). */
export enum SrtpParam {
  ENCR_ALG = 0,
  SESSION_ENCR_KEY_LEN = 1,
  AUTH_ALG = 2,
  SESSION_AUTH_KEY_LEN = 3,
  SESSION_SALT_KEY_LEN = 4,
  SRTP_PRF = 5,
  KEY_DERIVATION_RATE = 6,
  SRTP_ENCRYPTION = 7,
  SRTCP_ENCRYPTION = 8,
  SENDER_FEC_ORDER = 9,
  SRTP_AUTHENTICATION = 10,
  AUTH_TAG_LEN = 11,
  SRTP_PREFIX_LEN = 12,
}

/** SRTP encryption algorithm values for {@link SrtpParam.ENCR_ALG} (RFC 3830 §6.10.1). */
export enum SrtpEncrAlg {
  NULL = 0,
  AES_CM = 1,
  AES_F8 = 2,
}

/** SRTP authentication algorithm values for {@link SrtpParam.AUTH_ALG} (RFC 3830 §6.10.1). */
export enum SrtpAuthAlg {
  NULL = 0,
  HMAC_SHA_1 = 1,
}

/** Error number (RFC 3830 §6.12). tshark-checked. */
export enum ErrorNo {
  AUTH_FAILURE = 0,
  INVALID_TS = 1,
  INVALID_PRF = 2,
  INVALID_MAC = 3,
  INVALID_EA = 4,
  INVALID_HA = 5,
  INVALID_DH = 6,
  INVALID_ID = 7,
  INVALID_CERT = 8,
  INVALID_SP = 9,
  INVALID_SPPAR = 10,
  INVALID_DT = 11,
  UNSPECIFIED = 12,
}

/** Key data sub-payload type (RFC 3830 §6.13; RFC 6043 §6.9 adds MPK). */
export enum KeyDataType {
  /** TEK Generation Key. tshark-checked. */
  TGK = 0,
  /** TGK with a salt. tshark-checked. */
  TGK_SALT = 1,
  /** Traffic-encrypting key. tshark-checked. */
  TEK = 2,
  /** TEK with a salt. tshark-checked. */
  TEK_SALT = 3,
  /** MIKEY Protection Key for the Ticket Transfer exchange (RFC 6043 §6.9). */
  MPK = 4,
}

/** Whether a key data type carries the Salt len / Salt data fields (RFC 3830 §6.13). */
export function keyDataHasSalt(type: KeyDataType): boolean {
  return type === KeyDataType.TGK_SALT || type === KeyDataType.TEK_SALT;
}

/** Key validity type KV (RFC 3830 §6.13, §6.14). tshark-checked. */
export enum KvType {
  NULL = 0,
  SPI = 1,
  INTERVAL = 2,
}

/** General extension type (RFC 3830 §6.15; RFC 4563 Key ID). tshark-checked for 0–1. */
export enum GeneralExtType {
  VENDOR_ID = 0,
  SDP_IDS = 1,
  KEY_ID = 2,
}

/** ID role of the IDR payload (RFC 6043 §6.6). tshark-checked, corroborated. */
export enum IdRole {
  INITIATOR = 1,
  RESPONDER = 2,
  KMS = 3,
  PSK = 4,
  APPLICATION = 5,
  INITIATOR_KMS = 6,
  RESPONDER_KMS = 7,
}

/** TS role of the TR payload (RFC 6043 §6.4). */
export enum TsRole {
  /** Time of issue (TRi). */
  TIME_OF_ISSUE = 1,
  /** Start of validity (TRs). */
  VALIDITY_START = 2,
  /** End of validity (TRe). */
  VALIDITY_END = 3,
  /** Rekeying interval (TRr). */
  REKEYING_INTERVAL = 4,
}

/** RAND role of the RANDR payload (RFC 6043 §6.7). */
export enum RandRole {
  /** RANDRi. */
  INITIATOR = 1,
  /** RANDRr. */
  RESPONDER = 2,
  /** RANDRkms. */
  KMS = 3,
}

/** Ticket type of the TP / TICKET payloads (RFC 6043 §6.10). */
export enum TicketType {
  MIKEY_BASE_TICKET = 1,
  /** Ticket format of 3GPP TS 33.328. */
  THREEGPP_BASE_TICKET = 2,
}

/** Largest MIKEY message the decoder accepts by default (octets). */
export const DEFAULT_MAX_MESSAGE_LENGTH = 65_535;
/** Largest number of payloads the decoder accepts by default. */
export const DEFAULT_MAX_PAYLOADS = 256;
