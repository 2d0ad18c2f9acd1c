import { DataSource } from 'typeorm';
import { createDataSource } from '../../persistence/data-source';
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
import { OutboxCommitWatch } from './outbox-commit-watch';
import { OutboxWriter } from './outbox-writer';

/** Waits `ms`. */
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(ENGINES)('OutboxCommitWatch on $name', ({ make }) => {
  let db: TempDatabase;
  let ingest: DataSource;
  let delivery: DataSource;
  let destination: LeaDestinationEntity;
  let watch: OutboxCommitWatch;
  let wakes = 0;

  beforeAll(async () => {
    db = await make();
    ingest = await migratedDataSource(db, [LeaDestinationEntity, OutboxRow]);
    // Another connection to the same database, as a delivery-only process has.
    delivery = await createDataSource({ url: db.url, entities: [OutboxRow] }).initialize();
    destination = await insertDestination(ingest, { transport: 'tls' });
    watch = new OutboxCommitWatch(delivery, 2);
    watch.start(() => wakes++);
    await settle(300); // PostgreSQL: LISTEN is up (its first wake is counted here)
  });
  afterAll(async () => {
    await watch.stop();
    await delivery.destroy();
    await ingest.destroy();
    await db.drop();
  });

  const enqueue = (commit: boolean) =>
    new UnitOfWork(ingest)
      .run(async (em) => {
        await new OutboxWriter(ingest).enqueue(em, {
          record: testRecord('LIID-WATCH', 1),
          destinations: [destination.id],
        });
        if (!commit) throw new Error('rolled back on purpose');
      })
      .catch(() => undefined);

  it('wakes when another connection commits outbox rows, not for a rollback or its own reads', async () => {
    const before = wakes;
    await enqueue(false);
    await delivery.query('SELECT COUNT(*) FROM hi2_outbox');
    await settle(200);
    expect(wakes).toBe(before);

    await enqueue(true);
    const t0 = Date.now();
    while (wakes === before && Date.now() - t0 < 2000) await settle(1);
    expect(wakes).toBe(before + 1);
  });

  it('stops waking once stopped', async () => {
    await watch.stop();
    const before = wakes;
    await enqueue(true);
    await settle(200);
    expect(wakes).toBe(before);
  });
});

notePgSkipped();
