import { DataSource, EntityManager } from 'typeorm';
import { ENGINES, notePgSkipped, TempDatabase } from '../../../../test/support/databases';
import { createDataSource } from './data-source';
import { UnitOfWork } from './unit-of-work';

/** The commit setting a transaction runs with: SQLite `synchronous`, PostgreSQL `synchronous_commit`. */
async function commitSetting(em: EntityManager, engine: string): Promise<string> {
  if (engine === 'sqlite') {
    const [row] = await em.query<Array<{ synchronous: number }>>('PRAGMA synchronous');
    return ['OFF', 'NORMAL', 'FULL', 'EXTRA'][row.synchronous];
  }
  const [row] = await em.query<Array<{ synchronous_commit: string }>>('SHOW synchronous_commit');
  return row.synchronous_commit;
}

describe.each(ENGINES)('UnitOfWork on $name', ({ make }) => {
  let db: TempDatabase;
  let ds: DataSource;
  let uow: UnitOfWork;
  const synced = { sqlite: 'FULL', postgres: 'on' };
  const notSynced = { sqlite: 'NORMAL', postgres: 'off' };

  beforeAll(async () => {
    db = await make();
    ds = await createDataSource({ url: db.url }).initialize();
    uow = new UnitOfWork(ds);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('commits without waiting for the disk only in the transaction asked for, also after a failure', async () => {
    const e = db.engine;
    expect(await uow.run((em) => commitSetting(em, e))).toBe(synced[e]);
    expect(await uow.run((em) => commitSetting(em, e), { syncCommit: false })).toBe(notSynced[e]);
    expect(await uow.run((em) => commitSetting(em, e))).toBe(synced[e]);
    await expect(
      uow.run(() => Promise.reject(new Error('work failed')), { syncCommit: false }),
    ).rejects.toThrow('work failed');
    expect(await uow.run((em) => commitSetting(em, e))).toBe(synced[e]);
  });
});

notePgSkipped();
