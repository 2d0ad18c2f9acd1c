import { SdpParseError } from '../sip-errors';
import { splitAt } from '../sip-grammar';
import { decodeBase64Strict } from './base64';

/** Master key and salt sizes of an SRTP crypto-suite usable with SDES. */
export interface SrtpCryptoSuite {
  name: string;
  masterKeyLength: number;
  masterSaltLength: number;
  /** Largest key lifetime in packets (2^48 for SRTP, RFC 3711 §9.2; RFC 4568 §6.2). */
  maxLifetime: bigint;
  reference: string;
}

const suite = (
  name: string,
  masterKeyLength: number,
  masterSaltLength: number,
  reference: string,
): SrtpCryptoSuite => ({
  name,
  masterKeyLength,
  masterSaltLength,
  maxLifetime: 2n ** 48n,
  reference,
});

/**
 * SDES crypto-suites (RFC 4568 §6.2.1-6.2.3; RFC 6188 §7.1 AES-192/256; RFC 7714 §12 and
 * §14.1 AEAD AES-GCM, 96-bit master salt). Names are case-sensitive as registered.
 */
export const SRTP_CRYPTO_SUITES: Readonly<Record<string, SrtpCryptoSuite>> = Object.fromEntries(
  [
    suite('AES_CM_128_HMAC_SHA1_80', 16, 14, 'RFC 4568 §6.2.1'),
    suite('AES_CM_128_HMAC_SHA1_32', 16, 14, 'RFC 4568 §6.2.2'),
    suite('F8_128_HMAC_SHA1_80', 16, 14, 'RFC 4568 §6.2.3'),
    suite('AES_192_CM_HMAC_SHA1_80', 24, 14, 'RFC 6188 §7.1'),
    suite('AES_192_CM_HMAC_SHA1_32', 24, 14, 'RFC 6188 §7.1'),
    suite('AES_256_CM_HMAC_SHA1_80', 32, 14, 'RFC 6188 §7.1'),
    suite('AES_256_CM_HMAC_SHA1_32', 32, 14, 'RFC 6188 §7.1'),
    suite('AEAD_AES_128_GCM', 16, 12, 'RFC 7714 §14.1'),
    suite('AEAD_AES_256_GCM', 32, 12, 'RFC 7714 §14.1'),
  ].map((s) => [s.name, s]),
);

/** One key-param (RFC 4568 §9.2): key-method ":" key-info. */
export interface SdesKeyParam {
  method: string;
  /** key-salt octets of an "inline" key (RFC 4568 §6.1); key material. */
  keySalt?: Buffer;
  /** Split of keySalt for a known suite: master key, then master salt. */
  masterKey?: Buffer;
  masterSalt?: Buffer;
  /** Key lifetime in packets (the "2^n" form is expanded). */
  lifetime?: bigint;
  /** Master Key Identifier value and its length in octets (1..128). */
  mki?: { value: bigint; length: number };
  /** key-info of a key method other than "inline", as written. */
  info?: string;
}

/** srtp-session-param (RFC 4568 §6.3). */
export interface SdesSessionParams {
  kdr?: number;
  unencryptedSrtp: boolean;
  unencryptedSrtcp: boolean;
  unauthenticatedSrtp: boolean;
  fecOrder?: 'FEC_SRTP' | 'SRTP_FEC';
  fecKeys?: SdesKeyParam[];
  wsh?: number;
  /** srtp-session-extension values as written; mandatory ones lack the "-" prefix (§6.3.7). */
  extensions: string[];
}

/** a=crypto (RFC 4568 §9.2) for SRTP. */
export interface CryptoAttribute {
  tag: number;
  suite: string;
  /** Set when the suite is one of SRTP_CRYPTO_SUITES; keys are then split and checked. */
  knownSuite?: SrtpCryptoSuite;
  keys: SdesKeyParam[];
  sessionParams: SdesSessionParams;
}

const bad = (what: string): never => {
  throw new SdpParseError('BAD_CRYPTO', `a=crypto: ${what}`);
};

const powersOfTwo = new Array<bigint>(8 * 128 + 1);

/** 2^n for the n of a lifetime (up to 128) or an MKI length in bits (up to 1024), made once. */
function powerOfTwo(n: number): bigint {
  return (powersOfTwo[n] ??= 2n ** BigInt(n));
}

function parseLifetime(text: string, known: SrtpCryptoSuite | undefined): bigint {
  const m = /^(2\^)?(\d{1,20})$/.exec(text);
  if (!m) return bad('bad lifetime');
  const n = BigInt(m[2]);
  if (m[1] && n > 128n) bad('lifetime exponent too large');
  const lifetime = m[1] ? powerOfTwo(Number(n)) : n;
  if (lifetime === 0n) bad('lifetime zero');
  if (known && lifetime > known.maxLifetime) bad(`lifetime above the suite maximum`);
  return lifetime;
}

function parseMki(text: string): { value: bigint; length: number } {
  const m = /^(\d{1,40}):(\d{1,3})$/.exec(text);
  if (!m) return bad('bad MKI');
  const length = Number(m[2]);
  const value = BigInt(m[1]);
  if (length < 1 || length > 128) bad('MKI length outside 1..128');
  if (value >= powerOfTwo(8 * length)) bad('MKI value does not fit its length');
  return { value, length };
}

/** key-params = key-param *(";" key-param); key-param = key-method ":" key-info. */
function parseKeyParams(text: string, known: SrtpCryptoSuite | undefined): SdesKeyParam[] {
  const keys = splitAt(text, ';').map((param): SdesKeyParam => {
    const colon = param.indexOf(':');
    const method = colon < 0 ? '' : param.slice(0, colon);
    if (!/^[A-Za-z0-9_]+$/.test(method)) bad('bad key-method');
    const info = param.slice(colon + 1);
    if (method !== 'inline') {
      if (!/^[\x21-\x7e]+$/.test(info)) bad('bad key-info');
      return { method, info };
    }
    // srtp-key-info = key-salt ["|" lifetime] ["|" mki] (RFC 4568 §9.2)
    const bar = info.indexOf('|');
    const rest = bar < 0 ? [] : splitAt(info.slice(bar + 1), '|');
    if (rest.length > 2) bad('too many key-info fields');
    const keySalt = decodeBase64Strict(bar < 0 ? info : info.slice(0, bar));
    if (!keySalt || keySalt.length === 0) return bad('key-salt is not base64');
    const key: SdesKeyParam = { method, keySalt };
    if (known) {
      const need = known.masterKeyLength + known.masterSaltLength;
      if (keySalt.length !== need) {
        bad(`key-salt has ${keySalt.length} octets, ${known.name} needs ${need}`);
      }
      key.masterKey = keySalt.subarray(0, known.masterKeyLength);
      key.masterSalt = keySalt.subarray(known.masterKeyLength);
    }
    for (let i = 0; i < rest.length; i++) {
      const field = rest[i];
      if (field.includes(':')) key.mki = parseMki(field);
      else if (i === 0) key.lifetime = parseLifetime(field, known);
      else bad('lifetime after MKI');
    }
    if (rest.length === 2 && (key.lifetime === undefined || key.mki === undefined)) {
      bad('expected lifetime then MKI');
    }
    return key;
  });
  // RFC 4568 §6.1: with several master keys, every key carries an MKI of one common length.
  if (keys.length > 1) {
    const lengths = new Set(keys.map((k) => k.mki?.length));
    if (lengths.has(undefined) || lengths.size !== 1) bad('several keys without equal-length MKIs');
  }
  return keys;
}

function parseSessionParams(
  parts: string[],
  known: SrtpCryptoSuite | undefined,
): SdesSessionParams {
  const params: SdesSessionParams = {
    unencryptedSrtp: false,
    unencryptedSrtcp: false,
    unauthenticatedSrtp: false,
    extensions: [],
  };
  for (const p of parts) {
    if (p.startsWith('KDR=')) {
      // kdr = "KDR=" 1*2(DIGIT), 0..24 (RFC 4568 §6.3.1)
      if (!/^KDR=\d{1,2}$/.test(p) || Number(p.slice(4)) > 24) bad('bad KDR');
      params.kdr = Number(p.slice(4));
    } else if (p === 'UNENCRYPTED_SRTP') params.unencryptedSrtp = true;
    else if (p === 'UNENCRYPTED_SRTCP') params.unencryptedSrtcp = true;
    else if (p === 'UNAUTHENTICATED_SRTP') params.unauthenticatedSrtp = true;
    else if (p.startsWith('FEC_ORDER=')) {
      const order = p.slice(10);
      if (order !== 'FEC_SRTP' && order !== 'SRTP_FEC') bad('bad FEC_ORDER');
      params.fecOrder = order as 'FEC_SRTP' | 'SRTP_FEC';
    } else if (p.startsWith('FEC_KEY=')) params.fecKeys = parseKeyParams(p.slice(8), known);
    else if (p.startsWith('WSH=')) {
      // wsh = "WSH=" 2*DIGIT, minimum 64 (RFC 4568 §6.3.6)
      if (!/^WSH=\d{2,9}$/.test(p) || Number(p.slice(4)) < 64) bad('bad WSH');
      params.wsh = Number(p.slice(4));
    } else if (/^-?[\x21-\x7e]+$/.test(p)) params.extensions.push(p);
    else bad('bad session parameter');
  }
  return params;
}

/**
 * Parses the value of an a=crypto attribute (after "crypto:"), RFC 4568 §9.2:
 * tag 1*WSP crypto-suite 1*WSP key-params *(1*WSP session-param).
 * Error messages never contain key material.
 */
export function parseCryptoAttribute(value: string): CryptoAttribute {
  const parts = splitAtWsp(value);
  if (parts.length < 3 || parts[0] === '') bad('needs tag, crypto-suite and key-params');
  const [tagText, suiteName, keyParams, ...sessionParts] = parts;
  if (!/^\d{1,9}$/.test(tagText)) bad('bad tag');
  if (!/^[A-Za-z0-9_]+$/.test(suiteName)) bad('bad crypto-suite');
  // Own keys only: a suite named like an Object.prototype member (toString, __proto__) is unknown.
  const knownSuite = Object.hasOwn(SRTP_CRYPTO_SUITES, suiteName)
    ? SRTP_CRYPTO_SUITES[suiteName]
    : undefined;
  return {
    tag: Number(tagText),
    suite: suiteName,
    knownSuite,
    keys: parseKeyParams(keyParams, knownSuite),
    sessionParams: parseSessionParams(sessionParts, knownSuite),
  };
}

/** The fields of `value` between runs of SP / HTAB (1*WSP), as value.split(/[ \t]+/). */
function splitAtWsp(value: string): string[] {
  if (value.includes('\t')) return value.split(/[ \t]+/);
  const parts: string[] = [];
  let start = 0;
  for (let space = value.indexOf(' '); space >= 0; space = value.indexOf(' ', start)) {
    parts.push(value.slice(start, space));
    start = space + 1;
    while (value.charCodeAt(start) === 0x20) start++;
  }
  parts.push(value.slice(start));
  return parts;
}
