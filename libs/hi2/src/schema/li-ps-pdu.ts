import { AsnArray, AsnPropTypes } from '@peculiar/asn1-schema';
import { GeneralizedTimeUtc, OctetStringBuffer, Uint32Integer } from '../asn1/converters';
import { Asn1Choice, Asn1Sequence, Asn1SequenceOf, Tagged } from '../asn1/tagging';
import { IRIParameters } from './eps-hi2-operations';
import { IPMMCC } from './ip-multimedia-pdu';

/**
 * ETSI TS 102 232-1 module LI-PS-PDU {itu-t(0) identified-organization(4) etsi(0) securityDomain(2)
 * lawfulIntercept(2) li-ps(5) genHeader(1) versionN}, DEFINITIONS IMPLICIT TAGS — the subset that
 * IRI delivery, CC delivery of IP multimedia (cCPayloadSequence [1] with TS 102 232-5 IPMMCC) and
 * keep-alives need. Payload, IRIContents and CCContents are extensible CHOICEs.
 *
 * EPS/IMS IRI mapping (TS 102 232-7, 3GPP IRI over TS 102 232-1): the record type travels in
 * IRIPayload.iRIType and the IRI-Parameters of TS 33.108 Annex B.9 in
 * IRIContents.ePSIRI [15] EPSIRI, EPSIRI ::= CHOICE { iRI-EPS-Parameters [0] IRI-Parameters, ... }.
 */

/** li-psDomainId value: {lawfulInterceptDomainId li-ps(5) genHeader(1) version32(32)}. */
export const LI_PS_DOMAIN_ID = '0.4.0.2.2.5.1.32';

/** TimeStampQualifier ::= ENUMERATED { unknown(0), timeOfInterception(1), timeOfMediation(2), timeOfAggregation(3), ... } */
export enum TimeStampQualifier {
  unknown = 0,
  timeOfInterception = 1,
  timeOfMediation = 2,
  timeOfAggregation = 3,
}

/** IRIType ::= ENUMERATED { iRI-Begin(1), iRI-End(2), iRI-Continue(3), iRI-Report(4), ... } */
export enum IRIType {
  iRIBegin = 1,
  iRIEnd = 2,
  iRIContinue = 3,
  iRIReport = 4,
}

/** MicroSecondTimeStamp ::= SEQUENCE { seconds [0] INTEGER (0..4294967295), microSeconds [1] INTEGER (0..999999), ... } */
@Asn1Sequence()
export class MicroSecondTimeStamp {
  @Tagged(0, AsnPropTypes.Integer, { converter: Uint32Integer })
  seconds = 0;
  @Tagged(1, AsnPropTypes.Integer, { converter: Uint32Integer })
  microSeconds = 0;
}

/**
 * NetworkIdentifier ::= SEQUENCE { operatorIdentifier [0] OCTET STRING (SIZE (1..16)),
 * networkElementIdentifier [1] OCTET STRING (SIZE (1..16)) OPTIONAL, ..., eTSI671NEID [2] … }
 */
@Asn1Sequence()
export class NetworkIdentifier {
  @Tagged(0, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  operatorIdentifier: Buffer = Buffer.alloc(0);
  @Tagged(1, AsnPropTypes.OctetString, { optional: true, converter: OctetStringBuffer })
  networkElementIdentifier?: Buffer;
}

export const PS_OPERATOR_ID_MAX_OCTETS = 16;
export const PS_NETWORK_ELEMENT_ID_MAX_OCTETS = 16;

/**
 * CommunicationIdentifier ::= SEQUENCE { networkIdentifier [0] NetworkIdentifier,
 * communicationIdentityNumber [1] INTEGER (0..4294967295) OPTIONAL,
 * deliveryCountryCode [2] PrintableString (SIZE (2)) OPTIONAL, ..., cINExtension [3] … }
 */
@Asn1Sequence()
export class CommunicationIdentifier {
  @Tagged(0, NetworkIdentifier)
  networkIdentifier = new NetworkIdentifier();
  /** The CIN: identifies the intercepted session; same value in IRI and CC of one session. */
  @Tagged(1, AsnPropTypes.Integer, { optional: true, converter: Uint32Integer })
  communicationIdentityNumber?: number;
  @Tagged(2, AsnPropTypes.PrintableString, { optional: true })
  deliveryCountryCode?: string;
}

/**
 * PSHeader ::= SEQUENCE { li-psDomainId [0] OBJECT IDENTIFIER, lawfulInterceptionIdentifier [1],
 * authorizationCountryCode [2] PrintableString (SIZE (2)) OPTIONAL, communicationIdentifier [3],
 * sequenceNumber [4] INTEGER (0..4294967295), timeStamp [5] GeneralizedTime OPTIONAL, ...,
 * interceptionPointID [6] PrintableString (SIZE (1..8)) OPTIONAL,
 * microSecondTimeStamp [7] MicroSecondTimeStamp OPTIONAL, timeStampQualifier [8] TimeStampQualifier OPTIONAL, … }
 */
@Asn1Sequence()
export class PSHeader {
  @Tagged(0, AsnPropTypes.ObjectIdentifier)
  liPsDomainId = LI_PS_DOMAIN_ID;
  @Tagged(1, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  lawfulInterceptionIdentifier: Buffer = Buffer.alloc(0);
  @Tagged(2, AsnPropTypes.PrintableString, { optional: true })
  authorizationCountryCode?: string;
  @Tagged(3, CommunicationIdentifier)
  communicationIdentifier = new CommunicationIdentifier();
  @Tagged(4, AsnPropTypes.Integer, { converter: Uint32Integer })
  sequenceNumber = 0;
  @Tagged(5, AsnPropTypes.GeneralizedTime, { optional: true, converter: GeneralizedTimeUtc })
  timeStamp?: Date;
  @Tagged(6, AsnPropTypes.PrintableString, { optional: true })
  interceptionPointID?: string;
  @Tagged(7, MicroSecondTimeStamp, { optional: true })
  microSecondTimeStamp?: MicroSecondTimeStamp;
  @Tagged(8, AsnPropTypes.Enumerated, { optional: true })
  timeStampQualifier?: number;
}

/** EPSIRI ::= CHOICE { iRI-EPS-Parameters [0] EpsHI2Operations.IRI-Parameters, ... } */
@Asn1Choice()
export class EPSIRI {
  @Tagged(0, IRIParameters)
  iRIEPSParameters?: IRIParameters;
}

/** IRIContents ::= CHOICE { …, ePSIRI [15] EPSIRI, … } — only the EPS alternative is modelled. */
@Asn1Choice()
export class IRIContents {
  @Tagged(15, EPSIRI)
  ePSIRI?: EPSIRI;
}

/**
 * IRIPayload ::= SEQUENCE { iRIType [0] IRIType, timeStamp [1] GeneralizedTime OPTIONAL,
 * iRIContents [2] IRIContents, ..., microSecondTimeStamp [3] OPTIONAL, timeStampQualifier [4] OPTIONAL, … }
 */
@Asn1Sequence()
export class IRIPayload {
  @Tagged(0, AsnPropTypes.Enumerated)
  iRIType: number = IRIType.iRIReport;
  @Tagged(1, AsnPropTypes.GeneralizedTime, { optional: true, converter: GeneralizedTimeUtc })
  timeStamp?: Date;
  @Tagged(2, IRIContents)
  iRIContents = new IRIContents();
  @Tagged(3, MicroSecondTimeStamp, { optional: true })
  microSecondTimeStamp?: MicroSecondTimeStamp;
  @Tagged(4, AsnPropTypes.Enumerated, { optional: true })
  timeStampQualifier?: number;
}

@Asn1SequenceOf(IRIPayload)
export class IRIPayloadSequence extends AsnArray<IRIPayload> {}

/**
 * PayloadDirection ::= ENUMERATED { fromTarget(0), toTarget(1), indeterminate(2), combined(3),
 * notapplicable(4), ... } — direction of the CC relative to the target.
 */
export enum PayloadDirection {
  fromTarget = 0,
  toTarget = 1,
  indeterminate = 2,
  combined = 3,
  notapplicable = 4,
}

/** CCContents ::= CHOICE { …, iPMMCC [12] IPMMCC, … } — only the IP multimedia alternative is modelled. */
@Asn1Choice()
export class CCContents {
  @Tagged(12, IPMMCC)
  iPMMCC?: IPMMCC;
}

/**
 * CCPayload ::= SEQUENCE { payloadDirection [0] PayloadDirection OPTIONAL,
 * timeStamp [1] GeneralizedTime OPTIONAL, cCContents [2] CCContents, ...,
 * microSecondTimeStamp [3] MicroSecondTimeStamp OPTIONAL, timeStampQualifier [4] OPTIONAL, … }
 */
@Asn1Sequence()
export class CCPayload {
  @Tagged(0, AsnPropTypes.Enumerated, { optional: true })
  payloadDirection?: number;
  @Tagged(1, AsnPropTypes.GeneralizedTime, { optional: true, converter: GeneralizedTimeUtc })
  timeStamp?: Date;
  @Tagged(2, CCContents)
  cCContents = new CCContents();
  @Tagged(3, MicroSecondTimeStamp, { optional: true })
  microSecondTimeStamp?: MicroSecondTimeStamp;
  @Tagged(4, AsnPropTypes.Enumerated, { optional: true })
  timeStampQualifier?: number;
}

@Asn1SequenceOf(CCPayload)
export class CCPayloadSequence extends AsnArray<CCPayload> {}

/**
 * TRIPayload ::= CHOICE { integrityCheck [0], testPDU [1], ..., paddingPDU [2], keep-alive [3] NULL,
 * keep-aliveResponse [4] NULL, … } — transport related information; only keep-alives are modelled.
 * A NULL alternative that is present holds `null`.
 */
@Asn1Choice()
export class TRIPayload {
  @Tagged(3, AsnPropTypes.Null)
  keepAlive?: null;
  @Tagged(4, AsnPropTypes.Null)
  keepAliveResponse?: null;
}

/**
 * Payload ::= CHOICE { iRIPayloadSequence [0] SEQUENCE OF IRIPayload,
 * cCPayloadSequence [1] SEQUENCE OF CCPayload, tRIPayload [2] TRIPayload, ..., … }
 */
@Asn1Choice()
export class Payload {
  @Tagged(0, IRIPayloadSequence)
  iRIPayloadSequence?: IRIPayloadSequence;
  @Tagged(1, CCPayloadSequence)
  cCPayloadSequence?: CCPayloadSequence;
  @Tagged(2, TRIPayload)
  tRIPayload?: TRIPayload;
}

/** PS-PDU ::= SEQUENCE { pSHeader [1] PSHeader, payload [2] Payload } */
@Asn1Sequence()
export class PSPDU {
  @Tagged(1, PSHeader)
  pSHeader = new PSHeader();
  @Tagged(2, Payload)
  payload = new Payload();
}
