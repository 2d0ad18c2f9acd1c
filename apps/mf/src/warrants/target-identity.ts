import { isIPv6 } from 'node:net';
import { identityKeyOfText } from '@app/sip';
import type { TargetKind } from './warrant.entity';

/**
 * Normal form of warrant target identities, so that a target provisioned as
 * `tel:+49-89-123-456` matches `sip:+4989123456@ims.example;user=phone` in signalling.
 * sip:, sips: and tel: targets get exactly the key libs/sip computes for identities in SIP
 * messages (`identityKeyOfText`: RFC 3261 §19.1.4 comparison rules, RFC 3966 visual
 * separators, user=phone as tel:). IMPI (TS 23.003 §13.3, NAI of RFC 7542) is no URI:
 * `username@realm`, realm lower-cased.
 */
export class TargetIdentityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetIdentityError';
  }
}

/** Longest normalised identity stored (column width of warrant_target.normalized). */
export const MAX_IDENTITY_LENGTH = 300;

const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.?$/;

/** Normalises a target identity of the given kind; throws TargetIdentityError when malformed. */
export function normalizeTarget(kind: TargetKind, value: string): string {
  const v = value.trim();
  if (kind === 'sip' && !/^sips?:/i.test(v)) {
    throw new TargetIdentityError('a sip target must be a sip: or sips: URI');
  }
  if (kind === 'tel' && !/^tel:/i.test(v))
    throw new TargetIdentityError('a tel target must be a tel: URI');
  if (kind === 'impu' && !/^(sips?|tel):/i.test(v)) {
    throw new TargetIdentityError('an IMPU must be a sip:, sips: or tel: URI');
  }
  const out = kind === 'impi' ? normalizeImpi(v) : identityKeyOfText(v);
  if (out === undefined)
    throw new TargetIdentityError(`malformed ${kind === 'tel' ? 'tel:' : 'SIP'} URI`);
  if (out.length > MAX_IDENTITY_LENGTH) throw new TargetIdentityError('identity is too long');
  return out;
}

/** IMPI: NAI `username@realm` (RFC 7542 §2.2), realm lower-cased. */
export function normalizeImpi(nai: string): string {
  const at = nai.lastIndexOf('@');
  if (at <= 0 || at === nai.length - 1)
    throw new TargetIdentityError('an IMPI must be username@realm');
  const user = nai.slice(0, at);
  if (!/^[\x21-\x7e]+$/.test(user) || user.includes('@')) {
    throw new TargetIdentityError('malformed IMPI username');
  }
  return `${user}@${parseHost(nai.slice(at + 1))}`;
}

function parseHost(hostport: string): string {
  const h = hostport.toLowerCase();
  const host = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.split(':')[0];
  const port = h.slice(host.length);
  if (port && !/^:[0-9]{1,5}$/.test(port)) throw new TargetIdentityError('malformed port');
  if (host.startsWith('[')) {
    const v6 = host.slice(1, -1);
    if (!isIPv6(v6) || v6.includes('%')) throw new TargetIdentityError('malformed host');
    // RFC 5952 form (compressed, lower case), as the URL parser writes it
    return new URL(`http://[${v6}]/`).hostname;
  }
  if (!HOST.test(host)) throw new TargetIdentityError('malformed host');
  return host.replace(/\.$/, '');
}
