import { DataSource } from 'typeorm';
import { createDataSource } from '../apps/mf/src/persistence/data-source';
import { ENGINES, notePgSkipped } from '../test/support/databases';
import { migrations } from './index';

const TABLES = [
  'audit_log',
  'lea_destination',
  'warrant',
  'warrant_target',
  'warrant_destination',
  'app_user',
  'call_session',
  'counter',
  'hi2_outbox',
  'hi2_counter',
  'hi2_delivery_lease',
  'xk_key_job',
];

/** Runs every migration up, then every one down, and checks the schema at each end. */
async function roundTrip(ds: DataSource): Promise<void> {
  const ran = await ds.runMigrations({ transaction: 'each' });
  expect(ran.map((m) => m.name)).toEqual(migrations.map((M) => new M().name));
  const q = ds.createQueryRunner();
  for (const t of TABLES) expect(await q.hasTable(t)).toBe(true);
  const xid = (await q.getTable('warrant_target'))?.findColumnByName('xid');
  expect({ nullable: xid?.isNullable, unique: xid?.isUnique }).toEqual({
    nullable: true,
    unique: true,
  });
  for (let i = 0; i < migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
  for (const t of TABLES) expect(await q.hasTable(t)).toBe(false);
  expect(await ds.showMigrations()).toBe(true); // pending again: everything was undone
  await q.release();
}

describe.each(ENGINES)('migrations on $name', ({ make }) => {
  it('run up and down', async () => {
    const db = await make();
    const ds = createDataSource({ url: db.url });
    await ds.initialize();
    try {
      if (db.engine === 'sqlite') {
        expect(await ds.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
        expect(await ds.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
        // FULL = 2: every commit fsynced (the X2 acknowledgement follows the commit)
        expect(await ds.query('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]);
      }
      await roundTrip(ds);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });
});
notePgSkipped();
