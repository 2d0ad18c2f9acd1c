import { randomUUID } from 'node:crypto';
import { encodeEpsIriContent, IriBuilder, IriRecordType } from '@app/hi2';
import { DataSource } from 'typeorm';
import {
  LeaDestinationEntity,
  LeaDestinationSettings,
  LeaTransport,
} from '../../apps/mf/src/handover/lea-destination.entity';

const builder = new IriBuilder({ networkIdentifier: { operatorId: 'OP1' } });

/**
 * A small, distinguishable IRI record (BER of one EpsIRIContent): its SIP message names the
 * LIID and `n`, so a receiver's copy can be matched to what was enqueued; `padBytes` adds a
 * header of that many octets (records big enough that a file spans many TCP segments).
 */
export function testRecord(
  liid: string,
  n: number,
  type: IriRecordType = 'CONTINUE',
  padBytes = 0,
): Buffer {
  return encodeEpsIriContent(
    builder.build({
      liid,
      type,
      timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, n % 60)),
      initiator: 'originating',
      parties: [{ role: 'originating', sipUri: 'sip:alice@ims.example' }],
      sipMessage: Buffer.from(
        `MESSAGE sip:bob@ims.example SIP/2.0\r\nX-Test: ${liid}#${n}\r\n` +
          (padBytes ? `X-Pad: ${'p'.repeat(padBytes)}\r\n` : '') +
          '\r\n',
      ),
    }),
  );
}

/** Inserts an LEA destination row and returns it. */
export async function insertDestination(
  ds: DataSource,
  d: {
    transport: LeaTransport;
    host?: string;
    port?: number;
    settings?: Partial<LeaDestinationSettings>;
    secret?: string | null;
    name?: string;
  },
): Promise<LeaDestinationEntity> {
  const now = new Date().toISOString();
  const row = ds.getRepository(LeaDestinationEntity).create({
    id: randomUUID(),
    name: d.name ?? `lea-${randomUUID().slice(0, 8)}`,
    transport: d.transport,
    host: d.host ?? '127.0.0.1',
    port: d.port ?? 1,
    settings: { caFile: '/dev/null', ...d.settings },
    secret: d.secret ?? null,
    enabled: true,
    createdAt: now,
    updatedAt: now,
  });
  await ds.getRepository(LeaDestinationEntity).insert(row);
  return row;
}
