import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));
  const secret = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

  it('opens what it sealed, and the sealed text does not contain the secret', () => {
    const sealed = box.seal(secret, 'keys:row-1');
    expect(sealed).not.toContain(secret.toString('base64'));
    expect(sealed).not.toContain(secret.toString('hex'));
    expect(box.open(sealed, 'keys:row-1')).toEqual(secret);
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal(secret, 'c')).not.toBe(box.seal(secret, 'c'));
  });

  it('refuses a value moved to another context, altered, or sealed under another key', () => {
    const sealed = box.seal(secret, 'keys:row-1');
    expect(() => box.open(sealed, 'keys:row-2')).toThrow('sealed value failed authentication');
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3], 'base64');
    ct[0] ^= 1;
    parts[3] = ct.toString('base64');
    expect(() => box.open(parts.join('.'), 'keys:row-1')).toThrow('failed authentication');
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'keys:row-1')).toThrow(
      'failed authentication',
    );
    expect(() => box.open('v0.a.b.c', 'x')).toThrow('unknown format');
  });

  it('needs a 32-octet key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow('32-octet');
  });
});
