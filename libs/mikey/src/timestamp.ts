import { MikeyCryptoError } from './errors';

/** Seconds between the NTP era 0 epoch (1900-01-01) and the Unix epoch (RFC 5905 §6). */
const NTP_UNIX_OFFSET = 2_208_988_800;

/** 64-bit NTP timestamp (seconds, fraction) of a date, as used by TS type NTP-UTC (RFC 3830 §6.6). */
export function ntpTimestamp(date: Date): Buffer {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new MikeyCryptoError('INVALID_ARGUMENT', 'invalid date');
  const seconds = Math.floor(ms / 1000) + NTP_UNIX_OFFSET;
  const fraction = Math.floor(((ms % 1000) / 1000) * 2 ** 32);
  const b = Buffer.alloc(8);
  b.writeUInt32BE(seconds >>> 0, 0);
  b.writeUInt32BE(fraction >>> 0, 4);
  return b;
}

/** Date of a 64-bit NTP timestamp (era 0) or of the 32-bit NTP-UTC-32 seconds field. */
export function ntpToDate(ts: Buffer): Date {
  if (ts.length !== 8 && ts.length !== 4) {
    throw new MikeyCryptoError('INVALID_ARGUMENT', 'NTP timestamp must be 32 or 64 bits');
  }
  const seconds = ts.readUInt32BE(0) - NTP_UNIX_OFFSET;
  const fraction = ts.length === 8 ? ts.readUInt32BE(4) / 2 ** 32 : 0;
  return new Date(Math.round((seconds + fraction) * 1000));
}
