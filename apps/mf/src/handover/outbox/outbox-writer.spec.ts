import { decodeEpsIriContent, recordParts } from '@app/hi2';
import { DataSource } from 'typeorm';
import {
  ENGINES,
  migratedDataSource,
  notePgSkipped,
  TempDatabase,
} from '../../../../../test/support/databases';
import { insertDestination, testRecord } from '../../../../../test/support/hi2';
import { UnitOfWork } from '../../persistence/unit-of-work';
import { LeaDestinationEntity } from '../lea-destination.entity';
import { OutboxRow } from './outbox.entity';
import { OutboxError, OutboxWriter } from './outbox-writer';

describe.each(ENGINES)('OutboxWriter on $name', ({ make }) => {
  let db: TempDatabase;
  let ds: DataSource;
  let uow: UnitOfWork;
  let writer: OutboxWriter;
  let a: LeaDestinationEntity;
  let b: LeaDestinationEntity;
  const rows = (destinationId: string): Promise<OutboxRow[]> =>
    ds.getRepository(OutboxRow).find({ where: { destinationId }, order: { seq: 'ASC' } });

  beforeAll(async () => {
    db = await make();
    ds = await migratedDataSource(db, [LeaDestinationEntity, OutboxRow]);
    uow = new UnitOfWork(ds);
    writer = new OutboxWriter(ds);
    a = await insertDestination(ds, { transport: 'ftps' });
    b = await insertDestination(ds, { transport: 'tls' });
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('stores one row per destination with per-destination sequence numbers and the record BER', async () => {
    const r1 = testRecord('LIID-W1', 1, 'BEGIN');
    const r2 = testRecord('LIID-W1', 2, 'END');
    const out = await uow.run((em) =>
      writer.enqueue(em, [
        { record: r1, destinations: [a.id, b.id], cin: 7 },
        { record: decodeEpsIriContent(r2), destinations: [a.id] },
      ]),
    );
    expect(out.map((o) => [o.destinationId === a.id ? 'a' : 'b', o.seq, o.iriType])).toEqual([
      ['a', 1, 'BEGIN'],
      ['b', 1, 'BEGIN'],
      ['a', 2, 'END'],
    ]);
    const inA = await rows(a.id);
    expect(inA.map((r) => [r.seq, r.liid, r.iriType, r.cin, r.state, r.attempts])).toEqual([
      [1, 'LIID-W1', 'BEGIN', 7, 'pending', 0],
      [2, 'LIID-W1', 'END', null, 'pending', 0],
    ]);
    expect(Buffer.from(inA[0].payload).equals(r1)).toBe(true);
    expect(Buffer.from(inA[1].payload).equals(r2)).toBe(true);
    expect((await rows(b.id)).map((r) => r.seq)).toEqual([1]);
  });

  it('consumes no number when the transaction rolls back', async () => {
    await expect(
      uow.run(async (em) => {
        await writer.enqueue(em, { record: testRecord('LIID-W1', 3), destinations: [a.id] });
        throw new Error('pipeline failed after enqueue');
      }),
    ).rejects.toThrow('pipeline failed');
    await uow.run((em) =>
      writer.enqueue(em, { record: testRecord('LIID-W1', 4), destinations: [a.id] }),
    );
    expect((await rows(a.id)).map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('notifies listeners after commit only', async () => {
    let calls = 0;
    const off = writer.onCommitted(() => calls++);
    await uow
      .run(async (em) => {
        await writer.enqueue(em, { record: testRecord('LIID-W1', 5), destinations: [b.id] });
        expect(calls).toBe(0);
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect(calls).toBe(0);
    await uow.run((em) =>
      writer.enqueue(em, { record: testRecord('LIID-W1', 6), destinations: [b.id] }),
    );
    expect(calls).toBe(1);
    off();
  });

  it('keeps numbers gap-free and unique under concurrent transactions (several writers)', async () => {
    // On PostgreSQL each data source is a separate pool, like separate MF instances. SQLite is
    // single-instance (ARCHITECTURE.md §7): there the UnitOfWork queue serialises the writers.
    const others =
      db.engine === 'postgres'
        ? await Promise.all(
            [0, 1].map(() => migratedDataSource(db, [LeaDestinationEntity, OutboxRow])),
          )
        : [];
    const writers = [ds, ...others].map((d) => ({
      uow: new UnitOfWork(d),
      w: new OutboxWriter(d),
    }));
    const before = (await rows(a.id)).length;
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const { uow: u, w } = writers[i % writers.length];
        return u.run((em) =>
          w.enqueue(em, [
            { record: testRecord('LIID-C', i), destinations: [b.id, a.id] },
            { record: testRecord('LIID-C', 1000 + i), destinations: [a.id] },
          ]),
        );
      }),
    );
    const seqs = (await rows(a.id)).map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: before + 120 }, (_, i) => i + 1));
    await Promise.all(others.map((o) => o.destroy()));
  });

  it('refuses a record without destination, a bad CIN, bytes that are not a record and a record without LIID', async () => {
    await expect(
      uow.run((em) => writer.enqueue(em, { record: testRecord('L', 1), destinations: [] })),
    ).rejects.toThrow(OutboxError);
    await expect(
      uow.run((em) =>
        writer.enqueue(em, { record: testRecord('L', 1), destinations: [a.id], cin: -1 }),
      ),
    ).rejects.toThrow('cin must be');
    await expect(
      uow.run((em) => writer.enqueue(em, { record: Buffer.from([0x30, 0]), destinations: [a.id] })),
    ).rejects.toThrow('not a [1]..[4] record');
    const noLiid = decodeEpsIriContent(testRecord('L', 1));
    recordParts(noLiid).parameters.lawfulInterceptionIdentifier = Buffer.alloc(0);
    await expect(
      uow.run((em) => writer.enqueue(em, { record: noLiid, destinations: [a.id] })),
    ).rejects.toThrow('lawfulInterceptionIdentifier missing or out of size');
  });

  it('must run inside a transaction', async () => {
    await expect(
      writer.enqueue(ds.manager, { record: testRecord('L', 1), destinations: [a.id] }),
    ).rejects.toThrow('inside UnitOfWork.run');
  });
});
notePgSkipped();
