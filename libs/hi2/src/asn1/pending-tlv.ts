/**
 * DER/BER TLVs built as a tree and written once (X.690 §8.1): each TLV keeps its identifier
 * octets, its contents as pieces (nested TLVs or finished octets) and its contents length, so a
 * record's large OCTET STRINGs are copied once into the result instead of once per nesting level.
 * Lengths are definite, in the minimal form (§8.1.3, DER §10.1).
 */
export interface PendingTlv {
  id: Buffer;
  pieces: Array<PendingTlv | Buffer>;
  /** Contents length in octets. */
  size: number;
}

/** Octets of a definite length `n` in the minimal form. */
function lengthSize(n: number): number {
  if (n < 0x80) return 1;
  let octets = 1;
  for (let v = n; v > 0xff; v = Math.floor(v / 256)) octets++;
  return 1 + octets;
}

function writeLength(n: number, out: Buffer, at: number): number {
  if (n < 0x80) {
    out[at] = n;
    return at + 1;
  }
  const octets = lengthSize(n) - 1;
  out[at] = 0x80 | octets;
  for (let i = octets, v = n; i > 0; i--, v = Math.floor(v / 256)) out[at + i] = v & 0xff;
  return at + 1 + octets;
}

/** Encoded size of a piece: finished octets, or identifier + length + contents. */
export function encodedSize(p: PendingTlv | Buffer): number {
  return Buffer.isBuffer(p) ? p.length : p.id.length + lengthSize(p.size) + p.size;
}

export function pendingTlv(id: Buffer, pieces: Array<PendingTlv | Buffer>): PendingTlv {
  let size = 0;
  for (const p of pieces) size += encodedSize(p);
  return { id, pieces, size };
}

function write(p: PendingTlv | Buffer, out: Buffer, at: number): number {
  if (Buffer.isBuffer(p)) return at + p.copy(out, at);
  at += p.id.copy(out, at);
  at = writeLength(p.size, out, at);
  for (const c of p.pieces) at = write(c, out, at);
  return at;
}

/** The octets of `p`, in one buffer of the exact size. */
export function serializeTlv(p: PendingTlv): Buffer {
  const out = Buffer.allocUnsafe(encodedSize(p));
  write(p, out, 0);
  return out;
}

const singleOctetIds: Buffer[] = [];

/** The identifier buffer of a one-octet identifier (tag numbers 0..30), shared. */
export function identifierOctet(id: number): Buffer {
  return (singleOctetIds[id] ??= Buffer.of(id));
}
