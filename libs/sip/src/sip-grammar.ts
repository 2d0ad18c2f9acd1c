/**
 * Character classes and scanners of the RFC 3261 §25.1 ABNF. Parsers work on a "binary string"
 * (latin1 decoding of the octets, one char per octet), so positions are octet offsets and
 * UTF-8 is validated octet by octet.
 */

/** Table of 256 entries, 1 for the octets of `chars` and of the ranges. */
export function charTable(chars: string, ...ranges: [string, string][]): Uint8Array {
  const t = new Uint8Array(256);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  for (const [a, b] of ranges) for (let c = a.charCodeAt(0); c <= b.charCodeAt(0); c++) t[c] = 1;
  return t;
}

const ALNUM: [string, string][] = [
  ['a', 'z'],
  ['A', 'Z'],
  ['0', '9'],
];
export const ALPHA = charTable('', ['a', 'z'], ['A', 'Z']);
export const DIGIT = charTable('', ['0', '9']);
export const ALPHANUM = charTable('', ...ALNUM);
export const HEXDIG = charTable('', ['0', '9'], ['a', 'f'], ['A', 'F']);
/** unreserved = alphanum / mark */
export const UNRESERVED = charTable("-_.!~*'()", ...ALNUM);
/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = charTable("-.!%*_+`'~", ...ALNUM);
/** word, for Call-ID (§25.1) */
export const WORD = charTable('-.!%*_+`\'~()<>:\\"/[]?{}', ...ALNUM);
/** user = 1*( unreserved / escaped / user-unreserved ) */
export const USER = charTable("-_.!~*'()&=+$,;?/", ...ALNUM);
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
export const PASSWORD = charTable("-_.!~*'()&=+$,", ...ALNUM);
/** paramchar = param-unreserved / unreserved / escaped */
export const PARAMCHAR = charTable("-_.!~*'()[]/:&+$", ...ALNUM);
/** hname / hvalue = *( hnv-unreserved / unreserved / escaped ) */
export const HNV = charTable("-_.!~*'()[]/?:+$", ...ALNUM);
/** uric = reserved / unreserved / escaped (RFC 2396 §2) */
export const URIC = charTable(";/?:@&=+$,-_.!~*'()", ...ALNUM);
/**
 * Reason-Phrase = *(reserved / unreserved / escaped / UTF8-NONASCII / UTF8-CONT / SP / HTAB)
 * (RFC 3261 §25.1); escapes are handled by scanEscaped.
 */
export const REASON = charTable(";/?:@&=+$,-_.!~*'() \t", ...ALNUM, ['\x80', '\xfd']);
/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
export const SCHEME = charTable('+-.', ...ALNUM);

export const isWsp = (c: number): boolean => c === 0x20 || c === 0x09;

/** Position after a run of SP / HTAB (LWS once folding has been removed). */
export function skipWsp(s: string, i: number): number {
  while (i < s.length && isWsp(s.charCodeAt(i))) i++;
  return i;
}

/** Position after a run of chars of `table`. */
export function scan(s: string, i: number, table: Uint8Array): number {
  while (i < s.length && table[s.charCodeAt(i)] === 1) i++;
  return i;
}

/** Like scan, but also accepts escaped = "%" HEXDIG HEXDIG; -1 on a malformed escape. */
export function scanEscaped(s: string, i: number, table: Uint8Array): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      if (HEXDIG[s.charCodeAt(i + 1)] !== 1 || HEXDIG[s.charCodeAt(i + 2)] !== 1) return -1;
      i += 3;
    } else if (c < 256 && table[c] === 1) i++;
    else break;
  }
  return i;
}

/** True when every char of s is in table (and s is not empty). */
export function all(s: string, table: Uint8Array): boolean {
  return s.length > 0 && scan(s, 0, table) === s.length;
}

/** True when s is non-empty and made of table chars and escapes only. */
export function allEscaped(s: string, table: Uint8Array): boolean {
  return s.length > 0 && scanEscaped(s, 0, table) === s.length;
}

/**
 * Length of the UTF8-NONASCII sequence at i (RFC 3261 §25.1: %xC0-DF 1UTF8-CONT /
 * %xE0-EF 2UTF8-CONT / %xF0-F7 3UTF8-CONT / %xF8-FB 4UTF8-CONT / %xFC-FD 5UTF8-CONT), 0 if none.
 */
export function utf8NonAscii(s: string, i: number): number {
  const c = s.charCodeAt(i);
  let n: number;
  if (c >= 0xc0 && c <= 0xdf) n = 1;
  else if (c >= 0xe0 && c <= 0xef) n = 2;
  else if (c >= 0xf0 && c <= 0xf7) n = 3;
  else if (c >= 0xf8 && c <= 0xfb) n = 4;
  else if (c >= 0xfc && c <= 0xfd) n = 5;
  else return 0;
  for (let k = 1; k <= n; k++) {
    const d = s.charCodeAt(i + k);
    if (!(d >= 0x80 && d <= 0xbf)) return 0;
  }
  return n + 1;
}

/**
 * TEXT-UTF8-TRIM check (%x21-7E, UTF8-NONASCII, LWS); with `bareContinuation`, the
 * extension header-value rule *(TEXT-UTF8char / UTF8-CONT / LWS) (RFC 3261 §25.1).
 */
export function isTextUtf8(s: string, bareContinuation = false): boolean {
  for (let i = 0; i < s.length;) {
    const c = s.charCodeAt(i);
    if ((c >= 0x21 && c <= 0x7e) || isWsp(c)) i++;
    else if (bareContinuation && c >= 0x80 && c <= 0xbf) i++;
    else {
      const n = utf8NonAscii(s, i);
      if (n === 0) return false;
      i += n;
    }
  }
  return true;
}

/**
 * quoted-string at i (after SWS): DQUOTE *(qdtext / quoted-pair) DQUOTE. Returns the end
 * position and the content with quoted-pairs resolved, or undefined when unterminated/invalid.
 */
export function scanQuotedString(s: string, i: number): { end: number; text: string } | undefined {
  if (s.charCodeAt(i) !== 0x22) return undefined;
  // Runs of qdtext are copied with one slice; only quoted-pairs break a run.
  let text = '';
  let run = i + 1;
  let j = run;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c === 0x22) return { end: j + 1, text: text + s.slice(run, j) };
    if (c === 0x5c) {
      const q = s.charCodeAt(j + 1);
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
      if (Number.isNaN(q) || q === 0x0a || q === 0x0d || q > 0x7f) return undefined;
      text += s.slice(run, j) + s[j + 1];
      j += 2;
      run = j;
    } else if (c === 0x21 || (c >= 0x23 && c <= 0x7e) || isWsp(c)) {
      j++;
    } else {
      const n = utf8NonAscii(s, j);
      if (n === 0) return undefined;
      j += n;
    }
  }
  return undefined;
}

/**
 * Whether `s` equals `lowerName` (lower-case ASCII) ignoring ASCII case: the same as
 * `s.toLowerCase() === lowerName` for binary strings, without allocating.
 */
export function isNamed(s: string, lowerName: string): boolean {
  if (s.length !== lowerName.length) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const t = lowerName.charCodeAt(i);
    if (c !== t && !(c >= 0x41 && c <= 0x5a && c + 0x20 === t)) return false;
  }
  return true;
}

const NON_ASCII = /[\x80-\xff]/;

/**
 * The next occurrence of one char in a text, searched again only once a scan has passed it,
 * so that asking for every line of the text in order searches each char once.
 */
export class CharCursor {
  /** Index of the next occurrence, -1 before the first search, -2 when there is none. */
  private at = -1;

  constructor(
    private readonly text: string,
    private readonly char: string,
  ) {}

  /** Whether the char occurs in text[from, to); `from` must not decrease between calls. */
  within(from: number, to: number): boolean {
    if (this.at < from && this.at !== -2) {
      const i = this.text.indexOf(this.char, from);
      this.at = i < 0 ? -2 : i;
    }
    return this.at >= 0 && this.at < to;
  }
}

/** UTF-8 text of a binary string (identity for ASCII). */
export function utf8Text(binary: string): string {
  return NON_ASCII.test(binary) ? Buffer.from(binary, 'latin1').toString('utf8') : binary;
}

/** Binary string of UTF-8 text (inverse of utf8Text). */
export function binaryOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** %HH unescaping (RFC 3261 §19.1.2); the result is a binary string. */
export function unescape(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** s.split(separator) for a one-char separator, without the cost of String.prototype.split. */
export function splitAt(s: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = s.indexOf(separator); i >= 0; i = s.indexOf(separator, start)) {
    parts.push(s.slice(start, i));
    start = i + 1;
  }
  parts.push(s.slice(start));
  return parts;
}

/** Decimal digits to a number, undefined if not 1*DIGIT or above max. */
export function decimal(s: string, max: number): number | undefined {
  return decimalIn(s, 0, s.length, max);
}

/** decimal() of s[start, end). */
export function decimalIn(s: string, start: number, end: number, max: number): number | undefined {
  if (end <= start) return undefined;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
    if (n > max) return undefined;
  }
  return n;
}
