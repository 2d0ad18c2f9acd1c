import { cutFiles, hi2FileName, liidForFileName } from './ftps-files';

describe('HI2 FTPS file names', () => {
  it('follow <operatorId>_<LIID>_<UTC yyyymmddHHMMss>_<seq 10 digits>.ber', () => {
    expect(hi2FileName('OP1', 'LIID-42', new Date('2025-03-04T05:06:07.890Z'), 17)).toBe(
      'OP1_LIID-42_20250304050607_0000000017.ber',
    );
  });

  it('escape LIID octets that would break the name or a path', () => {
    expect(liidForFileName('a_b/c d%é')).toBe('a%5Fb%2Fc%20d%25%C3%A9');
    expect(decodeURIComponent(liidForFileName('a_b/c d%é'))).toBe('a_b/c d%é');
  });
});

describe('cutFiles', () => {
  const t0 = new Date('2025-01-01T00:00:10.000Z');
  const row = (seq: number, liid: string, ageMs: number) => ({
    seq,
    liid,
    createdAt: new Date(t0.getTime() - ageMs).toISOString(),
  });

  it('makes one file per LIID in order, at most maxRecords each, once the oldest is due', () => {
    const rows = [
      row(1, 'A', 2000),
      row(2, 'B', 1500),
      row(3, 'A', 1000),
      row(4, 'A', 900),
      row(5, 'A', 10),
    ];
    expect(cutFiles(rows, t0, 3, 1000)).toEqual({
      plans: [
        { liid: 'A', seqs: [1, 3, 4] },
        { liid: 'B', seqs: [2] },
      ],
      waitMs: 990, // A's fifth record waits for its own deadline
    });
  });

  it('cuts a full file at once and holds a young partial one', () => {
    const rows = [row(1, 'A', 0), row(2, 'A', 0), row(3, 'A', 0)];
    expect(cutFiles(rows, t0, 2, 1000)).toEqual({
      plans: [{ liid: 'A', seqs: [1, 2] }],
      waitMs: 1000,
    });
    expect(cutFiles(rows, t0, 10, 0).plans).toEqual([{ liid: 'A', seqs: [1, 2, 3] }]);
  });

  it('isolates rows up to a sequence number, one record per file', () => {
    const rows = [row(1, 'A', 5000), row(2, 'A', 5000), row(3, 'A', 5000)];
    expect(cutFiles(rows, t0, 10, 1000, 2).plans).toEqual([
      { liid: 'A', seqs: [1] },
      { liid: 'A', seqs: [2] },
      { liid: 'A', seqs: [3] },
    ]);
  });
});
