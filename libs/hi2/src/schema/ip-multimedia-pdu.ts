import { AsnPropTypes } from '@peculiar/asn1-schema';
import { OctetStringBuffer } from '../asn1/converters';
import { Asn1Sequence, Tagged } from '../asn1/tagging';

/**
 * ETSI TS 102 232-5 module IPMultimediaPDU {itu-t(0) identified-organization(4) etsi(0)
 * securityDomain(2) lawfulIntercept(2) li-ps(5) iPMultimedia(5) version13(13)}, DEFINITIONS
 * IMPLICIT TAGS — the CC part (IPMMCC) only. version13 is the IPMultimediaPDU version that
 * LI-PS-PDU version32 (our li-psDomainId) imports.
 */

/**
 * iPMMCCObjId RELATIVE-OID ::= {li-ps(5) iPMultimedia(5) versionN(N) cC(2)}, relative to
 * {itu-t(0) identified-organization(4) etsi(0) securityDomain(2) lawfulIntercept(2)}, N being the
 * module version. The form is read from the module text of versions 3, 4 and 11 (ETSI forge
 * li/trial, 102232-5/IPMultimediaPDU.asn); the version13 text itself was not available, so 13 is
 * applied by that pattern.
 */
export const IPMM_CC_OBJ_ID = '5.5.13.2';

/**
 * FrameType ::= ENUMERATED { ipFrame(0), udpFrame(1), rtpFrame(2), audioFrame(3), tcpFrame(4),
 * artificialRtpFrame(5), udptlFrame(6), msrpFrame(7), ... } — which headers mMCCContents keeps.
 */
export enum FrameType {
  ipFrame = 0,
  udpFrame = 1,
  rtpFrame = 2,
  audioFrame = 3,
  tcpFrame = 4,
  artificialRtpFrame = 5,
  udptlFrame = 6,
  msrpFrame = 7,
}

/** MMCCprotocol ::= ENUMERATED { rTP(0), mSRP(1), uDPTL(2), ... }; absent means RTP/RTCP. */
export enum MMCCprotocol {
  rTP = 0,
  mSRP = 1,
  uDPTL = 2,
}

/**
 * IPMMCC ::= SEQUENCE { iPMMCCObjId [0] RELATIVE-OID, mMCCContents [1] OCTET STRING, ...,
 * frameType [2] FrameType OPTIONAL, streamIdentifier [3] OCTET STRING OPTIONAL,
 * mMCCprotocol [4] MMCCprotocol OPTIONAL }. One intercepted packet per IPMMCC; frameType is
 * OPTIONAL only for backwards compatibility (new implementations send it, TS 102 232-5 §5.5).
 */
@Asn1Sequence()
export class IPMMCC {
  /** Dotted form, e.g. `5.5.13.2`. */
  @Tagged(0, AsnPropTypes.RelativeObjectIdentifier)
  iPMMCCObjId = IPMM_CC_OBJ_ID;
  @Tagged(1, AsnPropTypes.OctetString, { converter: OctetStringBuffer })
  mMCCContents: Buffer = Buffer.alloc(0);
  @Tagged(2, AsnPropTypes.Enumerated, { optional: true })
  frameType?: number;
  @Tagged(3, AsnPropTypes.OctetString, { optional: true, converter: OctetStringBuffer })
  streamIdentifier?: Buffer;
  @Tagged(4, AsnPropTypes.Enumerated, { optional: true })
  mMCCprotocol?: number;
}
