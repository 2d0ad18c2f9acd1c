import { SeededRandom } from '../../../test/support/seeded-random';
import { canonicalIpv6, formatIpv6, isIpv6, parseIpv6 } from './index';

describe('IPv6 text without octets', () => {
  it('isIpv6 and canonicalIpv6 agree with parseIpv6 and formatIpv6 on random candidate texts', () => {
    const rnd = new SeededRandom(7);
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
    let valid = 0;
    for (let i = 0; i < 20000; i++) {
      let text = '';
      for (let n = rnd.int(1, 12); n > 0; n--) text += rnd.pick(alphabet);
      const octets = parseIpv6(text);
      expect([text, isIpv6(text), canonicalIpv6(text)]).toEqual([
        text,
        octets !== undefined,
        octets && formatIpv6(octets),
      ]);
      if (octets) valid++;
    }
    expect(valid).toBeGreaterThan(100);
  });

  it.each([
    ['::', '::'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['0:0:1:0:0:0:0:0', '0:0:1::'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
  ])('%s is %s', (text, canonical) => {
    expect(canonicalIpv6(text)).toBe(canonical);
  });
});
