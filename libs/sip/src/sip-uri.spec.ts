import { isHost, parseTelephoneSubscriber, parseUri } from './index';

describe('URIs (RFC 3261 §19.1, §25.1; RFC 3966)', () => {
  it.each([
    ['host1', true],
    ['ims.mnc001.mcc262.3gppnetwork.org', true],
    ['example.com.', true],
    ['x-1.y2', true],
    ['192.0.2.1', true],
    ['[2001:db8::1]', true],
    ['[::ffff:192.0.2.1]', true],
    ['1.2.3', false],
    ['999.1.1.1', false],
    ['-a.com', false],
    ['a.1b', false],
    ['a_b.example', false],
    ['[2001:db8::1%eth0]', false],
    ['[1::2::3]', false],
    ['', false],
  ])('host %s is %s', (host, valid) => {
    expect(isHost(host)).toBe(valid);
  });

  it('splits a SIP URI into its parts, keeping escapes', () => {
    const uri = parseUri(
      'sips:al%69ce:pw@[2001:db8::1]:5061;transport=tcp;lr?subject=hi&priority=urgent',
    );
    expect(uri).toMatchObject({
      kind: 'sip',
      scheme: 'sips',
      user: 'al%69ce',
      password: 'pw',
      host: '[2001:db8::1]',
      port: 5061,
      parameters: [{ name: 'transport', value: 'tcp' }, { name: 'lr' }],
      headers: [
        { name: 'subject', value: 'hi' },
        { name: 'priority', value: 'urgent' },
      ],
    });
  });

  it.each([
    'sip:',
    'sip:@host',
    'sip:user@',
    'sip:user@host:65536',
    'sip:user@host;=x',
    'sip:us er@host',
    'sip:user@host?noequals',
    'sip:user%2@host',
    '1sip:user@host',
    'tel:+',
    'tel:+49;phone-context=example.com',
    'tel:12345',
    'tel:+49;ext=',
    'http:',
  ])('rejects %s', (text) => {
    expect(parseUri(text)).toBeUndefined();
  });

  it('normalises telephone-subscriber digits and keeps their context', () => {
    expect(parseTelephoneSubscriber('+1-(212)-555.1212;ext=12;isub=ab;foo=bar')).toEqual({
      global: true,
      digits: '+12125551212',
      extension: '12',
      isdnSubaddress: 'ab',
      parameters: [{ name: 'foo', value: 'bar' }],
    });
    expect(parseTelephoneSubscriber('*31#;phone-context=IMS.Example')).toMatchObject({
      global: false,
      digits: '*31#',
      context: 'ims.example',
    });
    expect(parseUri('urn:service:sos')).toEqual({
      kind: 'absolute',
      scheme: 'urn',
      text: 'urn:service:sos',
    });
  });
});
