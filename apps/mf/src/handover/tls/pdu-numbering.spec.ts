import { streamId } from '../outbox/outbox-store';
import { PduNumbering } from './pdu-numbering';

describe('PduNumbering', () => {
  const a = { liid: 'LIID-A', cin: 7 };
  const aCc = { liid: 'LIID-A', cin: 7, cc: true };
  const b = { liid: 'LIID-B', cin: 8 };
  const stored = (...s: Array<[typeof a, number]>) =>
    new Map(s.map(([k, next]) => [streamId(k), { key: k, next }]));

  it('reads each stream once, then counts its records (IRI and CC apart)', () => {
    const n = new PduNumbering();
    expect(n.missing([a, aCc, b])).toEqual([a, aCc, b]);
    n.load([a, aCc, b], new Map([[streamId(a), 5]]));
    expect(n.missing([a, aCc, b])).toEqual([]);
    expect([n.peek(a), n.peek(aCc), n.peek(b)]).toEqual([5, 0, 0]);
    n.written(a, 5);
    n.written(a, 6);
    expect(n.peek(a)).toBe(7);
    n.written(b, 2 ** 32 - 1);
    expect(n.peek(b)).toBe(0);
  });

  it('forgets a stream once its counter is stored and nothing of it was written since', () => {
    const n = new PduNumbering();
    n.load([a, b], new Map());
    n.written(a, 0);
    n.written(b, 0);
    n.stored(stored([a, 1], [b, 1]));
    // Not before the next batch: a batch under way may have read counters it has not used.
    expect(n.missing([a, b])).toEqual([]);
    n.forgetSettled();
    expect(n.missing([a, b])).toEqual([a, b]);
  });

  it('keeps a stream with a record written after the confirmed ones', () => {
    const n = new PduNumbering();
    n.load([a], new Map());
    n.written(a, 0);
    // written while the confirmation of record 0 was being stored (or confirmed too, with its
    // counter still to be stored: confirmations are stored in order)
    n.written(a, 1);
    n.stored(stored([a, 1]));
    n.forgetSettled();
    expect(n.missing([a])).toEqual([]);
    expect(n.peek(a)).toBe(2);
    // its own confirmation, stored later, lets it go
    n.stored(stored([a, 2]));
    n.forgetSettled();
    expect(n.missing([a])).toEqual([a]);
  });

  it('reads every stream again after the connection ended', () => {
    const n = new PduNumbering();
    n.load([a], new Map());
    n.written(a, 0);
    n.stored(stored([a, 1]));
    n.clear();
    n.load([a], new Map([[streamId(a), 1]]));
    n.forgetSettled(); // the stored value from before the connection ended is gone
    expect(n.missing([a])).toEqual([]);
    expect(n.peek(a)).toBe(1);
  });
});
