import {
  decodePsPdu,
  EncodedPsPduWriter,
  encodePsPdu,
  Hi2DecodeError,
  PsPduBuilder,
} from '@app/hi2';
import { DestinationWorker, describeError, WorkerContext } from '../delivery/destination-worker';
import { deliveryMetrics as m } from '../delivery/delivery-metrics';
import { LeaDestinationEntity } from '../lea-destination.entity';
import { StreamKey, streamId } from '../outbox/outbox-store';
import { PduNumbering } from './pdu-numbering';
import { LinkEnd, TlsLink } from './tls-link';

/** A record written on the current connection and not yet confirmed. */
interface Unconfirmed {
  seq: number;
  attempts: number;
  key: StreamKey;
  pduSeq: number;
}

/** A keep-alive sent as a confirmation probe: it confirms every record written before it. */
interface Probe {
  lastSeq: number;
  sentAt: number;
}

const UINT32 = 2 ** 32;

/**
 * Drains one HI2 TLS destination over a persistent mutual-TLS connection: one TS 102 232-1
 * PS-PDU per record, in outbox order, PSHeader.sequenceNumber counted per LIID and CIN from 0
 * (the PS-PDU sequence of TS 102 232-1, kept in `hi2_counter` so that a resend carries the
 * same number and the LEMF can drop duplicates by it). Rows of kind CC (HI3 media, written by
 * the content pipeline) go as CC PS-PDUs in the same order, with a sequence of their own per LIID
 * and CIN (counter scope `cc`), so IRI and CC of one session are numbered independently.
 *
 * "Sent" and "confirmed": a record is sent when its PS-PDU was written to the TLS socket; it is
 * confirmed — and only then `delivered` in the outbox — when the LEMF answered a keep-alive
 * (TRIPayload keep-alive [3], TS 102 232-1 §6.3.4) that we wrote after it: the LEMF answers
 * keep-alives in stream order, so its keep-aliveResponse [4] proves that its session layer read
 * every PS-PDU before it. TCP gives no application acknowledgement of its own, and TS 102 232-1's
 * optional PDU acknowledgement (TRIPayload pDUAcknowledgementRequest/Response [12]/[13]) needs
 * the options exchange and LEMF support; the keep-alive answer works with every LEMF that
 * implements the mandatory keep-alive. It does not prove that the LEMF stored the record.
 * A probe follows every batch; at most HI2_TLS_WINDOW records are unconfirmed at a time; an idle
 * stream gets a keep-alive after HI2_TLS_KEEPALIVE_IDLE_MS (TIME1); no answer within
 * HI2_TLS_KEEPALIVE_TIMEOUT_MS (TIME3) ends the connection.
 *
 * Resend window: when the connection ends, every unconfirmed record is sent again on the next
 * connection (reconnect with exponential backoff and jitter), first one at a time, each confirmed
 * before the next: if the LEMF drops the connection again while exactly one record is in flight,
 * that record is counted as refused, and dead-lettered after HI2_MAX_ATTEMPTS (its PS-PDU number
 * is not reused). A resent record carries its first PS-PDU sequence number, because a stream's
 * counter is stored only with the confirmation of the records before it; when storing a
 * confirmation fails, the connection is ended so that the rows after it are not confirmed
 * ahead of it (TS 102 232-1 §6.3.3: what may be lost is sent again, before newer data).
 */
export class TlsWorker extends DestinationWorker {
  private readonly writer: EncodedPsPduWriter;
  private readonly responder: PsPduBuilder;
  private link?: TlsLink;
  private linkEnd?: LinkEnd;
  private unconfirmed: Unconfirmed[] = [];
  private probes: Probe[] = [];
  /** Last outbox seq written on this connection. */
  private cursor = 0;
  /** Next PS-PDU number per stream with a record in flight on this connection. */
  private readonly pduNext = new PduNumbering();
  /** Records up to this seq go one at a time (resend after a broken connection). */
  private suspectUpTo = 0;
  private suspectInFlight = false;
  private lastWriteAt = 0;
  private keepAliveSeq = 0;
  private confirming: Promise<void> = Promise.resolve();
  /** The connection whose confirmations stopped being recorded (see `confirm`). */
  private unrecorded?: TlsLink;

  constructor(ctx: WorkerContext, destination: LeaDestinationEntity) {
    super(ctx, destination);
    this.writer = new EncodedPsPduWriter(ctx.settings.psHeader);
    this.responder = new PsPduBuilder(ctx.settings.psHeader);
  }

  protected async step(): Promise<number> {
    const s = this.ctx.settings;
    if (!this.link || this.link.closed) {
      if (await this.linkDown()) return s.retryMaxMs;
      await this.open();
    }
    const link = this.link!;
    // Between batches: no batch has read counters it has not used yet.
    this.pduNext.forgetSettled();
    const now = Date.now();
    if (this.probes.length && now - this.probes[0].sentAt > s.keepAliveTimeoutMs)
      throw new Error(`no keep-aliveResponse within ${s.keepAliveTimeoutMs} ms`);
    const waitForConfirmation = Math.min(s.pollIntervalMs, s.keepAliveTimeoutMs);
    const suspect = this.cursor < this.suspectUpTo;
    if (suspect && this.unconfirmed.length) return waitForConfirmation;
    const room = s.tlsWindow - this.unconfirmed.length;
    if (room <= 0) return waitForConfirmation;
    const rows = await this.ctx.store.pending(this.id, {
      afterSeq: this.cursor,
      limit: suspect ? 1 : Math.min(s.batchSize, room),
    });
    if (!rows.length) {
      if (now - this.lastWriteAt >= s.keepAliveIdleMs) await this.probe(link);
      return this.unconfirmed.length ? waitForConfirmation : s.pollIntervalMs;
    }
    const keys = rows.map((r) => ({ liid: r.liid, cin: r.cin ?? -1, cc: r.iriType === 'CC' }));
    await this.loadCounters(keys);
    this.suspectInFlight = suspect;
    const pdus: Buffer[] = [];
    for (const [i, row] of rows.entries()) {
      if (!this.active || link.closed) return 0;
      const key = keys[i];
      const pduSeq = this.pduNext.peek(key);
      let pdu: Buffer;
      try {
        // CC rows hold one CCPayload (HI3, TS 102 232-1 + 102 232-5 IPMMCC) with the session's CIN.
        pdu = key.cc
          ? this.writer.cc(Buffer.from(row.liid, 'utf8'), row.payload, {
              sequenceNumber: pduSeq,
              cin: row.cin ?? 0,
            })
          : this.writer.iri(row.payload, {
              sequenceNumber: pduSeq,
              cin: row.cin ?? undefined,
            });
      } catch (e) {
        // Our own stored record does not wrap: no LEA can take it. Dead-letter it at once.
        if (!(e instanceof Hi2DecodeError)) throw e;
        await this.ctx.store.reject(this.id, [row.seq], `unwrappable record: ${e.message}`, 1);
        m.deadLetters.inc({ destination: this.id });
        this.cursor = row.seq;
        continue;
      }
      this.pduNext.written(key, pduSeq);
      this.unconfirmed.push({ seq: row.seq, attempts: row.attempts, key, pduSeq });
      this.cursor = row.seq;
      pdus.push(pdu);
    }
    await link.write(pdus);
    this.lastWriteAt = Date.now();
    await this.probe(link);
    return 0;
  }

  private async open(): Promise<void> {
    const d = this.destination;
    const s = this.ctx.settings;
    let link: TlsLink;
    try {
      link = await TlsLink.connect(
        {
          host: d.host,
          port: d.port,
          caFile: d.settings.caFile,
          certFile: d.settings.certFile ?? s.clientCertFile,
          keyFile: d.settings.keyFile ?? s.clientKeyFile,
          timeoutMs: s.connectTimeoutMs,
        },
        (pdu) => this.received(pdu),
      );
    } catch (e) {
      m.failures.inc({ destination: d.id, transport: 'tls', kind: 'connect' });
      throw new Error(`connect to ${d.host}:${d.port}: ${describeError(e)}`);
    }
    this.link = link;
    this.linkEnd = undefined;
    this.lastWriteAt = Date.now();
    m.connected.set({ destination: d.id }, 1);
    link.onEnd((end) => {
      this.linkEnd = end;
      m.connected.set({ destination: d.id }, 0);
      this.wake();
    });
  }

  /**
   * After a connection ended: counts a refusal if it looks like one, then resets the window.
   * True when the destination refuses everything (dead-letter guard): wait before reconnecting.
   */
  private async linkDown(): Promise<boolean> {
    // Confirmations already received land first: a refusal below may move a PS-PDU counter
    // past the refused record, and an older confirmation committed after it would move it back.
    await this.confirming;
    const end = this.linkEnd;
    const lost = this.unconfirmed;
    this.link = undefined;
    this.linkEnd = undefined;
    this.unrecorded = undefined;
    this.unconfirmed = [];
    this.probes = [];
    let paused = false;
    if (lost.length) {
      m.failures.inc({ destination: this.id, transport: 'tls', kind: 'transfer' });
      this.suspectUpTo = Math.max(this.suspectUpTo, this.cursor);
      if (end?.byPeer && this.suspectInFlight && lost.length === 1) {
        const [x] = lost;
        const skip = new Map([[x.seq, { key: x.key, next: (x.pduSeq + 1) % UINT32 }]]);
        ({ paused } = await this.refuse(
          [x],
          `LEA ended the connection before confirming the record${end.error ? ` (${end.error})` : ''}`,
          skip,
        ));
      }
    }
    this.cursor = 0;
    this.pduNext.clear();
    return paused;
  }

  private async loadCounters(keys: StreamKey[]): Promise<void> {
    const missing = this.pduNext.missing(keys);
    if (!missing.length) return;
    this.pduNext.load(missing, await this.ctx.store.pduCounters(this.id, missing));
  }

  private async probe(link: TlsLink): Promise<void> {
    const pdu = this.writer.keepAlive(this.ctx.settings.keepAliveLiid, {
      sequenceNumber: this.keepAliveSeq,
    });
    this.keepAliveSeq = (this.keepAliveSeq + 1) % UINT32;
    this.probes.push({ lastSeq: this.cursor, sentAt: Date.now() });
    await link.write(pdu);
    this.lastWriteAt = Date.now();
  }

  /** A PS-PDU from the LEMF: keep-aliveResponse confirms; a keep-alive of its own is answered. */
  private received(ber: Buffer): void {
    let tri;
    try {
      tri = decodePsPdu(ber).payload.tRIPayload;
    } catch (e) {
      this.ctx.log.warn(
        `HI2 TLS ${this.destination.name}: undecodable PS-PDU from the LEA: ${describeError(e)}`,
      );
      this.link?.close();
      return;
    }
    if (tri?.keepAliveResponse !== undefined) this.confirm();
    else if (tri?.keepAlive !== undefined && this.link) {
      void this.link
        .write(
          encodePsPdu(
            this.responder.keepAliveResponse(this.ctx.settings.keepAliveLiid, {
              sequenceNumber: this.keepAliveSeq,
            }),
          ),
        )
        .catch(() => undefined);
    }
  }

  private confirm(): void {
    const probe = this.probes.shift();
    if (!probe) return;
    let n = 0;
    while (n < this.unconfirmed.length && this.unconfirmed[n].seq <= probe.lastSeq) n++;
    const done = this.unconfirmed.splice(0, n);
    if (!done.length) return;
    const counters = new Map<string, { key: StreamKey; next: number }>();
    for (const x of done)
      counters.set(streamId(x.key), { key: x.key, next: (x.pduSeq + 1) % UINT32 });
    if (probe.lastSeq >= this.suspectUpTo) this.suspectUpTo = 0;
    const d = this.destination;
    const link = this.link;
    this.confirming = this.confirming.then(async () => {
      // Once a confirmation of this connection failed to be recorded, later ones are not
      // recorded either: their rows would be `delivered` and their PS-PDU counters ahead of
      // the pending rows before them, which would then be resent under new sequence numbers.
      if (!link || this.unrecorded === link) return;
      try {
        const changed = await this.ctx.store.markDelivered(
          d.id,
          { seqs: done.map((x) => x.seq) },
          counters,
        );
        m.delivered.inc({ destination: d.id, transport: 'tls' }, changed);
        this.pduNext.stored(counters);
        this.accepted();
      } catch (e) {
        // Ends the connection: the next one resends, from the outbox, everything not recorded.
        this.unrecorded = link;
        link.close();
        this.ctx.log.warn(
          `HI2 TLS ${d.name}: recording a confirmation failed (reconnecting to resend): ${describeError(e)}`,
        );
      }
    });
    this.wake();
  }

  protected abortTransport(): void {
    this.link?.close();
  }

  protected async closeTransport(): Promise<void> {
    this.link?.close();
    await this.confirming;
  }
}
