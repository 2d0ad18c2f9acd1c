import { rowChunks } from './sql';

const sizes = (engine: 'sqlite' | 'postgres', n: number, max: number) =>
  rowChunks(
    engine,
    Array.from({ length: n }, (_, i) => i),
    max,
  ).map((c) => c.length);

describe('rowChunks', () => {
  it('splits for SQLite into power-of-two chunks no larger than max, rows in order', () => {
    expect(sizes('sqlite', 0, 500)).toEqual([]);
    expect(sizes('sqlite', 11, 500)).toEqual([8, 2, 1]);
    expect(sizes('sqlite', 500, 500)).toEqual([256, 128, 64, 32, 16, 4]);
    expect(sizes('sqlite', 600, 200)).toEqual([128, 128, 128, 128, 64, 16, 8]);
    const rows = Array.from({ length: 37 }, (_, i) => i);
    expect(rowChunks('sqlite', rows, 500).flat()).toEqual(rows);
  });

  it('splits for PostgreSQL into as few chunks as max allows', () => {
    expect(sizes('postgres', 11, 500)).toEqual([11]);
    expect(sizes('postgres', 1200, 500)).toEqual([500, 500, 200]);
  });

  it('uses few distinct sizes on SQLite whatever the counts', () => {
    const distinct = new Set<number>();
    for (let n = 1; n <= 1000; n++) for (const s of sizes('sqlite', n, 500)) distinct.add(s);
    expect([...distinct].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
  });
});
