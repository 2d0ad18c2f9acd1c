import { performance } from 'node:perf_hooks';
import * as tls from 'node:tls';
import { connectX2 } from '../../test/support/x2-client';
import type { BenchEvent } from './workload';

/** Octets handed to a socket per write in burst mode. */
const WRITE_SLICE = 256 * 1024;

/**
 * The benchmark's X2 client: `connections` mutual-TLS connections with the NE certificate of
 * the dev PKI, used the same way against the raw sink and the MF. Events are spread over the
 * connections by call, so that each call's messages keep their order on one connection.
 */
export class X2Sender {
  private constructor(private readonly sockets: tls.TLSSocket[]) {}

  static async connect(port: number, pkiDir: string, connections: number): Promise<X2Sender> {
    const sockets = await Promise.all(
      Array.from({ length: connections }, () => connectX2(pkiDir, port)),
    );
    for (const s of sockets) s.on('error', () => undefined);
    return new X2Sender(sockets);
  }

  /** The events as one octet stream per connection. */
  streams(events: BenchEvent[]): Buffer[] {
    const parts: Buffer[][] = this.sockets.map(() => []);
    for (const e of events) parts[e.call % parts.length].push(e.pdu);
    return parts.map((p) => Buffer.concat(p));
  }

  /** Writes each stream on its connection as fast as TCP takes it; resolves when all is written. */
  async burst(streams: Buffer[]): Promise<void> {
    await Promise.all(
      streams.map(async (stream, c) => {
        const s = this.sockets[c];
        for (let i = 0; i < stream.length; i += WRITE_SLICE) {
          if (!s.write(stream.subarray(i, i + WRITE_SLICE)))
            await new Promise<void>((r) => s.once('drain', r));
        }
      }),
    );
  }

  /**
   * Offers `events` at `perSecond`, written every `tickMs`; `sent(i, at)` gets the
   * performance.now() time each event was handed to its socket.
   */
  async paced(
    events: BenchEvent[],
    perSecond: number,
    sent: (i: number, at: number) => void,
    tickMs = 5,
  ): Promise<void> {
    const start = performance.now();
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = performance.now();
        const due = Math.min(events.length, Math.floor(((now - start) * perSecond) / 1000));
        for (; next < due; next++) {
          this.sockets[events[next].call % this.sockets.length].write(events[next].pdu);
          sent(next, performance.now());
        }
        if (next >= events.length) resolve();
        else setTimeout(tick, tickMs);
      };
      tick();
    });
  }

  close(): void {
    for (const s of this.sockets) s.end();
  }
}
