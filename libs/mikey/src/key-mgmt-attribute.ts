import { MikeyDecodeError } from './errors';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses the value of an SDP `a=key-mgmt` attribute (RFC 4567 §3.1:
 * `key-mgmt:<prtcl-id> <keymgmt-data>`) and returns the decoded MIKEY octets when the
 * protocol id is `mikey`; undefined for another protocol. Accepts the value with or without
 * the leading `key-mgmt:`. Bad base64 is a {@link MikeyDecodeError} `INVALID_BASE64`.
 */
export function mikeyFromKeyMgmt(attributeValue: string): Buffer | undefined {
  const value = attributeValue.trim().replace(/^key-mgmt:/i, '');
  const sp = value.indexOf(' ');
  if (sp < 0 || value.slice(0, sp).toLowerCase() !== 'mikey') return undefined;
  const data = value.slice(sp + 1).trim();
  if (data.length === 0 || data.length % 4 !== 0 || !BASE64.test(data)) {
    throw new MikeyDecodeError('INVALID_BASE64', sp + 1, 'key-mgmt data is not base64');
  }
  return Buffer.from(data, 'base64');
}

/** Formats an `a=key-mgmt:mikey <base64>` attribute line for SDP (RFC 4567 §3.1). */
export function keyMgmtAttribute(mikey: Buffer): string {
  return `a=key-mgmt:mikey ${mikey.toString('base64')}`;
}
