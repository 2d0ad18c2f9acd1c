import { DataType, IdRole, RandRole } from './constants';
import { viewMikey, type MikeyView } from './message-view';
import type { MikeyMessage } from './types';

/** Key-management scheme of a MIKEY message, by HDR data type. */
export type KeyManagementScheme =
  'ticket' | 'psk' | 'pk' | 'dh' | 'dhhmac' | 'rsa-r' | 'sakke' | 'error' | 'other';

/** Which MIKEY-TICKET exchange a ticket message belongs to (RFC 6043 §4). */
export type TicketExchange = 'request' | 'transfer' | 'resolve';

const SCHEME_BY_TYPE: Partial<Record<number, [KeyManagementScheme, TicketExchange?]>> = {
  [DataType.PSK_INIT]: ['psk'],
  [DataType.PSK_RESP]: ['psk'],
  [DataType.PK_INIT]: ['pk'],
  [DataType.PK_RESP]: ['pk'],
  [DataType.DH_INIT]: ['dh'],
  [DataType.DH_RESP]: ['dh'],
  [DataType.ERROR]: ['error'],
  [DataType.DHHMAC_INIT]: ['dhhmac'],
  [DataType.DHHMAC_RESP]: ['dhhmac'],
  [DataType.RSA_R_INIT]: ['rsa-r'],
  [DataType.RSA_R_RESP]: ['rsa-r'],
  [DataType.REQUEST_INIT_PSK]: ['ticket', 'request'],
  [DataType.REQUEST_INIT_PK]: ['ticket', 'request'],
  [DataType.REQUEST_RESP]: ['ticket', 'request'],
  [DataType.TRANSFER_INIT]: ['ticket', 'transfer'],
  [DataType.TRANSFER_RESP]: ['ticket', 'transfer'],
  [DataType.RESOLVE_INIT_PSK]: ['ticket', 'resolve'],
  [DataType.RESOLVE_INIT_PK]: ['ticket', 'resolve'],
  [DataType.RESOLVE_RESP]: ['ticket', 'resolve'],
  [DataType.SAKKE]: ['sakke'],
};

/**
 * Why the CSP can or cannot obtain the media keys, per scheme (seed 003, the SA3/SA3-LI
 * analysis, and TS 33.106: the CSP decrypts only what it encrypted or keyed).
 */
const REASONS: Record<KeyManagementScheme, string> = {
  ticket:
    'MIKEY-TICKET (RFC 6043, TS 33.328): the operator KMS issued the keys in the ticket; the MF obtains them from the KMS over Xk (seeds 000, 001, 004)',
  psk: 'MIKEY pre-shared key (RFC 3830 §3.1): the key is shared end to end without the operator; it can only be obtained if the operator provisioned it (seed 003 §2.2)',
  pk: 'MIKEY public-key (RFC 3830 §3.2): the envelope key is encrypted to the responder; only an operator-held private key or a man in the middle gives access, which SA3-LI does not expect of the CSP (seed 003 §2.3.1)',
  dh: 'MIKEY Diffie-Hellman (RFC 3830 §3.3): the TGK never crosses the network; only a man in the middle on signalling and media could obtain it (seed 003 §2.3.3)',
  dhhmac:
    'MIKEY DH-HMAC (RFC 4650): Diffie-Hellman keys authenticated by HMAC; same LI characteristics as DH (seed 003 §2.3.4)',
  'rsa-r':
    'MIKEY-RSA-R (RFC 4738): envelope key encrypted to the initiator; same considerations as the public-key method (seed 003 §2.3.2)',
  sakke:
    'MIKEY-SAKKE (RFC 6509): identity-based; only the KMS holding the master secret could derive the key, and this MF has no interface for it',
  error: 'MIKEY error message: carries no keys',
  other: 'unknown MIKEY data type: no key retrieval defined',
};

/** What the MF needs to decide on key retrieval and to build an Xk request. */
export interface KeyManagementClassification {
  scheme: KeyManagementScheme;
  dataType: number;
  ticketExchange?: TicketExchange;
  /** Whether the CSP can obtain the media keys (seed 003; see `reason`). */
  cspCanObtainKeys: boolean;
  reason: string;
  csbId: number;
  csIds: number[];
  /** RAND (RFC 3830 §6.11) of the message, if any. */
  rand?: Buffer;
  /** RANDRi / RANDRr / RANDRkms of a ticket message (RFC 6043 §6.7). */
  randInitiator?: Buffer;
  randResponder?: Buffer;
  randKms?: Buffer;
  /** IDRi / IDRr / IDRkms / IDRkmsi / IDRkmsr as text, or ID payloads for RFC 3830 modes. */
  initiatorId?: string;
  responderId?: string;
  kmsId?: string;
  initiatorKmsId?: string;
  responderKmsId?: string;
  view: MikeyView;
}

/** Options of {@link classifyKeyManagement}. */
export interface ClassifyOptions {
  /**
   * The operator provisioned the PSK / key pairs of this scheme to its users and holds them
   * (seed 003 §2.2.2 and §2.3.1 case C): then TS 33.106 makes the CSP provide the keys.
   */
  operatorProvidedSchemes?: KeyManagementScheme[];
}

/**
 * Classifies a MIKEY message by data type (RFC 3830 §6.1 and the RFCs that extend it) and
 * says whether the CSP can obtain the keys: MIKEY-TICKET yes (via the KMS), every end-to-end
 * scheme no unless the operator provided the keying material (seed 003). SDES (`a=crypto`) is
 * not MIKEY and is handled by the SDP layer.
 */
export function classifyKeyManagement(
  message: MikeyMessage,
  options: ClassifyOptions = {},
): KeyManagementClassification {
  const view = viewMikey(message);
  const [scheme, ticketExchange] = SCHEME_BY_TYPE[view.dataType] ?? ['other'];
  const operatorProvided = options.operatorProvidedSchemes?.includes(scheme) ?? false;
  const viaKms = scheme === 'ticket';
  const cspCanObtainKeys = viaKms || (operatorProvided && scheme !== 'error' && scheme !== 'other');
  const byRole = view.identityByRole;
  const result: KeyManagementClassification = {
    scheme,
    dataType: view.dataType,
    cspCanObtainKeys,
    reason:
      operatorProvided && !viaKms
        ? `${REASONS[scheme]}; operator-provided keying material is configured for this scheme`
        : REASONS[scheme],
    csbId: view.csbId,
    csIds: view.csIds,
    view,
  };
  if (ticketExchange) result.ticketExchange = ticketExchange;
  if (view.rand) result.rand = view.rand;
  const randI = view.randByRole[RandRole.INITIATOR];
  const randR = view.randByRole[RandRole.RESPONDER];
  const randK = view.randByRole[RandRole.KMS];
  if (randI) result.randInitiator = randI;
  if (randR) result.randResponder = randR;
  if (randK) result.randKms = randK;
  const initiator = byRole[IdRole.INITIATOR]?.text ?? view.ids[0]?.text;
  const responder = byRole[IdRole.RESPONDER]?.text ?? view.ids[1]?.text;
  if (initiator !== undefined) result.initiatorId = initiator;
  if (responder !== undefined) result.responderId = responder;
  const kms = byRole[IdRole.KMS]?.text;
  const kmsI = byRole[IdRole.INITIATOR_KMS]?.text;
  const kmsR = byRole[IdRole.RESPONDER_KMS]?.text;
  if (kms !== undefined) result.kmsId = kms;
  if (kmsI !== undefined) result.initiatorKmsId = kmsI;
  if (kmsR !== undefined) result.responderKmsId = kmsR;
  return result;
}
