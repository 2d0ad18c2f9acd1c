import { ByteReader, ByteWriter } from './bytes';
import {
  DH_VALUE_LENGTH,
  HASH_LENGTH,
  MAC_LENGTH,
  PayloadType,
  TS_VALUE_LENGTH,
  type DhGroup,
  type HashFunc,
  type MacAlg,
  type TsType,
} from './constants';
import { MikeyCryptoError, MikeyDecodeError } from './errors';
import { decodeKeyValidity, encodeKeyValidity } from './key-data-codec';
import type { Payload, PayloadOf, PolicyParam, TicketPolicy } from './types';

/** Result of decoding one payload: the payload, the next payload type, the auth field span. */
export interface DecodedPayload {
  payload: Payload;
  next: number;
  authField?: { offset: number; length: number };
}

type Decoder = (r: ByteReader) => DecodedPayload;
type Encoder<T extends Payload['type']> = (w: ByteWriter, p: PayloadOf<T>, next: number) => void;

function lengthFor<K extends number>(
  table: Readonly<Record<K, number>>,
  v: number,
): number | undefined {
  return Object.prototype.hasOwnProperty.call(table, v) ? table[v as K] : undefined;
}

function known<K extends number>(
  table: Readonly<Record<K, number>>,
  v: number,
  at: number,
  what: string,
): number {
  const n = lengthFor(table, v);
  if (n === undefined) throw new MikeyDecodeError('UNKNOWN_ALGORITHM', at, `${what} ${v}`);
  return n;
}

function fixedLength<K extends number>(
  table: Readonly<Record<K, number>>,
  v: number,
  actual: number,
  what: string,
): void {
  const n = lengthFor(table, v);
  if (n === undefined) throw new MikeyCryptoError('UNSUPPORTED_ALGORITHM', `${what} ${v}`);
  if (n !== actual)
    throw new MikeyCryptoError('INVALID_ARGUMENT', `${what} ${v} needs ${n} octets`);
}

function decodeTicketPolicy(r: ByteReader): TicketPolicy {
  const ticketType = r.u16('Ticket Type');
  const subtype = r.u8('Ticket Subtype');
  const version = r.u8('Ticket Version');
  const policy = r.bytes(r.u16('Ticket policy length'), 'Ticket policy');
  return { ticketType, subtype, version, policy };
}

function encodeTicketPolicy(w: ByteWriter, t: TicketPolicy): void {
  w.u16(t.ticketType, 'Ticket Type');
  w.u8(t.subtype, 'Ticket Subtype');
  w.u8(t.version, 'Ticket Version');
  w.lengthPrefixed(t.policy, 2, 'Ticket policy');
}

/** Payload decoders by type; each starts at the payload's first octet. */
const DECODERS: Partial<Record<number, Decoder>> = {
  [PayloadType.KEMAC]: (r) => {
    const next = r.u8('KEMAC next payload');
    const encrAlg = r.u8('KEMAC Encr alg');
    const encrData = r.bytes(r.u16('KEMAC Encr data len'), 'KEMAC Encr data');
    const macAt = r.offset;
    const macAlg = r.u8('KEMAC Mac alg');
    const macLen = known(MAC_LENGTH, macAlg, macAt, 'MAC alg');
    const offset = r.offset;
    const mac = r.bytes(macLen, 'KEMAC MAC');
    return {
      payload: { type: PayloadType.KEMAC, encrAlg, encrData, macAlg, mac },
      next,
      authField: { offset, length: macLen },
    };
  },
  [PayloadType.PKE]: (r) => {
    const next = r.u8('PKE next payload');
    const cl = r.u16('PKE C/Data len');
    const data = r.bytes(cl & 0x3fff, 'PKE data');
    return { payload: { type: PayloadType.PKE, cache: cl >> 14, data }, next };
  },
  [PayloadType.DH]: (r) => {
    const next = r.u8('DH next payload');
    const at = r.offset;
    const group = r.u8('DH-Group') as DhGroup;
    const value = r.bytes(known(DH_VALUE_LENGTH, group, at, 'DH group'), 'DH-value');
    const kvAt = r.offset;
    const validity = decodeKeyValidity(r, r.u8('DH Reserv/KV') & 0x0f, kvAt);
    return { payload: { type: PayloadType.DH, group, value, validity }, next };
  },
  [PayloadType.SIGN]: (r) => {
    const sl = r.u16('SIGN S type/Signature len');
    const offset = r.offset;
    const signature = r.bytes(sl & 0x0fff, 'Signature');
    return {
      payload: { type: PayloadType.SIGN, signType: sl >> 12, signature },
      next: PayloadType.LAST,
      authField: { offset, length: signature.length },
    };
  },
  [PayloadType.T]: (r) => {
    const next = r.u8('T next payload');
    const at = r.offset;
    const tsType = r.u8('TS type') as TsType;
    const value = r.bytes(known(TS_VALUE_LENGTH, tsType, at, 'TS type'), 'TS value');
    return { payload: { type: PayloadType.T, tsType, value }, next };
  },
  [PayloadType.ID]: (r) => {
    const next = r.u8('ID next payload');
    const idType = r.u8('ID Type');
    const data = r.bytes(r.u16('ID len'), 'ID data');
    return { payload: { type: PayloadType.ID, idType, data }, next };
  },
  [PayloadType.CERT]: (r) => {
    const next = r.u8('CERT next payload');
    const certType = r.u8('Cert type');
    const data = r.bytes(r.u16('Cert len'), 'Certificate');
    return { payload: { type: PayloadType.CERT, certType, data }, next };
  },
  [PayloadType.CHASH]: (r) => {
    const next = r.u8('CHASH next payload');
    const at = r.offset;
    const hashFunc = r.u8('Hash func') as HashFunc;
    const hash = r.bytes(known(HASH_LENGTH, hashFunc, at, 'hash func'), 'Hash');
    return { payload: { type: PayloadType.CHASH, hashFunc, hash }, next };
  },
  [PayloadType.V]: (r) => {
    const next = r.u8('V next payload');
    const at = r.offset;
    const authAlg = r.u8('V Auth alg') as MacAlg;
    const len = known(MAC_LENGTH, authAlg, at, 'auth alg');
    const offset = r.offset;
    const mac = r.bytes(len, 'Ver data');
    return {
      payload: { type: PayloadType.V, authAlg, mac },
      next,
      authField: { offset, length: len },
    };
  },
  [PayloadType.SP]: (r) => {
    const next = r.u8('SP next payload');
    const policyNo = r.u8('Policy no');
    const protType = r.u8('Prot type');
    const paramLen = r.u16('Policy param length');
    const start = r.offset;
    const block = r.bytes(paramLen, 'Policy params');
    const pr = new ByteReader(block);
    const params: PolicyParam[] = [];
    while (pr.remaining > 0) {
      try {
        const paramType = pr.u8('Policy param type');
        params.push({ paramType, value: pr.bytes(pr.u8('Policy param length'), 'Policy param') });
      } catch (e) {
        if (e instanceof MikeyDecodeError) {
          throw new MikeyDecodeError(e.code, start + e.offset, 'SP policy parameter overruns');
        }
        throw e;
      }
    }
    return { payload: { type: PayloadType.SP, policyNo, protType, params }, next };
  },
  [PayloadType.RAND]: (r) => {
    const next = r.u8('RAND next payload');
    const rand = r.bytes(r.u8('RAND len'), 'RAND');
    return { payload: { type: PayloadType.RAND, rand }, next };
  },
  [PayloadType.ERR]: (r) => {
    const next = r.u8('ERR next payload');
    const errorNo = r.u8('Error no');
    const reserved = r.u16('ERR reserved');
    return { payload: { type: PayloadType.ERR, errorNo, reserved }, next };
  },
  [PayloadType.GENERAL_EXT]: (r) => {
    const next = r.u8('EXT next payload');
    const extType = r.u8('EXT type');
    const data = r.bytes(r.u16('EXT length'), 'EXT data');
    return { payload: { type: PayloadType.GENERAL_EXT, extType, data }, next };
  },
  [PayloadType.TR]: (r) => {
    const next = r.u8('TR next payload');
    const at = r.offset;
    const tsType = r.u8('TR TS type') as TsType;
    const role = r.u8('TS Role');
    const value = r.bytes(known(TS_VALUE_LENGTH, tsType, at, 'TS type'), 'TS value');
    return { payload: { type: PayloadType.TR, tsType, role, value }, next };
  },
  [PayloadType.IDR]: (r) => {
    const next = r.u8('IDR next payload');
    const role = r.u8('ID Role');
    const idType = r.u8('ID Type');
    const data = r.bytes(r.u16('ID len'), 'ID data');
    return { payload: { type: PayloadType.IDR, role, idType, data }, next };
  },
  [PayloadType.RANDR]: (r) => {
    const next = r.u8('RANDR next payload');
    const role = r.u8('RAND Role');
    const rand = r.bytes(r.u8('RAND len'), 'RAND');
    return { payload: { type: PayloadType.RANDR, role, rand }, next };
  },
  [PayloadType.TP]: (r) => {
    const next = r.u8('TP next payload');
    return { payload: { type: PayloadType.TP, policy: decodeTicketPolicy(r) }, next };
  },
  [PayloadType.TICKET]: (r) => {
    const next = r.u8('TICKET next payload');
    const policy = decodeTicketPolicy(r);
    const ticketData = r.bytes(r.u16('Ticket Data length'), 'Ticket Data');
    return { payload: { type: PayloadType.TICKET, policy, ticketData }, next };
  },
  [PayloadType.SAKKE]: (r) => {
    const next = r.u8('SAKKE next payload');
    const params = r.u8('SAKKE params');
    const idScheme = r.u8('ID scheme');
    const data = r.bytes(r.u16('SAKKE data length'), 'SAKKE data');
    return { payload: { type: PayloadType.SAKKE, params, idScheme, data }, next };
  },
};

/**
 * Decodes the payload of type `type` starting at the reader position. An unknown type is a
 * {@link MikeyDecodeError} `UNKNOWN_PAYLOAD` at the payload's offset (its length is unknowable).
 */
export function decodePayload(type: number, r: ByteReader): DecodedPayload {
  const decoder = DECODERS[type];
  if (!decoder) {
    throw new MikeyDecodeError('UNKNOWN_PAYLOAD', r.offset, `unknown payload type ${type}`);
  }
  return decoder(r);
}

const ENCODERS: { [T in Payload['type']]: Encoder<T> } = {
  [PayloadType.KEMAC]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.encrAlg, 'KEMAC Encr alg');
    w.lengthPrefixed(p.encrData, 2, 'KEMAC Encr data');
    w.u8(p.macAlg, 'KEMAC Mac alg');
    fixedLength(MAC_LENGTH, p.macAlg, p.mac.length, 'MAC alg');
    w.bytes(p.mac);
  },
  [PayloadType.PKE]: (w, p, next) => {
    w.u8(next, 'next payload');
    if (p.data.length > 0x3fff || !Number.isInteger(p.cache) || (p.cache as number) > 3) {
      throw new MikeyCryptoError('INVALID_ARGUMENT', 'PKE C is 2 bits, Data len 14 bits');
    }
    w.u16((p.cache << 14) | p.data.length, 'PKE C/Data len');
    w.bytes(p.data);
  },
  [PayloadType.DH]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.group, 'DH-Group');
    fixedLength(DH_VALUE_LENGTH, p.group, p.value.length, 'DH group');
    w.bytes(p.value);
    w.u8(p.validity.kv, 'DH Reserv/KV');
    encodeKeyValidity(w, p.validity);
  },
  [PayloadType.SIGN]: (w, p) => {
    if (
      p.signature.length > 0x0fff ||
      !Number.isInteger(p.signType) ||
      (p.signType as number) > 15
    ) {
      throw new MikeyCryptoError('INVALID_ARGUMENT', 'SIGN S type is 4 bits, length 12 bits');
    }
    w.u16((p.signType << 12) | p.signature.length, 'SIGN S type/Signature len');
    w.bytes(p.signature);
  },
  [PayloadType.T]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.tsType, 'TS type');
    fixedLength(TS_VALUE_LENGTH, p.tsType, p.value.length, 'TS type');
    w.bytes(p.value);
  },
  [PayloadType.ID]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.idType, 'ID Type');
    w.lengthPrefixed(p.data, 2, 'ID data');
  },
  [PayloadType.CERT]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.certType, 'Cert type');
    w.lengthPrefixed(p.data, 2, 'Certificate');
  },
  [PayloadType.CHASH]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.hashFunc, 'Hash func');
    fixedLength(HASH_LENGTH, p.hashFunc, p.hash.length, 'hash func');
    w.bytes(p.hash);
  },
  [PayloadType.V]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.authAlg, 'V Auth alg');
    fixedLength(MAC_LENGTH, p.authAlg, p.mac.length, 'auth alg');
    w.bytes(p.mac);
  },
  [PayloadType.SP]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.policyNo, 'Policy no');
    w.u8(p.protType, 'Prot type');
    const pw = new ByteWriter();
    for (const param of p.params) {
      pw.u8(param.paramType, 'Policy param type');
      pw.lengthPrefixed(param.value, 1, 'Policy param');
    }
    w.lengthPrefixed(pw.toBuffer(), 2, 'Policy params');
  },
  [PayloadType.RAND]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.lengthPrefixed(p.rand, 1, 'RAND');
  },
  [PayloadType.ERR]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.errorNo, 'Error no');
    w.u16(p.reserved, 'ERR reserved');
  },
  [PayloadType.GENERAL_EXT]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.extType, 'EXT type');
    w.lengthPrefixed(p.data, 2, 'EXT data');
  },
  [PayloadType.TR]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.tsType, 'TS type');
    w.u8(p.role, 'TS Role');
    fixedLength(TS_VALUE_LENGTH, p.tsType, p.value.length, 'TS type');
    w.bytes(p.value);
  },
  [PayloadType.IDR]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.role, 'ID Role');
    w.u8(p.idType, 'ID Type');
    w.lengthPrefixed(p.data, 2, 'ID data');
  },
  [PayloadType.RANDR]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.role, 'RAND Role');
    w.lengthPrefixed(p.rand, 1, 'RAND');
  },
  [PayloadType.TP]: (w, p, next) => {
    w.u8(next, 'next payload');
    encodeTicketPolicy(w, p.policy);
  },
  [PayloadType.TICKET]: (w, p, next) => {
    w.u8(next, 'next payload');
    encodeTicketPolicy(w, p.policy);
    w.lengthPrefixed(p.ticketData, 2, 'Ticket Data');
  },
  [PayloadType.SAKKE]: (w, p, next) => {
    w.u8(next, 'next payload');
    w.u8(p.params, 'SAKKE params');
    w.u8(p.idScheme, 'ID scheme');
    w.lengthPrefixed(p.data, 2, 'SAKKE data');
  },
};

/** Encodes one payload with the given next-payload value; returns the auth field span. */
export function encodePayload(
  w: ByteWriter,
  p: Payload,
  next: number,
): { offset: number; length: number } | undefined {
  const encode = ENCODERS[p.type] as Encoder<typeof p.type>;
  encode(w, p, next);
  switch (p.type) {
    case PayloadType.KEMAC:
    case PayloadType.V:
      return { offset: w.length - p.mac.length, length: p.mac.length };
    case PayloadType.SIGN:
      return { offset: w.length - p.signature.length, length: p.signature.length };
    default:
      return undefined;
  }
}
