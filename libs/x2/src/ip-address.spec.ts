import { isIPv6 } from 'node:net';
import { SeededRandom } from '../../../test/support/seeded-random';
import { formatIpv6, parseIpv4, parseIpv6 } from './index';

describe('IP address text', () => {
  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
  ])('%s is %s in RFC 5952 form', (text, canonical) => {
    expect(formatIpv6(parseIpv6(text)!)).toBe(canonical);
  });

  it('agrees with node:net on random candidate texts (zones excluded)', () => {
    const rnd = new SeededRandom(42);
    const alphabet = [
      '0',
      '1',
      'a',
      'F',
      'ffff',
      '0db8',
      ':',
      '::',
      '.',
      '192.0.2.1',
      '12345',
      'g',
    ];
    for (let i = 0; i < 20000; i++) {
      let text = '';
      for (let n = rnd.int(1, 12); n > 0; n--) text += rnd.pick(alphabet);
      expect([text, parseIpv6(text) !== undefined]).toEqual([text, isIPv6(text)]);
    }
  });

  it('parses dotted quads strictly', () => {
    expect(parseIpv4('192.0.2.1')?.toString('hex')).toBe('c0000201');
    for (const bad of ['1.2.3', '256.1.1.1', '01.2.3.4', '1.2.3.4.5', 'a.b.c.d']) {
      expect(parseIpv4(bad)).toBeUndefined();
    }
  });
});
