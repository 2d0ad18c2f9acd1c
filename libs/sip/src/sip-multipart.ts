import { GrammarError } from './sip-address';
import { SipParseError } from './sip-errors';
import { utf8Text } from './sip-grammar';
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

/** Skips transport-padding (*LWSP-char) and the CRLF after a boundary line. */
function afterBoundaryLine(body: Buffer, pos: number): number {
  while (body[pos] === 0x20 || body[pos] === 0x09) pos++;
  if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) bad('boundary line not ended by CRLF');
  return pos + 2;
}

function parsePart(part: Buffer, depth: number, path: number[], out: SipBodyPart[]): void {
  let headerEnd: number;
  let bodyStart: number;
  if (part[0] === 0x0d && part[1] === 0x0a) {
    headerEnd = 0;
    bodyStart = 2;
  } else {
    const blank = part.indexOf('\r\n\r\n');
    if (blank < 0) bad('body part without header/body separator');
    headerEnd = blank;
    bodyStart = blank + 4;
  }
  const text = part.toString('latin1', 0, headerEnd + 2);
  const fields = headerEnd === 0 ? [] : parseHeaderSection(text, 0, headerEnd, 64);
  const typeField = fields.filter((f) => f.name.toLowerCase() === 'content-type');
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
  collectBodyParts(contentType, part.subarray(bodyStart), depth, path, out, headers);
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
  if (contentType.type.toLowerCase() !== 'multipart') {
    if (out.length >= MAX_PARTS) bad(`more than ${MAX_PARTS} body parts`);
    out.push({ contentType, headers, body, path });
    return;
  }
  if (depth >= MAX_DEPTH) bad('multipart nested too deeply');
  const dash = Buffer.from(`--${boundaryOf(contentType)}`, 'latin1');
  const delimiter = Buffer.concat([Buffer.from('\r\n'), dash]);
  let first: number;
  if (body.subarray(0, dash.length).equals(dash)) first = 0;
  else {
    const d = body.indexOf(delimiter);
    if (d < 0) bad('multipart without its first boundary');
    first = d + 2;
  }
  let pos = afterBoundaryLine(body, first + dash.length);
  for (let index = 0; ; index++) {
    const next = body.indexOf(delimiter, pos);
    if (next < 0) bad('multipart without close delimiter');
    parsePart(body.subarray(pos, next), depth + 1, [...path, index], out);
    const after = next + delimiter.length;
    if (body[after] === 0x2d && body[after + 1] === 0x2d) return; // close-delimiter; epilogue ignored
    pos = afterBoundaryLine(body, after);
  }
}
