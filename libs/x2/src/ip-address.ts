/** Dotted-quad text of 4 octets. */
export function formatIpv4(octets: Buffer): string {
  return `${octets[0]}.${octets[1]}.${octets[2]}.${octets[3]}`;
}

/** Text of 16 octets in the canonical form of RFC 5952 §4 (lower case, longest zero run as ::). */
export function formatIpv6(octets: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((octets[i] << 8) | octets[i + 1]);
  return formatGroups(groups);
}

/** RFC 5952 §4 text of eight 16-bit groups. */
function formatGroups(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    // RFC 5952 §4.2.2: a single 16-bit 0 field is not shortened; §4.2.3: first longest run.
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += '::';
      i += bestLength - 1;
    } else {
      if (i > 0 && i !== bestStart + bestLength) text += ':';
      text += groups[i].toString(16);
    }
  }
  return text;
}

/** The 4 octets of a dotted-quad IPv4 address (no leading zeros), or undefined. */
export function parseIpv4(text: string): Buffer | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = Buffer.allocUnsafe(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

const hexValue = (c: number): number =>
  c >= 0x30 && c <= 0x39
    ? c - 0x30
    : c >= 0x61 && c <= 0x66
      ? c - 0x57
      : c >= 0x41 && c <= 0x46
        ? c - 0x37
        : -1;

/** ipv6Groups result of a text that is not an IPv6 address. */
const NOT_IPV6 = -2;

/**
 * Reads the 16-bit groups of an IPv6 address text (RFC 4291 §2.2: 1-4 hex digits per group,
 * one "::", optional trailing dotted quad) into `groups`; returns the index in `groups` where
 * "::" stands (-1 without one), or NOT_IPV6. Zone identifiers are not accepted.
 */
function ipv6Groups(text: string, groups: number[]): number {
  let gap = -1;
  let i = 0;
  const n = text.length;
  if (n < 2) return NOT_IPV6;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return NOT_IPV6;
    gap = 0;
    i = 2;
    if (i === n) return gap;
  }
  while (i < n) {
    let value = 0;
    let digits = 0;
    const start = i;
    for (
      let d = hexValue(text.charCodeAt(i));
      d >= 0 && digits < 5;
      d = hexValue(text.charCodeAt(i))
    ) {
      value = (value << 4) | d;
      digits++;
      i++;
    }
    if (i < n && text.charCodeAt(i) === 0x2e) {
      // embedded IPv4 in the last 32 bits
      const v4 = parseIpv4(text.slice(start));
      if (!v4 || groups.length > 6) return NOT_IPV6;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      i = n;
      break;
    }
    if (digits === 0 || digits > 4) return NOT_IPV6;
    groups.push(value);
    if (i === n) break;
    if (text.charCodeAt(i) !== 0x3a) return NOT_IPV6;
    i++;
    if (i < n && text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return NOT_IPV6;
      gap = groups.length;
      i++;
      if (i === n) break;
    } else if (i === n) return NOT_IPV6;
  }
  if (gap < 0 ? groups.length !== 8 : groups.length > 7) return NOT_IPV6;
  return gap;
}

/** The 16 octets of an IPv6 address text (grammar of ipv6Groups), or undefined. */
export function parseIpv6(text: string): Buffer | undefined {
  const groups: number[] = [];
  const gap = ipv6Groups(text, groups);
  if (gap === NOT_IPV6) return undefined;
  const out = Buffer.alloc(16);
  const tail = gap < 0 ? [] : groups.splice(gap);
  groups.forEach((g, k) => out.writeUInt16BE(g, k * 2));
  tail.forEach((g, k) => out.writeUInt16BE(g, 16 - 2 * (tail.length - k)));
  return out;
}

/** RFC 5952 §4 text of an IPv6 address text parseIpv6 accepts, else undefined. */
export function canonicalIpv6(text: string): string | undefined {
  const groups: number[] = [];
  const gap = ipv6Groups(text, groups);
  if (gap === NOT_IPV6) return undefined;
  if (gap >= 0) groups.splice(gap, 0, ...new Array<number>(8 - groups.length).fill(0));
  return formatGroups(groups);
}

/** Whether parseIpv6 accepts the text, without building its octets. */
export function isIpv6(text: string): boolean {
  return ipv6Groups(text, []) !== NOT_IPV6;
}
