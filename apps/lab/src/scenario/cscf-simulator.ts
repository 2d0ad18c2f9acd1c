import { randomBytes } from 'node:crypto';
import * as tls from 'node:tls';
import {
  encodeX2Pdu,
  timestampAttribute,
  X2AttributeType,
  X2PayloadDirection,
  X2PayloadFormat,
  X2PduType,
} from '@app/x2';
import type { ClientTls } from '../ticket-world';

export interface CscfSimulatorOptions {
  /** The MF's X2 listener. */
  host: string;
  port: number;
  /** The NE's client certificate (dev PKI `ne`) and the CA that verifies the MF. */
  tls: ClientTls;
  /** Name checked in the MF certificate; default `localhost`. */
  servername?: string;
}

/** One SIP message to report on X2. */
export interface X2SipEvent {
  xid: string;
  /** The whole SIP message, as relayed. */
  sip: Buffer;
  /** True when the target sent it (TS 103 221-2 §5.2.6 payload direction "from target"). */
  fromTarget: boolean;
  /** Correlation ID shared by all events of one call (§5.2.8). */
  correlationId: bigint;
}

/** One RTP/SRTP packet of a call to report on X3. */
export interface X3MediaEvent {
  xid: string;
  /** The RTP packet as sent on the wire (SRTP: encrypted, with its tag). */
  rtp: Buffer;
  fromTarget: boolean;
  /** The Correlation ID of the call's X2 PDUs (§5.2.8), so the MF correlates the media. */
  correlationId: bigint;
}

/**
 * A P/S-CSCF as an X2 point of interception (ETSI TS 103 221-2): keeps one mutual-TLS
 * connection to the MF with the NE certificate and reports each intercepted SIP message as an
 * X2 PDU (PDU type 1 X2, payload format 9 SIP message §5.2.4) with the warrant's XID, the
 * call's correlation ID, a Sequence Number attribute per XID (§5.3.9, from 0) and a Timestamp
 * attribute (§5.3.10, POSIX seconds and nanoseconds). For the lab it also stands in for the
 * media plane's X3 point: each RTP packet as an X3 PDU (PDU type 2, payload format 8 RTP packet),
 * sharing the XID's sequence numbers.
 */
export class CscfSimulator {
  private readonly seq = new Map<string, number>();
  private pdus = 0;

  private constructor(private readonly socket: tls.TLSSocket) {}

  static async connect(o: CscfSimulatorOptions): Promise<CscfSimulator> {
    const socket = tls.connect({
      host: o.host,
      port: o.port,
      servername: o.servername ?? 'localhost',
      ca: o.tls.ca,
      cert: o.tls.cert,
      key: o.tls.key,
      minVersion: 'TLSv1.2',
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve).once('error', reject);
    });
    socket.on('error', () => undefined); // reported by the next write
    return new CscfSimulator(socket);
  }

  /** A fresh correlation ID for a new call. */
  static newCorrelationId(): bigint {
    return randomBytes(8).readBigUInt64BE(0);
  }

  /** Number of PDUs sent so far. */
  get sent(): number {
    return this.pdus;
  }

  /** Sends one SIP event on X2; resolves when the PDU was handed to TLS. */
  send(e: X2SipEvent): Promise<void> {
    return this.write(X2PduType.X2, X2PayloadFormat.SipMessage, e.xid, e.sip, e);
  }

  /** Sends one media packet on X3; resolves when the PDU was handed to TLS. */
  sendMedia(e: X3MediaEvent): Promise<void> {
    return this.write(X2PduType.X3, X2PayloadFormat.RtpPacket, e.xid, e.rtp, e);
  }

  private write(
    pduType: X2PduType,
    payloadFormat: X2PayloadFormat,
    xid: string,
    payload: Buffer,
    e: { fromTarget: boolean; correlationId: bigint },
  ): Promise<void> {
    const n = this.seq.get(xid) ?? 0;
    this.seq.set(xid, n + 1);
    const pdu = encodeX2Pdu({
      pduType,
      payloadFormat,
      payloadDirection: e.fromTarget ? X2PayloadDirection.FromTarget : X2PayloadDirection.ToTarget,
      xid,
      correlationId: e.correlationId,
      attributes: [
        { kind: 'sequenceNumber', type: X2AttributeType.SequenceNumber, sequenceNumber: n },
        timestampAttribute(),
      ],
      payload,
    });
    return new Promise((resolve, reject) => {
      this.socket.write(pdu, (err) => {
        if (err) return reject(err);
        this.pdus++;
        resolve();
      });
    });
  }

  /** Ends the connection (TLS close_notify, then FIN) and waits until it is closed. */
  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 2_000).unref();
    });
  }
}
