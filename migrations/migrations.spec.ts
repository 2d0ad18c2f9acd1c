import { DataSource } from 'typeorm';
import { createDataSource, dataSourceOptions } from '../apps/mf/src/persistence/data-source';
import { SqlParams } from '../apps/mf/src/persistence/sql';
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
describe.each(ENGINES)('Hi2OutboxBinaryPayload on $name', ({ make }) => {
  it('turns base64 payloads into binary and back', async () => {
    const db = await make();
    const ber = Buffer.from([0xa1, 0x03, 0x80, 0x01, 0x00, 0xff, 0x0a, 0x0d]);
    const before = new DataSource({
      ...dataSourceOptions({ url: db.url }),
      migrations: migrations.slice(0, -1),
    });
    await before.initialize();
    const q = new SqlParams(db.engine);
    const at = new Date().toISOString();
    await before.runMigrations({ transaction: 'each' });
    await before.query(
      'INSERT INTO lea_destination (id, name, transport, host, port, settings, enabled, created_at, updated_at) ' +
        `VALUES (${q.list(['d1', 'lea', 'tls', '127.0.0.1', 1, '{}', true, at, at])})`,
      q.values,
    );
    const r = new SqlParams(db.engine);
    await before.query(
      'INSERT INTO hi2_outbox (destination_id, seq, liid, iri_type, created_at, payload) ' +
        `VALUES (${r.list(['d1', 1, 'L1', 'BEGIN', at, ber.toString('base64')])})`,
      r.values,
    );
    await before.destroy();
    const ds = createDataSource({ url: db.url });
    await ds.initialize();
    try {
      await ds.runMigrations({ transaction: 'each' });
      const [row] = await ds.query<Array<{ payload: Buffer }>>('SELECT payload FROM hi2_outbox');
      expect(Buffer.isBuffer(row.payload) && row.payload.equals(ber)).toBe(true);
      await ds.undoLastMigration({ transaction: 'each' });
      const [back] = await ds.query<Array<{ payload: string }>>('SELECT payload FROM hi2_outbox');
      expect(back.payload).toBe(ber.toString('base64'));
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });
});

notePgSkipped();
