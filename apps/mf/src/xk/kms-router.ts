/**
 * Chooses the KMS for a key request (ARCHITECTURE.md §5): the KMS named by IDRkms in the
 * MIKEY message (RFC 6043 §6.6, role KMS) if it is configured, else the default KMS of the
 * target's domain; each KMS identity maps to an ordered list of base URLs (primary first,
 * then backups).
 */
export interface KmsRoutingTable {
  /** KMS identity (as in IDRkms, e.g. `kms.ims.example`) → base URLs, primary first. */
  kms: Record<string, string[]>;
  /** Target domain (host part of the target's URI) → KMS identity. */
  defaultKmsByDomain: Record<string, string>;
}

export interface KmsRoute {
  kmsIdentity: string;
  urls: string[];
}

/** Host part of a sip:/sips:/tel: URI (`tel:` has none: undefined). */
export function uriDomain(uri: string): string | undefined {
  const m = /^sips?:(?:[^@;?]*@)?([^;?:>]+)/i.exec(uri);
  return m?.[1].toLowerCase();
}

/** The KMS identity part of an IDRkms value (which may be a URI like `sip:kms.example` or a bare host). */
function kmsKey(idrKms: string): string {
  return (uriDomain(idrKms) ?? idrKms).toLowerCase();
}

export class KmsRouter {
  private readonly kms: Map<string, string[]>;

  constructor(private readonly table: KmsRoutingTable) {
    this.kms = new Map(Object.entries(table.kms).map(([id, urls]) => [id.toLowerCase(), urls]));
  }

  /** The route for a request, or undefined when no KMS is configured for it. */
  route(idrKms: string | undefined, targetUri: string): KmsRoute | undefined {
    if (idrKms) {
      const id = kmsKey(idrKms);
      const urls = this.kms.get(id);
      if (urls?.length) return { kmsIdentity: id, urls };
    }
    const domain = uriDomain(targetUri);
    const id = domain ? this.table.defaultKmsByDomain[domain]?.toLowerCase() : undefined;
    const urls = id ? this.kms.get(id) : undefined;
    return id && urls?.length ? { kmsIdentity: id, urls } : undefined;
  }
}
