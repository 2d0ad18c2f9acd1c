import { identitiesMatch, identityKeyOfText, parseSipMessage } from './index';

describe('identity normalisation and matching', () => {
  const same: [string, string, string][] = [
    [
      'tel:+4930123456',
      'sip:+49-30-123456@ims.example;user=phone',
      'user=phone makes the user part a number',
    ],
    ['tel:+49-30-123456', 'tel:+4930123456', 'RFC 3966 visual separators'],
    ['tel:+49(30)123.456', 'tel:+4930123456', 'parentheses and dots are separators too'],
    ['sip:+49-30-123456@ims.example;USER=PHONE', 'tel:+4930123456', 'user param case-insensitive'],
    ['sip:%2B49-30-123456@ims.example;user=phone', 'tel:+4930123456', 'escaped user part'],
    ['sip:alice@IMS.Example', 'sip:alice@ims.example', 'host case-insensitive (§19.1.4)'],
    ['SIP:alice@ims.example', 'sip:alice@ims.example', 'scheme case-insensitive'],
    ['sip:%61lice@ims.example', 'sip:alice@ims.example', '%HH equals the character'],
    ['sips:alice@ims.example', 'sip:alice@ims.example', 'sips names the same AOR'],
    [
      'sip:alice@ims.example:5070;transport=tcp',
      'sip:alice@ims.example',
      'port and parameters ignored',
    ],
    ['sip:alice@ims.example.', 'sip:alice@ims.example', 'trailing root dot'],
    ['sip:bob@[2001:DB8::1]', 'sip:bob@[2001:db8:0:0::1]', 'IPv6 reference normalised'],
    [
      'tel:1234;phone-context=ims.example',
      'tel:12-34;phone-context=IMS.EXAMPLE',
      'local number with context',
    ],
    ['tel:+4930123456;isub=1234', 'tel:+4930123456', 'ISDN subaddress not part of the identity'],
    ['tel:+4930123456;ext=12', 'tel:+4930123456;ext=1-2', 'extension digits normalised'],
  ];
  const different: [string, string, string][] = [
    ['tel:+4930123456', 'sip:+4930123456@ims.example', 'no user=phone: a user name, not a number'],
    ['tel:+4930123456', 'tel:+4930123457', 'other number'],
    ['sip:Alice@ims.example', 'sip:alice@ims.example', 'user part case-sensitive (§19.1.4)'],
    ['sip:alice@ims.example', 'sip:alice@other.example', 'other host'],
    ['tel:1234;phone-context=ims.example', 'tel:1234;phone-context=other.example', 'other context'],
    ['tel:+4930123456;ext=12', 'tel:+4930123456', 'extension is part of the identity'],
    ['tel:4930123456', 'tel:4930123456', 'local number without phone-context is no identity'],
    ['sip:alice@ims.example', 'mailto:alice@ims.example', 'other scheme'],
  ];

  it.each(same)('%s matches %s (%s)', (a, b) => {
    expect(identitiesMatch(a, b)).toBe(true);
    expect(identitiesMatch(b, a)).toBe(true);
  });

  it.each(different)('%s does not match %s (%s)', (a, b) => {
    expect(identitiesMatch(a, b)).toBe(false);
  });

  it('gives the canonical keys', () => {
    expect(identityKeyOfText('sip:+49-30-123456@ims.example;user=phone')).toBe('tel:+4930123456');
    expect(identityKeyOfText('sip:Alice%20B@IMS.example:5060')).toBe('sip:Alice%20B@ims.example');
    expect(identityKeyOfText('tel:12.34;phone-context=+49-30')).toBe(
      'tel:1234;phone-context=+4930',
    );
    expect(identityKeyOfText('not a uri')).toBeUndefined();
  });

  it('summarises the identities of an IMS INVITE', () => {
    const invite = parseSipMessage(
      Buffer.from(
        [
          'INVITE tel:+4930123456 SIP/2.0',
          'Via: SIP/2.0/TCP pcscf.ims.example;branch=z9hG4bK-top, SIP/2.0/UDP ue.example;branch=z9hG4bK-2',
          'Max-Forwards: 69',
          'From: "Alice" <sip:alice@ims.example>;tag=a1',
          'To: <sip:+49-30-123456@ims.example;user=phone>',
          'P-Asserted-Identity: "Alice" <sip:alice@ims.example>, <tel:+4940555>',
          'P-Preferred-Identity: <sip:alice.work@ims.example>',
          'P-Called-Party-ID: <sip:+4930123456@ims.example;user=phone>;foo=bar',
          'Contact: <sip:alice@192.0.2.10:5060;ob>;+sip.instance="<urn:uuid:1>"',
          'Call-ID: c1@ue.example',
          'CSeq: 1 INVITE',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      ),
    );
    const id = invite.identity;
    expect(id.requestUri?.key).toBe('tel:+4930123456');
    expect(id.from).toMatchObject({
      key: 'sip:alice@ims.example',
      displayName: 'Alice',
      tag: 'a1',
    });
    expect(id.to.key).toBe('tel:+4930123456');
    expect(id.pAssertedIdentities.map((p) => p.key)).toEqual([
      'sip:alice@ims.example',
      'tel:+4940555',
    ]);
    expect(id.pPreferredIdentities.map((p) => p.key)).toEqual(['sip:alice.work@ims.example']);
    expect(id.pCalledPartyId?.key).toBe('tel:+4930123456');
    expect(id.contacts.map((c) => c.key)).toEqual(['sip:alice@192.0.2.10']);
    expect(id.callId).toBe('c1@ue.example');
    expect(id.cseq).toEqual({ sequence: 1, method: 'INVITE' });
    expect(id.topViaBranch).toBe('z9hG4bK-top');
  });
});
