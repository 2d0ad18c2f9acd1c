import type { FuzzOutcome, FuzzStrategy } from './fuzz';
import type { SeededRandom } from './seeded-random';

/**
 * Byte-level mutations of valid inputs for the codec fuzz specs (test/support/fuzz.ts). Every
 * mutator returns a new buffer or a view; the input is never modified, so corpus entries can
 * be shared by all cases.
 */

/** Octets at the edges of the signed and unsigned 8-bit ranges. */
export const BOUNDARY_OCTETS: readonly number[] = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

/** A big-endian length or count field of an input. */
export interface NumericField {
  offset: number;
  width: 1 | 2 | 4;
}

/** One to four single-bit flips. */
export function flipBits(rnd: SeededRandom, input: Buffer): Buffer {
  const out = Buffer.from(input);
  if (out.length === 0) return out;
  for (let n = rnd.int(1, 4); n > 0; n--) out[rnd.int(0, out.length - 1)] ^= 1 << rnd.int(0, 7);
  return out;
}

/** One to four octets replaced by a value of `values`. */
export function setOctets(
  rnd: SeededRandom,
  input: Buffer,
  values: readonly number[] = BOUNDARY_OCTETS,
): Buffer {
  const out = Buffer.from(input);
  if (out.length === 0) return out;
  for (let n = rnd.int(1, 4); n > 0; n--) out[rnd.int(0, out.length - 1)] = rnd.pick(values);
  return out;
}

/** A proper prefix (possibly empty). */
export function truncate(rnd: SeededRandom, input: Buffer): Buffer {
  return input.subarray(0, rnd.int(0, Math.max(0, input.length - 1)));
}

/** 1 to 16 random octets inserted anywhere. */
export function insertRandom(rnd: SeededRandom, input: Buffer): Buffer {
  const at = rnd.int(0, input.length);
  return Buffer.concat([input.subarray(0, at), rnd.bytes(rnd.int(1, 16)), input.subarray(at)]);
}

/** 1 to 32 octets removed from anywhere. */
export function deleteRange(rnd: SeededRandom, input: Buffer): Buffer {
  const at = rnd.int(0, input.length);
  return Buffer.concat([input.subarray(0, at), input.subarray(at + rnd.int(1, 32))]);
}

/** A slice of 1 to 32 octets repeated 2 to `maxTimes` times in place (oversized counts). */
export function repeatRange(rnd: SeededRandom, input: Buffer, maxTimes = 64): Buffer {
  const at = rnd.int(0, input.length);
  const slice = input.subarray(at, at + rnd.int(1, 32));
  const copies = new Array<Buffer>(rnd.int(2, maxTimes)).fill(slice);
  return Buffer.concat([input.subarray(0, at), ...copies, input.subarray(at + slice.length)]);
}

/** A prefix of `a` followed by a suffix of `b` (two valid inputs spliced). */
export function splice(rnd: SeededRandom, a: Buffer, b: Buffer): Buffer {
  return Buffer.concat([a.subarray(0, rnd.int(0, a.length)), b.subarray(rnd.int(0, b.length))]);
}

/**
 * One of `fields` set to a boundary value of its width: 0, 1, the maximum and one below it,
 * the sign bit and one below it, or the current value plus or minus one (modulo the width).
 */
export function corruptNumericField(
  rnd: SeededRandom,
  input: Buffer,
  fields: readonly NumericField[],
): Buffer {
  const out = Buffer.from(input);
  // fields past the end of a cut input are skipped by a few draws, not by filtering them all
  let field = fields.length > 0 ? rnd.pick(fields) : undefined;
  for (let n = 0; n < 4 && field && field.offset + field.width > out.length; n++) {
    field = rnd.pick(fields);
  }
  if (!field || field.offset + field.width > out.length) return out;
  const { offset, width } = field;
  const modulus = 2 ** (8 * width);
  const current = out.readUIntBE(offset, width);
  const value = rnd.pick([
    0,
    1,
    modulus - 1,
    modulus - 2,
    modulus / 2,
    modulus / 2 - 1,
    (current + 1) % modulus,
    (current + modulus - 1) % modulus,
  ]);
  out.writeUIntBE(value, offset, width);
  return out;
}

/** Two to five mutations of the above in a row (AFL's "havoc" stage). */
export function havoc(
  rnd: SeededRandom,
  input: Buffer,
  other: Buffer,
  fields: readonly NumericField[],
): Buffer {
  let out = input;
  for (let n = rnd.int(2, 5); n > 0; n--) {
    switch (rnd.int(0, 7)) {
      case 0:
        out = flipBits(rnd, out);
        break;
      case 1:
        out = setOctets(rnd, out);
        break;
      case 2:
        out = truncate(rnd, out);
        break;
      case 3:
        out = insertRandom(rnd, out);
        break;
      case 4:
        out = deleteRange(rnd, out);
        break;
      case 5:
        out = repeatRange(rnd, out, 8);
        break;
      case 6:
        out = splice(rnd, out, other);
        break;
      default:
        out = corruptNumericField(rnd, out, fields);
    }
  }
  return out;
}

/** A valid input of a corpus and the offsets of its length and count fields. */
export interface CorpusEntry {
  bytes: Buffer;
  fields: readonly NumericField[];
}

/**
 * One strategy per byte-level mutation over `corpus`, each passing its mutant (and the entry
 * it came from) to `consume`. Names are prefixed with `prefix`; `weight` as in FuzzStrategy.
 */
export function byteStrategies<E extends CorpusEntry>(
  prefix: string,
  corpus: readonly E[],
  consume: (input: Buffer, from: E, rnd: SeededRandom) => FuzzOutcome,
  weight = 1,
): FuzzStrategy[] {
  const mutations: [string, (rnd: SeededRandom, e: E) => Buffer][] = [
    ['bit flips', (rnd, e) => flipBits(rnd, e.bytes)],
    ['boundary octets', (rnd, e) => setOctets(rnd, e.bytes)],
    ['truncation', (rnd, e) => truncate(rnd, e.bytes)],
    ['insertion', (rnd, e) => insertRandom(rnd, e.bytes)],
    ['deletion', (rnd, e) => deleteRange(rnd, e.bytes)],
    ['repeated range', (rnd, e) => repeatRange(rnd, e.bytes)],
    ['length fields', (rnd, e) => corruptNumericField(rnd, e.bytes, e.fields)],
    ['splice', (rnd, e) => splice(rnd, e.bytes, rnd.pick(corpus).bytes)],
    ['havoc', (rnd, e) => havoc(rnd, e.bytes, rnd.pick(corpus).bytes, e.fields)],
  ];
  const hasFields = corpus.some((e) => e.fields.length > 0);
  return mutations
    .filter(([name]) => hasFields || name !== 'length fields')
    .map(([name, mutate]) => ({
      name: `${prefix}: ${name}`,
      weight,
      run: (rnd) => {
        const entry = rnd.pick(corpus);
        return consume(mutate(rnd, entry), entry, rnd);
      },
    }));
}
