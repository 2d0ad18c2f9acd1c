import { SipParseError } from './sip-errors';
import { CharCursor, TOKEN, isWsp, scan, skipWsp } from './sip-grammar';

/** One header field row, unfolded; strings are binary strings (one char per octet). */
export interface RawHeaderField {
  name: string;
  /** Value with folding removed (the CRLF of each fold dropped, its whitespace kept), trimmed. */
  value: string;
  /** Octet offset of the row in the parsed buffer, and its length without the final CRLF. */
  offset: number;
  length: number;
}

/**
 * Splits a header section into fields (RFC 3261 §7.3.1; also MIME part headers, RFC 2045 §3):
 * message-header = field-name HCOLON field-value CRLF, HCOLON = *(SP / HTAB) ":" SWS, and a
 * line starting with SP or HTAB continues the previous field (folding). Lines end with CRLF;
 * a bare CR or LF is an error. `text` is a binary string, `end` the index of the CRLF that
 * ends the last field (the empty line follows it).
 */
export function parseHeaderSection(
  text: string,
  start: number,
  end: number,
  maxFields: number,
): RawHeaderField[] {
  const fields: RawHeaderField[] = [];
  const lf = new CharCursor(text, '\n');
  let last: RawHeaderField | undefined;
  let pos = start;
  while (pos < end) {
    // text[end] is the CR of a CRLF, so the first CR at or after pos is at most `end`; the
    // line is well ended when that CR is followed by LF and no LF comes before it.
    const stop = text.indexOf('\r', pos);
    if (text.charCodeAt(stop + 1) !== 0x0a || lf.within(pos, stop)) {
      throw new SipParseError('BAD_LINE_ENDING', 'header line ends without CRLF');
    }
    if (isWsp(text.charCodeAt(pos))) {
      if (!last) throw new SipParseError('BAD_HEADER_LINE', 'header section starts with a fold');
      last.value += text.slice(pos, stop);
      last.length = stop - last.offset;
    } else {
      const nameEnd = scan(text, pos, TOKEN);
      const colon = isWsp(text.charCodeAt(nameEnd)) ? skipWsp(text, nameEnd) : nameEnd;
      if (nameEnd === pos || colon >= stop || text.charCodeAt(colon) !== 0x3a) {
        throw new SipParseError('BAD_HEADER_LINE', 'header line without field-name and colon');
      }
      if (fields.length >= maxFields) {
        throw new SipParseError('LIMIT_EXCEEDED', `more than ${maxFields} header fields`);
      }
      if (last) last.value = trimWsp(last.value);
      // Leading whitespace of the value is dropped here, the trailing one when it is complete.
      const valueStart = isWsp(text.charCodeAt(colon + 1)) ? skipWsp(text, colon + 1) : colon + 1;
      last = {
        name: text.slice(pos, nameEnd),
        value: text.slice(valueStart, stop),
        offset: pos,
        length: stop - pos,
      };
      fields.push(last);
    }
    pos = stop + 2;
  }
  if (last) last.value = trimWsp(last.value);
  return fields;
}

function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s.charCodeAt(a))) a++;
  while (b > a && isWsp(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}
