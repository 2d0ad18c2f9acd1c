import { EventEmitter } from 'node:events';
import type { TLSSocket } from 'node:tls';
import { encodeX2Pdu, X2Pdu, X2PayloadDirection, X2PayloadFormat, X2PduType } from '@app/x2';
import { X2CloseReason, X2Connection, X2ConnectionLimits, X2PduSink } from './x2-connection';

/** The part of a TLS socket X2Connection uses; octets arrive by `emit('data', …)`. */
class FakeSocket extends EventEmitter {
  paused = false;
  destroyed = false;
  setTimeout(): this {
    return this;
  }
  isPaused(): boolean {
    return this.paused;
  }
  pause(): this {
    if (!this.paused) this.emit('pause');
    this.paused = true;
    return this;
  }
  /** Like a Readable: the state changes first, 'resume' is emitted after. */
  resume(): this {
    const was = this.paused;
    this.paused = false;
    if (was) this.emit('resume');
    return this;
  }
  write(): boolean {
    return true;
  }
  end(): this {
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
}

/** Commits PDUs only when told (a slow database). */
class HoldingSink implements X2PduSink {
  received: X2Pdu[] = [];
  private readonly pending: Array<() => void> = [];
  submit(pdus: X2Pdu[]): Promise<void> {
    this.received.push(...pdus);
    return new Promise((r) => this.pending.push(r));
  }
  async commitAll(): Promise<void> {
    for (const r of this.pending.splice(0)) r();
    await Promise.resolve(); // the connection's settle() runs in the next microtask
    await Promise.resolve();
  }
}

const PDU_TIMEOUT = 1_000;
const pdu = (n: number) =>
  encodeX2Pdu({
    pduType: X2PduType.X2,
    payloadFormat: X2PayloadFormat.SipMessage,
    payloadDirection: X2PayloadDirection.FromTarget,
    xid: '3f1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b',
    correlationId: BigInt(n),
    payload: Buffer.from(`MESSAGE sip:b@x SIP/2.0\r\nCSeq: ${n} MESSAGE\r\n\r\n`),
  });

describe('X2Connection PDU deadline (slow loris)', () => {
  let socket: FakeSocket;
  let sink: HoldingSink;
  let closed: Array<{ reason: X2CloseReason; detail?: string }>;

  const open = (limits: Partial<X2ConnectionLimits> = {}) => {
    socket = new FakeSocket();
    sink = new HoldingSink();
    closed = [];
    return new X2Connection(
      socket as unknown as TLSSocket,
      { connectionId: 'c1', neIdentity: 'ne', remoteAddress: '127.0.0.1:1' },
      {
        maxHeaderLength: 4096,
        maxPayloadLength: 65536,
        maxPdusPerSecond: 100_000,
        idleTimeoutMs: 120_000,
        pduTimeoutMs: PDU_TIMEOUT,
        maxInFlightPdus: 1000,
        ...limits,
      },
      sink,
      (_c, reason, detail) => closed.push({ reason, detail }),
    );
  };

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('destroys a connection whose PDU trickles in, however often an octet arrives', () => {
    open();
    const octets = pdu(1);
    // One octet every tenth of the deadline: the idle timeout would never fire.
    for (let i = 0; i < 10; i++) {
      socket.emit('data', octets.subarray(i, i + 1));
      jest.advanceTimersByTime(PDU_TIMEOUT / 10 - 1);
    }
    expect(closed).toEqual([]);
    socket.emit('data', octets.subarray(10, 11));
    jest.advanceTimersByTime(10);
    expect(closed).toEqual([
      {
        reason: 'pdu-timeout',
        detail: `PDU incomplete ${PDU_TIMEOUT} ms after its first octet (11 octets)`,
      },
    ]);
    expect(socket.destroyed).toBe(true);
    expect(sink.received).toEqual([]);
  });

  it('gives each PDU its own deadline, and none between PDUs', () => {
    open();
    const [a, b] = [pdu(1), pdu(2)];
    socket.emit('data', a.subarray(0, 20));
    jest.advanceTimersByTime(PDU_TIMEOUT * 0.9);
    socket.emit('data', Buffer.concat([a.subarray(20), b.subarray(0, 20)])); // a done, b begun
    jest.advanceTimersByTime(PDU_TIMEOUT * 0.9);
    socket.emit('data', b.subarray(20)); // b done
    jest.advanceTimersByTime(PDU_TIMEOUT * 10); // idle between PDUs: the idle timeout's business
    expect(closed).toEqual([]);
    expect(sink.received.map((p) => Number(p.correlationIdValue))).toEqual([1, 2]);
    socket.emit('data', a.subarray(0, 1));
    jest.advanceTimersByTime(PDU_TIMEOUT);
    expect(closed.map((c) => c.reason)).toEqual(['pdu-timeout']);
  });

  it('stops the clock while reading is paused for backpressure and restarts it in full', async () => {
    open({ maxInFlightPdus: 1 });
    const [a, b] = [pdu(1), pdu(2)];
    // a is framed and held by the sink (reading pauses); b's first half waits in the framer.
    socket.emit('data', Buffer.concat([a, b.subarray(0, 20)]));
    expect(socket.paused).toBe(true);
    jest.advanceTimersByTime(PDU_TIMEOUT * 5);
    expect(closed).toEqual([]);
    await sink.commitAll();
    expect(socket.paused).toBe(false);
    jest.advanceTimersByTime(PDU_TIMEOUT - 1);
    expect(closed).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(closed.map((c) => c.reason)).toEqual(['pdu-timeout']);
  });
});
