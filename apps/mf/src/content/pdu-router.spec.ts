import { X2Pdu, X2PduType } from '@app/x2';
import type { X2PduSink, X2Source } from '../x2/x2-connection';
import { PduRouter } from './pdu-router';

const source: X2Source = { connectionId: 'c1', neIdentity: 'ne', remoteAddress: '127.0.0.1' };
const pdu = (pduType: X2PduType) => ({ pduType }) as unknown as X2Pdu;

describe('PduRouter', () => {
  it('hands X3 over only after the X2 of every earlier chunk of the connection committed', async () => {
    const log: string[] = [];
    let commitFirst!: () => void;
    const x2: X2PduSink = {
      submit: () =>
        new Promise<void>((r) => (commitFirst = () => (log.push('x2 chunk 1 committed'), r()))),
    };
    const x3: X2PduSink = {
      submit: (pdus) => {
        log.push(`x3 handed over (${pdus.length})`);
        return Promise.resolve();
      },
    };
    const router = new PduRouter(x2, x3);
    const first = router.submit([pdu(X2PduType.X2)], source); // e.g. the 200 OK
    const second = router.submit([pdu(X2PduType.X3), pdu(X2PduType.X3)], source); // media
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual([]);
    commitFirst();
    await Promise.all([first, second]);
    expect(log).toEqual(['x2 chunk 1 committed', 'x3 handed over (2)']);
  });
});
