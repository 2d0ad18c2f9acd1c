import { ByteReader, ByteWriter } from './bytes';
import { KeyDataType, KvType, PayloadType, keyDataHasSalt } from './constants';
import { MikeyCryptoError, MikeyDecodeError } from './errors';
import type { KeyData, KeyValidity } from './types';

/** Decodes KV data for the given KV type (RFC 3830 §6.14). */
export function decodeKeyValidity(r: ByteReader, kv: number, at: number): KeyValidity {
  switch (kv as KvType) {
    case KvType.NULL:
      return { kv: KvType.NULL };
    case KvType.SPI:
      return { kv: KvType.SPI, spi: r.bytes(r.u8('SPI Length'), 'SPI') };
    case KvType.INTERVAL: {
      const validFrom = r.bytes(r.u8('VF Length'), 'Valid From');
      const validTo = r.bytes(r.u8('VT Length'), 'Valid To');
      return { kv: KvType.INTERVAL, validFrom, validTo };
    }
    default:
      throw new MikeyDecodeError('UNKNOWN_TYPE', at, `KV type ${kv}`);
  }
}

/** Encodes KV data (RFC 3830 §6.14): SPI Length (8), SPI or VF/VT length-prefixed. */
export function encodeKeyValidity(w: ByteWriter, v: KeyValidity): void {
  if (v.kv === KvType.SPI) {
    w.lengthPrefixed(v.spi, 1, 'SPI');
  } else if (v.kv === KvType.INTERVAL) {
    w.lengthPrefixed(v.validFrom, 1, 'Valid From');
    w.lengthPrefixed(v.validTo, 1, 'Valid To');
  }
}

const KNOWN_KEY_TYPES = new Set<number>(
  Object.values(KeyDataType).filter((v) => typeof v === 'number'),
);

/**
 * Decodes the chain of Key data sub-payloads (RFC 3830 §6.13) found in the (decrypted) KEMAC
 * Encr data. `allowZeroPadding` accepts trailing zero octets after the last sub-payload, which
 * AES-KW needs to reach a multiple of 64 bits (our choice, see {@link encodeKeyDataList}).
 */
export function decodeKeyDataList(data: Buffer, allowZeroPadding = false): KeyData[] {
  const r = new ByteReader(data);
  const out: KeyData[] = [];
  let next: number = PayloadType.KEY_DATA;
  while (next === (PayloadType.KEY_DATA as number)) {
    const at = r.offset;
    next = r.u8('Key data next payload');
    if (next !== (PayloadType.KEY_DATA as number) && next !== (PayloadType.LAST as number)) {
      throw new MikeyDecodeError('UNKNOWN_PAYLOAD', at, `payload ${next} inside KEMAC`);
    }
    const tkv = r.u8('Key data Type/KV');
    const keyType = tkv >> 4;
    if (!KNOWN_KEY_TYPES.has(keyType)) {
      throw new MikeyDecodeError('UNKNOWN_TYPE', at + 1, `key data type ${keyType}`);
    }
    const key = r.bytes(r.u16('Key data len'), 'Key data');
    const salt = keyDataHasSalt(keyType) ? r.bytes(r.u16('Salt len'), 'Salt data') : undefined;
    const validity = decodeKeyValidity(r, tkv & 0x0f, at + 1);
    out.push(salt ? { keyType, key, salt, validity } : { keyType, key, validity });
  }
  if (r.remaining > 0) {
    const rest = data.subarray(r.offset);
    if (!allowZeroPadding || rest.length >= 8 || rest.some((b) => b !== 0)) {
      throw new MikeyDecodeError('TRAILING_DATA', r.offset, 'octets after the last key data');
    }
  }
  return out;
}

/**
 * Encodes Key data sub-payloads (RFC 3830 §6.13). With `padTo8` the result is zero-padded to a
 * multiple of 8 octets for AES-KW (RFC 3394 wraps 64-bit blocks; RFC 3830 §6.2 names AES-KW
 * but not a padding, so we pad with zeros after the last sub-payload).
 */
export function encodeKeyDataList(keys: KeyData[], padTo8 = false): Buffer {
  if (keys.length === 0) throw new MikeyCryptoError('INVALID_ARGUMENT', 'no key data');
  const w = new ByteWriter();
  keys.forEach((k, i) => {
    w.u8(i + 1 < keys.length ? PayloadType.KEY_DATA : PayloadType.LAST, 'Key data next payload');
    if (keyDataHasSalt(k.keyType) !== (k.salt !== undefined)) {
      throw new MikeyCryptoError('INVALID_ARGUMENT', 'salt present iff TGK+SALT / TEK+SALT');
    }
    w.u8((k.keyType << 4) | k.validity.kv, 'Key data Type/KV');
    w.lengthPrefixed(k.key, 2, 'Key data');
    if (k.salt) w.lengthPrefixed(k.salt, 2, 'Salt data');
    encodeKeyValidity(w, k.validity);
  });
  const out = w.toBuffer();
  if (!padTo8 || out.length % 8 === 0) return out;
  return Buffer.concat([out, Buffer.alloc(8 - (out.length % 8))]);
}
