/** Storage kept between `BackwardBuffer.written` calls; none after a throw (the next allocates). */
let spare: Buffer | undefined;
const STORAGE_SIZE = 8 * 1024;
/** Storage grown beyond this (a record with a very large SIP message) is not kept. */
const STORAGE_KEPT_MAX = 256 * 1024;

/** Where SET OF elements are put while they are reordered (grown when needed). */
let sortSpace = new Uint8Array(1024);

const singleOctetIds: Buffer[] = [];

/** The identifier octets of a one-octet identifier (tag numbers 0..30, X.690 §8.1.2.2), shared. */
export function identifierOctet(id: number): Buffer {
  return (singleOctetIds[id] ??= Buffer.of(id));
}

/**
 * Octets written back to front, for DER in one pass: the contents of a TLV are written before
 * its identifier and length, so every length is known when it is written (X.690 §8.1.3 definite
 * form, DER §10.1 minimal) and nothing is measured first or moved afterwards. A constructed value
 * writes its components last to first. Positions are kept as `size` (octets written so far),
 * which stays valid when the buffer grows.
 */
export class BackwardBuffer {
  private buf: Buffer;
  private pos: number;

  /**
   * Runs `write` on a BackwardBuffer and returns the octets it wrote, in a buffer of their exact
   * size. The working storage is cleared and kept for the next call (a nested call gets its own).
   */
  static written(write: (out: BackwardBuffer) => void): Buffer {
    const out = new BackwardBuffer(spare ?? Buffer.allocUnsafe(STORAGE_SIZE));
    spare = undefined;
    write(out);
    const octets = out.result();
    if (out.buf.length <= STORAGE_KEPT_MAX) {
      out.view(out.pos, out.size).fill(0); // records carry key material: none kept behind
      spare = out.buf;
    }
    return octets;
  }

  /** Writes into `storage` (its old contents are overwritten), growing it when needed. */
  private constructor(storage: Buffer) {
    this.buf = storage;
    this.pos = storage.length;
  }

  /** Octets written so far. */
  get size(): number {
    return this.buf.length - this.pos;
  }

  /** Octets in front of those written so far. */
  octets(b: Uint8Array): void {
    const n = b.length;
    if (n > this.pos) this.grow(n);
    const at = (this.pos -= n);
    // Short pieces (tags, keys, small strings) are cheaper to copy in a loop than natively.
    if (n < 32) for (let i = 0; i < n; i++) this.buf[at + i] = b[i];
    else this.buf.set(b, at);
  }

  /** A string of code points 0..255, one octet each (the time types' ASCII digits). */
  latin1(text: string): void {
    const n = text.length;
    if (n > this.pos) this.grow(n);
    const at = (this.pos -= n);
    for (let i = 0; i < n; i++) this.buf[at + i] = text.charCodeAt(i);
  }

  /** Minimal two's-complement contents of a non-negative safe integer (X.690 §8.3.2). */
  unsigned(n: number): void {
    if (this.pos < 8) this.grow(8);
    let at = this.pos;
    let v = n;
    do {
      this.buf[--at] = v % 256;
      v = Math.floor(v / 256);
    } while (v > 0);
    if (this.buf[at] & 0x80) this.buf[--at] = 0;
    this.pos = at;
  }

  /**
   * Identifier octets `id` and the definite length `length` in the minimal form, in front of the
   * `length` contents octets written last.
   */
  header(id: Uint8Array, length: number): void {
    if (this.pos < id.length + 9) this.grow(id.length + 9);
    let at = this.pos;
    if (length < 0x80) this.buf[--at] = length;
    else {
      let count = 0;
      for (let v = length; v > 0; v = Math.floor(v / 256), count++) this.buf[--at] = v % 256;
      this.buf[--at] = 0x80 | count;
    }
    for (let i = id.length - 1; i >= 0; i--) this.buf[--at] = id[i];
    this.pos = at;
  }

  /** The TLV `id` around what `contents` writes (several TLVs: the last one first). */
  constructed(id: Uint8Array, contents: () => void): void {
    const before = this.size;
    contents();
    this.header(id, this.size - before);
  }

  /** The TLV `id` around the octets `contents`. */
  tlv(id: Uint8Array, contents: Uint8Array): void {
    this.octets(contents);
    this.header(id, contents.length);
  }

  /** The TLV `id` around a non-negative INTEGER or ENUMERATED value (X.690 §8.3, §8.4). */
  unsignedTlv(id: Uint8Array, n: number): void {
    const before = this.size;
    this.unsigned(n);
    this.header(id, this.size - before);
  }

  /** The TLV `id` around a string of code points 0..255 (PrintableString, time types). */
  latin1Tlv(id: Uint8Array, text: string): void {
    this.latin1(text);
    this.header(id, text.length);
  }

  /**
   * Reorders the runs written last, whose lengths are `lengths` from the front, in ascending
   * order of their octets, the shorter first when one is a prefix of the other (Buffer.compare:
   * the DER SET OF order, X.690 §11.6). Insertion sort: sets are small.
   */
  sortRuns(lengths: readonly number[]): void {
    const n = lengths.length;
    const starts: number[] = [];
    let total = 0;
    let inOrder = true;
    for (let i = 0; i < n; i++) {
      starts.push(total);
      total += lengths[i];
      // Each run against the one before, in place: runs already in order need no copy.
      if (i > 0 && inOrder) {
        const previous = this.pos + starts[i - 1];
        inOrder =
          compareRuns(this.buf, previous, lengths[i - 1], this.pos + starts[i], lengths[i]) <= 0;
      }
    }
    if (inOrder) return;
    if (sortSpace.length < total) sortSpace = new Uint8Array(2 * total);
    const runs = sortSpace;
    runs.set(this.view(this.pos, total));
    const order: number[] = [];
    for (let i = 0; i < n; i++) {
      let j = i;
      for (; j > 0; j--) {
        const k = order[j - 1];
        if (compareRuns(runs, starts[k], lengths[k], starts[i], lengths[i]) <= 0) break;
        order[j] = k;
      }
      order[j] = i;
    }
    let at = this.pos;
    for (const i of order) {
      this.buf.set(new Uint8Array(runs.buffer, starts[i], lengths[i]), at);
      at += lengths[i];
    }
  }

  private result(): Buffer {
    const out = Buffer.allocUnsafe(this.size);
    out.set(this.view(this.pos, this.size));
    return out;
  }

  /** A plain view of part of the storage (cheaper to make than a Buffer subarray). */
  private view(start: number, length: number): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset + start, length);
  }

  private grow(n: number): void {
    const used = this.size;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, used + n + 64));
    bigger.set(this.view(this.pos, used), bigger.length - used);
    this.pos = bigger.length - used;
    this.buf = bigger;
  }
}

/**
 * Octet-wise comparison of two runs of `buf`, the shorter first when one is a prefix of the other
 * (as Buffer.compare; in JS, cheaper for SET OF elements: they are short and differ early).
 */
function compareRuns(
  buf: Uint8Array,
  a: number,
  aLength: number,
  b: number,
  bLength: number,
): number {
  const n = Math.min(aLength, bLength);
  for (let i = 0; i < n; i++) {
    const d = buf[a + i] - buf[b + i];
    if (d !== 0) return d;
  }
  return aLength - bLength;
}
