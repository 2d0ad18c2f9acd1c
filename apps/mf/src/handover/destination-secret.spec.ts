import { randomBytes, randomUUID } from 'node:crypto';
import { SecretBox } from '../security/secret-box';
import {
  destinationSecretContext,
  openDestinationPassword,
  sealDestinationPassword,
} from './destination-secret';

describe('FTPS destination password at rest', () => {
  const box = new SecretBox(randomBytes(32));
  const id = randomUUID();

  it('is sealed under the context lea_destination:<id> and opened by the delivery side', () => {
    const secret = sealDestinationPassword(box, id, 'lemf-Pa55');
    expect(box.open(secret, `lea_destination:${id}`).toString('utf8')).toBe('lemf-Pa55');
    expect(destinationSecretContext(id)).toBe(`lea_destination:${id}`);
    expect(openDestinationPassword(box, { id, secret })).toBe('lemf-Pa55');
    expect(secret).not.toContain(Buffer.from('lemf-Pa55').toString('base64'));
  });

  it('refuses a value sealed with another context (bare id, another row)', () => {
    const bare = box.seal(Buffer.from('lemf-Pa55'), id);
    expect(() => openDestinationPassword(box, { id, secret: bare })).toThrow(
      'failed authentication',
    );
    const moved = sealDestinationPassword(box, randomUUID(), 'lemf-Pa55');
    expect(() => openDestinationPassword(box, { id, secret: moved })).toThrow(
      'failed authentication',
    );
  });

  it('is null for a destination without password', () => {
    expect(openDestinationPassword(box, { id, secret: null })).toBeNull();
  });
});
