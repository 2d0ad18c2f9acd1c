import { AsnPropTypes } from '@peculiar/asn1-schema';
import { Hi2DecodeError } from '../errors';
import { ComponentMeta, ComponentType, isSchemaClass, SchemaClass, typeMeta } from './tagging';

/**
 * First pass of every decode: walks untrusted BER (X.690) guided by the schema registry and
 * re-emits it in the shape @peculiar/asn1-schema can parse:
 * - components whose tag the schema does not model are dropped — the modules are extensible
 *   (`...`) and we model a subset of each SEQUENCE (X.680 §52 extensibility);
 * - indefinite lengths become definite; constructed OCTET STRINGs (X.690 §8.7.3) are joined;
 * - unknown CHOICE alternatives, wrong tag classes and malformed TLVs raise `Hi2DecodeError`.
 * Bounded: nesting depth, element count and input size are limited, so hostile input costs at
 * most linear time and no more memory than a copy of the input.
 */
export interface DecodeLimits {
  /** Largest accepted encoding in octets (default 4 MiB). */
  maxBytes?: number;
  /** Deepest accepted TLV nesting (default 48). */
  maxDepth?: number;
  /** Most TLVs accepted in one encoding (default 100 000). */
  maxElements?: number;
}

const DEFAULTS: Required<DecodeLimits> = { maxBytes: 4 << 20, maxDepth: 48, maxElements: 100_000 };

const CLASS_UNIVERSAL = 0;
const CLASS_CONTEXT = 2;
const UNIVERSAL_OCTET_STRING = 4;
const UNIVERSAL_SEQUENCE = 16;
const UNIVERSAL_SET = 17;

interface Tlv {
  cls: number;
  constructed: boolean;
  tag: number;
  /** Identifier octets as received. */
  identifier: Buffer;
  /** Content octets (for indefinite length: without the end-of-contents octets). */
  content: Buffer;
  /** Offset just past this TLV in the buffer it was read from. */
  end: number;
}

class Reader {
  private elements = 0;
  constructor(readonly limits: Required<DecodeLimits>) {}

  /** Reads the TLVs that make up `buf` completely. */
  children(buf: Buffer, depth: number, path: string): Tlv[] {
    const out: Tlv[] = [];
    let offset = 0;
    while (offset < buf.length) {
      const tlv = this.read(buf, offset, depth, path);
      out.push(tlv);
      offset = tlv.end;
    }
    return out;
  }

  read(buf: Buffer, start: number, depth: number, path: string): Tlv {
    if (depth > this.limits.maxDepth)
      throw new Hi2DecodeError('TOO_DEEP', 'nesting too deep', path);
    if (++this.elements > this.limits.maxElements) {
      throw new Hi2DecodeError('TOO_MANY_ELEMENTS', 'too many elements', path);
    }
    let p = start;
    const byte = (): number => {
      if (p >= buf.length)
        throw new Hi2DecodeError('TRUNCATED', 'encoding ends inside a TLV', path);
      return buf[p++];
    };
    const first = byte();
    const cls = first >> 6;
    const constructed = (first & 0x20) !== 0;
    let tag = first & 0x1f;
    if (tag === 0x1f) {
      tag = 0;
      let b: number;
      let n = 0;
      do {
        b = byte();
        if (++n > 4 || (n === 1 && b === 0x80)) {
          throw new Hi2DecodeError('MALFORMED', 'bad high tag number', path);
        }
        tag = tag * 128 + (b & 0x7f);
      } while (b & 0x80);
    }
    const identifier = buf.subarray(start, p);
    const lenByte = byte();
    if (lenByte === 0x80) {
      if (!constructed)
        throw new Hi2DecodeError('MALFORMED', 'indefinite length on a primitive', path);
      const contentStart = p;
      for (;;) {
        if (p + 1 < buf.length && buf[p] === 0 && buf[p + 1] === 0) {
          return {
            cls,
            constructed,
            tag,
            identifier,
            content: buf.subarray(contentStart, p),
            end: p + 2,
          };
        }
        if (p >= buf.length) throw new Hi2DecodeError('TRUNCATED', 'missing end-of-contents', path);
        p = this.read(buf, p, depth + 1, path).end;
      }
    }
    let length = lenByte;
    if (lenByte & 0x80) {
      const n = lenByte & 0x7f;
      if (n > 4 || n === 0x7f) throw new Hi2DecodeError('TOO_LARGE', 'length field too long', path);
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + byte();
    }
    if (length > buf.length - p)
      throw new Hi2DecodeError('TRUNCATED', 'length exceeds the data', path);
    return {
      cls,
      constructed,
      tag,
      identifier,
      content: buf.subarray(p, p + length),
      end: p + length,
    };
  }
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function emit(identifier: Buffer, content: Buffer): Buffer {
  return Buffer.concat([identifier, encodeLength(content.length), content]);
}

class Normaliser {
  constructor(private readonly reader: Reader) {}

  /** A complete encoding of `type` (untagged, or the chosen alternative for a CHOICE). */
  whole(tlv: Tlv, type: ComponentType, depth: number, path: string): Buffer {
    if (!isSchemaClass(type)) return this.primitive(tlv, type, depth, path);
    const meta = typeMeta(type);
    if (meta.kind === 'choice') {
      const alt = meta.components.find((c) => c.tag === tlv.tag);
      if (tlv.cls !== CLASS_CONTEXT || !alt) {
        throw new Hi2DecodeError(
          'UNKNOWN_ALTERNATIVE',
          `[${tlv.tag}] is not an alternative of ${meta.name}`,
          path,
        );
      }
      return this.component(tlv, alt, depth, `${path}/${meta.name}`);
    }
    const universal = meta.kind === 'setOf' ? UNIVERSAL_SET : UNIVERSAL_SEQUENCE;
    if (tlv.cls !== CLASS_UNIVERSAL || tlv.tag !== universal || !tlv.constructed) {
      throw new Hi2DecodeError('UNEXPECTED_TAG', `${meta.name} expected, found another tag`, path);
    }
    return emit(tlv.identifier, this.contents(tlv, type, depth, path));
  }

  /** A component `[tag] Type` found inside a SEQUENCE or as a CHOICE alternative. */
  component(tlv: Tlv, c: ComponentMeta, depth: number, path: string): Buffer {
    const here = `${path}/[${c.tag}]`;
    if (c.explicit) {
      if (!tlv.constructed)
        throw new Hi2DecodeError('MALFORMED', 'explicit tag on a primitive', here);
      const inner = this.reader.children(tlv.content, depth + 1, here);
      if (inner.length !== 1)
        throw new Hi2DecodeError('MALFORMED', 'explicit tag must hold one value', here);
      return emit(tlv.identifier, this.whole(inner[0], c.type, depth + 1, here));
    }
    if (c.repeated) {
      if (!tlv.constructed)
        throw new Hi2DecodeError('MALFORMED', 'SET OF/SEQUENCE OF must be constructed', here);
      const items = this.reader.children(tlv.content, depth + 1, here);
      return emit(
        tlv.identifier,
        Buffer.concat(items.map((i) => this.whole(i, c.type, depth + 1, here))),
      );
    }
    if (!isSchemaClass(c.type)) {
      const value = this.primitive(tlv, c.type, depth, here);
      return tlv.constructed
        ? emit(Buffer.from([tlv.identifier[0] & ~0x20, ...tlv.identifier.subarray(1)]), value)
        : value;
    }
    if (!tlv.constructed) throw new Hi2DecodeError('MALFORMED', 'constructed value expected', here);
    return emit(tlv.identifier, this.contents(tlv, c.type, depth, here));
  }

  /** The content octets of a SEQUENCE / SEQUENCE OF / SET OF value, normalised. */
  private contents(tlv: Tlv, type: SchemaClass, depth: number, path: string): Buffer {
    const meta = typeMeta(type);
    const here = `${path}/${meta.name}`;
    const items = this.reader.children(tlv.content, depth + 1, here);
    if ('item' in meta) {
      const item = meta.item;
      return Buffer.concat(items.map((i) => this.whole(i, item, depth + 1, here)));
    }
    if (meta.kind === 'choice')
      throw new Hi2DecodeError('MALFORMED', 'CHOICE cannot be implicitly tagged', here);
    const components = meta.components;
    const kept: Buffer[] = [];
    for (const item of items) {
      const c = item.cls === CLASS_CONTEXT ? components.find((x) => x.tag === item.tag) : undefined;
      if (c) kept.push(this.component(item, c, depth + 1, here));
      // else: a component this subset does not model, or an extension addition — skipped.
    }
    return Buffer.concat(kept);
  }

  /**
   * A primitive value; returns the full TLV, or for a constructed OCTET STRING the joined content.
   * (The caller re-wraps a constructed string as primitive.)
   */
  private primitive(tlv: Tlv, type: AsnPropTypes, depth: number, path: string): Buffer {
    if (!tlv.constructed) return emit(tlv.identifier, tlv.content);
    if (type !== AsnPropTypes.OctetString) {
      throw new Hi2DecodeError('MALFORMED', 'constructed encoding of a primitive type', path);
    }
    const parts: Buffer[] = [];
    const collect = (t: Tlv, d: number): void => {
      for (const seg of this.reader.children(t.content, d + 1, path)) {
        if (seg.cls !== CLASS_UNIVERSAL || seg.tag !== UNIVERSAL_OCTET_STRING) {
          throw new Hi2DecodeError('MALFORMED', 'bad OCTET STRING segment', path);
        }
        if (seg.constructed) collect(seg, d + 1);
        else parts.push(seg.content);
      }
    };
    collect(tlv, depth);
    const joined = Buffer.concat(parts);
    // Untagged position: emit a primitive universal OCTET STRING.
    return tlv.cls === CLASS_UNIVERSAL
      ? emit(Buffer.from([UNIVERSAL_OCTET_STRING]), joined)
      : joined;
  }
}

/**
 * Normalises one complete encoding of `type` occupying all of `ber`. Throws `Hi2DecodeError`.
 */
export function normaliseBer(ber: Buffer, type: SchemaClass, limits: DecodeLimits = {}): Buffer {
  const l = { ...DEFAULTS, ...limits };
  if (ber.length === 0) throw new Hi2DecodeError('EMPTY', 'no data');
  if (ber.length > l.maxBytes)
    throw new Hi2DecodeError('TOO_LARGE', `encoding larger than ${l.maxBytes} octets`);
  const reader = new Reader(l);
  const top = reader.read(ber, 0, 0, '');
  if (top.end !== ber.length) throw new Hi2DecodeError('TRAILING_DATA', 'octets after the value');
  return new Normaliser(reader).whole(top, type, 0, '');
}

export function effectiveLimits(limits: DecodeLimits = {}): Required<DecodeLimits> {
  return { ...DEFAULTS, ...limits };
}
