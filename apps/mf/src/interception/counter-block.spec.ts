import { DataSource } from 'typeorm';
import { ENGINES, migratedDataSource, notePgSkipped } from '../../../../test/support/databases';
import { UnitOfWork } from '../persistence/unit-of-work';
import { CounterBlock } from './counter-block';

describe.each(ENGINES)('CounterBlock on $name', ({ make }) => {
  let ds: DataSource;
  let uow: UnitOfWork;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await make();
    drop = db.drop;
    ds = await migratedDataSource(db);
    uow = new UnitOfWork(ds);
  });
  afterAll(async () => {
    await ds.destroy();
    await drop();
  });

  it('hands out unique, increasing numbers across blocks and across two allocators', async () => {
    const a = new CounterBlock(uow, 'cin', 7);
    const b = new CounterBlock(uow, 'cin', 7);
    const taken = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).take()));
    expect(new Set(taken).size).toBe(60);
    const fromA = taken.filter((_, i) => i % 2);
    expect([...fromA].sort((x, y) => x - y)).toEqual(fromA);
    expect(Math.min(...taken)).toBeGreaterThanOrEqual(1);
  });

  it('keeps a reservation made while another transaction is open and then rolls back', async () => {
    const a = new CounterBlock(uow, 'rollback', 10);
    let taking: Promise<number> | undefined;
    const failing = uow.run(async (em) => {
      await em.query('SELECT 1');
      taking = a.take(); // reserves a block while this transaction is open
      await new Promise((r) => setTimeout(r, 50));
      throw new Error('rolled back');
    });
    await expect(failing).rejects.toThrow('rolled back');
    expect(await taking).toBe(1);
    // a second allocator (another instance, or this one after a restart) gets the next block
    expect(await new CounterBlock(uow, 'rollback', 10).take()).toBe(11);
  });

  it('refuses to go past its maximum', async () => {
    const c = new CounterBlock(uow, 'small', 5, 8);
    const got = [];
    for (let i = 0; i < 8; i++) got.push(await c.take());
    expect(got).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await expect(c.take()).rejects.toThrow('counter small exhausted');
  });
});
notePgSkipped();
