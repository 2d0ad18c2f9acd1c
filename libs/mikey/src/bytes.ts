import { MikeyCryptoError, MikeyDecodeError } from './errors';

/** Bounds-checked big-endian reader over a Buffer (every read checks the remaining length). */
export class ByteReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.pos) {
      throw new MikeyDecodeError(
        'TRUNCATED',
        this.pos,
        `${what} needs ${n} octets, ${this.end - this.pos} left`,
      );
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A copy of the next `n` octets (copies so that decoded values never alias the input). */
  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }
}

/** Growable big-endian writer with range checks on every field. */
export class ByteWriter {
  private readonly parts: Buffer[] = [];
  private len = 0;

  get length(): number {
    return this.len;
  }

  private push(b: Buffer): void {
    this.parts.push(b);
    this.len += b.length;
  }

  private check(v: number, max: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > max) {
      throw new MikeyCryptoError('INVALID_ARGUMENT', `${what} must be an integer 0..${max}`);
    }
  }

  u8(v: number, what: string): void {
    this.check(v, 0xff, what);
    this.push(Buffer.of(v));
  }

  u16(v: number, what: string): void {
    this.check(v, 0xffff, what);
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    this.push(b);
  }

  u32(v: number, what: string): void {
    this.check(v, 0xffffffff, what);
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    this.push(b);
  }

  bytes(b: Uint8Array): void {
    this.push(Buffer.from(b));
  }

  /** Writes a length field of `lenOctets` (1 or 2) followed by the data. */
  lengthPrefixed(b: Uint8Array, lenOctets: 1 | 2, what: string): void {
    if (lenOctets === 1) this.u8(b.length, `${what} length`);
    else this.u16(b.length, `${what} length`);
    this.bytes(b);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts, this.len);
  }
}
