import { EncrAlg, MacAlg, PayloadType, PrfFunc } from './constants';
import { MikeyCryptoError } from './errors';
import { buildKemac, openKemac } from './kemac';
import { deriveTransportKeys } from './key-derivation';
import { verifyMac } from './message-auth';
import { findPayload } from './message-codec';
import { buildTicketMessage, type TicketMessageSpec } from './ticket-messages';
import type { EncodedMikey, KeyData } from './types';

/**
 * Algorithms of the lab's MIKEY-TICKET profile (our choice within RFC 6043 §6.1/§6.2 and
 * RFC 3830 §6.2): PRF-HMAC-SHA-256, KEMAC AES-KW-128 (integrity-protected key wrap, RFC 3394),
 * V MAC HMAC-SHA-256-256.
 */
export interface TicketAlgorithms {
  encrAlg: EncrAlg;
  macAlg: MacAlg;
  prf: PrfFunc;
}

export const DEFAULT_TICKET_ALGORITHMS: TicketAlgorithms = {
  encrAlg: EncrAlg.AES_KW_128,
  macAlg: MacAlg.HMAC_SHA_256_256,
  prf: PrfFunc.PRF_HMAC_SHA_256,
};

/** How a ticket-exchange message is protected. */
export interface TicketExchangeKeys {
  /** PSK (Ticket Request/Resolve) or MPK (Ticket Transfer) the transport keys derive from. */
  inkey: Buffer;
  /** RAND of the exchange's initiating message (RFC 3830 §4.1.4 label). */
  rand: Buffer;
  /** Identities appended to the MAC input (RFC 6043 §5.5), in order. */
  identities: Buffer[];
}

/**
 * Builds a ticket message whose V MAC, and KEMAC (when `keys` are given, MAC alg NULL), use
 * transport keys derived from `inkey` with the message's CSB ID and the exchange RAND
 * (RFC 3830 §4.1.4; RFC 6043 §5: PSK-protected exchanges are modelled after MIKEY-PSK).
 */
export function sealTicketExchangeMessage(
  spec: Omit<TicketMessageSpec, 'kemac'>,
  protection: TicketExchangeKeys,
  keys?: KeyData[],
  algs: TicketAlgorithms = DEFAULT_TICKET_ALGORITHMS,
): EncodedMikey {
  const prf = spec.prfFunc ?? algs.prf;
  const tk = deriveTransportKeys(protection.inkey, spec.csbId, protection.rand, { ...algs, prf });
  const timestamp = Buffer.isBuffer(spec.timestamp) ? spec.timestamp : spec.timestamp.value;
  const kemac = keys
    ? buildKemac(
        keys,
        {
          encrAlg: algs.encrAlg,
          encrKey: tk.encrKey,
          saltKey: tk.saltKey,
          csbId: spec.csbId,
          timestamp,
        },
        MacAlg.NULL,
      )
    : undefined;
  return buildTicketMessage(
    { ...spec, prfFunc: prf, ...(kemac ? { kemac } : {}) },
    { kind: 'mac', macAlg: algs.macAlg, authKey: tk.authKey, identities: protection.identities },
  );
}

/**
 * Verifies the V MAC of a received ticket message (algorithms from its HDR, V and KEMAC) and
 * returns the key data of its KEMAC (empty without one). Throws MAC_MISMATCH.
 */
export function openTicketExchangeMessage(
  encoded: EncodedMikey,
  protection: TicketExchangeKeys,
): KeyData[] {
  const m = encoded.message;
  const v = findPayload(m, PayloadType.V);
  if (!v) throw new MikeyCryptoError('MISSING_PAYLOAD', 'no V payload');
  const kemac = findPayload(m, PayloadType.KEMAC);
  const tk = deriveTransportKeys(protection.inkey, m.header.csbId, protection.rand, {
    encrAlg: kemac?.encrAlg ?? EncrAlg.NULL,
    macAlg: v.authAlg,
    prf: m.header.prfFunc,
  });
  if (!verifyMac(encoded, tk.authKey, protection.identities)) {
    throw new MikeyCryptoError('MAC_MISMATCH', 'V payload MAC');
  }
  if (!kemac) return [];
  const t = findPayload(m, PayloadType.T);
  return openKemac(kemac, {
    encrKey: tk.encrKey,
    saltKey: tk.saltKey,
    csbId: m.header.csbId,
    ...(t ? { timestamp: t.value } : {}),
  });
}
