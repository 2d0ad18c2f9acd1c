import { formatGeneralizedTimeUtc } from './asn1/converters';
import { BackwardBuffer, identifierOctet } from './asn1/backward-buffer';
import { encodePsPdu } from './codec';
import { Hi2DecodeError, Hi2EncodeError } from './errors';
import { LIID_MAX_OCTETS } from './schema/hi2-operations';
import { LI_PS_DOMAIN_ID, TimeStampQualifier } from './schema/li-ps-pdu';
import {
  CcPacket,
  CcPduOptions,
  PduOptions,
  PsHeaderConfig,
  PsPduBuilder,
  RecordKind,
} from './ps-pdu-builder';

/**
 * Delivery-side wrapping of records that are already BER-encoded (as stored in the MF outbox),
 * without decoding them: decoding and re-encoding through the schema classes costs about a
 * millisecond per record, while the wrappers below only copy octets. The output is identical,
 * octet for octet, to `encodeEpsIrisContent` / `encodePsPdu(PsPduBuilder.iri(...))` for the same
 * record (the spec checks this), so both paths stay interchangeable.
 *
 * Tag facts used (IMPLICIT TAGS modules; a tag on a CHOICE is EXPLICIT, X.680 §31.2.7):
 * - EpsIRIContent ::= CHOICE { iRI-Begin-record [1] IRI-Parameters, … [4] }: one record is
 *   `[n] constructed` whose contents are the IRI-Parameters components (TS 33.108 B.9).
 * - EpsIRISequence ::= SEQUENCE OF EpsIRIContent: `30 len` followed by the records.
 * - TS 102 232-1 IRIPayload.iRIContents [2] IRIContents (CHOICE) → ePSIRI [15] EPSIRI (CHOICE) →
 *   iRI-EPS-Parameters [0] IRI-Parameters: the same components under `A0`.
 */

const CONTEXT_CONSTRUCTED = 0xa0;
const CONTEXT_PRIMITIVE = 0x80;
const SEQUENCE = 0x30;
/** IRI-Parameters.sIPMessage [30] OCTET STRING (TS 33.108 B.9, IMPLICIT: primitive). */
const SIP_MESSAGE_TAG = 30;

const KIND_BY_TAG: Record<number, RecordKind> = {
  1: 'BEGIN',
  2: 'END',
  3: 'CONTINUE',
  4: 'REPORT',
};

/** One BER TLV located in a buffer (definite length only). */
interface Tlv {
  /** First identifier octet (class, constructed bit, short tag or 0x1f). */
  first: number;
  tagNumber: number;
  contentStart: number;
  end: number;
}

function readTlv(buf: Buffer, offset: number, limit: number, what: string): Tlv {
  if (offset >= limit) throw new Hi2DecodeError('TRUNCATED', `${what}: missing TLV`);
  const first = buf[offset];
  let pos = offset + 1;
  let tagNumber = first & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (let i = 0; ; i++) {
      if (pos >= limit) throw new Hi2DecodeError('TRUNCATED', `${what}: truncated tag`);
      if (i === 4) throw new Hi2DecodeError('MALFORMED', `${what}: tag number too large`);
      const b = buf[pos++];
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if (!(b & 0x80)) break;
    }
  }
  if (pos >= limit) throw new Hi2DecodeError('TRUNCATED', `${what}: missing length`);
  let length = buf[pos++];
  if (length === 0x80) throw new Hi2DecodeError('MALFORMED', `${what}: indefinite length`);
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n > 4) throw new Hi2DecodeError('TOO_LARGE', `${what}: length field too long`);
    if (pos + n > limit) throw new Hi2DecodeError('TRUNCATED', `${what}: truncated length`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos++];
  }
  const end = pos + length;
  if (end > limit)
    throw new Hi2DecodeError('TRUNCATED', `${what}: content runs past its container`);
  return { first, tagNumber, contentStart: pos, end };
}

/** Identifier octets of context tag [n], primitive / constructed (n ≤ 30: one octet). */
const primitive = (n: number): Buffer => identifierOctet(CONTEXT_PRIMITIVE | n);
const constructed = (n: number): Buffer => identifierOctet(CONTEXT_CONSTRUCTED | n);
const SEQUENCE_ID = identifierOctet(SEQUENCE);

function oidOctets(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const push = (v: number): void => {
    const bytes = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128))
      bytes.unshift(0x80 | (x & 0x7f));
    out.push(...bytes);
  };
  push(arcs[0] * 40 + arcs[1]);
  arcs.slice(2).forEach(push);
  return Buffer.from(out);
}

/** What the delivery side needs to know about one encoded EpsIRIContent record. */
export interface EncodedRecordView {
  kind: RecordKind;
  /** IRI-Parameters.lawfulInterceptionIdentifier [1]. */
  liid: Buffer;
  /** IRI-Parameters.timeStamp [3] when it is utcTime [1] (UTCTime); absent for localTime. */
  utcTime?: Date;
  /** IRI-Parameters.sIPMessage [30] (TS 33.108 B.9), when present. */
  sipMessage?: Buffer;
  /** The IRI-Parameters component octets (the record's contents, without its own tag and length). */
  parameters: Buffer;
}

const UTC_TIME = /^\d{10}(\d{2})?Z$/;

/** UTCTime `YYMMDDHHMM[SS]Z` (X.680 §47; years 50..99 are 19xx, as asn1js reads them). */
function parseUtcTime(text: string): Date {
  if (!UTC_TIME.test(text))
    throw new Hi2DecodeError('INVALID_VALUE', 'UTCTime is not YYMMDDHHMM[SS]Z');
  const two = (at: number): number =>
    (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;
  const yy = two(0);
  const seconds = text.length === 13 ? two(10) : 0;
  return new Date(
    Date.UTC(yy >= 50 ? 1900 + yy : 2000 + yy, two(2) - 1, two(4), two(6), two(8), seconds),
  );
}

/**
 * Locates the parts of one BER-encoded EpsIRIContent without decoding it: the record type (outer
 * tag [1]..[4]), the LIID [1] and the utcTime of timeStamp [3]. Definite lengths only (our own
 * encoder's output); throws Hi2DecodeError on anything else.
 */
export function viewEncodedRecord(ber: Buffer): EncodedRecordView {
  const outer = readTlv(ber, 0, ber.length, 'EpsIRIContent');
  const kind = KIND_BY_TAG[outer.tagNumber];
  if ((outer.first & 0xe0) !== CONTEXT_CONSTRUCTED || (outer.first & 0x1f) === 0x1f || !kind) {
    throw new Hi2DecodeError('UNKNOWN_ALTERNATIVE', 'EpsIRIContent: not a [1]..[4] record');
  }
  if (outer.end !== ber.length)
    throw new Hi2DecodeError('TRAILING_DATA', 'EpsIRIContent: trailing octets');
  let liid: Buffer | undefined;
  let utcTime: Date | undefined;
  let sipMessage: Buffer | undefined;
  for (let pos = outer.contentStart; pos < outer.end;) {
    const c = readTlv(ber, pos, outer.end, 'IRI-Parameters');
    if (c.first === (CONTEXT_PRIMITIVE | 1)) {
      liid = ber.subarray(c.contentStart, c.end);
    } else if (c.first === (CONTEXT_PRIMITIVE | SIP_MESSAGE_TAG)) {
      sipMessage = ber.subarray(c.contentStart, c.end);
    } else if (c.first === (CONTEXT_CONSTRUCTED | 3)) {
      const choice = readTlv(ber, c.contentStart, c.end, 'timeStamp');
      if (choice.first === (CONTEXT_PRIMITIVE | 1))
        utcTime = parseUtcTime(ber.subarray(choice.contentStart, choice.end).toString('latin1'));
    }
    pos = c.end;
  }
  if (!liid || liid.length < 1 || liid.length > LIID_MAX_OCTETS) {
    throw new Hi2DecodeError(
      'SCHEMA_MISMATCH',
      'IRI-Parameters: lawfulInterceptionIdentifier missing or out of size',
    );
  }
  return {
    kind,
    liid,
    utcTime,
    ...(sipMessage ? { sipMessage } : {}),
    parameters: ber.subarray(outer.contentStart, outer.end),
  };
}

/** What a receiver needs to know about one TS 102 232-1 PS-PDU, located without decoding it. */
export interface PsPduView {
  /** PSHeader.lawfulInterceptionIdentifier [1]. */
  liid: Buffer;
  /** PSHeader.communicationIdentifier [3].communicationIdentityNumber [1], when present. */
  cin?: number;
  /** PSHeader.sequenceNumber [4]. */
  sequenceNumber: number;
  /**
   * Payload [2]: `iri` with each IRIPayload as one encoded EpsIRIContent (`[iRIType]` around its
   * iRI-EPS-Parameters components, what `viewEncodedRecord` reads); the other alternatives by name.
   */
  payload:
    | { kind: 'iri'; records: Buffer[] }
    | { kind: 'cc' | 'keepAlive' | 'keepAliveResponse' | 'other' };
}

/**
 * Locates the PSHeader fields and the payload of one PS-PDU (TS 102 232-1 §5.2, the layout
 * `EncodedPsPduWriter` writes) without a schema decode, for receivers whose throughput matters
 * more than a full check (a benchmark LEMF): the header components are found by tag, the IRI
 * records by the path IRIPayload.iRIContents [2] → ePSIRI [15] → iRI-EPS-Parameters [0].
 * Definite lengths only; throws Hi2DecodeError on a structure it cannot follow. Other fields are
 * not checked: `decodePsPdu` is the full check.
 */
export function viewPsPdu(ber: Buffer): PsPduView {
  const pdu = readTlv(ber, 0, ber.length, 'PS-PDU');
  if (pdu.first !== SEQUENCE || pdu.end !== ber.length)
    throw new Hi2DecodeError('SCHEMA_MISMATCH', 'PS-PDU: not one SEQUENCE');
  const header = readTlv(ber, pdu.contentStart, pdu.end, 'pSHeader');
  const payload = readTlv(ber, header.end, pdu.end, 'payload');
  if (header.first !== (CONTEXT_CONSTRUCTED | 1) || payload.first !== (CONTEXT_CONSTRUCTED | 2))
    throw new Hi2DecodeError('SCHEMA_MISMATCH', 'PS-PDU: pSHeader [1] and payload [2] expected');
  let liid: Buffer | undefined;
  let cin: number | undefined;
  let sequenceNumber: number | undefined;
  for (let pos = header.contentStart; pos < header.end;) {
    const c = readTlv(ber, pos, header.end, 'PSHeader');
    if (c.first === (CONTEXT_PRIMITIVE | 1)) liid = ber.subarray(c.contentStart, c.end);
    else if (c.first === (CONTEXT_PRIMITIVE | 4))
      sequenceNumber = unsignedAt(ber, c, 'sequenceNumber');
    else if (c.first === (CONTEXT_CONSTRUCTED | 3)) {
      for (let p = c.contentStart; p < c.end;) {
        const id = readTlv(ber, p, c.end, 'communicationIdentifier');
        if (id.first === (CONTEXT_PRIMITIVE | 1)) cin = unsignedAt(ber, id, 'CIN');
        p = id.end;
      }
    }
    pos = c.end;
  }
  if (!liid || sequenceNumber === undefined)
    throw new Hi2DecodeError('SCHEMA_MISMATCH', 'PSHeader: LIID or sequenceNumber missing');
  const head = { liid, ...(cin !== undefined ? { cin } : {}), sequenceNumber };
  const choice = readTlv(ber, payload.contentStart, payload.end, 'Payload');
  if (choice.first === (CONTEXT_CONSTRUCTED | 1)) return { ...head, payload: { kind: 'cc' } };
  if (choice.first === (CONTEXT_CONSTRUCTED | 2)) {
    const tri = readTlv(ber, choice.contentStart, choice.end, 'TRIPayload');
    const kind =
      tri.first === (CONTEXT_PRIMITIVE | 3)
        ? 'keepAlive'
        : tri.first === (CONTEXT_PRIMITIVE | 4)
          ? 'keepAliveResponse'
          : 'other';
    return { ...head, payload: { kind } };
  }
  if (choice.first !== (CONTEXT_CONSTRUCTED | 0)) return { ...head, payload: { kind: 'other' } };
  const records: Buffer[] = [];
  for (let pos = choice.contentStart; pos < choice.end;) {
    const item = readTlv(ber, pos, choice.end, 'IRIPayload');
    let type: number | undefined;
    let parameters: Buffer | undefined;
    for (let p = item.contentStart; p < item.end;) {
      const c = readTlv(ber, p, item.end, 'IRIPayload');
      if (c.first === (CONTEXT_PRIMITIVE | 0)) type = unsignedAt(ber, c, 'iRIType');
      else if (c.first === (CONTEXT_CONSTRUCTED | 2)) {
        const eps = readTlv(ber, c.contentStart, c.end, 'iRIContents');
        const params =
          eps.first === (CONTEXT_CONSTRUCTED | 15) &&
          readTlv(ber, eps.contentStart, eps.end, 'ePSIRI');
        if (params && params.first === (CONTEXT_CONSTRUCTED | 0))
          parameters = ber.subarray(params.contentStart, params.end);
      }
      p = c.end;
    }
    if (type === undefined || !KIND_BY_TAG[type] || !parameters)
      throw new Hi2DecodeError(
        'SCHEMA_MISMATCH',
        'IRIPayload: iRIType or ePSIRI parameters missing',
      );
    const tag = constructed(type);
    records.push(BackwardBuffer.written((out) => out.tlv(tag, parameters)));
    pos = item.end;
  }
  return { ...head, payload: { kind: 'iri', records } };
}

/** A non-negative INTEGER / ENUMERATED of at most 32 bits (X.690 §8.3). */
function unsignedAt(buf: Buffer, t: Tlv, what: string): number {
  const n = t.end - t.contentStart;
  if (n < 1 || n > 5 || buf[t.contentStart] & 0x80)
    throw new Hi2DecodeError('INVALID_VALUE', `${what}: not a 32-bit unsigned integer`);
  let v = 0;
  for (let i = t.contentStart; i < t.end; i++) v = v * 256 + buf[i];
  if (v > 0xffffffff) throw new Hi2DecodeError('INVALID_VALUE', `${what}: above 2^32-1`);
  return v;
}

/**
 * EpsIRIsContent.epsIRISequence from already-encoded records (the body of one HI2 FTPS file,
 * ARCHITECTURE.md §4): `30 len` + the records, in the given order. Each record is checked to be
 * one complete EpsIRIContent TLV.
 */
export function epsIriSequenceFromEncoded(records: Buffer[]): Buffer {
  for (const r of records) viewEncodedRecord(r);
  return BackwardBuffer.written((out) =>
    out.constructed(SEQUENCE_ID, () => {
      for (let i = records.length - 1; i >= 0; i--) out.octets(records[i]);
    }),
  );
}

const IRI_TYPE_BY_KIND: Record<RecordKind, number> = { BEGIN: 1, END: 2, CONTINUE: 3, REPORT: 4 };

/**
 * Writes TS 102 232-1 PS-PDUs around encoded records for the HI2 TLS stream, with the same
 * mapping and header choices as `PsPduBuilder` (whose constructor validates `config`):
 * PSHeader { li-psDomainId, LIID, authorizationCountryCode?, communicationIdentifier
 * { networkIdentifier { operatorIdentifier, networkElementIdentifier? }, CIN?, deliveryCountryCode? },
 * sequenceNumber, timeStamp (GeneralizedTime), interceptionPointID?, microSecondTimeStamp,
 * timeStampQualifier timeOfMediation }, Payload iRIPayloadSequence [0] { IRIPayload { iRIType,
 * timeStamp (the record's utcTime, when present), iRIContents ePSIRI iRI-EPS-Parameters } }.
 */
export class EncodedPsPduWriter {
  private readonly domainId: Buffer;
  private readonly operatorId: Buffer;
  private readonly networkElementId?: Buffer;
  private readonly builder: PsPduBuilder;

  constructor(private readonly config: PsHeaderConfig) {
    this.builder = new PsPduBuilder(config);
    this.domainId = oidOctets(config.liPsDomainId ?? LI_PS_DOMAIN_ID);
    this.operatorId = Buffer.from(config.operatorIdentifier, 'utf8');
    if (config.networkElementIdentifier)
      this.networkElementId = Buffer.from(config.networkElementIdentifier, 'utf8');
  }

  /**
   * One PS-PDU carrying `recordBer` (an encoded EpsIRIContent). Written back to front
   * (BackwardBuffer): the components of each SEQUENCE last to first.
   */
  iri(recordBer: Buffer, options: PduOptions): Buffer {
    const view = viewEncodedRecord(recordBer);
    const header = this.header(view.liid, options);
    return BackwardBuffer.written((out) =>
      out.constructed(SEQUENCE_ID, () => {
        // payload [2] { iRIPayloadSequence [0] { IRIPayload } }
        out.constructed(constructed(2), () =>
          out.constructed(constructed(0), () =>
            out.constructed(SEQUENCE_ID, () => {
              out.constructed(constructed(2), () => this.epsIri(out, view.parameters));
              if (view.utcTime) out.latin1Tlv(primitive(1), formatGeneralizedTimeUtc(view.utcTime));
              out.unsignedTlv(primitive(0), IRI_TYPE_BY_KIND[view.kind]);
            }),
          ),
        );
        header(out);
      }),
    );
  }

  /**
   * One CC PS-PDU carrying `ccPayloadBer` (one CCPayload from `encodeCcPayload`): PS-PDU { PSHeader,
   * payload [2] { cCPayloadSequence [1] { CCPayload } } } — identical to
   * `encodePsPdu(PsPduBuilder.cc(...))` for the same packet (the spec checks this).
   */
  cc(liid: Buffer, ccPayloadBer: Buffer, options: CcPduOptions): Buffer {
    const header = this.header(liid, options);
    return BackwardBuffer.written((out) =>
      out.constructed(SEQUENCE_ID, () => {
        out.constructed(constructed(2), () => out.tlv(constructed(1), ccPayloadBer));
        header(out);
      }),
    );
  }

  /** An encoded keep-alive PS-PDU (TRIPayload keep-alive [3]); rare, so built through PsPduBuilder. */
  keepAlive(liid: string, options: PduOptions): Buffer {
    return encodePsPdu(this.builder.keepAlive(liid, options));
  }

  /** ePSIRI [15] (EXPLICIT: CHOICE) { iRI-EPS-Parameters [0] IRI-Parameters } — tag 15 fits one octet. */
  private epsIri(out: BackwardBuffer, parameters: Buffer): void {
    out.constructed(constructed(15), () => out.tlv(constructed(0), parameters));
  }

  /** The PSHeader [1] writer, once its numbers are checked (before anything is written). */
  private header(liid: Buffer, o: PduOptions): (out: BackwardBuffer) => void {
    const c = this.config;
    const now = o.timestamp ?? new Date();
    const ms = now.getTime();
    const cin = o.cin === undefined ? undefined : uint32('CIN', o.cin);
    const sequenceNumber = uint32('sequenceNumber', o.sequenceNumber);
    const seconds = uint32('seconds', Math.floor(ms / 1000));
    const time = formatGeneralizedTimeUtc(now);
    return (out) =>
      out.constructed(constructed(1), () => {
        out.unsignedTlv(primitive(8), TimeStampQualifier.timeOfMediation);
        out.constructed(constructed(7), () => {
          out.unsignedTlv(primitive(1), (ms % 1000) * 1000);
          out.unsignedTlv(primitive(0), seconds);
        });
        if (c.interceptionPointID) out.latin1Tlv(primitive(6), c.interceptionPointID);
        out.latin1Tlv(primitive(5), time);
        out.unsignedTlv(primitive(4), sequenceNumber);
        out.constructed(constructed(3), () => {
          if (c.deliveryCountryCode) out.latin1Tlv(primitive(2), c.deliveryCountryCode);
          if (cin !== undefined) out.unsignedTlv(primitive(1), cin);
          out.constructed(constructed(0), () => {
            if (this.networkElementId) out.tlv(primitive(1), this.networkElementId);
            out.tlv(primitive(0), this.operatorId);
          });
        });
        if (c.authorizationCountryCode) out.latin1Tlv(primitive(2), c.authorizationCountryCode);
        out.tlv(primitive(1), liid);
        out.tlv(primitive(0), this.domainId);
      });
  }
}

const CC_TEMPLATE = new PsPduBuilder({ operatorIdentifier: 'CC' });

/**
 * The BER of the one CCPayload (TS 102 232-1) that `PsPduBuilder.cc` builds for `packet`: what the
 * MF stores per media packet, so that the delivery side only adds the PSHeader with the stream's
 * sequence number (`EncodedPsPduWriter.cc`). The packet's LIID is not part of it.
 */
export function encodeCcPayload(packet: CcPacket): Buffer {
  const ber = encodePsPdu(CC_TEMPLATE.cc(packet, { sequenceNumber: 0, cin: 0 }));
  const pdu = readTlv(ber, 0, ber.length, 'PS-PDU');
  const header = readTlv(ber, pdu.contentStart, pdu.end, 'pSHeader');
  const payload = readTlv(ber, header.end, pdu.end, 'payload');
  const sequence = readTlv(ber, payload.contentStart, payload.end, 'cCPayloadSequence');
  const first = readTlv(ber, sequence.contentStart, sequence.end, 'CCPayload');
  return Buffer.from(ber.subarray(sequence.contentStart, first.end));
}

function uint32(field: string, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new Hi2EncodeError(field, 'outside 0..4294967295');
  return n;
}
