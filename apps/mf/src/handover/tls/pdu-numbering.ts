import { StreamKey, streamId } from '../outbox/outbox-store';

const UINT32 = 2 ** 32;

/**
 * The next PS-PDU sequence number (TS 102 232-1 PSHeader.sequenceNumber) per stream — LIID, CIN
 * and scope (IRI or CC) — for the records a TLS worker writes on one connection.
 *
 * A stream's number is read from `hi2_counter` before its first record on the connection, then
 * counted here. It is forgotten again once a confirmation stored the stream's counter and no
 * record of the stream was written since: the number here then equals the stored one, so no
 * record of the stream is unconfirmed, nor confirmed with its counter still being stored, and the
 * stream's next record reads the stored counter again. Otherwise every stream (call) ever
 * delivered on the connection kept an entry: one per session opened, never freed.
 */
export class PduNumbering {
  private readonly next = new Map<string, number>();
  /** Counters stored by confirmations since `forgetSettled`: stream → value stored. */
  private readonly settled = new Map<string, number>();

  /** The streams among `keys` whose number is to be read from `hi2_counter`. */
  missing(keys: readonly StreamKey[]): StreamKey[] {
    return keys.filter((k) => !this.next.has(streamId(k)));
  }

  /** Takes in the stored counters of `keys` (read by stream id; a stream without one starts at 0). */
  load(keys: readonly StreamKey[], stored: ReadonlyMap<string, number>): void {
    for (const k of keys) this.next.set(streamId(k), stored.get(streamId(k)) ?? 0);
  }

  /** The number of the stream's next record. */
  peek(key: StreamKey): number {
    return this.next.get(streamId(key)) ?? 0;
  }

  /** A record of the stream was written with number `pduSeq`. */
  written(key: StreamKey, pduSeq: number): void {
    this.next.set(streamId(key), (pduSeq + 1) % UINT32);
  }

  /** A confirmation stored these counters (stream id → next number) in `hi2_counter`. */
  stored(counters: ReadonlyMap<string, { next: number }>): void {
    for (const [id, c] of counters) this.settled.set(id, c.next);
  }

  /**
   * Forgets the streams whose stored counter is their number here (see the class doc). Only
   * between batches: a stream forgotten after its batch read the counters would be numbered 0.
   */
  forgetSettled(): void {
    for (const [id, next] of this.settled) if (this.next.get(id) === next) this.next.delete(id);
    this.settled.clear();
  }

  /** The connection ended: every stream reads its stored counter again. */
  clear(): void {
    this.next.clear();
    this.settled.clear();
  }
}
