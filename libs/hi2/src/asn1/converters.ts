import * as asn1js from 'asn1js';
import { IAsnConverter } from '@peculiar/asn1-schema';
import { Hi2DecodeError, Hi2EncodeError } from '../errors';

/** OCTET STRING ⇄ Buffer (asn1-schema's default gives ArrayBuffer). */
export const OctetStringBuffer: IAsnConverter<Buffer, asn1js.OctetString> = {
  fromASN: (value) => Buffer.from(value.valueBlock.valueHexView),
  toASN: (value) => new asn1js.OctetString({ valueHex: value }),
};

/** INTEGER (0..4294967295) ⇄ number, as used for sequenceNumber and CIN in TS 102 232-1. */
export const Uint32Integer: IAsnConverter<number, asn1js.Integer> = {
  fromASN: (value) => {
    const n = value.toBigInt();
    if (n < 0n || n > 0xffffffffn)
      throw new Hi2DecodeError('INVALID_VALUE', 'INTEGER outside 0..4294967295');
    return Number(n);
  },
  toASN: (value) => asn1js.Integer.fromBigInt(BigInt(value)),
};

const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d{1,9}))?Z$/;

/**
 * GeneralizedTime ⇄ Date in UTC, written the DER way (X.690 §11.7): `YYYYMMDDHHMMSS[.fff]Z`,
 * fraction without trailing zeros and omitted when zero. Used for TS 102 232-1 timeStamps.
 * Decoding accepts only the UTC form with seconds (what 102 232-1 senders produce); a local time
 * without `Z` cannot be placed on the time line and is rejected.
 */
export const GeneralizedTimeUtc: IAsnConverter<Date, asn1js.GeneralizedTime> = {
  fromASN: (value) =>
    parseGeneralizedTimeUtc(Buffer.from(value.valueBlock.valueHexView).toString('latin1')),
  toASN: (value) =>
    new asn1js.GeneralizedTime({
      valueHex: Buffer.from(formatGeneralizedTimeUtc(value), 'latin1'),
    }),
};

const two = (n: number): string => (n < 10 ? '0' : '') + n;

/** `MMDDHHMMSS` of `date` in UTC, after checking it is a valid Date of the years 0..9999. */
function monthToSecond(date: Date): string {
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) throw new RangeError('invalid Date or year outside 0..9999');
  return (
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds())
  );
}

/**
 * UTCTime text of `date`, the DER way (X.690 §11.8): `YYMMDDhhmmssZ`, seconds always present,
 * the fraction of a second dropped (UTCTime has none, X.680 §47.3).
 */
export function formatUtcTime(date: Date): string {
  const digits = monthToSecond(date);
  return two(date.getUTCFullYear() % 100) + digits + 'Z';
}

/** GeneralizedTime text of `date` in UTC, the DER way (as GeneralizedTimeUtc above). */
export function formatGeneralizedTimeUtc(date: Date): string {
  const digits = monthToSecond(date);
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  const ms = date.getUTCMilliseconds();
  // DER §11.7.3: no trailing zeros in the fraction, no fraction when it is zero.
  const fraction =
    ms === 0
      ? ''
      : ms % 100 === 0
        ? `.${ms / 100}`
        : ms % 10 === 0
          ? `.${two(ms / 10)}`
          : `.${String(ms).padStart(3, '0')}`;
  return year + digits + fraction + 'Z';
}

export function parseGeneralizedTimeUtc(text: string): Date {
  const m = GENERALIZED_TIME.exec(text);
  if (!m) throw new Hi2DecodeError('INVALID_VALUE', 'GeneralizedTime is not YYYYMMDDHHMMSS[.f]Z');
  const [, y, mo, d, h, mi, s, f] = m;
  const ms = f ? Math.floor(Number(`0.${f}`) * 1000) : 0;
  const date = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms));
  if (
    date.getUTCMonth() !== +mo - 1 ||
    date.getUTCDate() !== +d ||
    +h > 23 ||
    +mi > 59 ||
    +s > 59
  ) {
    throw new Hi2DecodeError('INVALID_VALUE', 'GeneralizedTime out of range');
  }
  return date;
}

/**
 * GeneralizedTime kept as its text (TS 101 671 LocalTimeStamp.generalizedTime is a local time,
 * e.g. `20240102120000.5+0100` or without offset); checked against the X.680 §46 shape only.
 */
const GENERALIZED_TIME_ANY = /^\d{10}(\d{2}(\d{2})?)?([.,]\d{1,9})?(Z|[+-]\d{4})?$/;

export const GeneralizedTimeText: IAsnConverter<string, asn1js.GeneralizedTime> = {
  fromASN: (value) => {
    const text = Buffer.from(value.valueBlock.valueHexView).toString('latin1');
    if (!GENERALIZED_TIME_ANY.test(text))
      throw new Hi2DecodeError('INVALID_VALUE', 'not a GeneralizedTime');
    return text;
  },
  toASN: (value) => {
    if (!GENERALIZED_TIME_ANY.test(value))
      throw new Hi2EncodeError('generalizedTime', 'not a GeneralizedTime');
    return new asn1js.GeneralizedTime({ valueHex: Buffer.from(value, 'latin1') });
  },
};
