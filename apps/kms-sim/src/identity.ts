/**
 * Comparable form of a public identity (IDR data, SIP URI from the signalling): angle brackets
 * and display name removed, URI parameters and headers dropped (RFC 3261 §19.1.4 compares
 * them separately), lower-cased. `sips:` stays distinct from `sip:`.
 */
export function normalizeIdentity(value: string): string {
  let v = value.trim();
  const lt = v.indexOf('<');
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    v = v.slice(lt + 1, gt < 0 ? undefined : gt);
  }
  v = v.split(/[;?]/, 1)[0];
  return v.trim().toLowerCase();
}

/** True when two identities denote the same user. */
export function sameIdentity(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && normalizeIdentity(a) === normalizeIdentity(b);
}
