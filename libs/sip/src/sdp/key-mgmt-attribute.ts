import { SdpParseError } from '../sip-errors';
import { decodeBase64Strict } from './base64';

/** a=key-mgmt (RFC 4567 §3): key management protocol id and its message. */
export interface KeyMgmtAttribute {
  /** KMPID, e.g. "mikey" (RFC 4567 §3, §7.1); compared case-insensitively, kept as written. */
  protocol: string;
  /** The decoded keymgmt-data, e.g. the MIKEY message (RFC 3830) exactly as signalled. */
  data: Buffer;
}

/**
 * Parses the value of an a=key-mgmt attribute (after "key-mgmt:"), RFC 4567 §3:
 * prtcl-id SP keymgmt-data, prtcl-id = KMPID = 1*(ALPHA / DIGIT), keymgmt-data = base64.
 */
export function parseKeyMgmtAttribute(value: string): KeyMgmtAttribute {
  const m = /^([A-Za-z0-9]+) ([A-Za-z0-9+/=]+)$/.exec(value);
  if (!m) throw new SdpParseError('BAD_KEY_MGMT', 'a=key-mgmt: expected prtcl-id SP base64 data');
  const data = decodeBase64Strict(m[2]);
  if (!data || data.length === 0) {
    throw new SdpParseError('BAD_KEY_MGMT', 'a=key-mgmt: keymgmt-data is not base64');
  }
  return { protocol: m[1], data };
}

/** Whether the attribute carries MIKEY (KMPID "mikey", RFC 4567 §7.1). */
export function isMikey(attribute: KeyMgmtAttribute): boolean {
  return attribute.protocol.toLowerCase() === 'mikey';
}
