import { Hi2DecodeError } from './errors';

/**
 * Splits the HI2 TLS byte stream into PS-PDUs. TS 102 232-1 sends PS-PDUs back to back over the
 * TCP/TLS connection with no extra framing: each is one BER TLV (universal SEQUENCE, 0x30), so the
 * outer length delimits it. Definite lengths only (what senders use; an indefinite outer length
 * cannot be framed without decoding), at most `maxPduBytes`; anything else is a typed error after
 * which the connection should be dropped.
 */
export class PsPduFramer {
  private buffered: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxPduBytes = 4 << 20) {}

  /** Adds received bytes; returns the PS-PDUs completed by them (complete TLVs, header included). */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length) {
      this.buffered.push(chunk);
      this.size += chunk.length;
    }
    const out: Buffer[] = [];
    for (;;) {
      if (this.size < 2) return out;
      const head = this.peek(6);
      if (head[0] !== 0x30)
        throw new Hi2DecodeError('UNEXPECTED_TAG', 'PS-PDU must start with SEQUENCE (0x30)');
      let headerLen = 2;
      let length = head[1];
      if (length === 0x80) throw new Hi2DecodeError('MALFORMED', 'indefinite length PS-PDU');
      if (length & 0x80) {
        const n = length & 0x7f;
        if (n > 4) throw new Hi2DecodeError('TOO_LARGE', 'PS-PDU length field too long');
        if (head.length < 2 + n) return out;
        length = 0;
        for (let i = 0; i < n; i++) length = length * 256 + head[2 + i];
        headerLen += n;
      }
      const total = headerLen + length;
      if (total > this.maxPduBytes)
        throw new Hi2DecodeError('TOO_LARGE', `PS-PDU larger than ${this.maxPduBytes} octets`);
      if (this.size < total) return out;
      const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
      out.push(Buffer.from(all.subarray(0, total)));
      const rest = all.subarray(total);
      this.buffered = rest.length ? [rest] : [];
      this.size = rest.length;
    }
  }

  /** Octets received but not yet part of a complete PS-PDU. */
  get pending(): number {
    return this.size;
  }

  private peek(n: number): Buffer {
    const first = this.buffered[0];
    if (first.length >= n || this.buffered.length === 1) return first.subarray(0, n);
    return Buffer.concat(this.buffered).subarray(0, n);
  }
}
