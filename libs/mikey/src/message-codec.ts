import { ByteReader, ByteWriter } from './bytes';
import { DEFAULT_MAX_MESSAGE_LENGTH, DEFAULT_MAX_PAYLOADS, PayloadType } from './constants';
import { MikeyCryptoError, MikeyDecodeError } from './errors';
import { decodeCommonHeader, encodeCommonHeader } from './header-codec';
import { decodePayload, encodePayload } from './payload-codec';
import type { EncodedMikey, MikeyMessage, Payload, PayloadOf, PayloadSpan } from './types';

/** Limits applied by {@link decodeMikey} so that hostile input has bounded cost. */
export interface DecodeLimits {
  maxLength?: number;
  maxPayloads?: number;
}

/**
 * Decodes a MIKEY message (RFC 3830 §6): common header, then payloads chained by their Next
 * Payload fields until Last payload (0) or SIGN (which has no Next Payload field, §6.5).
 * Strict: octets after the last payload, unknown payload types and unknown algorithms whose
 * field length depends on the algorithm are {@link MikeyDecodeError}s with the offset.
 */
export function decodeMikey(bytes: Buffer, limits: DecodeLimits = {}): EncodedMikey {
  const maxLength = limits.maxLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
  const maxPayloads = limits.maxPayloads ?? DEFAULT_MAX_PAYLOADS;
  if (bytes.length > maxLength) {
    throw new MikeyDecodeError('TOO_LARGE', maxLength, `message of ${bytes.length} octets`);
  }
  const r = new ByteReader(bytes);
  const { header, next: first } = decodeCommonHeader(r);
  const payloads: Payload[] = [];
  const spans: PayloadSpan[] = [];
  let next = first;
  while (next !== (PayloadType.LAST as number)) {
    if (payloads.length >= maxPayloads) {
      throw new MikeyDecodeError('TOO_MANY_PAYLOADS', r.offset, `more than ${maxPayloads}`);
    }
    const offset = r.offset;
    const type = next;
    const decoded = decodePayload(type, r);
    payloads.push(decoded.payload);
    const span: PayloadSpan = { type, offset, length: r.offset - offset };
    if (decoded.authField) span.authField = decoded.authField;
    spans.push(span);
    next = decoded.next;
  }
  if (r.remaining > 0) {
    throw new MikeyDecodeError(
      'TRAILING_DATA',
      r.offset,
      `${r.remaining} octets after last payload`,
    );
  }
  return { bytes: Buffer.from(bytes), message: { header, payloads }, spans };
}

/**
 * Encodes a MIKEY message; Next Payload fields are derived from the payload order. SIGN must
 * be the last payload (RFC 3830 §6.5). Returns the bytes and the span of every payload, so that
 * MACs and signatures can be filled in afterwards (see message-auth).
 */
export function encodeMikey(message: MikeyMessage): EncodedMikey {
  const { header, payloads } = message;
  const signAt = payloads.findIndex((p) => p.type === PayloadType.SIGN);
  if (signAt !== -1 && signAt !== payloads.length - 1) {
    throw new MikeyCryptoError('INVALID_ARGUMENT', 'SIGN must be the last payload');
  }
  const w = new ByteWriter();
  encodeCommonHeader(w, header, payloads[0]?.type ?? PayloadType.LAST);
  const spans: PayloadSpan[] = payloads.map((p, i) => {
    const offset = w.length;
    const authField = encodePayload(w, p, payloads[i + 1]?.type ?? PayloadType.LAST);
    const span: PayloadSpan = { type: p.type, offset, length: w.length - offset };
    if (authField) span.authField = authField;
    return span;
  });
  return { bytes: w.toBuffer(), message, spans };
}

/** Payloads of one type, in wire order. */
export function findPayloads<T extends Payload['type']>(
  message: MikeyMessage,
  type: T,
): PayloadOf<T>[] {
  return message.payloads.filter((p): p is PayloadOf<T> => p.type === type);
}

/** The first payload of a type, or undefined. */
export function findPayload<T extends Payload['type']>(
  message: MikeyMessage,
  type: T,
): PayloadOf<T> | undefined {
  return findPayloads(message, type)[0];
}
