import { DataSource } from 'typeorm';
import { ENGINES, migratedDataSource, notePgSkipped } from '../../../../test/support/databases';
import { CounterBlock } from './counter-block';

describe.each(ENGINES)('CounterBlock on $name', ({ make }) => {
  let ds: DataSource;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await make();
    drop = db.drop;
    ds = await migratedDataSource(db);
  });
  afterAll(async () => {
    await ds.destroy();
    await drop();
  });

  it('hands out unique, increasing numbers across blocks and across two allocators', async () => {
    const a = new CounterBlock(ds, 'cin', 7);
    const b = new CounterBlock(ds, 'cin', 7);
    const taken = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).take()));
    expect(new Set(taken).size).toBe(60);
    const fromA = taken.filter((_, i) => i % 2);
    expect([...fromA].sort((x, y) => x - y)).toEqual(fromA);
    expect(Math.min(...taken)).toBeGreaterThanOrEqual(1);
  });

  it('refuses to go past its maximum', async () => {
    const c = new CounterBlock(ds, 'small', 5, 8);
    const got = [];
    for (let i = 0; i < 8; i++) got.push(await c.take());
    expect(got).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await expect(c.take()).rejects.toThrow('counter small exhausted');
  });
});
notePgSkipped();
