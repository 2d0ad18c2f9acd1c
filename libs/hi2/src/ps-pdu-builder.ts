import { Hi2EncodeError } from './errors';
import { EpsIRIContent, IRIParameters } from './schema/eps-hi2-operations';
import { LIID_MAX_OCTETS } from './schema/hi2-operations';
import {
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

function microSeconds(date: Date): MicroSecondTimeStamp {
  const m = new MicroSecondTimeStamp();
  const ms = date.getTime();
  m.seconds = checkUint32('microSecondTimeStamp.seconds', Math.floor(ms / 1000));
  m.microSeconds = (ms % 1000) * 1000;
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
    pdu.payload.iRIPayloadSequence = new IRIPayloadSequence([payload]);
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
