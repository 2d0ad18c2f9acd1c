import {
  AsnEnumeratedConverter,
  AsnObjectIdentifierConverter,
  AsnPropTypes,
  AsnRelativeObjectIdentifierConverter,
  AsnUTCTimeConverter,
  IAsnConverter,
} from '@peculiar/asn1-schema';
import { Hi2EncodeError } from '../errors';
import { BackwardBuffer, identifierOctet } from './backward-buffer';
import {
  formatGeneralizedTimeUtc,
  formatUtcTime,
  GeneralizedTimeUtc,
  Uint32Integer,
} from './converters';
import { ComponentMeta, ComponentType, isSchemaClass, SchemaClass, typeMeta } from './tagging';

/**
 * DER writer for the schema classes of this library, driven by the tag registry (tagging.ts):
 * the same octets as asn1-schema's AsnSerializer followed by the SET OF sort (X.690 §10, §11.6),
 * without building an asn1js object tree. Each class's schema is walked once, into a writer that
 * keeps its components' identifier octets and their last-to-first order; a record is then written
 * back to front (BackwardBuffer), so each length is known when it is written, and copied out once
 * at its exact size.
 *
 * X.690: identifier octets §8.1.2 (context class 0b10, constructed bit 0x20, tag numbers ≥ 31
 * in base-128 after 0x1F), definite lengths in the minimal form §10.1, IMPLICIT tags replace the
 * universal identifier (§8.14.3), EXPLICIT tags (CHOICE types, X.680 §31.2.7) wrap the whole TLV.
 */
export function writeDer(value: object, type: SchemaClass): Buffer {
  const writer = classWriter(type);
  return BackwardBuffer.written((out) => writer.write(value, out));
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
  if (tag < 31) id = identifierOctet(first | tag);
  else {
    const digits = [tag & 0x7f];
    for (let t = tag >>> 7; t > 0; t >>>= 7) digits.unshift(0x80 | (t & 0x7f));
    id = Buffer.from([first | 0x1f, ...digits]);
  }
  identifiers.set(key, id);
  return id;
}

/** The two identifiers of context tag `[n]`: primitive and constructed form. */
interface ContextTag {
  readonly primitive: Buffer;
  readonly constructed: Buffer;
}

function contextTag(tag: number): ContextTag {
  return {
    primitive: identifier(CONTEXT, false, tag),
    constructed: identifier(CONTEXT, true, tag),
  };
}

/** How the values of one type are written. */
interface TypeWriter {
  /**
   * Writes the TLV of `value`; with `tag`, under that IMPLICIT context identifier instead of the
   * universal one. A CHOICE is never given a tag: its tags are EXPLICIT (tagging.ts).
   */
  write(value: unknown, out: BackwardBuffer, tag?: ContextTag): void;
}

const classWriters = new Map<SchemaClass, TypeWriter>();

/** The writer of a schema class, built from its registry entry on first use. */
function classWriter(type: SchemaClass): TypeWriter {
  let w = classWriters.get(type);
  if (w) return w;
  const meta = typeMeta(type);
  if ('item' in meta) w = new ListWriter(meta.kind === 'setOf', meta.item);
  else if (meta.kind === 'choice') w = new ChoiceWriter(meta.name, meta.components);
  else w = new SequenceWriter(meta.components);
  classWriters.set(type, w);
  return w;
}

function typeWriter(type: ComponentType, converter?: IAsnConverter): TypeWriter {
  return isSchemaClass(type) ? classWriter(type) : primitiveWriter(type, converter);
}

const SEQUENCE = identifier(0, true, 0x10);
const SET = identifier(0, true, 0x11);

/**
 * The elements of a SEQUENCE OF / SET OF, last to first; a SET OF of several elements is then
 * put in the order of the elements' encodings (X.690 §11.6).
 */
function writeItems(items: unknown[], item: TypeWriter, set: boolean, out: BackwardBuffer): void {
  const n = items.length;
  if (!set || n < 2) {
    for (let i = n - 1; i >= 0; i--) item.write(items[i], out);
    return;
  }
  const lengths = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    const before = out.size;
    item.write(items[i], out);
    lengths[i] = out.size - before;
  }
  out.sortRuns(lengths);
}

/** SEQUENCE OF / SET OF a class or a primitive. */
class ListWriter implements TypeWriter {
  private itemWriter?: TypeWriter;

  constructor(
    private readonly set: boolean,
    private readonly item: ComponentType,
  ) {}

  write(value: unknown, out: BackwardBuffer, tag?: ContextTag): void {
    const before = out.size;
    writeItems(value as unknown[], (this.itemWriter ??= typeWriter(this.item)), this.set, out);
    out.header(tag ? tag.constructed : this.set ? SET : SEQUENCE, out.size - before);
  }
}

/**
 * One context-tagged component of a SEQUENCE or CHOICE. Its type's writer is looked up on first
 * use, so that a class's writer can be built before those of its component types.
 */
class ComponentWriter {
  readonly property: string;
  private readonly tag: ContextTag;
  private resolved?: TypeWriter;

  constructor(private readonly meta: ComponentMeta) {
    this.property = meta.property;
    this.tag = contextTag(meta.tag);
  }

  write(value: unknown, out: BackwardBuffer): void {
    const m = this.meta;
    const type = (this.resolved ??= typeWriter(m.type, m.converter));
    if (m.repeated) {
      // SEQUENCE OF / SET OF a primitive, the component itself: [n] IMPLICIT, constructed.
      const before = out.size;
      writeItems(value as unknown[], type, m.repeated === 'set', out);
      out.header(this.tag.constructed, out.size - before);
    } else if (m.explicit) {
      const before = out.size;
      type.write(value, out);
      out.header(this.tag.constructed, out.size - before);
    } else type.write(value, out, this.tag);
  }
}

class SequenceWriter implements TypeWriter {
  /** Last component first: the order they are written in. */
  private readonly reversed: ComponentWriter[];

  constructor(components: readonly ComponentMeta[]) {
    this.reversed = components.map((c) => new ComponentWriter(c)).reverse();
  }

  write(value: unknown, out: BackwardBuffer, tag?: ContextTag): void {
    const record = value as Record<string, unknown>;
    const before = out.size;
    const components = this.reversed;
    for (let i = 0; i < components.length; i++) {
      const c = components[i];
      const v = record[c.property];
      if (v !== undefined) c.write(v, out);
    }
    out.header(tag ? tag.constructed : SEQUENCE, out.size - before);
  }
}

/** A CHOICE: the TLV of its first alternative set, in declaration order. */
class ChoiceWriter implements TypeWriter {
  private readonly alternatives: ComponentWriter[];

  constructor(
    private readonly name: string,
    components: readonly ComponentMeta[],
  ) {
    this.alternatives = components.map((c) => new ComponentWriter(c));
  }

  write(value: unknown, out: BackwardBuffer): void {
    const record = value as Record<string, unknown>;
    for (const c of this.alternatives) {
      const v = record[c.property];
      if (v !== undefined) return c.write(v, out);
    }
    throw new Hi2EncodeError(this.name, 'a CHOICE needs one alternative set');
  }
}

/**
 * Writes the contents octets of the values it handles and returns true; returns false, having
 * written nothing, for a value it leaves to the converter.
 */
type FastContents = (value: unknown, out: BackwardBuffer) => boolean;

/** A fast path: the universal identifier of the type and its contents writer. */
interface FastPath {
  readonly universal: Buffer;
  readonly contents: FastContents;
}

/** A universal primitive type: a fast path for the hot ones, else its asn1-schema converter. */
class PrimitiveWriter implements TypeWriter {
  constructor(
    private readonly type: ComponentType,
    private readonly fast: FastPath | undefined,
    private readonly converter: IAsnConverter | undefined,
  ) {}

  write(value: unknown, out: BackwardBuffer, tag?: ContextTag): void {
    const before = out.size;
    if (this.fast?.contents(value, out)) {
      out.header(tag ? tag.primitive : this.fast.universal, out.size - before);
      return;
    }
    if (!this.converter)
      throw new Hi2EncodeError(String(this.type), 'no converter for a primitive');
    const der = Buffer.from(
      (this.converter.toASN(value) as { toBER(sizeOnly?: boolean): ArrayBuffer }).toBER(false),
    );
    if (!tag) return out.octets(der);
    const start = contentsStart(der);
    out.octets(der.subarray(start));
    out.header(der[0] & CONSTRUCTED ? tag.constructed : tag.primitive, der.length - start);
  }
}

/** Offset of the contents in a complete DER TLV (after identifier and length octets). */
function contentsStart(der: Buffer): number {
  let i = 1;
  if ((der[0] & 0x1f) === 0x1f) while (der[i++] & 0x80);
  const first = der[i++];
  return first & 0x80 ? i + (first & 0x7f) : i;
}

const octetString: FastContents = (v, out) => Buffer.isBuffer(v) && (out.octets(v), true);

/** INTEGER / ENUMERATED of a non-negative safe integer: minimal two's complement (§8.3, §8.4). */
const unsigned: FastContents = (v, out) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && (out.unsigned(v), true);

/** UTCTime `YYMMDDhhmmssZ` (X.680 §47, DER §11.8). */
const utcTime: FastContents = (v, out) => v instanceof Date && (out.latin1(formatUtcTime(v)), true);

/** GeneralizedTime `YYYYMMDDhhmmss[.fff]Z` (DER §11.7), as the GeneralizedTimeUtc converter writes. */
const generalizedTime: FastContents = (v, out) =>
  v instanceof Date && (out.latin1(formatGeneralizedTimeUtc(v)), true);

/** At most this many OBJECT IDENTIFIER / RELATIVE-OID values are kept encoded. */
const OID_CACHE_MAX = 64;

/**
 * OBJECT IDENTIFIER / RELATIVE-OID contents by dotted text, through the converter once per value:
 * the modules' few identifiers.
 */
function cachedOid(converter: IAsnConverter): FastContents {
  const cache = new Map<string, Buffer>();
  return (v, out) => {
    if (typeof v !== 'string') return false;
    let contents = cache.get(v);
    if (!contents) {
      const asn = converter.toASN(v) as { toBER(sizeOnly?: boolean): ArrayBuffer };
      const der = Buffer.from(asn.toBER(false));
      contents = der.subarray(contentsStart(der));
      if (cache.size < OID_CACHE_MAX) cache.set(v, contents);
    }
    out.octets(contents);
    return true;
  };
}

const fastPath = (universalTag: number, contents: FastContents): FastPath => ({
  universal: identifier(0, false, universalTag),
  contents,
});

/**
 * Fast paths for asn1-schema's default converters and ours of the hot primitives (same octets,
 * checked by der-writer.spec against AsnSerializer), by converter.
 */
const FAST = new Map<IAsnConverter, FastPath>([
  [AsnEnumeratedConverter, fastPath(0x0a, unsigned)],
  [Uint32Integer, fastPath(0x02, unsigned)],
  [AsnUTCTimeConverter, fastPath(0x17, utcTime)],
  [GeneralizedTimeUtc, fastPath(0x18, generalizedTime)],
  [AsnObjectIdentifierConverter, fastPath(0x06, cachedOid(AsnObjectIdentifierConverter))],
  [
    AsnRelativeObjectIdentifierConverter,
    fastPath(0x0d, cachedOid(AsnRelativeObjectIdentifierConverter)),
  ],
]);
const OCTET_STRING = fastPath(0x04, octetString);

/** OCTET STRING from a Buffer is written as is, whatever its converter. */
function primitiveWriter(type: ComponentType, converter?: IAsnConverter): TypeWriter {
  const fast = type === AsnPropTypes.OctetString ? OCTET_STRING : converter && FAST.get(converter);
  return new PrimitiveWriter(type, fast, converter);
}
