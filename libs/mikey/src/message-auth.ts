import { MAC_LENGTH, MacAlg, PayloadType, type IdRole, type SignType } from './constants';
import { MikeyCryptoError } from './errors';
import { computeMac, macMatches } from './kemac-cipher';
import { decodeMikey, encodeMikey } from './message-codec';
import type { EncodedMikey, MikeyMessage, Payload, PayloadSpan } from './types';

/**
 * The one MAC or signature field of a message: the KEMAC MAC (if its MAC alg is not NULL),
 * the V Ver data, or the SIGN signature. A message with more than one is refused by the seal
 * and verify helpers, because each field would have to cover the other (RFC 3830 places
 * KEMAC, V and SIGN last in every exchange, RFC 6043 likewise).
 */
export function authSpan(encoded: EncodedMikey): { span: PayloadSpan; payload: Payload } {
  const found: { span: PayloadSpan; payload: Payload }[] = [];
  encoded.spans.forEach((span, i) => {
    if (span.authField && span.authField.length > 0) {
      found.push({ span, payload: encoded.message.payloads[i] });
    }
  });
  if (found.length !== 1) {
    throw new MikeyCryptoError(
      'MISSING_PAYLOAD',
      `expected one MAC/signature, found ${found.length}`,
    );
  }
  return found[0];
}

/**
 * The octets a MAC or signature covers: the entire encoded message except the MAC/signature
 * field itself (RFC 3830 §6.2 KEMAC, §6.5 SIGN, §6.9 V), followed by `extra` — for a
 * verification message the identities and timestamp named by RFC 3830 §5.2, for MIKEY-TICKET
 * the identities of the parties of the exchange (RFC 6043 §5.5).
 */
export function authenticatedBytes(encoded: EncodedMikey, extra: Buffer[] = []): Buffer {
  const field = authSpan(encoded).span.authField;
  if (!field) throw new MikeyCryptoError('MISSING_PAYLOAD', 'no MAC/signature field');
  return Buffer.concat([
    encoded.bytes.subarray(0, field.offset),
    encoded.bytes.subarray(field.offset + field.length),
    ...extra,
  ]);
}

function withPlaceholder(message: MikeyMessage, signatureLength?: number): MikeyMessage {
  const payloads = message.payloads.map((p): Payload => {
    if (p.type === PayloadType.KEMAC) return { ...p, mac: Buffer.alloc(MAC_LENGTH[p.macAlg] ?? 0) };
    if (p.type === PayloadType.V) return { ...p, mac: Buffer.alloc(MAC_LENGTH[p.authAlg] ?? 0) };
    if (p.type === PayloadType.SIGN && signatureLength !== undefined) {
      return { ...p, signature: Buffer.alloc(signatureLength) };
    }
    return p;
  });
  return { header: message.header, payloads };
}

function patch(encoded: EncodedMikey, value: Buffer): EncodedMikey {
  const { span, payload } = authSpan(encoded);
  const field = span.authField;
  if (!field || field.length !== value.length) {
    throw new MikeyCryptoError('INVALID_ARGUMENT', 'MAC/signature length mismatch');
  }
  const bytes = Buffer.from(encoded.bytes);
  value.copy(bytes, field.offset);
  const filled: Payload =
    payload.type === PayloadType.SIGN
      ? { ...payload, signature: Buffer.from(value) }
      : payload.type === PayloadType.KEMAC || payload.type === PayloadType.V
        ? { ...payload, mac: Buffer.from(value) }
        : payload;
  const payloads = encoded.message.payloads.map((p) => (p === payload ? filled : p));
  return { bytes, spans: encoded.spans, message: { header: encoded.message.header, payloads } };
}

function macAlgOf(p: Payload): MacAlg {
  if (p.type === PayloadType.KEMAC) return p.macAlg;
  if (p.type === PayloadType.V) return p.authAlg;
  throw new MikeyCryptoError('MISSING_PAYLOAD', 'no KEMAC or V payload with a MAC');
}

/**
 * Encodes `message` and fills its single MAC field (KEMAC MAC or V Ver data) with
 * HMAC(authKey, authenticatedBytes || extra). MAC values in `message` are ignored.
 */
export function sealWithMac(
  message: MikeyMessage,
  authKey: Buffer,
  extra: Buffer[] = [],
): EncodedMikey {
  const encoded = encodeMikey(withPlaceholder(message));
  const { payload } = authSpan(encoded);
  return patch(encoded, computeMac(macAlgOf(payload), authKey, authenticatedBytes(encoded, extra)));
}

/** Verifies the single MAC of an encoded or decoded message (constant-time comparison). */
export function verifyMac(
  input: Buffer | EncodedMikey,
  authKey: Buffer,
  extra: Buffer[] = [],
): boolean {
  const encoded = Buffer.isBuffer(input) ? decodeMikey(input) : input;
  const { payload, span } = authSpan(encoded);
  const field = span.authField;
  if (!field) return false;
  const mac = encoded.bytes.subarray(field.offset, field.offset + field.length);
  return macMatches(macAlgOf(payload), authKey, authenticatedBytes(encoded, extra), mac);
}

/** A signer for the SIGN payload; `length` is the signature length known in advance. */
export interface MikeySigner {
  signType: SignType;
  length: number;
  sign(data: Buffer): Buffer;
}

/**
 * Encodes `message` with a SIGN payload appended (RFC 3830 §6.5: last payload) and signs the
 * message except the Signature field; S type and Signature len are covered.
 */
export function sealWithSignature(
  message: MikeyMessage,
  signer: MikeySigner,
  extra: Buffer[] = [],
): EncodedMikey {
  const payloads: Payload[] = [
    ...message.payloads.filter((p) => p.type !== PayloadType.SIGN),
    { type: PayloadType.SIGN, signType: signer.signType, signature: Buffer.alloc(0) },
  ];
  const encoded = encodeMikey(withPlaceholder({ header: message.header, payloads }, signer.length));
  const signature = signer.sign(authenticatedBytes(encoded, extra));
  if (signature.length !== signer.length) {
    throw new MikeyCryptoError('INVALID_ARGUMENT', 'signature length differs from signer.length');
  }
  return patch(encoded, signature);
}

/** Verifies the SIGN payload with `verify(data, signature, signType)`. */
export function verifySignature(
  input: Buffer | EncodedMikey,
  verify: (data: Buffer, signature: Buffer, signType: SignType) => boolean,
  extra: Buffer[] = [],
): boolean {
  const encoded = Buffer.isBuffer(input) ? decodeMikey(input) : input;
  const { payload } = authSpan(encoded);
  if (payload.type !== PayloadType.SIGN) {
    throw new MikeyCryptoError('MISSING_PAYLOAD', 'no SIGN payload');
  }
  return verify(authenticatedBytes(encoded, extra), payload.signature, payload.signType);
}

/**
 * The ID data of the IDR payloads with the given roles, in the order given — the identities
 * that follow a MIKEY-TICKET message in its MAC/signature input (RFC 6043 §5.5). Throws when a
 * role is absent: the caller must then supply the identity it knows by other means.
 */
export function identitiesByRole(message: MikeyMessage, roles: IdRole[]): Buffer[] {
  return roles.map((role) => {
    const idr = message.payloads.find((p) => p.type === PayloadType.IDR && p.role === role);
    if (!idr || idr.type !== PayloadType.IDR) {
      throw new MikeyCryptoError('MISSING_PAYLOAD', `no IDR payload with role ${role}`);
    }
    return idr.data;
  });
}
