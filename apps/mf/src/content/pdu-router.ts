import { X2Pdu, X2PduType } from '@app/x2';
import type { X2PduSink, X2Source } from '../x2/x2-connection';

/**
 * Splits what one X2/X3 connection delivers (TS 103 221-2: X2 and X3 PDUs may share a listener
 * and a connection): X2 PDUs to the interception pipeline, X3 PDUs to the content pipeline.
 *
 * Order: the X3 PDUs of a chunk are handed over once the X2 PDUs of that chunk and of every
 * earlier chunk of the connection committed (so media that follows its signalling on one
 * connection finds its session, whatever batch the signalling went into) and after the X3 PDUs of the connection's
 * earlier chunks (so the media of a connection keeps its order although several chunks are in
 * flight). The promise settles when both parts are committed.
 */
export class PduRouter implements X2PduSink {
  /** Per connection: settles when its latest X3 part has been handed to the content pipeline. */
  private readonly handovers = new Map<string, Promise<void>>();
  /** Per connection: settles when every X2 part submitted so far has settled. */
  private readonly x2Tails = new Map<string, Promise<unknown>>();

  constructor(
    private readonly x2: X2PduSink,
    private readonly x3: X2PduSink,
  ) {}

  async submit(pdus: X2Pdu[], source: X2Source): Promise<void> {
    const isX3 = (p: X2Pdu) => (p.pduType as X2PduType) === X2PduType.X3;
    const x3 = pdus.filter(isX3);
    const x2 = x3.length ? pdus.filter((p) => !isX3(p)) : pdus;
    const id = source.connectionId;
    const x2Done = x2.length ? this.x2.submit(x2, source) : Promise.resolve();
    let x2Tail = this.x2Tails.get(id) ?? Promise.resolve();
    if (x2.length) {
      const tail = Promise.all([x2Tail, x2Done.catch(() => undefined)]);
      this.x2Tails.set(id, tail);
      void tail.then(() => {
        if (this.x2Tails.get(id) === tail) this.x2Tails.delete(id);
      });
      x2Tail = tail;
    }
    if (!x3.length) return x2Done;
    let x3Done: Promise<void> = Promise.resolve();
    const handover = (this.handovers.get(id) ?? Promise.resolve())
      .then(() => x2Tail)
      .then(() => {
        x3Done = this.x3.submit(x3, source);
      });
    this.handovers.set(id, handover);
    void handover.then(() => {
      if (this.handovers.get(id) === handover) this.handovers.delete(id);
    });
    await Promise.all([x2Done, handover]);
    await x3Done;
  }
}
