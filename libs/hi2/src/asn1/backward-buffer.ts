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

  /** Writes into `storage` (its old contents are overwritten), growing it when needed. */
  constructor(storage: Buffer) {
    this.buf = storage;
    this.pos = storage.length;
  }

  /** Octets written so far. */
  get size(): number {
    return this.buf.length - this.pos;
  }

  /** The current storage, for reuse by a later BackwardBuffer once `result` has been taken. */
  get storage(): Buffer {
    return this.buf;
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

  /**
   * Reorders the runs written last, whose lengths are `lengths` from the front, in ascending
   * order of their octets (Buffer.compare: the DER SET OF order, X.690 §11.6).
   */
  sortRuns(lengths: readonly number[]): void {
    let total = 0;
    let inOrder = true;
    for (let i = 0; i < lengths.length; i++) {
      const start = this.pos + total;
      const end = start + lengths[i];
      // Each run against the next, in place: runs already in order need no copy.
      if (inOrder && i + 1 < lengths.length)
        inOrder = this.buf.compare(this.buf, end, end + lengths[i + 1], start, end) <= 0;
      total += lengths[i];
    }
    if (inOrder) return;
    const copy = Buffer.allocUnsafe(total);
    this.buf.copy(copy, 0, this.pos, this.pos + total);
    const starts: number[] = [];
    for (let at = 0, i = 0; i < lengths.length; at += lengths[i], i++) starts.push(at);
    const order = starts.map((_, i) => i);
    // source.compare(target, …) < 0 when the source range sorts first: run a against run b.
    order.sort((a, b) =>
      copy.compare(copy, starts[b], starts[b] + lengths[b], starts[a], starts[a] + lengths[a]),
    );
    let at = this.pos;
    for (const i of order) at += copy.copy(this.buf, at, starts[i], starts[i] + lengths[i]);
  }

  /** The octets written, in a new buffer of their exact size. */
  result(): Buffer {
    const out = Buffer.allocUnsafe(this.size);
    this.buf.copy(out, 0, this.pos);
    return out;
  }

  private grow(n: number): void {
    const used = this.size;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, used + n + 64));
    this.buf.copy(bigger, bigger.length - used, this.pos);
    this.pos = bigger.length - used;
    this.buf = bigger;
  }
}
