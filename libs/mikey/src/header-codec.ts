import { ByteReader, ByteWriter } from './bytes';
import { CsIdMapType, MIKEY_VERSION } from './constants';
import { MikeyCryptoError, MikeyDecodeError } from './errors';
import type { CommonHeader, CsIdMap, GenericIdEntry, SrtpIdEntry } from './types';

/** Octets of one SRTP-ID map entry: Policy_no (8), SSRC (32), ROC (32) (RFC 3830 §6.1.1). */
const SRTP_ID_ENTRY_LENGTH = 9;

/**
 * Decodes the common header (RFC 3830 §6.1) and returns it with the first next-payload value.
 * Only version 1 exists (RFC 3830 §6.1); an unknown CS ID map type is an error because the
 * map info length cannot be known.
 */
export function decodeCommonHeader(r: ByteReader): { header: CommonHeader; next: number } {
  const start = r.offset;
  const version = r.u8('HDR version');
  if (version !== MIKEY_VERSION) {
    throw new MikeyDecodeError('UNSUPPORTED_VERSION', start, `version ${version}`);
  }
  const dataType = r.u8('HDR data type');
  const next = r.u8('HDR next payload');
  const vPrf = r.u8('HDR V/PRF func');
  const csbId = r.u32('HDR CSB ID');
  const csCount = r.u8('HDR #CS');
  const mapOffset = r.offset;
  const mapType = r.u8('HDR CS ID map type');
  const csIdMap = decodeCsIdMap(r, mapType, csCount, mapOffset);
  return {
    header: { version, dataType, v: (vPrf & 0x80) !== 0, prfFunc: vPrf & 0x7f, csbId, csIdMap },
    next,
  };
}

function decodeCsIdMap(r: ByteReader, mapType: number, csCount: number, at: number): CsIdMap {
  switch (mapType as CsIdMapType) {
    case CsIdMapType.SRTP_ID: {
      const entries: SrtpIdEntry[] = [];
      if (csCount * SRTP_ID_ENTRY_LENGTH > r.remaining) {
        throw new MikeyDecodeError('TRUNCATED', r.offset, `SRTP-ID map of ${csCount} entries`);
      }
      for (let i = 0; i < csCount; i++) {
        entries.push({
          policyNo: r.u8('SRTP-ID Policy_no'),
          ssrc: r.u32('SRTP-ID SSRC'),
          roc: r.u32('SRTP-ID ROC'),
        });
      }
      return { type: CsIdMapType.SRTP_ID, entries };
    }
    case CsIdMapType.EMPTY:
      return { type: CsIdMapType.EMPTY, csCount };
    case CsIdMapType.GENERIC_ID: {
      const entries: GenericIdEntry[] = [];
      for (let i = 0; i < csCount; i++) entries.push(decodeGenericIdEntry(r));
      return { type: CsIdMapType.GENERIC_ID, entries };
    }
    default:
      throw new MikeyDecodeError('UNKNOWN_CS_ID_MAP_TYPE', at, `CS ID map type ${mapType}`);
  }
}

function decodeGenericIdEntry(r: ByteReader): GenericIdEntry {
  const csId = r.u8('GENERIC-ID CS ID');
  const protType = r.u8('GENERIC-ID Prot type');
  const sp = r.u8('GENERIC-ID S/#P');
  const policyNos = [...r.bytes(sp & 0x7f, 'GENERIC-ID Ps')];
  const sessionData = r.bytes(r.u16('GENERIC-ID Session Data Length'), 'GENERIC-ID Session Data');
  const spi = r.bytes(r.u8('GENERIC-ID SPI Length'), 'GENERIC-ID SPI');
  return { csId, protType, s: (sp & 0x80) !== 0, policyNos, sessionData, spi };
}

/** Encodes the common header with the given first next-payload value (RFC 3830 §6.1). */
export function encodeCommonHeader(w: ByteWriter, h: CommonHeader, next: number): void {
  w.u8(h.version, 'HDR version');
  w.u8(h.dataType, 'HDR data type');
  w.u8(next, 'HDR next payload');
  if (!Number.isInteger(h.prfFunc) || h.prfFunc < 0 || h.prfFunc > 0x7f) {
    throw new MikeyCryptoError('INVALID_ARGUMENT', 'PRF func must be 0..127');
  }
  w.u8((h.v ? 0x80 : 0) | h.prfFunc, 'HDR V/PRF func');
  w.u32(h.csbId, 'HDR CSB ID');
  const map = h.csIdMap;
  switch (map.type) {
    case CsIdMapType.SRTP_ID:
      w.u8(map.entries.length, 'HDR #CS');
      w.u8(map.type, 'CS ID map type');
      for (const e of map.entries) {
        w.u8(e.policyNo, 'SRTP-ID Policy_no');
        w.u32(e.ssrc, 'SRTP-ID SSRC');
        w.u32(e.roc, 'SRTP-ID ROC');
      }
      return;
    case CsIdMapType.EMPTY:
      w.u8(map.csCount, 'HDR #CS');
      w.u8(map.type, 'CS ID map type');
      return;
    case CsIdMapType.GENERIC_ID:
      w.u8(map.entries.length, 'HDR #CS');
      w.u8(map.type, 'CS ID map type');
      for (const e of map.entries) encodeGenericIdEntry(w, e);
      return;
  }
}

function encodeGenericIdEntry(w: ByteWriter, e: GenericIdEntry): void {
  w.u8(e.csId, 'GENERIC-ID CS ID');
  w.u8(e.protType, 'GENERIC-ID Prot type');
  if (e.policyNos.length > 0x7f) {
    throw new MikeyCryptoError('INVALID_ARGUMENT', 'GENERIC-ID #P must be 0..127');
  }
  w.u8((e.s ? 0x80 : 0) | e.policyNos.length, 'GENERIC-ID S/#P');
  for (const p of e.policyNos) w.u8(p, 'GENERIC-ID policy number');
  w.lengthPrefixed(e.sessionData, 2, 'GENERIC-ID Session Data');
  w.lengthPrefixed(e.spi, 1, 'GENERIC-ID SPI');
}

/**
 * CS IDs of the crypto sessions in a header. For SRTP-ID the CS ID is the 1-based index of
 * the entry (RFC 3830 §6.1.1); GENERIC-ID names them explicitly (RFC 6043 §6.1.1); the empty
 * map numbers them 1..#CS.
 */
export function cryptoSessionIds(h: CommonHeader): number[] {
  const map = h.csIdMap;
  switch (map.type) {
    case CsIdMapType.SRTP_ID:
      return map.entries.map((_, i) => i + 1);
    case CsIdMapType.EMPTY:
      return Array.from({ length: map.csCount }, (_, i) => i + 1);
    case CsIdMapType.GENERIC_ID:
      return map.entries.map((e) => e.csId);
  }
}

/** One SRTP stream of GENERIC-ID Session Data: SSRC (32), ROC (32), SEQ (16) (RFC 6043 §6.1.1). */
export interface SrtpSessionData {
  ssrc: number;
  roc: number;
  seq: number;
}

/** Encodes SRTP Session Data for a GENERIC-ID entry (RFC 6043 §6.1.1). */
export function encodeSrtpSessionData(streams: SrtpSessionData[]): Buffer {
  const w = new ByteWriter();
  for (const s of streams) {
    w.u32(s.ssrc, 'SSRC');
    w.u32(s.roc, 'ROC');
    w.u16(s.seq, 'SEQ');
  }
  return w.toBuffer();
}

/** Decodes SRTP Session Data of a GENERIC-ID entry (10 octets per stream). */
export function decodeSrtpSessionData(data: Buffer): SrtpSessionData[] {
  if (data.length % 10 !== 0) {
    throw new MikeyDecodeError('INVALID_FIELD', 0, 'SRTP Session Data is not a multiple of 10');
  }
  const r = new ByteReader(data);
  const out: SrtpSessionData[] = [];
  while (r.remaining > 0) out.push({ ssrc: r.u32('SSRC'), roc: r.u32('ROC'), seq: r.u16('SEQ') });
  return out;
}
