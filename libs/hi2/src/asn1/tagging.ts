import {
  AsnArray,
  defaultConverter,
  AsnProp,
  AsnPropTypes,
  AsnType,
  AsnTypeTypes,
  IAsnConverter,
} from '@peculiar/asn1-schema';

/**
 * Decorators over @peculiar/asn1-schema that also record each type's tags in a registry.
 *
 * Why: the modules we implement (TS 33.108 EpsHI2Operations, TS 101 671 HI2Operations,
 * TS 102 232-1 LI-PS-PDU) are extensible (`...`) and we model only a subset of each SEQUENCE.
 * asn1-schema rejects a SEQUENCE holding a component it does not know, so the decoder first
 * walks the BER with this registry and drops unknown components (see `ber-normaliser.ts`).
 *
 * Tagging follows the modules' `DEFINITIONS IMPLICIT TAGS`, with the X.680 §31.2.7 exception
 * applied automatically: a tag on a CHOICE type is always EXPLICIT.
 */

/** A schema class (SEQUENCE, CHOICE, SEQUENCE OF / SET OF), instantiable without arguments. */
export type SchemaClass = new () => object;
/** A component type: a universal primitive or a schema class. */
export type ComponentType = AsnPropTypes | SchemaClass;

export interface ComponentMeta {
  readonly property: string;
  /** Context-specific tag number. */
  readonly tag: number;
  readonly type: ComponentType;
  readonly explicit: boolean;
  /** SEQUENCE OF / SET OF a primitive, encoded as the component itself. */
  readonly repeated?: 'sequence' | 'set';
  /** Value ↔ universal TLV of a primitive component (its own, else asn1-schema's default). */
  readonly converter?: IAsnConverter;
}

export type TypeMeta =
  | {
      readonly kind: 'sequence' | 'choice';
      readonly name: string;
      readonly components: ComponentMeta[];
    }
  | { readonly kind: 'sequenceOf' | 'setOf'; readonly name: string; readonly item: ComponentType };

const registry = new Map<SchemaClass, TypeMeta>();
const pending = new Map<object, ComponentMeta[]>();

export function typeMeta(type: SchemaClass): TypeMeta {
  const meta = registry.get(type);
  if (!meta) throw new Error(`no ASN.1 metadata for ${type.name}`);
  return meta;
}

export function isSchemaClass(type: ComponentType): type is SchemaClass {
  return typeof type === 'function';
}

function classDecorator(kind: 'sequence' | 'choice') {
  return (target: SchemaClass): void => {
    AsnType({ type: kind === 'sequence' ? AsnTypeTypes.Sequence : AsnTypeTypes.Choice })(target);
    const components = pending.get(target.prototype as object) ?? [];
    pending.delete(target.prototype as object);
    for (let i = 1; i < components.length; i++) {
      // asn1-schema emits components in declaration order: it must be the module's order.
      if (kind === 'sequence' && components[i].tag <= components[i - 1].tag) {
        throw new Error(`${target.name}: components must be declared in ascending tag order`);
      }
    }
    registry.set(target, { kind, name: target.name, components });
  };
}

/** A SEQUENCE whose components are all context-tagged. */
export const Asn1Sequence = (): ((target: SchemaClass) => void) => classDecorator('sequence');
/** A CHOICE whose alternatives are all context-tagged. */
export const Asn1Choice = (): ((target: SchemaClass) => void) => classDecorator('choice');

function arrayDecorator(kind: 'sequenceOf' | 'setOf', item: ComponentType) {
  return (target: new () => AsnArray<unknown>): void => {
    AsnType({
      type: kind === 'sequenceOf' ? AsnTypeTypes.Sequence : AsnTypeTypes.Set,
      itemType: item,
    })(target);
    registry.set(target, { kind, name: target.name, item });
  };
}

/** `SEQUENCE OF item`; the class must extend `AsnArray<item>`. */
export const Asn1SequenceOf = (
  item: ComponentType,
): ((target: new () => AsnArray<unknown>) => void) => arrayDecorator('sequenceOf', item);
/** `SET OF item`; the class must extend `AsnArray<item>`. Encoders sort it (X.690 §11.6). */
export const Asn1SetOf = (item: ComponentType): ((target: new () => AsnArray<unknown>) => void) =>
  arrayDecorator('setOf', item);

export interface ComponentOptions {
  optional?: boolean;
  repeated?: 'sequence' | 'set';
  converter?: IAsnConverter;
}

/** A context-tagged component `name [tag] Type`. CHOICE types get an EXPLICIT tag (X.680 §31.2.7). */
export function Tagged(tag: number, type: ComponentType, options: ComponentOptions = {}) {
  return (target: object, property: string): void => {
    if (isSchemaClass(type) && !registry.has(type)) {
      throw new Error(`${type.name} must be declared before it is used as a component`);
    }
    const explicit = isSchemaClass(type) && registry.get(type)?.kind === 'choice';
    AsnProp({
      type,
      context: tag,
      implicit: !explicit,
      optional: options.optional,
      repeated: options.repeated,
      converter: options.converter,
    })(target, property);
    const list = pending.get(target) ?? [];
    const converter = isSchemaClass(type)
      ? undefined
      : (options.converter ?? defaultConverter(type) ?? undefined);
    list.push({ property, tag, type, explicit, repeated: options.repeated, converter });
    pending.set(target, list);
  };
}
