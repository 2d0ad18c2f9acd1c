import type { SipMessage } from './sip-message';

/** An SDP a=crypto line anywhere in a body (RFC 4568 §9.1), with its line end. */
const CRYPTO_LINE = /^a=crypto:[^\r\n]*(?:\r\n|\n)/gm;

/**
 * The message's bytes without the SDES keys: every `a=crypto:` line of the body removed and
 * Content-Length rewritten to the new body length (RFC 3261 §20.14). For CC delivered
 * decrypted, TS 33.107 §7A.7 keeps the keys off HI2 (ARCHITECTURE.md §4). Multipart bodies are
 * handled too: parts are delimited by boundaries, so only the total length changes. The
 * header section is kept as it was, byte for byte, apart from the Content-Length value.
 */
export function redactSdesKeys(message: SipMessage): Buffer {
  const body = message.body.toString('latin1');
  const stripped = body.replace(CRYPTO_LINE, '');
  if (stripped.length === body.length) return message.raw;
  const headerEnd = message.raw.length - message.trailingOctets - message.body.length;
  let head = message.raw.subarray(0, headerEnd).toString('latin1');
  const cl = message.headers.find((h) => h.canonicalName === 'content-length');
  if (cl) {
    const row = head.slice(cl.offset, cl.offset + cl.length);
    const colon = row.indexOf(':');
    const rewritten = `${row.slice(0, colon + 1)} ${stripped.length}`;
    head = head.slice(0, cl.offset) + rewritten + head.slice(cl.offset + cl.length);
  }
  const trailing = message.raw.subarray(message.raw.length - message.trailingOctets);
  return Buffer.concat([Buffer.from(head + stripped, 'latin1'), trailing]);
}
