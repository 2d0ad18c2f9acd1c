import {
  DataType,
  IdRole,
  MikeyCryptoError,
  MikeyDecodeError,
  PayloadType,
  TsType,
  decodeMikey,
  findPayload,
  ntpToDate,
  viewMikey,
  type EncodedMikey,
  type MikeyView,
  type TicketPayload,
} from '@app/mikey';
import { KmsError } from './kms-errors';

/** A decoded MIKEY-TICKET request with the fields the KMS needs. */
export interface TicketRequestInput {
  encoded: EncodedMikey;
  view: MikeyView;
  timestamp: Date;
  rand: Buffer;
  ticket?: TicketPayload;
}

/**
 * Decodes a Ua/Zk request body as a MIKEY message of `dataType` with a T (NTP-UTC, RFC 3830
 * §6.6) and a RAND payload. Decoder errors become MALFORMED with the failing offset only.
 */
export function decodeTicketRequest(
  body: Buffer,
  dataType: DataType,
  maxLength: number,
): TicketRequestInput {
  let encoded: EncodedMikey;
  try {
    encoded = decodeMikey(body, { maxLength });
  } catch (e) {
    if (e instanceof MikeyDecodeError)
      throw new KmsError('MALFORMED', `MIKEY ${e.code} at offset ${e.offset}`);
    throw e;
  }
  const m = encoded.message;
  if (m.header.dataType !== (dataType as number)) {
    throw new KmsError('UNSUPPORTED', `expected MIKEY data type ${DataType[dataType]}`);
  }
  const t = findPayload(m, PayloadType.T);
  const rand = findPayload(m, PayloadType.RAND);
  if (!t || t.tsType !== TsType.NTP_UTC)
    throw new KmsError('MALFORMED', 'T payload (NTP-UTC) missing');
  if (!rand || rand.rand.length < 16)
    throw new KmsError('MALFORMED', 'RAND payload (≥ 128 bits) missing');
  const ticket = findPayload(m, PayloadType.TICKET);
  return {
    encoded,
    view: viewMikey(m),
    timestamp: ntpToDate(t.value),
    rand: rand.rand,
    ...(ticket ? { ticket } : {}),
  };
}

/** Text of the IDR payload with `role`, if present. */
export function idr(view: MikeyView, role: IdRole): string | undefined {
  return view.identityByRole[role]?.text;
}

/** Maps a MAC failure to AUTH_FAILED; rethrows anything else. */
export function authFailure(e: unknown): never {
  if (e instanceof MikeyCryptoError)
    throw new KmsError('AUTH_FAILED', 'MIKEY authentication failed');
  throw e;
}
