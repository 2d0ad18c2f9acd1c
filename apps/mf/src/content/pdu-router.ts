import { X2Pdu, X2PduType } from '@app/x2';
import type { X2PduSink, X2Source } from '../x2/x2-connection';

/**
 * Splits what one X2/X3 connection delivers (TS 103 221-2: X2 and X3 PDUs may share a listener
 * and a connection): X2 PDUs to the interception pipeline, X3 PDUs to the content pipeline. The
 * X3 PDUs of a chunk go after its X2 PDUs committed, so media that follows its signalling on one
 * connection finds its session; the promise settles when both are committed.
 */
export class PduRouter implements X2PduSink {
  constructor(
    private readonly x2: X2PduSink,
    private readonly x3: X2PduSink,
  ) {}

  async submit(pdus: X2Pdu[], source: X2Source): Promise<void> {
    const x3 = pdus.filter((p) => (p.pduType as X2PduType) === X2PduType.X3);
    const x2 = x3.length ? pdus.filter((p) => (p.pduType as X2PduType) !== X2PduType.X3) : pdus;
    if (x2.length) await this.x2.submit(x2, source);
    if (x3.length) await this.x3.submit(x3, source);
  }
}
