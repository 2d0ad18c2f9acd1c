import {
  DataType,
  EncrAlg,
  IdType,
  MacAlg,
  MIKEY_VERSION,
  PayloadType,
  PrfFunc,
  TsType,
  type ErrorNo,
} from './constants';
import { MikeyCryptoError } from './errors';
import { buildKemac, openKemac } from './kemac';
import { deriveTransportKeys } from './key-derivation';
import { sealWithMac, sealWithSignature, verifyMac, type MikeySigner } from './message-auth';
import { decodeMikey, encodeMikey, findPayload, findPayloads } from './message-codec';
import type {
  CertPayload,
  CsIdMap,
  DhPayload,
  EncodedMikey,
  KeyData,
  Payload,
  SpPayload,
} from './types';

/** Common fields of RFC 3830 messages. */
export interface Rfc3830Common {
  csbId: number;
  csIdMap: CsIdMap;
  /** 8 octets NTP-UTC unless `tsType` says otherwise. */
  timestamp: Buffer;
  tsType?: TsType;
  v?: boolean;
  prfFunc?: PrfFunc;
}

function header(dataType: DataType, c: Rfc3830Common): EncodedMikey['message']['header'] {
  return {
    version: MIKEY_VERSION,
    dataType,
    v: c.v ?? false,
    prfFunc: c.prfFunc ?? PrfFunc.MIKEY_1,
    csbId: c.csbId,
    csIdMap: c.csIdMap,
  };
}

function idPayloads(ids: (string | undefined)[]): Payload[] {
  return ids
    .filter((id): id is string => id !== undefined)
    .map((id) => ({ type: PayloadType.ID, idType: IdType.URI, data: Buffer.from(id, 'utf8') }));
}

/** Options of {@link buildPskInit}. */
export interface PskInitOptions extends Rfc3830Common {
  psk: Buffer;
  rand: Buffer;
  keys: KeyData[];
  initiatorId?: string;
  responderId?: string;
  policies?: SpPayload[];
  encrAlg?: EncrAlg;
  macAlg?: MacAlg;
}

/**
 * MIKEY pre-shared key I_MESSAGE (RFC 3830 §3.1): HDR, T, RAND, [IDi], [IDr], {SP}, KEMAC, with
 * encr_key/auth_key/salt_key from the PSK (§4.1.4) and the KEMAC MAC over the whole message.
 * Defaults: AES-CM-128 and HMAC-SHA-1-160 (the RFC 3830 defaults).
 */
export function buildPskInit(o: PskInitOptions): EncodedMikey {
  const encrAlg = o.encrAlg ?? EncrAlg.AES_CM_128;
  const macAlg = o.macAlg ?? MacAlg.HMAC_SHA_1_160;
  if (macAlg === MacAlg.NULL) throw new MikeyCryptoError('INVALID_ARGUMENT', 'PSK needs a MAC');
  const prf = o.prfFunc ?? PrfFunc.MIKEY_1;
  const tk = deriveTransportKeys(o.psk, o.csbId, o.rand, { encrAlg, macAlg, prf });
  const kemac = buildKemac(
    o.keys,
    { encrAlg, encrKey: tk.encrKey, saltKey: tk.saltKey, csbId: o.csbId, timestamp: o.timestamp },
    macAlg,
  );
  const payloads: Payload[] = [
    { type: PayloadType.T, tsType: o.tsType ?? TsType.NTP_UTC, value: o.timestamp },
    { type: PayloadType.RAND, rand: o.rand },
    ...idPayloads([o.initiatorId, o.responderId]),
    ...(o.policies ?? []),
    kemac,
  ];
  return sealWithMac({ header: header(DataType.PSK_INIT, o), payloads }, tk.authKey);
}

/**
 * Verifies and opens a PSK I_MESSAGE (RFC 3830 §3.1): derives the transport keys from the PSK
 * with the message's CSB ID and RAND, checks the KEMAC MAC, decrypts the key data.
 */
export function openPskInit(
  bytes: Buffer,
  psk: Buffer,
): { message: EncodedMikey; keys: KeyData[] } {
  const message = decodeMikey(bytes);
  const m = message.message;
  if (m.header.dataType !== (DataType.PSK_INIT as number)) {
    throw new MikeyCryptoError('INVALID_ARGUMENT', 'not a PSK I_MESSAGE');
  }
  const kemac = findPayload(m, PayloadType.KEMAC);
  const rand = findPayload(m, PayloadType.RAND);
  const t = findPayload(m, PayloadType.T);
  if (!kemac || !rand || !t) throw new MikeyCryptoError('MISSING_PAYLOAD', 'KEMAC, RAND and T');
  const tk = deriveTransportKeys(psk, m.header.csbId, rand.rand, {
    encrAlg: kemac.encrAlg,
    macAlg: kemac.macAlg,
    prf: m.header.prfFunc,
  });
  if (!verifyMac(message, tk.authKey)) throw new MikeyCryptoError('MAC_MISMATCH', 'KEMAC MAC');
  const keys = openKemac(kemac, {
    encrKey: tk.encrKey,
    saltKey: tk.saltKey,
    csbId: m.header.csbId,
    timestamp: t.value,
  });
  return { message, keys };
}

/** Options of {@link buildDhMessage}. */
export interface DhMessageOptions extends Rfc3830Common {
  dataType: DataType.DH_INIT | DataType.DH_RESP;
  /** DH_INIT only. */
  rand?: Buffer;
  identity?: string;
  certificates?: CertPayload[];
  policies?: SpPayload[];
  /** DH_INIT: DHi; DH_RESP: DHr followed by DHi (RFC 3830 §3.3). */
  dh: DhPayload[];
  signer: MikeySigner;
}

/**
 * MIKEY DH messages (RFC 3830 §3.3): I_MESSAGE = HDR, T, RAND, [IDi|CERTi], {SP}, DHi, SIGNi;
 * R_MESSAGE = HDR, T, [IDr|CERTr], IDi, DHr, DHi, SIGNr (IDi of the R_MESSAGE omitted here
 * unless given as `identity`). The signature covers the message except the Signature field.
 */
export function buildDhMessage(o: DhMessageOptions): EncodedMikey {
  const payloads: Payload[] = [
    { type: PayloadType.T, tsType: o.tsType ?? TsType.NTP_UTC, value: o.timestamp },
    ...(o.rand ? [{ type: PayloadType.RAND, rand: o.rand } as Payload] : []),
    ...idPayloads([o.identity]),
    ...(o.certificates ?? []),
    ...(o.policies ?? []),
    ...o.dh,
  ];
  return sealWithSignature({ header: header(o.dataType, o), payloads }, o.signer);
}

/**
 * MIKEY error message (RFC 3830 §5.1.2): HDR, T, {ERR}, [V]. Unauthenticated here (no V);
 * callers that share a key can append a V payload and use sealWithMac.
 */
export function buildErrorMessage(c: Rfc3830Common, errors: ErrorNo[]): EncodedMikey {
  const payloads: Payload[] = [
    { type: PayloadType.T, tsType: c.tsType ?? TsType.NTP_UTC, value: c.timestamp },
    ...errors.map((errorNo): Payload => ({ type: PayloadType.ERR, errorNo, reserved: 0 })),
  ];
  return encodeMikey({ header: header(DataType.ERROR, c), payloads });
}

/** All ERR numbers of a message. */
export function errorsOf(message: EncodedMikey): number[] {
  return findPayloads(message.message, PayloadType.ERR).map((e) => e.errorNo);
}
