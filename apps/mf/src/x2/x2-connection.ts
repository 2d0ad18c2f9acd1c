import type { TLSSocket } from 'node:tls';
import {
  checkX2Pdu,
  encodeX2Keepalive,
  X2AttributeType,
  X2DecodeError,
  X2Limits,
  X2Pdu,
  X2PduType,
  X2StreamFramer,
} from '@app/x2';
import { x2Metrics } from './x2-metrics';

/** Who sent a PDU: the NE's certificate identity and address. */
export interface X2Source {
  connectionId: string;
  neIdentity: string;
  remoteAddress: string;
}

/**
 * Receives the X2/X3 PDUs of a connection. The promise resolves once the PDUs' consequences
 * (records, audit entries) are committed; until then the connection counts them as in flight.
 */
export interface X2PduSink {
  submit(pdus: X2Pdu[], source: X2Source): Promise<void>;
}

export interface X2ConnectionLimits extends X2Limits {
  maxPdusPerSecond: number;
  idleTimeoutMs: number;
  /** A PDU must be complete this long after its first octet was read (see X2Connection). */
  pduTimeoutMs: number;
  /**
   * PDUs handed to the sink and not yet committed at which reading pauses (TCP backpressure to
   * the NE). Counted in PDUs, not reads: an NE that writes one PDU per TLS record must still be
   * able to fill a pipeline batch while the previous one commits.
   */
  maxInFlightPdus: number;
}

export type X2CloseReason =
  | 'peer-closed'
  | 'framing-error'
  | 'idle-timeout'
  | 'pdu-timeout'
  | 'socket-error'
  | 'shutdown'
  | 'sink-error';

/**
 * One NE connection (TS 103 221-2 §6): frames the TLS byte stream, answers keepalives with a
 * keepalive acknowledgement echoing the sequence number (§6.2.4), hands X2/X3 PDUs to the
 * sink, and enforces the per-connection limits.
 *
 * - Keepalive acknowledgement as a commit barrier: §6.2.4 only asks the ack to echo the
 *   sequence number; we send it once every PDU received on the connection before the keepalive
 *   is committed (usually at once, the next batch takes milliseconds), so an NE may treat an
 *   ack as "everything before it was accepted". Waiting keepalives count as in flight for the
 *   pause below. The wait is bounded by the sink: while the database is briefly unavailable it
 *   retries for at most DB_OUTAGE_MAX_MS, then fails, and a failed submission closes the
 *   connection without answering the keepalives still waiting: the NE must then take every PDU
 *   after its last acknowledged keepalive as not accepted.
 * - Idle timeout: counts only while nothing is in flight (an outage is our silence, not the NE's).
 * - Rate: a token bucket of `maxPdusPerSecond` (burst = one second's worth); PDUs beyond it
 *   wait, with reading paused, so a fast NE is slowed by TCP flow control, never dropped.
 * - Acceptance: TS 103 221-2 has no application acknowledgement; reading pauses while
 *   `maxInFlightPdus` PDUs are uncommitted, so the NE's TCP window, not our memory, absorbs a
 *   slow database.
 * - A framing error closes the connection (the stream cannot resynchronise); a PDU with odd
 *   field values is counted and still delivered to the sink, which decides.
 * - PDU deadline: the idle timeout restarts on every octet, so an NE trickling a PDU (slow
 *   loris) would hold the connection and a partial buffer for ever. A PDU must therefore be
 *   complete `pduTimeoutMs` after its first octet was read, else the connection is destroyed
 *   (`pdu-timeout`). Only time while we read counts: the clock stops while reading is paused
 *   (rate limit, backpressure: the rest may be waiting in our receive buffer) and restarts in
 *   full when reading resumes.
 */
export class X2Connection {
  private readonly framer: X2StreamFramer;
  private tokens: number;
  private lastRefill = Date.now();
  /** Sink submissions not yet settled, and the PDUs in them. */
  private inFlight = 0;
  private inFlightPdus = 0;
  private rateTimer: NodeJS.Timeout | undefined;
  private pduTimer: NodeJS.Timeout | undefined;
  /** Framed PDUs waiting for rate-limit tokens. */
  private readonly backlog: X2Pdu[] = [];
  /** PDUs framed so far (keepalives excluded) and PDUs handed to the sink so far. */
  private received = 0;
  private submitted = 0;
  /** Sink submissions not yet settled, in order, as PDU index ranges [start, end). */
  private readonly unsettled: Array<{ start: number; end: number; settled: boolean }> = [];
  /** Keepalives waiting until the PDUs received before them (`after`) are committed. */
  private readonly keepalives: Array<{ after: number; seq: number }> = [];
  private closing = false;
  private drained: Promise<void> = Promise.resolve();
  private resolveDrained: (() => void) | undefined;

  constructor(
    private readonly socket: TLSSocket,
    readonly source: X2Source,
    private readonly limits: X2ConnectionLimits,
    private readonly sink: X2PduSink,
    private readonly onClose: (c: X2Connection, reason: X2CloseReason, detail?: string) => void,
  ) {
    this.framer = new X2StreamFramer(limits);
    this.tokens = limits.maxPdusPerSecond;
    socket.setTimeout(limits.idleTimeoutMs);
    socket.on('timeout', () => {
      if (this.inFlight === 0 && this.backlog.length === 0) this.close('idle-timeout');
      else socket.setTimeout(limits.idleTimeoutMs); // our silence, not the NE's: another period
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      const failedBefore = this.framer.error !== undefined; // already counted in onData
      const err = this.framer.end();
      // a stream cut inside a PDU is a framing error (TRUNCATED) like any other
      if (err && !failedBefore) x2Metrics.framingErrors.inc({ code: err.code });
      this.close(err ? 'framing-error' : 'peer-closed', err && describe(err));
    });
    socket.on('error', (e: Error) => this.close('socket-error', e.message));
    socket.on('close', () => this.close('peer-closed'));
    socket.on('pause', () => this.stopPduClock());
    socket.on('resume', () => this.startPduClock());
  }

  /** Stops reading, waits for in-flight batches to commit, then ends the connection. */
  async shutdown(): Promise<void> {
    this.socket.pause();
    if (this.rateTimer) clearTimeout(this.rateTimer);
    this.rateTimer = undefined;
    if (this.backlog.length) this.submit(this.backlog.splice(0));
    await this.drained;
    this.close('shutdown');
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return; // see close()
    x2Metrics.octets.inc(chunk.length);
    const { pdus, error } = this.framer.feed(chunk);
    for (const pdu of pdus) {
      const type = pdu.pduType as X2PduType;
      if (type === X2PduType.Keepalive) {
        // A malformed Sequence Number counts as none (sequenceNumber() would throw out of
        // this socket handler: an uncaught exception that ended the process).
        const seq = pdu.wellFormedAttribute(X2AttributeType.SequenceNumber);
        x2Metrics.pdus.inc({ type: 'keepalive' });
        if (seq?.kind === 'sequenceNumber')
          this.keepalives.push({ after: this.received, seq: seq.sequenceNumber });
        else x2Metrics.pduIssues.inc({ code: 'KEEPALIVE_WITHOUT_SEQUENCE_NUMBER' });
        continue;
      }
      x2Metrics.pdus.inc({
        type: type === X2PduType.X3 ? 'x3' : type === X2PduType.X2 ? 'x2' : 'other',
      });
      for (const issue of checkX2Pdu(pdu)) x2Metrics.pduIssues.inc({ code: issue.code });
      this.backlog.push(pdu);
      this.received++;
    }
    if (pdus.length) this.stopPduClock(); // what is buffered now, if anything, is a new PDU
    this.startPduClock();
    this.release();
    this.acknowledge();
    if (this.keepalives.length && !this.mayRead()) this.socket.pause();
    if (error) {
      x2Metrics.framingErrors.inc({ code: error.code });
      this.close('framing-error', describe(error));
    }
  }

  /**
   * Hands as many backlog PDUs to the sink as the token bucket allows; the rest wait, with
   * reading paused, until tokens refill. The backlog never exceeds the PDUs of one chunk.
   */
  private release(): void {
    const now = Date.now();
    const rate = this.limits.maxPdusPerSecond;
    this.tokens = Math.min(rate, this.tokens + ((now - this.lastRefill) * rate) / 1000);
    this.lastRefill = now;
    const n = Math.min(this.backlog.length, Math.floor(this.tokens));
    if (n > 0) {
      this.tokens -= n;
      this.submit(this.backlog.splice(0, n));
    }
    if (this.backlog.length === 0 || this.rateTimer || this.closing) return;
    this.socket.pause();
    const wait = Math.ceil(((Math.min(this.backlog.length, rate) - this.tokens) * 1000) / rate);
    this.rateTimer = setTimeout(() => {
      this.rateTimer = undefined;
      this.release();
      this.resumeIfAllowed();
    }, wait);
  }

  private submit(pdus: X2Pdu[]): void {
    if (this.inFlight++ === 0) this.drained = new Promise((r) => (this.resolveDrained = r));
    this.inFlightPdus += pdus.length;
    const range = { start: this.submitted, end: (this.submitted += pdus.length), settled: false };
    this.unsettled.push(range);
    if (!this.mayRead()) this.socket.pause();
    this.sink.submit(pdus, this.source).then(
      () => this.settle(range),
      (e: unknown) => {
        // Not committed: close so that the NE sees the failure (TCP reset) instead of silence,
        // and before settling, so that no keepalive after these PDUs is acknowledged.
        this.close('sink-error', e instanceof Error ? e.message : String(e));
        this.settle(range);
      },
    );
  }

  private settle(range: { start: number; end: number; settled: boolean }): void {
    range.settled = true;
    while (this.unsettled[0]?.settled) this.unsettled.shift();
    this.inFlight--;
    this.inFlightPdus -= range.end - range.start;
    this.acknowledge();
    if (this.inFlight === 0 && this.backlog.length === 0) this.resolveDrained?.();
    this.resumeIfAllowed();
  }

  /** Answers the keepalives whose earlier PDUs are all committed (§6.2.4, see above). */
  private acknowledge(): void {
    const committed = this.unsettled[0]?.start ?? this.submitted;
    while (!this.closing && this.keepalives.length && this.keepalives[0].after <= committed) {
      const { seq } = this.keepalives.shift()!;
      this.socket.write(encodeX2Keepalive(X2PduType.KeepaliveAcknowledgement, seq));
    }
  }

  /** Below the in-flight limit (PDUs not committed plus keepalives waiting for them). */
  private mayRead(): boolean {
    return this.inFlightPdus + this.keepalives.length < this.limits.maxInFlightPdus;
  }

  private resumeIfAllowed(): void {
    if (!this.closing && this.mayRead() && this.backlog.length === 0) this.socket.resume();
  }

  /** Runs the PDU deadline while a PDU is incomplete and reading is on (class comment). */
  private startPduClock(): void {
    const buffered = this.framer.bufferedOctets;
    if (this.pduTimer || this.closing || buffered === 0 || this.socket.isPaused()) return;
    const ms = this.limits.pduTimeoutMs;
    this.pduTimer = setTimeout(() => {
      const detail = `PDU incomplete ${ms} ms after its first octet (${this.framer.bufferedOctets} octets)`;
      this.close('pdu-timeout', detail);
    }, ms);
  }

  private stopPduClock(): void {
    clearTimeout(this.pduTimer);
    this.pduTimer = undefined;
  }

  private close(reason: X2CloseReason, detail?: string): void {
    if (this.closing) return;
    this.closing = true;
    if (this.rateTimer) clearTimeout(this.rateTimer);
    this.rateTimer = undefined;
    this.stopPduClock();
    // PDUs already framed were received whole: they go to the sink whatever ends the stream.
    if (this.backlog.length) this.submit(this.backlog.splice(0));
    if (
      reason === 'framing-error' ||
      reason === 'sink-error' ||
      reason === 'idle-timeout' ||
      reason === 'pdu-timeout'
    )
      this.socket.destroy();
    else {
      this.socket.end();
      // Octets the NE sent that we never read (reading paused) were never accepted: read and
      // drop them, or the close would wait behind them for the NE's end of stream forever.
      this.socket.resume();
    }
    this.onClose(this, reason, detail);
  }
}

function describe(e: X2DecodeError): string {
  return `${e.code} at stream offset ${e.offset}: ${e.message}`;
}
