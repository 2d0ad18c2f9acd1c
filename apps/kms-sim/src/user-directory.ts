import { normalizeIdentity } from './identity';

/** A KMS user and its pre-shared key (GBA Ks_NAF stand-in, TS 33.328 §4.2.4). */
export interface KmsUser {
  identity: string;
  psk: Buffer;
  pskId?: string;
}

/** Users by identity and by PSK identifier (IDRpsk, RFC 6043 §6.6 role 4). */
export class UserDirectory {
  private readonly byIdentity = new Map<string, KmsUser>();
  private readonly byPskId = new Map<string, KmsUser>();

  constructor(users: { identity: string; psk: string; pskId?: string }[]) {
    for (const u of users) {
      const user: KmsUser = { identity: u.identity, psk: Buffer.from(u.psk, 'base64') };
      if (u.pskId !== undefined) user.pskId = u.pskId;
      this.byIdentity.set(normalizeIdentity(u.identity), user);
      if (u.pskId !== undefined) this.byPskId.set(u.pskId, user);
    }
  }

  /**
   * The user a message claims to come from: by IDRpsk when present (it names the key), else by
   * the claimed identity. The caller still checks that both agree and verifies the MAC.
   */
  find(claimedIdentity: string | undefined, pskId: string | undefined): KmsUser | undefined {
    if (pskId !== undefined) {
      const u = this.byPskId.get(pskId);
      if (!u) return undefined;
      if (
        claimedIdentity !== undefined &&
        normalizeIdentity(claimedIdentity) !== normalizeIdentity(u.identity)
      ) {
        return undefined;
      }
      return u;
    }
    return claimedIdentity === undefined
      ? undefined
      : this.byIdentity.get(normalizeIdentity(claimedIdentity));
  }
}
