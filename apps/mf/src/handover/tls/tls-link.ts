import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { PsPduFramer } from '@app/hi2';

/** Where and how to reach one HI2 TLS LEA (mutual TLS). */
export interface TlsTarget {
  host: string;
  port: number;
  caFile: string;
  certFile: string;
  keyFile: string;
  timeoutMs: number;
}

/** How a link ended: by us (`close()`), or by the peer/network (with the error, if any). */
export interface LinkEnd {
  byPeer: boolean;
  error?: string;
}

/**
 * One mutual-TLS connection (TLS ≥ 1.2, server certificate checked against the destination's
 * CA and host) carrying PS-PDUs both ways: outgoing PDUs are written with backpressure
 * (`write` waits for `drain`), incoming bytes are split into PS-PDUs by `PsPduFramer`.
 */
export class TlsLink {
  private ended?: LinkEnd;
  private endListeners: Array<(end: LinkEnd) => void> = [];
  private closing = false;

  private constructor(
    private readonly socket: tls.TLSSocket,
    onPdu: (pdu: Buffer) => void,
  ) {
    const framer = new PsPduFramer(1 << 20);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const pdu of framer.push(chunk)) onPdu(pdu);
      } catch (e) {
        this.finish({ byPeer: true, error: `bad PS-PDU from the LEA: ${(e as Error).message}` });
      }
    });
    socket.on('error', (e: Error) => this.finish({ byPeer: !this.closing, error: e.message }));
    socket.on('close', () => this.finish({ byPeer: !this.closing }));
  }

  static connect(target: TlsTarget, onPdu: (pdu: Buffer) => void): Promise<TlsLink> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: target.host,
        port: target.port,
        servername: isIP(target.host) ? undefined : target.host,
        ca: readFileSync(target.caFile),
        cert: readFileSync(target.certFile),
        key: readFileSync(target.keyFile),
        minVersion: 'TLSv1.2',
        rejectUnauthorized: true,
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`TLS connect timed out after ${target.timeoutMs} ms`));
      }, target.timeoutMs);
      const fail = (e: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(e);
      };
      socket.once('error', fail);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.removeListener('error', fail);
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        resolve(new TlsLink(socket, onPdu));
      });
    });
  }

  get closed(): boolean {
    return this.ended !== undefined;
  }

  /** Calls `listener` once when the link ends (at once if it already has). */
  onEnd(listener: (end: LinkEnd) => void): void {
    if (this.ended) listener(this.ended);
    else this.endListeners.push(listener);
  }

  /** Writes PDUs in order; resolves when the socket took them (after `drain` under backpressure). */
  write(pdus: Buffer | readonly Buffer[]): Promise<void> {
    if (this.ended) return Promise.reject(new Error('HI2 TLS link is closed'));
    // Corked: the PDUs of a batch leave in one TLS write (fewer records and syscalls).
    this.socket.cork();
    let room = true;
    for (const pdu of Buffer.isBuffer(pdus) ? [pdus] : pdus) room = this.socket.write(pdu) && room;
    this.socket.uncork();
    if (room) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        this.endListeners = this.endListeners.filter((l) => l !== onEnd);
        resolve();
      };
      const onEnd = (): void => {
        this.socket.removeListener('drain', onDrain);
        reject(new Error('HI2 TLS link closed while sending'));
      };
      this.socket.once('drain', onDrain);
      this.endListeners.push(onEnd);
    });
  }

  /** Closes at once (unsent data is dropped; the outbox still has it). */
  close(): void {
    this.closing = true;
    this.socket.destroy();
    this.finish({ byPeer: false });
  }

  private finish(end: LinkEnd): void {
    if (this.ended) return;
    this.ended = end;
    this.socket.destroy();
    const listeners = this.endListeners;
    this.endListeners = [];
    for (const l of listeners) l(end);
  }
}
