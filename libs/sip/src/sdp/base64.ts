/**
 * Strict base64 (RFC 4648 §4, RFC 3548 §3): standard alphabet, "=" only as final padding,
 * zero pad bits, so every accepted text is the one canonical encoding of its octets.
 * Padding may be omitted (the RFC 4568 §9.2 key-salt and RFC 4567 keymgmt-data ABNF do not
 * require it); Buffer.from(..., 'base64') alone would skip invalid characters silently.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const unpadded = text.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  if (unpadded.length !== text.length && text.length % 4 !== 0) return undefined;
  const octets = Buffer.from(unpadded, 'base64');
  if (octets.toString('base64').replace(/=+$/, '') !== unpadded) return undefined;
  return octets;
}
