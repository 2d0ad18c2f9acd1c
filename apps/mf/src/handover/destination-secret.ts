import type { SecretBox } from '../security/secret-box';
import type { LeaDestinationEntity } from './lea-destination.entity';

/** SecretBox context of a destination's FTPS password: bound to its row id. */
export function destinationSecretContext(id: string): string {
  return `lea_destination:${id}`;
}

/** Seals an FTPS password for the destination row `id` (REST side). */
export function sealDestinationPassword(box: SecretBox, id: string, password: string): string {
  return box.seal(Buffer.from(password, 'utf8'), destinationSecretContext(id));
}

/**
 * The FTPS password of a destination (null when none), opened with the same context as it was
 * sealed; throws when the sealed value was altered or moved to another row.
 */
export function openDestinationPassword(
  box: SecretBox,
  d: Pick<LeaDestinationEntity, 'id' | 'secret'>,
): string | null {
  return d.secret === null
    ? null
    : box.open(d.secret, destinationSecretContext(d.id)).toString('utf8');
}
