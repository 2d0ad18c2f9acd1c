import {
  X2AttributeType,
  X2PayloadDirection,
  X2PayloadFormat,
  X2PduType,
  X2_PAYLOAD_FORMAT_USE,
} from './x2-constants';
import { x2AttributeProblem } from './x2-attributes';
import { X2Pdu } from './x2-pdu';

/** A framed PDU whose fields do not make sense together; the stream stays usable. */
export interface X2PduIssue {
  code:
    | 'UNKNOWN_PDU_TYPE'
    | 'UNKNOWN_PAYLOAD_FORMAT'
    | 'UNKNOWN_PAYLOAD_DIRECTION'
    | 'PAYLOAD_FORMAT_NOT_ALLOWED'
    | 'KEEPALIVE_NOT_EMPTY'
    | 'KEEPALIVE_WITHOUT_SEQUENCE_NUMBER'
    | 'BAD_ATTRIBUTE';
  detail: string;
}

/**
 * Checks what framing cannot: known code points (tables 5.2.2-1, 5.2.6-1, 5.4.1-1), the X2/X3
 * use of the payload format (table 5.4.1-1), keepalive form (§6.2.4: no payload, a Sequence
 * Number attribute) and well-formed values of the known attribute types (table 5.3.1-2).
 * Unknown values are reported, not fatal: a newer minor version may define them (§5.2.1).
 */
export function checkX2Pdu(pdu: X2Pdu): X2PduIssue[] {
  const issues: X2PduIssue[] = [];
  const { payloadFormat, payloadDirection } = pdu;
  const pduType = pdu.pduType as X2PduType;
  if (!(pduType in X2PduType)) {
    issues.push({ code: 'UNKNOWN_PDU_TYPE', detail: `PDU type ${pduType}` });
  }
  if (!(payloadDirection in X2PayloadDirection)) {
    issues.push({
      code: 'UNKNOWN_PAYLOAD_DIRECTION',
      detail: `payload direction ${payloadDirection}`,
    });
  }
  const use = X2_PAYLOAD_FORMAT_USE[payloadFormat as X2PayloadFormat] as
    { x2: boolean; x3: boolean } | undefined;
  if (!use) {
    issues.push({ code: 'UNKNOWN_PAYLOAD_FORMAT', detail: `payload format ${payloadFormat}` });
  } else if ((pduType === X2PduType.X2 && !use.x2) || (pduType === X2PduType.X3 && !use.x3)) {
    issues.push({
      code: 'PAYLOAD_FORMAT_NOT_ALLOWED',
      detail: `payload format ${payloadFormat} on PDU type ${pduType}`,
    });
  }
  const keepalive =
    pduType === X2PduType.Keepalive || pduType === X2PduType.KeepaliveAcknowledgement;
  if (keepalive && pdu.payloadLength !== 0) {
    issues.push({ code: 'KEEPALIVE_NOT_EMPTY', detail: `${pdu.payloadLength} payload octets` });
  }
  let hasSequenceNumber = false;
  for (const attribute of pdu.attributes) {
    const problem = x2AttributeProblem(attribute);
    if (problem) issues.push({ code: 'BAD_ATTRIBUTE', detail: problem.message });
    else if ((attribute.type as X2AttributeType) === X2AttributeType.SequenceNumber) {
      hasSequenceNumber = true;
    }
  }
  if (keepalive && !hasSequenceNumber) {
    issues.push({
      code: 'KEEPALIVE_WITHOUT_SEQUENCE_NUMBER',
      detail: 'no Sequence Number attribute',
    });
  }
  return issues;
}
