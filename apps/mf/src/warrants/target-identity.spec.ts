import { normalizeTarget, TargetIdentityError } from './target-identity';

describe('normalizeTarget', () => {
  it.each([
    ['sip', 'SIP:Alice@IMS.Example.COM', 'sip:Alice@ims.example.com'],
    ['sip', 'sips:bob@ims.example:5061;transport=tls?subject=x', 'sip:bob@ims.example'],
    ['sip', 'sip:bob:secret@ims.example', 'sip:bob@ims.example'],
    ['sip', 'sip:%61lice@ims.example', 'sip:alice@ims.example'],
    ['sip', 'sip:a%3bb@ims.example', 'sip:a;b@ims.example'],
    ['sip', 'sip:a%40b%20c@ims.example.', 'sip:a%40b%20c@ims.example'],
    ['sip', 'sip:+49-30-12@ims.example;user=phone', 'tel:+493012'],
    ['sip', 'sip:bob@ims.example;user=phone', 'sip:bob@ims.example'],
    ['sip', 'sip:+49-89-123.456@ims.example;user=phone', 'tel:+4989123456'],
    ['sip', 'sip:+4989123456@ims.example;USER=Phone;transport=udp', 'tel:+4989123456'],
    ['sip', 'sip:ims.example', 'sip:ims.example'],
    ['sip', 'sip:alice@[2001:DB8:0:0:0:0:0:1]:5060', 'sip:alice@[2001:db8::1]'],
    ['tel', 'tel:+1-201-555-0123', 'tel:+12015550123'],
    ['tel', 'TEL:+1(201)555.0123;ext=1-2;foo=bar', 'tel:+12015550123;ext=12'],
    ['tel', 'tel:7042;phone-context=Example.COM', 'tel:7042;phone-context=example.com'],
    ['tel', 'tel:86-3a;phone-context=+1-201-555', 'tel:863A;phone-context=+1201555'],
    ['tel', 'tel:+1-201-555-0123;isub=12;ext=7', 'tel:+12015550123;ext=7'],
    ['impu', 'tel:+44-20', 'tel:+4420'],
    ['impu', 'sip:Carol@IMS.example', 'sip:Carol@ims.example'],
    ['impi', 'carol.private@IMS.Example', 'carol.private@ims.example'],
  ] as const)('%s %s → %s', (kind, value, expected) => {
    expect(normalizeTarget(kind, value)).toBe(expected);
  });

  it('gives the same form for the tel: and the user=phone spelling of one number', () => {
    expect(normalizeTarget('tel', 'tel:+49-89-123456')).toBe(
      normalizeTarget('sip', 'sip:+49(89)123456@ims.example;user=phone'),
    );
  });

  it.each([
    ['sip', 'tel:+123'],
    ['sip', 'sip:alice@'],
    ['sip', 'sip:al ice@ims.example'],
    ['sip', 'sip:alice@ims..example'],
    ['sip', 'sip:alice@ims.example:99999x'],
    ['sip', 'sip:alice@[2001:db8::zz]'],
    ['tel', 'tel:1234;phone-context=bad_domain'],
    ['tel', 'tel:*21#;phone-context=ims.example'],
    ['tel', 'sip:alice@ims.example'],
    ['tel', 'tel:+12a'],
    ['tel', 'tel:1234'],
    ['tel', 'tel:+'],
    ['impu', 'mailto:alice@ims.example'],
    ['impi', 'alice'],
    ['impi', '@ims.example'],
    ['impi', 'a b@ims.example'],
    ['sip', `sip:${'a'.repeat(400)}@ims.example`],
  ] as const)('refuses %s %s', (kind, value) => {
    expect(() => normalizeTarget(kind, value)).toThrow(TargetIdentityError);
  });
});
