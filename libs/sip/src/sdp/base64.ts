/**
 * Strict base64 (RFC 4648 §4, RFC 3548 §3): standard alphabet, "=" only as final padding,
 * zero pad bits, so every accepted text is the one canonical encoding of its octets.
 * Padding may be omitted (the RFC 4568 §9.2 key-salt and RFC 4567 keymgmt-data ABNF do not
 * require it); Buffer.from(..., 'base64') alone would skip invalid characters silently.
 */
/** Value of each char of the base64 alphabet (RFC 4648 §4 Table 1), -1 for other chars. */
const BASE64_VALUE = new Int8Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  .split('')
  .forEach((c, value) => (BASE64_VALUE[c.charCodeAt(0)] = value));

export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  let end = text.length;
  if (text.charCodeAt(end - 1) === 0x3d) end -= text.charCodeAt(end - 2) === 0x3d ? 2 : 1;
  if (end % 4 === 1) return undefined;
  if (end !== text.length && text.length % 4 !== 0) return undefined;
  // The bits of the last char below the last whole octet must be zero (RFC 4648 §3.5).
  const last = BASE64_VALUE[text.charCodeAt(end - 1)];
  if ((end % 4 === 2 && (last & 0x0f) !== 0) || (end % 4 === 3 && (last & 0x03) !== 0)) {
    return undefined;
  }
  return Buffer.from(text, 'base64');
}
