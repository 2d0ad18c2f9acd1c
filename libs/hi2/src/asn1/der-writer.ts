import {
  AsnEnumeratedConverter,
  AsnObjectIdentifierConverter,
  AsnPropTypes,
  AsnUTCTimeConverter,
  IAsnConverter,
} from '@peculiar/asn1-schema';
import { Hi2EncodeError } from '../errors';
import { pendingTlv as tlv, PendingTlv, serializeTlv as serialize } from './pending-tlv';
import { ComponentMeta, ComponentType, isSchemaClass, SchemaClass, typeMeta } from './tagging';

/**
 * DER writer for the schema classes of this library, driven by the tag registry (tagging.ts):
 * the same octets as asn1-schema's AsnSerializer followed by the SET OF sort (X.690 §10, §11.6),
 * without building an asn1js object tree. Values are first turned into a tree of pending TLVs
 * (identifier, contents pieces, contents length), then written once into one buffer of the exact
 * size: OCTET STRING contents (the bulk of an IRI: sIPMessage) are copied once, whatever their
 * depth. Primitives other than OCTET STRING go through their asn1-schema converter (small values).
 *
 * X.690: identifier octets §8.1.2 (context class 0b10, constructed bit 0x20, tag numbers ≥ 31
 * in base-128 after 0x1F), definite lengths in the minimal form §10.1, IMPLICIT tags replace the
 * universal identifier, EXPLICIT tags (CHOICE types, X.680 §31.2.7) wrap the whole TLV.
 */
export function writeDer(value: object, type: SchemaClass): Buffer {
  return serialize(encodeClass(value, type));
}

const CONTEXT = 0x80;
const CONSTRUCTED = 0x20;

const identifiers = new Map<number, Buffer>();

/** Identifier octets (§8.1.2), built once per class, form and tag. */
function identifier(tagClass: number, constructed: boolean, tag: number): Buffer {
  const first = tagClass | (constructed ? CONSTRUCTED : 0);
  const key = tag * 256 + first;
  let id = identifiers.get(key);
  if (id) return id;
  if (tag < 31) id = Buffer.of(first | tag);
  else {
    const digits = [tag & 0x7f];
    for (let t = tag >>> 7; t > 0; t >>>= 7) digits.unshift(0x80 | (t & 0x7f));
    id = Buffer.from([first | 0x1f, ...digits]);
  }
  identifiers.set(key, id);
  return id;
}

/** A complete DER TLV (from a converter) as a pending TLV: identifier and contents split. */
function parsedTlv(der: Buffer): PendingTlv {
  let i = 1;
  if ((der[0] & 0x1f) === 0x1f) while (der[i++] & 0x80);
  const id = der.subarray(0, i);
  const first = der[i++];
  if (first & 0x80) i += first & 0x7f;
  return tlv(id, [der.subarray(i)]);
}

/** Minimal two's-complement contents of a non-negative integer (X.690 §8.3.2). */
function unsignedContents(n: number): Buffer {
  const octets: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) octets.unshift(v & 0xff);
  if (!octets.length || octets[0] & 0x80) octets.unshift(0);
  return Buffer.from(octets);
}

const two = (n: number) => String(n).padStart(2, '0');

/** OBJECT IDENTIFIER TLVs by dotted text: the few OIDs of the modules, encoded once. */
const oidCache = new Map<string, PendingTlv>();

/**
 * Universal TLV of a primitive value. Fast paths for asn1-schema's default converters of the
 * hot primitives (same octets, checked by der-writer.spec): OCTET STRING from a Buffer,
 * ENUMERATED of a non-negative integer (§8.4), UTCTime `YYMMDDhhmmssZ` (X.680 §47, DER §11.8),
 * OBJECT IDENTIFIER (cached); anything else through its converter.
 */
function primitiveTlv(value: unknown, type: ComponentType, converter?: IAsnConverter): PendingTlv {
  if (type === AsnPropTypes.OctetString && Buffer.isBuffer(value))
    return tlv(identifier(0, false, 0x04), [value]);
  if (converter === AsnEnumeratedConverter && Number.isSafeInteger(value) && Number(value) >= 0)
    return tlv(identifier(0, false, 0x0a), [unsignedContents(Number(value))]);
  if (converter === AsnUTCTimeConverter && value instanceof Date) {
    const d = value;
    const text =
      two(d.getUTCFullYear() % 100) +
      two(d.getUTCMonth() + 1) +
      two(d.getUTCDate()) +
      two(d.getUTCHours()) +
      two(d.getUTCMinutes()) +
      two(d.getUTCSeconds()) +
      'Z';
    return tlv(identifier(0, false, 0x17), [Buffer.from(text, 'latin1')]);
  }
  if (converter === AsnObjectIdentifierConverter && typeof value === 'string') {
    let oid = oidCache.get(value);
    if (!oid) {
      oid = parsedTlv(Buffer.from((converter.toASN(value) as { toBER(): ArrayBuffer }).toBER()));
      oidCache.set(value, oid);
    }
    return oid;
  }
  if (!converter) throw new Hi2EncodeError(String(type), 'no converter for a primitive');
  const asn = converter.toASN(value) as { toBER(sizeOnly?: boolean): ArrayBuffer };
  return parsedTlv(Buffer.from(asn.toBER(false)));
}

/** A SEQUENCE, CHOICE (its alternative's TLV), SEQUENCE OF or SET OF value, universal tagging. */
function encodeClass(value: object, type: SchemaClass): PendingTlv {
  const meta = typeMeta(type);
  if ('item' in meta) {
    const items = (value as unknown[]).map((i) => encodeItem(i, meta.item));
    const setOf = meta.kind === 'setOf';
    return tlv(identifier(0, true, setOf ? 0x11 : 0x10), setOf ? sorted(items) : items);
  }
  const record = value as Record<string, unknown>;
  const parts: PendingTlv[] = [];
  for (const c of meta.components) {
    const v = record[c.property];
    if (v === undefined) continue;
    parts.push(encodeComponent(v, c));
    if (meta.kind === 'choice') return parts[0];
  }
  if (meta.kind === 'choice')
    throw new Hi2EncodeError(meta.name, 'a CHOICE needs one alternative set');
  return tlv(identifier(0, true, 0x10), parts);
}

function encodeItem(value: unknown, type: ComponentType, converter?: IAsnConverter): PendingTlv {
  return isSchemaClass(type)
    ? encodeClass(value as object, type)
    : primitiveTlv(value, type, converter);
}

/** A context-tagged component: IMPLICIT (replaces the identifier) or EXPLICIT (wraps). */
function encodeComponent(value: unknown, c: ComponentMeta): PendingTlv {
  if (c.repeated) {
    const items = (value as unknown[]).map((i) => encodeItem(i, c.type, c.converter));
    return tlv(identifier(CONTEXT, true, c.tag), c.repeated === 'set' ? sorted(items) : items);
  }
  const inner = encodeItem(value, c.type, c.converter);
  if (c.explicit) return tlv(identifier(CONTEXT, true, c.tag), [inner]);
  const constructed = (inner.id[0] & CONSTRUCTED) !== 0;
  return { id: identifier(CONTEXT, constructed, c.tag), pieces: inner.pieces, size: inner.size };
}

/** DER SET OF order: the elements' encodings compared as octet strings (X.690 §11.6). */
function sorted(items: PendingTlv[]): Buffer[] {
  return items.map(serialize).sort((a, b) => Buffer.compare(a, b));
}
