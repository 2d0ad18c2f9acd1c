import { X2_FIXED_HEADER_LENGTH } from './x2-constants';
import { X2DecodeError } from './x2-errors';
import { X2Limits, X2Pdu, X2_DEFAULT_LIMITS, readX2PduLength } from './x2-pdu';

/** PDUs completed by one chunk, and the error that ended the stream if there was one. */
export interface X2FeedResult {
  pdus: X2Pdu[];
  /** Set once the stream is broken; every later feed returns a STREAM_FAILED error. */
  error?: X2DecodeError;
}

/**
 * Frames X2/X3 PDUs out of a TLS byte stream (TS 103 221-2 §6: PDUs are sent back to back on
 * the connection; Header Length + Payload Length give each PDU's size).
 *
 * - PDUs that lie inside one chunk are returned as views into that chunk (no copy); the caller
 *   must not modify a chunk after feeding it (Node's socket buffers are never reused).
 * - A PDU split over chunks is copied once into a buffer of its exact size, allocated only
 *   after its header passed the limits, so memory per connection is bounded by
 *   maxHeaderLength + maxPayloadLength.
 * - The first framing error is final: the position of the next PDU is unknown, so the
 *   connection cannot resynchronise and must be closed.
 */
export class X2StreamFramer {
  private readonly limits: X2Limits;
  /** Collects the first 40 octets of a PDU split over chunks. */
  private readonly headerScratch = Buffer.allocUnsafe(X2_FIXED_HEADER_LENGTH);
  private headerFill = 0;
  /** Exact-size buffer of a PDU whose header is known but whose body is incomplete. */
  private partial: Buffer | undefined;
  private partialFill = 0;
  private partialStart = 0;
  private consumed = 0;
  private failure: X2DecodeError | undefined;
  private firstVersion: { major: number; minor: number } | undefined;

  constructor(limits: Partial<X2Limits> = {}) {
    this.limits = { ...X2_DEFAULT_LIMITS, ...limits };
  }

  /** Version of the first PDU on this stream (for the "version seen" log line, §5.2.1). */
  get peerVersion(): { major: number; minor: number } | undefined {
    return this.firstVersion;
  }

  /** Octets held for an incomplete PDU. */
  get bufferedOctets(): number {
    return this.partial ? this.partialFill : this.headerFill;
  }

  get error(): X2DecodeError | undefined {
    return this.failure;
  }

  feed(chunk: Buffer): X2FeedResult {
    const pdus: X2Pdu[] = [];
    if (this.failure) {
      return {
        pdus,
        error: new X2DecodeError('STREAM_FAILED', 'stream already failed', this.consumed),
      };
    }
    try {
      this.frame(chunk, pdus);
    } catch (e) {
      if (!(e instanceof X2DecodeError)) throw e;
      this.failure = e;
      this.partial = undefined;
      this.headerFill = 0;
      return { pdus, error: e };
    }
    return { pdus };
  }

  /**
   * Call when the peer closed the connection: returns a TRUNCATED error if a PDU was cut off.
   */
  end(): X2DecodeError | undefined {
    if (this.failure) return this.failure;
    if (this.partial || this.headerFill > 0) {
      const start = this.partial ? this.partialStart : this.consumed - this.headerFill;
      this.failure = new X2DecodeError('TRUNCATED', 'connection ended inside a PDU', start);
    }
    return this.failure;
  }

  private frame(chunk: Buffer, pdus: X2Pdu[]): void {
    const base = this.consumed; // stream offset of chunk[0]
    const length = chunk.length;
    this.consumed = base + length;
    let pos = 0;

    if (this.headerFill > 0) {
      const start = base - this.headerFill;
      const take = Math.min(X2_FIXED_HEADER_LENGTH - this.headerFill, length);
      chunk.copy(this.headerScratch, this.headerFill, 0, take);
      this.headerFill += take;
      pos = take;
      if (this.headerFill < X2_FIXED_HEADER_LENGTH) return;
      const total = this.checkHeader(this.headerScratch, 0, start);
      this.headerFill = 0;
      this.partial = Buffer.allocUnsafe(total);
      this.headerScratch.copy(this.partial, 0);
      this.partialFill = X2_FIXED_HEADER_LENGTH;
      this.partialStart = start;
    }

    if (this.partial) {
      const take = Math.min(this.partial.length - this.partialFill, length - pos);
      chunk.copy(this.partial, this.partialFill, pos, pos + take);
      this.partialFill += take;
      pos += take;
      if (this.partialFill < this.partial.length) return;
      const complete = this.partial;
      this.partial = undefined;
      pdus.push(X2Pdu.fromFramedOctets(complete, this.partialStart));
    }

    while (length - pos >= X2_FIXED_HEADER_LENGTH) {
      const total = this.checkHeader(chunk, pos, base + pos);
      if (length - pos < total) {
        this.partial = Buffer.allocUnsafe(total);
        chunk.copy(this.partial, 0, pos, length);
        this.partialFill = length - pos;
        this.partialStart = base + pos;
        return;
      }
      pdus.push(X2Pdu.fromFramedOctets(chunk.subarray(pos, pos + total), base + pos));
      pos += total;
    }

    if (pos < length) {
      chunk.copy(this.headerScratch, 0, pos, length);
      this.headerFill = length - pos;
    }
  }

  private checkHeader(buf: Buffer, offset: number, streamOffset: number): number {
    try {
      const total = readX2PduLength(buf, offset, this.limits);
      this.firstVersion ??= { major: buf[offset], minor: buf[offset + 1] };
      return total;
    } catch (e) {
      if (e instanceof X2DecodeError) {
        throw new X2DecodeError(e.code, e.message, streamOffset);
      }
      throw e;
    }
  }
}
