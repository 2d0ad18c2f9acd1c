import { AsnArray, AsnPropTypes } from '@peculiar/asn1-schema';
import { GeneralizedTimeText, OctetStringBuffer } from '../asn1/converters';
import { Asn1Choice, Asn1Sequence, Asn1SetOf, Tagged } from '../asn1/tagging';

/**
 * Types imported by EpsHI2Operations from ETSI TS 101 671 module HI2Operations
 * {itu-t(0) identified-organization(4) etsi(0) securityDomain(2) lawfulIntercept(2) hi2(1)
 * version18(18)}, DEFINITIONS IMPLICIT TAGS. Only the components we fill are modelled; the
 * decoder skips the others (they stay valid BER for the LEMF).
 */

/** LawfulInterceptionIdentifier ::= OCTET STRING (SIZE (1..25)) */
export const LIID_MAX_OCTETS = 25;

/** LocalTimeStamp ::= SEQUENCE { generalizedTime [0] GeneralizedTime, winterSummerIndication [1] ENUMERATED } */
export enum WinterSummerIndication {
  notProvided = 0,
  winterTime = 1,
  summerTime = 2,
}

@Asn1Sequence()
export class LocalTimeStamp {
  /** Local time as GeneralizedTime text, e.g. `20240102120000+0100`. */
  @Tagged(0, AsnPropTypes.GeneralizedTime, { converter: GeneralizedTimeText })
  generalizedTime = '';
  @Tagged(1, AsnPropTypes.Enumerated)
  winterSummerIndication: number = WinterSummerIndication.notProvided;
}

/** TimeStamp ::= CHOICE { localTime [0] LocalTimeStamp, utcTime [1] UTCTime } */
@Asn1Choice()
export class TimeStamp {
  @Tagged(0, LocalTimeStamp)
  localTime?: LocalTimeStamp;
  /** UTCTime has one-second resolution (`YYMMDDHHMMSSZ`); TS 101 671 asks for at least that. */
  @Tagged(1, AsnPropTypes.UTCTime)
  utcTime?: Date;
}

/** PartyInformation.party-Qualifier [0] ENUMERATED (extensible). */
export enum PartyQualifier {
  originatingParty = 0,
  terminatingParty = 1,
  forwardedToParty = 2,
  gPRSTarget = 3,
}

/**
 * PartyInformation.partyIdentity [1] SEQUENCE { imei [1], tei [2], imsi [3], callingPartyNumber [4],
 * calledPartyNumber [5], msISDN [6], ..., e164-Format [7], sip-uri [8], tel-url [9], nai [10],
 * x-3GPP-Asserted-Identity [11], xUI [12], iMPI [13], extID [14] }. Tags 2, 4, 5, 11, 12, 14 not modelled.
 */
@Asn1Sequence()
export class PartyIdentity {
  @Tagged(1, AsnPropTypes.OctetString, { optional: true, converter: OctetStringBuffer })
  imei?: Buffer;
  @Tagged(3, AsnPropTypes.OctetString, { optional: true, converter: OctetStringBuffer })
  imsi?: Buffer;
  @Tagged(6, AsnPropTypes.OctetString, { optional: true, converter: OctetStringBuffer })
  msISDN?: Buffer;
  @Tagged(7, AsnPropTypes.OctetString, { optional: true, converter: OctetStringBuffer })
  e164Format?: Buffer;
  /** sip-uri [8] OCTET STRING: the SIP URI as text (RFC 3261). */
  @Tagged(8, AsnPropTypes.OctetString, { optional: true, converter: OctetStringBuffer })
  sipUri?: Buffer;
  /** tel-url [9] OCTET STRING: the tel URI as text (RFC 3966). */
  @Tagged(9, AsnPropTypes.OctetString, { optional: true, converter: OctetStringBuffer })
  telUrl?: Buffer;
  @Tagged(10, AsnPropTypes.OctetString, { optional: true, converter: OctetStringBuffer })
  nai?: Buffer;
  @Tagged(13, AsnPropTypes.OctetString, { optional: true, converter: OctetStringBuffer })
  iMPI?: Buffer;
}

/** PartyInformation ::= SEQUENCE { party-Qualifier [0], partyIdentity [1], services-Information [2] …, ... } */
@Asn1Sequence()
export class PartyInformation {
  @Tagged(0, AsnPropTypes.Enumerated)
  partyQualifier: number = PartyQualifier.originatingParty;
  @Tagged(1, PartyIdentity)
  partyIdentity = new PartyIdentity();
}

/** IP-value ::= CHOICE { iPBinaryAddress [1] OCTET STRING (SIZE(4..16)), iPTextAddress [2] IA5String, ... } */
@Asn1Choice()
export class IPValue {
  @Tagged(1, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  iPBinaryAddress?: Buffer;
  @Tagged(2, AsnPropTypes.IA5String)
  iPTextAddress?: string;
}

/** IPAddress ::= SEQUENCE { iP-type [1] ENUMERATED {iPV4(0), iPV6(1)}, iP-value [2], iP-assignment [3] OPTIONAL, ... } */
@Asn1Sequence()
export class IPAddress {
  @Tagged(1, AsnPropTypes.Enumerated)
  iPType = 0;
  @Tagged(2, IPValue)
  iPValue = new IPValue();
  @Tagged(3, AsnPropTypes.Enumerated, { optional: true })
  iPAssignment?: number;
}

/**
 * Network-Element-Identifier ::= CHOICE { e164-Format [1], x25-Format [2], iP-Format [3], dNS-Format [4]
 * (each OCTET STRING (SIZE (1..25))), ..., iP-Address [5] IPAddress }
 */
@Asn1Choice()
export class NetworkElementIdentifier {
  @Tagged(1, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  e164Format?: Buffer;
  @Tagged(2, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  x25Format?: Buffer;
  @Tagged(3, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  iPFormat?: Buffer;
  @Tagged(4, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  dNSFormat?: Buffer;
  @Tagged(5, IPAddress)
  iPAddress?: IPAddress;
}

/**
 * Network-Identifier ::= SEQUENCE { operator-Identifier [0] OCTET STRING (SIZE (1..5)),
 * network-Element-Identifier [1] Network-Element-Identifier OPTIONAL, ... }
 */
@Asn1Sequence()
export class NetworkIdentifierHi2 {
  @Tagged(0, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  operatorIdentifier: Buffer = Buffer.alloc(0);
  @Tagged(1, NetworkElementIdentifier, { optional: true })
  networkElementIdentifier?: NetworkElementIdentifier;
}

/** Maximum sizes from TS 101 671: operator-Identifier 1..5 octets, National-Parameters 1..40 × 1..256 octets. */
export const HI2_OPERATOR_ID_MAX_OCTETS = 5;
export const NATIONAL_PARAMETERS_MAX = 40;
export const NATIONAL_PARAMETER_MAX_OCTETS = 256;

/** IRI-Parameters.partyInformation [9] SET SIZE (1..10) OF PartyInformation */
@Asn1SetOf(PartyInformation)
export class PartyInformationSet extends AsnArray<PartyInformation> {}
