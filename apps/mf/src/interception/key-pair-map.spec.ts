import { KeyPairMap } from './key-pair-map';

describe('KeyPairMap', () => {
  it('keeps pairs apart that one joined key string would mix up', () => {
    const m = new KeyPairMap<number>();
    m.set('LIID-1', 'call-a', 1);
    m.set('LIID-2', 'call-a', 2);
    m.set('LIID-1', 'call-b', 3);
    m.set('LIID-1', 'call-a', 4); // replaces
    expect(m.size).toBe(3);
    expect([
      m.get('LIID-1', 'call-a'),
      m.get('LIID-2', 'call-a'),
      m.get('LIID-2', 'call-b'),
    ]).toEqual([4, 2, undefined]);
    expect([...m.values()]).toEqual([4, 3, 2]);
  });

  it('deletes pairs, and may do so while its values are being visited', () => {
    const m = new KeyPairMap<string>();
    for (const [a, b] of [
      ['x', '1'],
      ['x', '2'],
      ['y', '1'],
    ])
      m.set(a, b, `${a}${b}`);
    for (const v of m.values()) if (v !== 'x2') m.delete(v[0], v[1]);
    expect([...m.values()]).toEqual(['x2']);
    expect(m.size).toBe(1);
    expect(m.delete('y', '1')).toBe(false);
    expect(m.delete('x', '2')).toBe(true);
    expect([m.size, [...m.values()]]).toEqual([0, []]);
  });
});
