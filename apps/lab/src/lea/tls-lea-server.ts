import { readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';
import {
  ccPacketsFromPsPdu,
  decodePsPdu,
  EpsIRIContent,
  encodeEpsIriContent,
  encodePsPdu,
  epsIriContentFromPayload,
  PsPduBuilder,
  PsPduFramer,
  type PSPDU,
  recordParts,
  type EncodedRecordView,
  viewEncodedRecord,
  viewPsPdu,
} from '@app/hi2';
import { ReceivedLog, ReceivedSnapshot } from './received-log';

export interface TlsLeaOptions {
  /** Dev PKI directory: `lea.crt`/`lea.key` serve, `ca.crt` verifies the MF's client certificate. */
  pkiDir: string;
  host?: string;
  /** 0 (default): an ephemeral port. */
  port?: number;
  /** Where to write the received records as JSON. */
  outFile?: string;
  /** LIIDs whose PS-PDUs make the receiver drop the connection (a LEMF refusing the data). */
  rejectLiids?: string[];
  /**
   * Called with every IRI record as it is recorded (after its keep-alive ordering point), e.g.
   * for a benchmark's delivery latency.
   */
  onRecord?: (record: EpsIRIContent) => void;
  /** Keep the records in memory for `read()` (default true); false keeps counts and checks only. */
  keepRecords?: boolean;
  /**
   * `full` (default): every PS-PDU is decoded against the schema (decodePsPdu, ≈ 1–2 ms each).
   * `view`: IRI and keep-alive PS-PDUs are only located (viewPsPdu, viewEncodedRecord: header,
   * sequence numbers, record type and LIID, no schema check), so that a benchmark measures the
   * MF and not this receiver; `onRecord` is not called, `onRecordView` is.
   */
  decode?: 'full' | 'view';
  /** In `view` mode: called with every IRI record as it is recorded. */
  onRecordView?: (record: EncodedRecordView) => void;
}

/**
 * A lab LEMF for the HI2 TLS stream (TS 102 232-1 over mutual TLS ≥ 1.2): frames PS-PDUs,
 * decodes each with libs/hi2, answers every keep-alive with a keep-aliveResponse after the
 * PS-PDUs received before it were recorded, checks the sequence numbers per LIID and CIN (from
 * 0, +1 each) and records duplicates, gaps and refusals. A PS-PDU it cannot decode, or one for
 * a LIID in `rejectLiids`, ends the connection without an answer.
 */
export class TlsLeaServer {
  readonly log: ReceivedLog;
  private server?: tls.Server;
  private readonly sockets = new Set<tls.TLSSocket>();
  private readonly responder = new PsPduBuilder({ operatorIdentifier: 'LEMF' });
  private readonly rejectLiids: Set<string>;
  private boundPort: number;
  private answerKeepAlives = true;

  constructor(private readonly options: TlsLeaOptions) {
    this.log = new ReceivedLog('tls', options.outFile, options.keepRecords ?? true);
    this.rejectLiids = new Set(options.rejectLiids ?? []);
    this.boundPort = options.port ?? 0;
  }

  /** Starts listening (again, on the same port after `stop`); returns the port. */
  async start(): Promise<number> {
    const pki = this.options.pkiDir;
    const server = tls.createServer(
      {
        key: readFileSync(join(pki, 'lea.key')),
        cert: readFileSync(join(pki, 'lea.crt')),
        ca: readFileSync(join(pki, 'ca.crt')),
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      },
      (socket) => this.serve(socket),
    );
    server.on('tlsClientError', (e) => this.log.error(`TLS handshake: ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    return this.boundPort;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Closes the listener and every connection at once (the LEA goes down). */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    this.log.flush();
  }

  /** Records received so far (duplicates excluded), without copying them. */
  get recordCount(): number {
    return this.log.recordCount;
  }

  read(): ReceivedSnapshot {
    return this.log.read();
  }

  setRejectLiids(liids: string[]): void {
    this.rejectLiids.clear();
    for (const l of liids) this.rejectLiids.add(l);
  }

  /**
   * Fault for tests: while false, keep-alives are counted but not answered, so records arrive
   * and are recorded but the MF never sees them confirmed (and must send them again).
   */
  setAnswerKeepAlives(answer: boolean): void {
    this.answerKeepAlives = answer;
  }

  private serve(socket: tls.TLSSocket): void {
    this.sockets.add(socket);
    this.log.connection();
    const framer = new PsPduFramer();
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const pdu of framer.push(chunk)) {
          if (!this.handle(socket, pdu)) {
            socket.destroy();
            return;
          }
        }
      } catch (e) {
        this.log.error(`stream: ${(e as Error).message}`);
        socket.destroy();
      }
    });
  }

  /**
   * A CC PS-PDU (HI3): its IPMMCC packets (libs/hi2 ccPacketsFromPsPdu), the CC sequence checked
   * per LIID and CIN apart from the IRI one; an undecodable CC payload ends the connection.
   */
  private handleCc(pdu: PSPDU): boolean {
    const header = pdu.pSHeader;
    const liid = header.lawfulInterceptionIdentifier.toString('utf8');
    const cin = header.communicationIdentifier.communicationIdentityNumber;
    let packets;
    try {
      packets = ccPacketsFromPsPdu(pdu);
    } catch (e) {
      this.log.rejected({
        what: `CC seq ${header.sequenceNumber}`,
        liid,
        reason: (e as Error).message,
      });
      return false;
    }
    if (!this.log.sequence(`cc:${liid}/${cin ?? '-'}`, header.sequenceNumber, 0)) return true;
    for (const p of packets) {
      this.log.ccPacket({
        liid,
        ...(cin !== undefined ? { cin } : {}),
        seq: header.sequenceNumber,
        ...(p.direction !== undefined ? { direction: p.direction } : {}),
        ...(p.streamIdentifier ? { streamIdentifier: p.streamIdentifier.toString('utf8') } : {}),
        rtp: p.contents.toString('base64'),
      });
    }
    return true;
  }

  /** Handles one PS-PDU; false ends the connection. */
  private handle(socket: tls.TLSSocket, ber: Buffer): boolean {
    if (this.options.decode === 'view') {
      const handled = this.handleView(socket, ber);
      if (handled !== undefined) return handled;
    }
    let pdu;
    try {
      pdu = decodePsPdu(ber);
    } catch (e) {
      this.log.rejected({ what: 'PS-PDU', reason: `undecodable: ${(e as Error).message}` });
      return false;
    }
    const header = pdu.pSHeader;
    if (pdu.payload.tRIPayload?.keepAlive !== undefined)
      return this.keepAlive(socket, header.lawfulInterceptionIdentifier, header.sequenceNumber);
    if (pdu.payload.cCPayloadSequence) return this.handleCc(pdu);
    const payloads = pdu.payload.iRIPayloadSequence;
    if (!payloads) {
      this.log.rejected({
        what: `seq ${header.sequenceNumber}`,
        reason: 'not an IRI, CC or keep-alive PS-PDU',
      });
      return false;
    }
    const liid = header.lawfulInterceptionIdentifier.toString('utf8');
    const cin = header.communicationIdentifier.communicationIdentityNumber;
    const fresh = this.iriSequence(liid, cin, header.sequenceNumber);
    if (fresh === undefined) return false;
    for (const payload of payloads) {
      try {
        const record = epsIriContentFromPayload(payload);
        this.options.onRecord?.(record);
        this.log.record(
          { liid, cin, seq: header.sequenceNumber, iriType: recordParts(record).kind },
          encodeEpsIriContent(record),
          !fresh,
        );
      } catch (e) {
        this.log.rejected({
          what: `seq ${header.sequenceNumber}`,
          liid,
          reason: (e as Error).message,
        });
        return false;
      }
    }
    return true;
  }

  /** Answers a keep-alive (unless told not to); always keeps the connection. */
  private keepAlive(socket: tls.TLSSocket, liid: Buffer, sequenceNumber: number): boolean {
    this.log.keepAlive();
    if (!this.answerKeepAlives) return true;
    socket.write(
      encodePsPdu(this.responder.keepAliveResponse(liid.toString('utf8'), { sequenceNumber })),
    );
    return true;
  }

  /** Checks an IRI PS-PDU's LIID and sequence number: fresh, duplicate, or undefined (refused). */
  private iriSequence(liid: string, cin: number | undefined, seq: number): boolean | undefined {
    if (this.rejectLiids.has(liid)) {
      this.log.rejected({ what: `seq ${seq}`, liid, reason: 'LIID refused by this LEMF' });
      return undefined;
    }
    return this.log.sequence(`${liid}/${cin ?? '-'}`, seq, 0);
  }

  /**
   * `view` mode: keep-alive and IRI PS-PDUs handled from located octets; undefined for the
   * rest (CC, anything else), which goes through the full decode.
   */
  private handleView(socket: tls.TLSSocket, ber: Buffer): boolean | undefined {
    let view;
    try {
      view = viewPsPdu(ber);
    } catch {
      return undefined;
    }
    if (view.payload.kind === 'keepAlive')
      return this.keepAlive(socket, view.liid, view.sequenceNumber);
    if (view.payload.kind !== 'iri') return undefined;
    const liid = view.liid.toString('utf8');
    const fresh = this.iriSequence(liid, view.cin, view.sequenceNumber);
    if (fresh === undefined) return false;
    for (const record of view.payload.records) {
      let r: EncodedRecordView;
      try {
        r = viewEncodedRecord(record);
      } catch (e) {
        this.log.rejected({
          what: `seq ${view.sequenceNumber}`,
          liid,
          reason: (e as Error).message,
        });
        return false;
      }
      this.options.onRecordView?.(r);
      this.log.record(
        { liid, cin: view.cin, seq: view.sequenceNumber, iriType: r.kind },
        record,
        !fresh,
      );
    }
    return true;
  }
}
