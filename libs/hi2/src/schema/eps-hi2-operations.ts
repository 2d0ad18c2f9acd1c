import { AsnArray, AsnPropTypes } from '@peculiar/asn1-schema';
import { OctetStringBuffer } from '../asn1/converters';
import { Asn1Choice, Asn1Sequence, Asn1SequenceOf, Asn1SetOf, Tagged } from '../asn1/tagging';
import { NetworkIdentifierHi2, PartyInformationSet, TimeStamp } from './hi2-operations';

/**
 * 3GPP TS 33.108 Annex B.9 module EpsHI2Operations {itu-t(0) identified-organization(4) etsi(0)
 * securityDomain(2) lawfulintercept(2) threeGPP(4) hi2eps(8) r16(16) version-1(1)},
 * DEFINITIONS IMPLICIT TAGS — the subset ARCHITECTURE.md §4 uses. Tags are those of the module.
 */

/** hi2epsDomainId OBJECT IDENTIFIER ::= {threeGPPSUBDomainId hi2eps(8) r16(16) version-1(1)} */
export const HI2_EPS_DOMAIN_ID = '0.4.0.2.2.4.8.16.1';

/** IRI-Parameters.initiator [4] ENUMERATED { not-Available(0), originating-Target(1), terminating-Target(2), ... } */
export enum Initiator {
  notAvailable = 0,
  originatingTarget = 1,
  terminatingTarget = 2,
}

/** IMSevent ::= ENUMERATED { unfilteredSIPmessage(1), ..., sIPheaderOnly(2), decryptionKeysAvailable(3), … } */
export enum ImsEvent {
  unfilteredSIPmessage = 1,
  sIPheaderOnly = 2,
  decryptionKeysAvailable = 3,
  startOfInterceptionForIMSEstablishedSession = 4,
  xCAPRequest = 5,
  xCAPResponse = 6,
  ccUnavailable = 7,
  sMSOverIMS = 8,
  servingSystem = 9,
  subscriberRecordChange = 10,
  registrationTermination = 11,
  locationInformationRequest = 12,
}

/** MediaSecFailureIndication ::= ENUMERATED { genericFailure(0), ... } */
export enum MediaSecFailureIndication {
  genericFailure = 0,
}

/**
 * IRI-to-CC-Correlation ::= SEQUENCE { cc [0] SET OF OCTET STRING, iri [1] OCTET STRING OPTIONAL }
 * (cc correlates the IRI to one or more CC streams; iri to CC carried with signalling).
 */
@Asn1Sequence()
export class IriToCcCorrelation {
  @Tagged(0, AsnPropTypes.OctetString, { repeated: 'set', converter: OctetStringBuffer })
  cc: Buffer[] = [];
  @Tagged(1, AsnPropTypes.OctetString, { optional: true, converter: OctetStringBuffer })
  iri?: Buffer;
}

/** CorrelationValues.both-IRI-CC [2] SEQUENCE { iri-CC [0] IRI-to-CC-Correlation, iri-IRI [1] IRI-to-IRI-Correlation } */
@Asn1Sequence()
export class BothIriCcCorrelation {
  @Tagged(0, IriToCcCorrelation)
  iriCC = new IriToCcCorrelation();
  /** IRI-to-IRI-Correlation ::= OCTET STRING */
  @Tagged(1, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  iriIRI: Buffer = Buffer.alloc(0);
}

/** CorrelationValues ::= CHOICE { iri-to-CC [0], iri-to-iri [1] IRI-to-IRI-Correlation, both-IRI-CC [2] } */
@Asn1Choice()
export class CorrelationValues {
  @Tagged(0, IriToCcCorrelation)
  iriToCC?: IriToCcCorrelation;
  @Tagged(1, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  iriToIri?: Buffer;
  @Tagged(2, BothIriCcCorrelation)
  bothIriCc?: BothIriCcCorrelation;
}

/** IMS-VoIP-Correlation ::= SET OF SEQUENCE { ims-iri [0] IRI-to-IRI-Correlation, ims-cc [1] IRI-to-CC-Correlation OPTIONAL } */
@Asn1Sequence()
export class ImsVoipCorrelationItem {
  @Tagged(0, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  imsIri: Buffer = Buffer.alloc(0);
  @Tagged(1, IriToCcCorrelation, { optional: true })
  imsCc?: IriToCcCorrelation;
}

@Asn1SetOf(ImsVoipCorrelationItem)
export class ImsVoipCorrelation extends AsnArray<ImsVoipCorrelationItem> {}

/**
 * CCKeyInfo ::= SEQUENCE { cCCSID [1] OCTET STRING, cCDecKey [2] OCTET STRING, cCSalt [3] OCTET STRING
 * OPTIONAL, ... }. cCCSID maps the key to its stream: the MIKEY CS ID (RFC 6043) or the SDES crypto tag.
 */
@Asn1Sequence()
export class CCKeyInfo {
  @Tagged(1, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  cCCSID: Buffer = Buffer.alloc(0);
  /** SRTP master key. Key material: never log. */
  @Tagged(2, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  cCDecKey: Buffer = Buffer.alloc(0);
  /** SRTP master salt. Key material: never log. */
  @Tagged(3, AsnPropTypes.OctetString, { optional: true, converter: OctetStringBuffer })
  cCSalt?: Buffer;
}

/** MediaDecryption-info ::= SEQUENCE OF CCKeyInfo — one entry per media stream of the session. */
@Asn1SequenceOf(CCKeyInfo)
export class MediaDecryptionInfo extends AsnArray<CCKeyInfo> {}

/**
 * IRI-Parameters ::= SEQUENCE (TS 33.108 B.9, r16 version-1). Modelled components, by tag:
 * root: hi2epsDomainId [0], lawfulInterceptionIdentifier [1], timeStamp [3], initiator [4],
 * partyInformation [9], national-Parameters [16], networkIdentifier [26], iMSevent [29], sIPMessage [30];
 * extensions: correlation [35], mediaDecryption-info [42], mediaSecFailureIndication [50], imsVoIP [57].
 * Any other component is skipped on decode.
 */
@Asn1Sequence()
export class IRIParameters {
  @Tagged(0, AsnPropTypes.ObjectIdentifier)
  hi2epsDomainId = HI2_EPS_DOMAIN_ID;
  /** LawfulInterceptionIdentifier ::= OCTET STRING (SIZE (1..25)) */
  @Tagged(1, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  lawfulInterceptionIdentifier: Buffer = Buffer.alloc(0);
  @Tagged(3, TimeStamp)
  timeStamp = new TimeStamp();
  @Tagged(4, AsnPropTypes.Enumerated, { optional: true })
  initiator?: number;
  @Tagged(9, PartyInformationSet, { optional: true })
  partyInformation?: PartyInformationSet;
  /** National-Parameters ::= SET SIZE (1..40) OF OCTET STRING (SIZE (1..256)) */
  @Tagged(16, AsnPropTypes.OctetString, {
    optional: true,
    repeated: 'set',
    converter: OctetStringBuffer,
  })
  nationalParameters?: Buffer[];
  @Tagged(26, NetworkIdentifierHi2, { optional: true })
  networkIdentifier?: NetworkIdentifierHi2;
  @Tagged(29, AsnPropTypes.Enumerated, { optional: true })
  iMSevent?: number;
  /** The SIP message as seen (or with SDES keys removed, ARCHITECTURE.md §4). */
  @Tagged(30, AsnPropTypes.OctetString, { optional: true, converter: OctetStringBuffer })
  sIPMessage?: Buffer;
  @Tagged(35, CorrelationValues, { optional: true })
  correlation?: CorrelationValues;
  @Tagged(42, MediaDecryptionInfo, { optional: true })
  mediaDecryptionInfo?: MediaDecryptionInfo;
  @Tagged(50, AsnPropTypes.Enumerated, { optional: true })
  mediaSecFailureIndication?: number;
  @Tagged(57, ImsVoipCorrelation, { optional: true })
  imsVoIP?: ImsVoipCorrelation;
}

/**
 * EpsIRIContent ::= CHOICE { iRI-Begin-record [1] IRI-Parameters, iRI-End-record [2] IRI-Parameters,
 * iRI-Continue-record [3] IRI-Parameters, iRI-Report-record [4] IRI-Parameters } — exactly one is set.
 */
@Asn1Choice()
export class EpsIRIContent {
  @Tagged(1, IRIParameters)
  iRIBeginRecord?: IRIParameters;
  @Tagged(2, IRIParameters)
  iRIEndRecord?: IRIParameters;
  @Tagged(3, IRIParameters)
  iRIContinueRecord?: IRIParameters;
  @Tagged(4, IRIParameters)
  iRIReportRecord?: IRIParameters;
}

/** EpsIRISequence ::= SEQUENCE OF EpsIRIContent (aggregation, used for FTPS files). */
@Asn1SequenceOf(EpsIRIContent)
export class EpsIRISequence extends AsnArray<EpsIRIContent> {}
