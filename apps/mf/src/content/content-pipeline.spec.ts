import { randomBytes } from 'node:crypto';
import { ccPacketsFromPsPdu, decodePsPdu, EncodedPsPduWriter } from '@app/hi2';
import { parseSessionDescription } from '@app/sip';
import { SrtpSender } from '@app/srtp';
import {
  decodeX2Pdu,
  encodeX2Pdu,
  X2Attribute,
  X2AttributeType,
  X2PayloadDirection,
  X2PayloadFormat,
  X2PduType,
} from '@app/x2';
import type { EntityManager } from 'typeorm';
import { ipv4UdpPacket, rtpPacket } from '../../../../test/support/ip-packets';
import type { AuditService } from '../audit/audit.service';
import type { AuditRecord } from '../audit/audit-chain';
import type { CcOutboxItem } from '../handover/outbox/outbox-writer';
import type { KeyManagementStep } from '../keys/key-management-plan';
import type { DbOutageRetry } from '../persistence/db-outage';
import type { ActiveTask } from '../warrants/task-registry';
import { ContentPipeline } from './content-pipeline';

const XID = '00000000-0000-4000-8000-000000000001';
const SOURCE = { connectionId: 'c1', neIdentity: 'ne', remoteAddress: '127.0.0.1:1' };
const task = {
  warrant: {
    liid: 'LIID-T',
    deliveryMode: 'decrypted',
    destinations: [{ id: 'd1', name: 'lea', transport: 'tls', enabled: true }],
  },
  target: { xid: XID },
} as unknown as ActiveTask;
/** A MIKEY-TICKET session: keys come later over Xk (the step itself is not read here). */
const ticket = [{ kind: 'ticket', mediaIndexes: [0] }] as unknown as KeyManagementStep[];
const sdp = parseSessionDescription(
  Buffer.from(
    'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/SAVP 0\r\n',
  ),
);

function setup(pending = { maxMs: 60_000, maxBytes: 1 << 20 }) {
  const items: CcOutboxItem[] = [];
  const audits: AuditRecord[] = [];
  const pipeline = new ContentPipeline({
    db: {
      transaction: (_op: string, fn: (em: EntityManager) => Promise<unknown>) =>
        fn({} as EntityManager),
    } as unknown as DbOutageRetry,
    tasks: {
      lookupXid: (xid) => (xid === XID ? { status: 'active', task } : { status: 'unknown' }),
    },
    outbox: {
      enqueueCc: (_em, i) => {
        items.push(...i);
        return Promise.resolve();
      },
    },
    audit: {
      append: (a: AuditRecord) => {
        audits.push(a);
        return Promise.resolve();
      },
    } as unknown as AuditService,
    pending,
  });
  /** The RTP packets delivered, as the LEA would read them from the CC PS-PDUs. */
  const delivered = () => {
    const writer = new EncodedPsPduWriter({ operatorIdentifier: 'OP' });
    return items.map(
      (i, n) =>
        ccPacketsFromPsPdu(
          decodePsPdu(
            writer.cc(Buffer.from(i.liid), i.ccPayload, { sequenceNumber: n, cin: i.cin }),
          ),
        )[0].contents,
    );
  };
  return { pipeline, items, audits, delivered };
}

const key = randomBytes(16);
const salt = randomBytes(14);

function srtpStream(n: number) {
  const sender = new SrtpSender({ suite: 'AES_CM_128_HMAC_SHA1_80', masterKeys: [{ key, salt }] });
  const clear = Array.from({ length: n }, (_, i) =>
    rtpPacket({
      sequenceNumber: (65_530 + i) % 0x10000,
      timestamp: 160 * i,
      ssrc: 7,
      payload: randomBytes(160),
    }),
  );
  return { clear, srtp: clear.map((p) => sender.protectRtp(p)) };
}

const x3 = (rtp: Buffer, correlation = 5n, attributes: X2Attribute[] = []) =>
  decodeX2Pdu(
    encodeX2Pdu({
      attributes,
      pduType: X2PduType.X3,
      payloadFormat: X2PayloadFormat.Ipv4Packet,
      payloadDirection: X2PayloadDirection.FromTarget,
      xid: XID,
      correlationId: correlation,
      payload: ipv4UdpPacket({
        source: Buffer.from([192, 0, 2, 1]),
        destination: Buffer.from([192, 0, 2, 2]),
        sourcePort: 49170,
        destinationPort: 49180,
        payload: rtp,
      }),
    }),
  );

const observe = (p: ContentPipeline) =>
  p.observe([
    {
      task,
      callId: 'c@x',
      cin: 42,
      xid: XID,
      correlationId: 5n.toString(16).padStart(16, '0'),
      sdp,
      steps: ticket,
    },
  ]);

describe('ContentPipeline: media before keys (MIKEY-TICKET)', () => {
  it('takes the MF clock for media whose Timestamp attribute is malformed (§5.3.10)', async () => {
    const { pipeline } = setup();
    await observe(pipeline);
    const badTimestamp = { type: X2AttributeType.Timestamp, value: Buffer.alloc(8, 0xff) };
    await expect(
      pipeline.submit([x3(srtpStream(1).srtp[0], 5n, [badTimestamp])], SOURCE),
    ).resolves.toBeUndefined();
    expect(pipeline.heldPackets).toBe(1); // held for its keys, as any other packet
  });

  it('holds media until the Xk keys arrive, then delivers it decrypted, in order, across a wrap', async () => {
    const { pipeline, items, delivered } = setup();
    const { clear, srtp } = srtpStream(12);
    await observe(pipeline);
    await pipeline.submit(
      srtp.slice(0, 8).map((p) => x3(p)),
      SOURCE,
    );
    expect(items).toHaveLength(0);
    expect(pipeline.heldPackets).toBe(8);
    await pipeline.keysKept('LIID-T', 'c@x', [{ csId: 1, masterKey: key, masterSalt: salt }]);
    await pipeline.submit(
      srtp.slice(8).map((p) => x3(p)),
      SOURCE,
    );
    expect(pipeline.heldPackets).toBe(0);
    expect(delivered()).toEqual(clear);
    expect(items.every((i) => i.cin === 42 && i.liid === 'LIID-T')).toBe(true);
  });

  it('holds media that comes before its session, and correlates it by the SDP flow without the Correlation ID', async () => {
    const { pipeline, delivered } = setup();
    const { clear, srtp } = srtpStream(3);
    await pipeline.submit(
      srtp.map((p) => x3(p, 99n)),
      SOURCE,
    );
    expect(pipeline.heldPackets).toBe(3);
    await observe(pipeline);
    await pipeline.keysKept('LIID-T', 'c@x', [{ csId: 1, masterKey: key, masterSalt: salt }]);
    expect(delivered()).toEqual(clear);
  });

  it('sends held media as received when the keys do not come in time, and audits it', async () => {
    const { pipeline, audits, delivered } = setup({ maxMs: 50, maxBytes: 1 << 20 });
    pipeline.start();
    const { srtp } = srtpStream(4);
    await observe(pipeline);
    await pipeline.submit(
      srtp.map((p) => x3(p)),
      SOURCE,
    );
    const end = Date.now() + 10_000;
    while (delivered().length < 4 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await pipeline.stop();
    expect(delivered()).toEqual(srtp);
    expect(audits.find((a) => a.action === 'x3.keys.not-in-time')?.details).toMatchObject({
      keyState: 'awaiting',
      count: 4,
    });
  });

  it('keeps at most maxBytes held: the oldest goes first, uncorrelated media is dropped and audited', async () => {
    const { pipeline, audits, items } = setup({ maxMs: 60_000, maxBytes: 500 });
    pipeline.start();
    const { srtp } = srtpStream(6); // about 210 octets each: two fit
    await pipeline.submit(
      srtp.map((p) => x3(p, 1n)),
      SOURCE,
    ); // no session at all
    const end = Date.now() + 10_000;
    while (pipeline.heldPackets > 2 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    await pipeline.stop();
    expect(pipeline.heldPackets).toBe(2);
    expect(items).toHaveLength(0);
    expect(audits.find((a) => a.action === 'x3.uncorrelated')?.details).toMatchObject({
      reason: 'uncorrelated',
      count: 4,
    });
  });
});
