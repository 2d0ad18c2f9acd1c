import { GrammarError } from './sip-address';
import { SipParseError } from './sip-errors';
import { isNamed, isWsp, utf8Text } from './sip-grammar';
import { parseHeaderSection } from './sip-header-section';
import { MediaType, parseMediaType } from './sip-header-values';

/** A leaf body part: the message body itself, or one part of a multipart body. */
export interface SipBodyPart {
  contentType: MediaType;
  /** MIME part headers (empty for the message body itself, whose headers are the SIP ones). */
  headers: { name: string; value: string }[];
  body: Buffer;
  /** Index path of the part in nested multiparts, e.g. [1] or [0, 2]; [] for a plain body. */
  path: number[];
}

const TEXT_PLAIN: MediaType = {
  type: 'text',
  subtype: 'plain',
  essence: 'text/plain',
  parameters: [],
};
const MAX_DEPTH = 4;
const MAX_PARTS = 64;

const bad = (what: string): never => {
  throw new SipParseError('BAD_MULTIPART', what);
};

/** boundary := 0*69<bchars> bcharsnospace (RFC 2046 §5.1.1). */
function boundaryOf(type: MediaType): string {
  const b = type.parameters.find((p) => p.name.toLowerCase() === 'boundary')?.value;
  if (!b || b.length > 70 || !/^[0-9A-Za-z'()+_,\-./:=? ]*[0-9A-Za-z'()+_,\-./:=?]$/.test(b)) {
    return bad('multipart without a valid boundary parameter');
  }
  return b;
}

/**
 * Position after transport-padding (*LWSP-char) and the CRLF that end a boundary line at
 * `pos` of text[.., end).
 */
function afterBoundaryLine(text: string, pos: number, end: number): number {
  while (pos < end && isWsp(text.charCodeAt(pos))) pos++;
  if (pos + 1 >= end || text.charCodeAt(pos) !== 0x0d || text.charCodeAt(pos + 1) !== 0x0a) {
    bad('boundary line not ended by CRLF');
  }
  return pos + 2;
}

/** Index of `needle` in text[from, end), -1 if it is not wholly inside. */
function indexWithin(text: string, needle: string, from: number, end: number): number {
  const i = text.indexOf(needle, from);
  return i >= 0 && i + needle.length <= end ? i : -1;
}

/** One body part, text[start, end), which is `part` (a view of the message octets). */
function parsePart(
  part: Buffer,
  text: string,
  start: number,
  depth: number,
  path: number[],
  out: SipBodyPart[],
): void {
  const end = start + part.length;
  let headerEnd: number;
  let bodyStart: number;
  if (part[0] === 0x0d && part[1] === 0x0a) {
    headerEnd = start;
    bodyStart = 2;
  } else {
    const blank = indexWithin(text, '\r\n\r\n', start, end);
    if (blank < 0) bad('body part without header/body separator');
    headerEnd = blank;
    bodyStart = blank + 4 - start;
  }
  const fields = headerEnd === start ? [] : parseHeaderSection(text, start, headerEnd, 64);
  const typeField = fields.filter((f) => isNamed(f.name, 'content-type'));
  if (typeField.length > 1) bad('body part with several Content-Type fields');
  let contentType = TEXT_PLAIN; // RFC 2045 §5.2 default
  if (typeField.length === 1) {
    try {
      contentType = parseMediaType(typeField[0].value);
    } catch (e) {
      if (e instanceof GrammarError) bad('body part with a malformed Content-Type');
      throw e;
    }
  }
  const headers = fields.map((f) => ({ name: f.name, value: utf8Text(f.value) }));
  collectParts(
    contentType,
    part.subarray(bodyStart),
    text,
    start + bodyStart,
    depth,
    path,
    out,
    headers,
  );
}

/**
 * Leaf body parts of a body (RFC 5621 §3; RFC 2046 §5.1 multipart grammar: preamble,
 * dash-boundary, encapsulations, close-delimiter, epilogue). Nested multiparts are followed
 * up to depth 4, with at most 64 parts.
 */
export function collectBodyParts(
  contentType: MediaType,
  body: Buffer,
  depth: number,
  path: number[],
  out: SipBodyPart[],
  headers: { name: string; value: string }[] = [],
): void {
  collectParts(contentType, body, undefined, 0, depth, path, out, headers);
}

/**
 * collectBodyParts of a body that is text[start, start + body.length) of a binary string of
 * the message, which is made when a multipart body is found if `text` is undefined.
 */
export function collectParts(
  contentType: MediaType,
  body: Buffer,
  text: string | undefined,
  start: number,
  depth: number,
  path: number[],
  out: SipBodyPart[],
  headers: { name: string; value: string }[] = [],
): void {
  if (contentType.type.toLowerCase() !== 'multipart') {
    if (out.length >= MAX_PARTS) bad(`more than ${MAX_PARTS} body parts`);
    out.push({ contentType, headers, body, path });
    return;
  }
  if (depth >= MAX_DEPTH) bad('multipart nested too deeply');
  const dash = `--${boundaryOf(contentType)}`;
  const delimiter = `\r\n${dash}`;
  if (text === undefined) {
    text = body.toString('latin1');
    start = 0;
  }
  const end = start + body.length;
  let first: number;
  if (end - start >= dash.length && text.startsWith(dash, start)) first = start;
  else {
    const d = indexWithin(text, delimiter, start, end);
    if (d < 0) bad('multipart without its first boundary');
    first = d + 2;
  }
  let pos = afterBoundaryLine(text, first + dash.length, end);
  for (let index = 0; ; index++) {
    const next = indexWithin(text, delimiter, pos, end);
    if (next < 0) bad('multipart without close delimiter');
    const part = body.subarray(pos - start, next - start);
    parsePart(part, text, pos, depth + 1, [...path, index], out);
    const after = next + delimiter.length;
    // close-delimiter; the epilogue is ignored
    if (after + 1 < end && text.charCodeAt(after) === 0x2d && text.charCodeAt(after + 1) === 0x2d) {
      return;
    }
    pos = afterBoundaryLine(text, after, end);
  }
}
