import { DataSource } from 'typeorm';
import {
  ENGINES,
  migratedDataSource,
  notePgSkipped,
  TempDatabase,
} from '../../../../../test/support/databases';
import { insertDestination, testRecord } from '../../../../../test/support/hi2';
import { AuditEntryEntity } from '../../audit/audit-entry.entity';
import { AuditService } from '../../audit/audit.service';
import { UnitOfWork } from '../../persistence/unit-of-work';
import { LeaDestinationEntity } from '../lea-destination.entity';
import { OutboxRow } from './outbox.entity';
import { OutboxStore, seqRuns, streamId } from './outbox-store';
import { OutboxWriter } from './outbox-writer';

describe('seqRuns', () => {
  it('groups numbers into ascending runs of consecutive values, without repeats', () => {
    expect(seqRuns([])).toEqual([]);
    expect(seqRuns([3, 1, 2, 2, 7, 9, 8, 12])).toEqual([
      [1, 3],
      [7, 9],
      [12, 12],
    ]);
  });
});

describe.each(ENGINES)('OutboxStore on $name', ({ name, make }) => {
  const pgOnly = name === 'PostgreSQL' ? it : it.skip;
  let db: TempDatabase;
  let ds: DataSource;
  let uow: UnitOfWork;
  let store: OutboxStore;
  let writer: OutboxWriter;

  const entities = [LeaDestinationEntity, AuditEntryEntity, OutboxRow];
  const enqueue = (dest: string, liid: string, from: number, n: number, cin?: number) =>
    uow.run((em) =>
      writer.enqueue(
        em,
        Array.from({ length: n }, (_, i) => ({
          record: testRecord(liid, from + i),
          destinations: [dest],
          cin,
        })),
      ),
    );

  beforeAll(async () => {
    db = await make();
    ds = await migratedDataSource(db, entities);
    uow = new UnitOfWork(ds);
    store = new OutboxStore(uow, new AuditService(uow));
    writer = new OutboxWriter(ds);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('gives a destination lease to one owner at a time, renewable, released, or taken when expired', async () => {
    const d = await insertDestination(ds, { transport: 'tls' });
    const t0 = new Date('2025-01-01T00:00:00Z');
    expect(await store.acquireLease(d.id, 'mf-a', 10_000, t0)).toBe(true);
    expect(await store.acquireLease(d.id, 'mf-b', 10_000, new Date(t0.getTime() + 1000))).toBe(
      false,
    );
    expect(await store.acquireLease(d.id, 'mf-a', 10_000, new Date(t0.getTime() + 5000))).toBe(
      true,
    );
    // a's renewal runs to t0+15 s: b still cannot at t0+12 s, can at t0+16 s
    expect(await store.acquireLease(d.id, 'mf-b', 10_000, new Date(t0.getTime() + 12_000))).toBe(
      false,
    );
    expect(await store.acquireLease(d.id, 'mf-b', 10_000, new Date(t0.getTime() + 16_000))).toBe(
      true,
    );
    expect(await store.acquireLease(d.id, 'mf-a', 10_000, new Date(t0.getTime() + 17_000))).toBe(
      false,
    );
    await store.releaseLease(d.id, 'mf-b');
    expect(await store.acquireLease(d.id, 'mf-a', 10_000, new Date(t0.getTime() + 18_000))).toBe(
      true,
    );
    const [{ epoch }] = await ds.query<Array<{ epoch: number }>>(
      `SELECT epoch FROM hi2_delivery_lease WHERE destination_id = ${db.engine === 'postgres' ? '$1' : '?'}`,
      [d.id],
    );
    expect(Number(epoch)).toBe(3); // a, then b, then a again
  });

  pgOnly('skips a lease row another transaction is claiming (PostgreSQL SKIP LOCKED)', async () => {
    const d = await insertDestination(ds, { transport: 'tls' });
    expect(await store.acquireLease(d.id, 'mf-a', 1, new Date(0))).toBe(true); // row exists, expired
    const other = ds.createQueryRunner();
    await other.startTransaction();
    await other.query('SELECT * FROM hi2_delivery_lease WHERE destination_id = $1 FOR UPDATE', [
      d.id,
    ]);
    const started = Date.now();
    expect(await store.acquireLease(d.id, 'mf-b', 10_000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000); // did not wait for the other transaction
    await other.rollbackTransaction();
    await other.release();
    expect(await store.acquireLease(d.id, 'mf-b', 10_000)).toBe(true);
  });

  it('reads pending rows in order after a cursor and marks them delivered with PS-PDU counters', async () => {
    const d = await insertDestination(ds, { transport: 'tls' });
    await enqueue(d.id, 'LIID-S1', 0, 5, 9);
    expect((await store.pending(d.id, { limit: 3 })).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect((await store.pending(d.id, { afterSeq: 3, limit: 10 })).map((r) => r.seq)).toEqual([
      4, 5,
    ]);
    const key = { liid: 'LIID-S1', cin: 9 };
    const n = await store.markDelivered(
      d.id,
      { seqs: [1, 2, 3] },
      new Map([[streamId(key), { key, next: 3 }]]),
    );
    expect(n).toBe(3);
    expect(await store.markDelivered(d.id, { seqs: [1] })).toBe(0); // already delivered
    expect((await store.pending(d.id, { limit: 10 })).map((r) => r.seq)).toEqual([4, 5]);
    await enqueue(d.id, 'LIID-S1', 0, 5, 9); // seqs 6..10
    // Runs with gaps and repeats: 5, 7..8, 10 delivered; 4, 6, 9 stay pending.
    expect(await store.markDelivered(d.id, { seqs: [10, 7, 5, 8, 7] })).toBe(4);
    expect((await store.pending(d.id, { limit: 10 })).map((r) => r.seq)).toEqual([4, 6, 9]);
    expect(await store.pduCounters(d.id, [key, { liid: 'other', cin: 1 }])).toEqual(
      new Map([[streamId(key), 3]]),
    );
  });

  it('reads the counters of the streams asked for, not every stream of their LIIDs', async () => {
    const d = await insertDestination(ds, { transport: 'tls' });
    const streams = Array.from({ length: 40 }, (_, i) => ({ liid: 'LIID-C', cin: 100 + i }));
    await store.markDelivered(
      d.id,
      { seqs: [] },
      new Map(streams.map((k, i) => [streamId(k), { key: k, next: i + 1 }])),
    );
    const asked = [streams[3], streams[7], { liid: 'LIID-C', cin: 999 }];
    expect(await store.pduCounters(d.id, asked)).toEqual(
      new Map([
        [streamId(streams[3]), 4],
        [streamId(streams[7]), 8],
      ]),
    );
  });

  it('plans FTPS files with per-LIID file numbers, re-reads the plan, delivers by file', async () => {
    const d = await insertDestination(ds, { transport: 'ftps' });
    await enqueue(d.id, 'LIID-A', 0, 3);
    await enqueue(d.id, 'LIID-B', 0, 1);
    const names = await store.planFiles(
      d.id,
      [
        { liid: 'LIID-A', seqs: [1, 2] },
        { liid: 'LIID-B', seqs: [4] },
      ],
      (liid, n) => `${liid}-${n}`,
    );
    expect(names).toEqual(['LIID-A-1', 'LIID-B-1']);
    expect(
      await store.planFiles(d.id, [{ liid: 'LIID-A', seqs: [3] }], (liid, n) => `${liid}-${n}`),
    ).toEqual(['LIID-A-2']);
    expect((await store.planned(d.id)).map((r) => [r.seq, r.fileName])).toEqual([
      [1, 'LIID-A-1'],
      [2, 'LIID-A-1'],
      [3, 'LIID-A-2'],
      [4, 'LIID-B-1'],
    ]);
    expect(await store.pending(d.id, { limit: 10, unplanned: true })).toEqual([]);
    expect(await store.markDelivered(d.id, { fileName: 'LIID-A-1' })).toBe(2);
    await store.unplan(d.id, 'LIID-A-2');
    expect((await store.pending(d.id, { limit: 10, unplanned: true })).map((r) => r.seq)).toEqual([
      3,
    ]);
  });

  it('dead-letters a row refused maxAttempts times, audits it, keeps it, and skips its PDU number', async () => {
    const d = await insertDestination(ds, { transport: 'tls' });
    await enqueue(d.id, 'LIID-BAD', 0, 2, 4);
    const key = { liid: 'LIID-BAD', cin: 4 };
    expect(await store.reject(d.id, [1], 'connection dropped', 3)).toEqual([]);
    expect(await store.reject(d.id, [1], 'connection dropped', 3)).toEqual([]);
    const dead = await store.reject(
      d.id,
      [1],
      'connection dropped',
      3,
      new Map([[1, { key, next: 1 }]]),
    );
    expect(dead).toEqual([{ seq: 1, liid: 'LIID-BAD', attempts: 3 }]);
    const row = await ds.getRepository(OutboxRow).findOneByOrFail({ destinationId: d.id, seq: 1 });
    expect([row.state, row.attempts, row.lastError]).toEqual(['dead', 3, 'connection dropped']);
    expect((await store.pending(d.id, { limit: 10 })).map((r) => r.seq)).toEqual([2]);
    expect(await store.pduCounters(d.id, [key])).toEqual(new Map([[streamId(key), 1]]));
    const audit = await ds
      .getRepository(AuditEntryEntity)
      .findOneByOrFail({ action: 'hi2.record.dead-letter', liid: 'LIID-BAD' });
    expect(audit.outcome).toBe('failure');
    expect(JSON.parse(audit.details!)).toMatchObject({ seq: 1, attempts: 3 });
  });

  it('reports the backlog and purges only old delivered rows, audited', async () => {
    const d = await insertDestination(ds, { transport: 'tls' });
    await enqueue(d.id, 'LIID-P', 0, 4);
    await store.markDelivered(d.id, { seqs: [1] }, undefined, new Date('2020-01-01T00:00:00Z'));
    await store.markDelivered(d.id, { seqs: [2] });
    await store.reject(d.id, [3], 'refused', 1);
    const mine = (await store.backlog()).find((b) => b.destinationId === d.id);
    expect(mine?.pending).toBe(1);
    const purged = await store.purge(new Date('2024-01-01T00:00:00Z'));
    expect(purged.rows).toBe(1);
    const left = await ds
      .getRepository(OutboxRow)
      .find({ where: { destinationId: d.id }, order: { seq: 'ASC' } });
    expect(left.map((r) => [r.seq, r.state])).toEqual([
      [2, 'delivered'],
      [3, 'dead'],
      [4, 'pending'],
    ]);
    expect(await ds.getRepository(AuditEntryEntity).countBy({ action: 'hi2.outbox.purge' })).toBe(
      1,
    );
  });
});
notePgSkipped();
