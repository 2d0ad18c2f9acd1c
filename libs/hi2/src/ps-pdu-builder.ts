import { Hi2DecodeError, Hi2EncodeError } from './errors';
import { EpsIRIContent, IRIParameters } from './schema/eps-hi2-operations';
import { LIID_MAX_OCTETS } from './schema/hi2-operations';
import { FrameType, IPMMCC, MMCCprotocol } from './schema/ip-multimedia-pdu';
import {
  CCContents,
  CCPayload,
  CCPayloadSequence,
  CommunicationIdentifier,
  EPSIRI,
  IRIContents,
  IRIPayload,
  IRIPayloadSequence,
  IRIType,
  LI_PS_DOMAIN_ID,
  MicroSecondTimeStamp,
  NetworkIdentifier,
  Payload,
  PS_NETWORK_ELEMENT_ID_MAX_OCTETS,
  PS_OPERATOR_ID_MAX_OCTETS,
  PSHeader,
  PayloadDirection,
  PSPDU,
  TimeStampQualifier,
  TRIPayload,
} from './schema/li-ps-pdu';

/** Static PSHeader fields of one HI2 TLS destination (TS 102 232-1 PSHeader / CommunicationIdentifier). */
export interface PsHeaderConfig {
  /** NetworkIdentifier.operatorIdentifier [0], 1..16 octets. */
  operatorIdentifier: string;
  /** NetworkIdentifier.networkElementIdentifier [1], 1..16 octets (e.g. the MF instance name). */
  networkElementIdentifier?: string;
  /** authorizationCountryCode [2], ISO 3166-1 alpha-2. */
  authorizationCountryCode?: string;
  /** deliveryCountryCode [2] of CommunicationIdentifier, ISO 3166-1 alpha-2. */
  deliveryCountryCode?: string;
  /** interceptionPointID [6], PrintableString 1..8. */
  interceptionPointID?: string;
  /** li-psDomainId [0]; defaults to LI_PS_DOMAIN_ID (LI-PS-PDU version32). */
  liPsDomainId?: string;
}

export interface PduOptions {
  /**
   * sequenceNumber [4], 0..4294967295. The caller owns the counter (per destination, persisted
   * with the outbox) so that a resend after reconnect repeats the same number.
   */
  sequenceNumber: number;
  /** CIN, communicationIdentityNumber [1]; omit for IRI not tied to a session (REPORT). */
  cin?: number;
  /** PSHeader.timeStamp [5] and microSecondTimeStamp [7]; default: now. */
  timestamp?: Date;
}

export type RecordKind = 'BEGIN' | 'END' | 'CONTINUE' | 'REPORT';

const IRI_TYPE: Record<RecordKind, IRIType> = {
  BEGIN: IRIType.iRIBegin,
  END: IRIType.iRIEnd,
  CONTINUE: IRIType.iRIContinue,
  REPORT: IRIType.iRIReport,
};

/** The chosen alternative of an EpsIRIContent and its IRI-Parameters. */
export function recordParts(record: EpsIRIContent): {
  kind: RecordKind;
  parameters: IRIParameters;
} {
  if (record.iRIBeginRecord) return { kind: 'BEGIN', parameters: record.iRIBeginRecord };
  if (record.iRIEndRecord) return { kind: 'END', parameters: record.iRIEndRecord };
  if (record.iRIContinueRecord) return { kind: 'CONTINUE', parameters: record.iRIContinueRecord };
  if (record.iRIReportRecord) return { kind: 'REPORT', parameters: record.iRIReportRecord };
  throw new Hi2EncodeError('EpsIRIContent', 'no record alternative set');
}

/** Rebuilds EpsIRIContent from an IRIPayload carrying ePSIRI (inverse of the PS-PDU mapping). */
export function epsIriContentFromPayload(payload: IRIPayload): EpsIRIContent {
  const params = payload.iRIContents.ePSIRI?.iRIEPSParameters;
  if (!params) throw new Hi2EncodeError('iRIContents', 'not an ePSIRI payload');
  const record = new EpsIRIContent();
  switch (payload.iRIType as IRIType) {
    case IRIType.iRIBegin:
      record.iRIBeginRecord = params;
      break;
    case IRIType.iRIEnd:
      record.iRIEndRecord = params;
      break;
    case IRIType.iRIContinue:
      record.iRIContinueRecord = params;
      break;
    case IRIType.iRIReport:
      record.iRIReportRecord = params;
      break;
    default:
      throw new Hi2EncodeError('iRIType', 'unknown IRI type');
  }
  return record;
}

/** One IPMMCC of a received CC PS-PDU, with the PSHeader fields that identify it. */
export interface DecodedCcPacket {
  liid: Buffer;
  cin?: number;
  sequenceNumber: number;
  direction?: PayloadDirection;
  frameType?: FrameType;
  protocol?: MMCCprotocol;
  streamIdentifier?: Buffer;
  /** mMCCContents [1]. */
  contents: Buffer;
  /** CCPayload microSecondTimeStamp [3], else timeStamp [1] (millisecond precision). */
  interceptedAt?: PreciseTime;
}

const IPMM_CC_OBJ_ID_FORM = /^5\.5\.\d+\.2$/;

/**
 * The IPMMCC packets of a decoded CC PS-PDU (inverse of `PsPduBuilder.cc`). Throws
 * Hi2DecodeError when the PDU is not a CC PDU, an element is not iPMMCC, or iPMMCCObjId is not of
 * the form {li-ps(5) iPMultimedia(5) version(N) cC(2)} (any module version N is accepted).
 */
export function ccPacketsFromPsPdu(pdu: PSPDU): DecodedCcPacket[] {
  const sequence = pdu.payload.cCPayloadSequence;
  if (!sequence) throw new Hi2DecodeError('UNEXPECTED_TAG', 'not a cCPayloadSequence PS-PDU');
  const h = pdu.pSHeader;
  return sequence.map((payload) => {
    const mm = payload.cCContents.iPMMCC;
    if (!mm) throw new Hi2DecodeError('UNKNOWN_ALTERNATIVE', 'cCContents is not iPMMCC');
    if (!IPMM_CC_OBJ_ID_FORM.test(mm.iPMMCCObjId))
      throw new Hi2DecodeError('INVALID_VALUE', 'iPMMCCObjId is not {5 5 N 2}');
    const micro = payload.microSecondTimeStamp;
    const ms = payload.timeStamp?.getTime();
    const interceptedAt = micro
      ? { seconds: micro.seconds, nanoseconds: micro.microSeconds * 1000 }
      : ms !== undefined
        ? { seconds: Math.floor(ms / 1000), nanoseconds: (ms % 1000) * 1e6 }
        : undefined;
    return {
      liid: h.lawfulInterceptionIdentifier,
      cin: h.communicationIdentifier.communicationIdentityNumber,
      sequenceNumber: h.sequenceNumber,
      direction: payload.payloadDirection,
      frameType: mm.frameType,
      protocol: mm.mMCCprotocol,
      streamIdentifier: mm.streamIdentifier,
      contents: mm.mMCCContents,
      interceptedAt,
    };
  });
}

function octets(field: string, value: string, max: number): Buffer {
  const b = Buffer.from(value, 'utf8');
  if (b.length < 1 || b.length > max)
    throw new Hi2EncodeError(field, `length ${b.length} outside 1..${max}`);
  return b;
}

function printable(field: string, value: string, min: number, max: number): string {
  if (value.length < min || value.length > max || !/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value)) {
    throw new Hi2EncodeError(field, `must be PrintableString of ${min}..${max} characters`);
  }
  return value;
}

function checkUint32(field: string, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new Hi2EncodeError(field, 'outside 0..4294967295');
  return n;
}

/** A time with sub-millisecond precision, as the X3 PDU Timestamp attribute carries it. */
export interface PreciseTime {
  /** Seconds since 1970-01-01T00:00:00Z, 0..4294967295. */
  seconds: number;
  nanoseconds: number;
}

/** One intercepted media packet to deliver as CC (TS 102 232-5 IPMMCC). */
export interface CcPacket {
  /** PSHeader.lawfulInterceptionIdentifier [1]: the LIID of the session's IRI. */
  liid: string;
  /** mMCCContents [1]: the RTP (or RTCP) packet, from its RTP header on (frameType rtpFrame). */
  rtp: Buffer;
  /** CCPayload.payloadDirection [0]. */
  direction: PayloadDirection;
  /** streamIdentifier [3]: identifies the media stream within the CIN (e.g. the SDP m= line index). */
  streamIdentifier?: Buffer;
  /** CCPayload.timeStamp [1] / microSecondTimeStamp [3], qualifier timeOfInterception; the X3 PDU time. */
  interceptedAt?: PreciseTime;
}

export interface CcPduOptions extends PduOptions {
  /** communicationIdentityNumber: the CIN of the session's IRI (CC and IRI of a session share it). */
  cin: number;
}

function microSeconds(date: Date): MicroSecondTimeStamp {
  const m = new MicroSecondTimeStamp();
  const ms = date.getTime();
  m.seconds = checkUint32('microSecondTimeStamp.seconds', Math.floor(ms / 1000));
  m.microSeconds = (ms % 1000) * 1000;
  return m;
}

function preciseMicroSeconds(t: PreciseTime): MicroSecondTimeStamp {
  const m = new MicroSecondTimeStamp();
  m.seconds = checkUint32('microSecondTimeStamp.seconds', t.seconds);
  if (!Number.isInteger(t.nanoseconds) || t.nanoseconds < 0 || t.nanoseconds > 999_999_999)
    throw new Hi2EncodeError(
      'microSecondTimeStamp.microSeconds',
      'nanoseconds outside 0..999999999',
    );
  m.microSeconds = Math.floor(t.nanoseconds / 1000);
  return m;
}

/**
 * Wraps IRI records into TS 102 232-1 PS-PDUs for the HI2 TLS stream, and builds keep-alives.
 *
 * Mapping (TS 102 232-7 for 3GPP IRI over TS 102 232-1): one record per PS-PDU; PSHeader LIID =
 * the record's LIID; IRIPayload.iRIType = the record's alternative (BEGIN→iRI-Begin(1), …);
 * IRIPayload.iRIContents = ePSIRI [15] { iRI-EPS-Parameters [0] IRI-Parameters }.
 * Timestamps are the time of mediation (timeStampQualifier timeOfMediation) in PSHeader and the
 * event time in IRIPayload.timeStamp.
 */
export class PsPduBuilder {
  constructor(private readonly config: PsHeaderConfig) {
    this.header({ sequenceNumber: 0 }, Buffer.from('x')); // validates the static fields early
  }

  iri(record: EpsIRIContent, options: PduOptions): PSPDU {
    const { kind, parameters } = recordParts(record);
    const payload = new IRIPayload();
    payload.iRIType = IRI_TYPE[kind];
    payload.timeStamp = parameters.timeStamp.utcTime;
    payload.iRIContents = new IRIContents();
    payload.iRIContents.ePSIRI = new EPSIRI();
    payload.iRIContents.ePSIRI.iRIEPSParameters = parameters;
    const pdu = new PSPDU();
    pdu.pSHeader = this.header(options, parameters.lawfulInterceptionIdentifier);
    pdu.payload = new Payload();
    pdu.payload.iRIPayloadSequence = new IRIPayloadSequence();
    pdu.payload.iRIPayloadSequence[0] = payload; // by index: see IriBuilder
    return pdu;
  }

  /**
   * One CC PS-PDU for one media packet (TS 102 232-1 cCPayloadSequence [1] with one CCPayload;
   * TS 102 232-5 IPMMCC in cCContents.iPMMCC [12]). mMCCContents holds the RTP packet from its RTP
   * header on, so frameType = rtpFrame(2) and mMCCprotocol = rTP(0); RTCP would be sent the same way.
   * The LIID and CIN are the session's IRI values; the sequence number is the CC stream's own.
   */
  cc(packet: CcPacket, options: CcPduOptions): PSPDU {
    const mm = new IPMMCC();
    mm.mMCCContents = packet.rtp;
    mm.frameType = FrameType.rtpFrame;
    if (packet.streamIdentifier) mm.streamIdentifier = packet.streamIdentifier;
    mm.mMCCprotocol = MMCCprotocol.rTP;
    const payload = new CCPayload();
    payload.payloadDirection = packet.direction;
    payload.cCContents = new CCContents();
    payload.cCContents.iPMMCC = mm;
    if (packet.interceptedAt) {
      payload.microSecondTimeStamp = preciseMicroSeconds(packet.interceptedAt);
      payload.timeStamp = new Date(
        packet.interceptedAt.seconds * 1000 + Math.floor(packet.interceptedAt.nanoseconds / 1e6),
      );
      payload.timeStampQualifier = TimeStampQualifier.timeOfInterception;
    }
    const pdu = new PSPDU();
    pdu.pSHeader = this.header(
      options,
      octets('lawfulInterceptionIdentifier', packet.liid, LIID_MAX_OCTETS),
    );
    pdu.payload = new Payload();
    pdu.payload.cCPayloadSequence = new CCPayloadSequence();
    pdu.payload.cCPayloadSequence[0] = payload; // by index: see IriBuilder
    return pdu;
  }

  /**
   * keep-alive [3] (TS 102 232-1 TRIPayload): sent when the stream has been idle; the LEMF answers
   * with keep-aliveResponse [4]. The PSHeader is mandatory in a PS-PDU; `liid` is the destination's
   * configured keep-alive LIID (102 232-1 leaves it to the handover agreement).
   */
  keepAlive(liid: string, options: PduOptions): PSPDU {
    return this.tri(liid, options, 'keepAlive');
  }

  keepAliveResponse(liid: string, options: PduOptions): PSPDU {
    return this.tri(liid, options, 'keepAliveResponse');
  }

  private tri(liid: string, options: PduOptions, which: 'keepAlive' | 'keepAliveResponse'): PSPDU {
    const pdu = new PSPDU();
    pdu.pSHeader = this.header(
      options,
      octets('lawfulInterceptionIdentifier', liid, LIID_MAX_OCTETS),
    );
    pdu.payload = new Payload();
    pdu.payload.tRIPayload = new TRIPayload();
    pdu.payload.tRIPayload[which] = null;
    return pdu;
  }

  private header(options: PduOptions, liid: Buffer): PSHeader {
    const c = this.config;
    const h = new PSHeader();
    h.liPsDomainId = c.liPsDomainId ?? LI_PS_DOMAIN_ID;
    h.lawfulInterceptionIdentifier = liid;
    if (c.authorizationCountryCode) {
      h.authorizationCountryCode = printable(
        'authorizationCountryCode',
        c.authorizationCountryCode,
        2,
        2,
      );
    }
    const id = new CommunicationIdentifier();
    id.networkIdentifier = new NetworkIdentifier();
    id.networkIdentifier.operatorIdentifier = octets(
      'operatorIdentifier',
      c.operatorIdentifier,
      PS_OPERATOR_ID_MAX_OCTETS,
    );
    if (c.networkElementIdentifier) {
      id.networkIdentifier.networkElementIdentifier = octets(
        'networkElementIdentifier',
        c.networkElementIdentifier,
        PS_NETWORK_ELEMENT_ID_MAX_OCTETS,
      );
    }
    if (options.cin !== undefined)
      id.communicationIdentityNumber = checkUint32('communicationIdentityNumber', options.cin);
    if (c.deliveryCountryCode)
      id.deliveryCountryCode = printable('deliveryCountryCode', c.deliveryCountryCode, 2, 2);
    h.communicationIdentifier = id;
    h.sequenceNumber = checkUint32('sequenceNumber', options.sequenceNumber);
    const now = options.timestamp ?? new Date();
    h.timeStamp = now;
    if (c.interceptionPointID)
      h.interceptionPointID = printable('interceptionPointID', c.interceptionPointID, 1, 8);
    h.microSecondTimeStamp = microSeconds(now);
    h.timeStampQualifier = TimeStampQualifier.timeOfMediation;
    return h;
  }
}
