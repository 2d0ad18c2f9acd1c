import { AsnParser, AsnSerializer } from '@peculiar/asn1-schema';
import { DecodeLimits, effectiveLimits, normaliseBer } from './asn1/ber-normaliser';
import { writeDer } from './asn1/der-writer';
import { isSchemaClass, SchemaClass, typeMeta } from './asn1/tagging';
import { Hi2DecodeError, Hi2EncodeError } from './errors';
import { EpsIRIContent, EpsIRISequence } from './schema/eps-hi2-operations';
import { PSPDU } from './schema/li-ps-pdu';

/**
 * BER encode/decode of the HI2 structures. Encoding is DER-compatible: definite minimal lengths,
 * components in tag order, SET OF sorted by encoding (X.690 §11.6) — so the same record always
 * gives the same octets. Decoding accepts BER, skips unknown (extension) components and is bounded
 * by `DecodeLimits`.
 */

/** Sorts every SET OF in `value` (in place) by the encodings of its elements, as DER requires. */
function sortSetsOf(value: object, type: SchemaClass): void {
  const meta = typeMeta(type);
  const record = value as Record<string, unknown>;
  if ('item' in meta) {
    const items = value as unknown[];
    const itemType = meta.item;
    if (isSchemaClass(itemType)) {
      for (const item of items) sortSetsOf(item as object, itemType);
      if (meta.kind === 'setOf')
        sortByEncoding(items, (i) => Buffer.from(AsnSerializer.serialize(i)));
    }
    return;
  }
  const components = meta.components;
  for (const c of components) {
    const v = record[c.property];
    if (v === undefined || v === null) continue;
    if (c.repeated === 'set' && Array.isArray(v)) {
      // SET OF a primitive: all elements share the tag, so length then content decide the order.
      sortByEncoding(v as Buffer[], (b) => Buffer.concat([lengthPrefix(b.length), b]));
    } else if (isSchemaClass(c.type) && typeof v === 'object') {
      sortSetsOf(v, c.type);
    }
  }
}

function lengthPrefix(n: number): Buffer {
  return n < 0x80
    ? Buffer.from([n])
    : Buffer.from([0x84, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

function sortByEncoding<T>(items: T[], encode: (item: T) => Buffer): void {
  const keyed = items.map((item) => ({ item, key: encode(item) }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  keyed.forEach((k, i) => (items[i] = k.item));
}

/** The former encoder (asn1-schema + sort); kept as the reference the DER writer is tested against. */
export function encodeWithAsnSerializer(value: object, type: SchemaClass): Buffer {
  sortSetsOf(value, type);
  return Buffer.from(AsnSerializer.serialize(value));
}

function encode(value: object, type: SchemaClass): Buffer {
  try {
    return writeDer(value, type);
  } catch (e) {
    if (e instanceof Hi2EncodeError) throw e;
    throw new Hi2EncodeError(type.name, `cannot encode: ${(e as Error).message}`);
  }
}

function decode<T extends object>(ber: Buffer, type: new () => T, limits?: DecodeLimits): T {
  const normalised = normaliseBer(ber, type, limits);
  const l = effectiveLimits(limits);
  try {
    return AsnParser.parse(normalised, type, {
      berOptions: {
        maxDepth: l.maxDepth + 2,
        maxNodes: l.maxElements,
        maxContentLength: l.maxBytes,
      },
    });
  } catch (e) {
    if (e instanceof Hi2DecodeError) throw e;
    throw new Hi2DecodeError(
      'SCHEMA_MISMATCH',
      `not a valid ${type.name}: ${(e as Error).message}`,
    );
  }
}

function checkOneOf(record: EpsIRIContent): void {
  const set = [
    record.iRIBeginRecord,
    record.iRIEndRecord,
    record.iRIContinueRecord,
    record.iRIReportRecord,
  ];
  if (set.filter((x) => x !== undefined).length !== 1) {
    throw new Hi2EncodeError('EpsIRIContent', 'exactly one record alternative must be set');
  }
}

/** EpsIRIContent → BER (one record, as sent over TS 33.108 ROSE/FTP or inside an epsIRISequence). */
export function encodeEpsIriContent(record: EpsIRIContent): Buffer {
  checkOneOf(record);
  return encode(record, EpsIRIContent);
}

export function decodeEpsIriContent(ber: Buffer, limits?: DecodeLimits): EpsIRIContent {
  return decode(ber, EpsIRIContent, limits);
}

/**
 * EpsIRIsContent ::= CHOICE { epsiRIContent EpsIRIContent, epsIRISequence EpsIRISequence }.
 * An array encodes as epsIRISequence (the FTPS file body, ARCHITECTURE.md §4), a single record as
 * epsiRIContent.
 */
export function encodeEpsIrisContent(content: EpsIRIContent | EpsIRIContent[]): Buffer {
  if (!Array.isArray(content)) return encodeEpsIriContent(content);
  content.forEach(checkOneOf);
  return encode(new EpsIRISequence(content), EpsIRISequence);
}

/** Decodes EpsIRIsContent; always returns the records as a list (one element for epsiRIContent). */
export function decodeEpsIrisContent(ber: Buffer, limits?: DecodeLimits): EpsIRIContent[] {
  if (ber.length > 0 && ber[0] === 0x30) return [...decode(ber, EpsIRISequence, limits)];
  return [decodeEpsIriContent(ber, limits)];
}

/** PS-PDU (TS 102 232-1) → BER. */
export function encodePsPdu(pdu: PSPDU): Buffer {
  return encode(pdu, PSPDU);
}

export function decodePsPdu(ber: Buffer, limits?: DecodeLimits): PSPDU {
  return decode(ber, PSPDU, limits);
}
