import {
  createDiffieHellman,
  generateKeyPairSync,
  getDiffieHellman,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import {
  CsIdMapType,
  DataType,
  DhGroup,
  KeyDataType,
  KvType,
  PayloadType,
  PrfFunc,
  SignType,
  SRTP_AES_CM_128_HMAC_SHA1_80_POLICY,
  buildDhMessage,
  buildPskInit,
  decodeMikey,
  deriveSrtpMasterKeys,
  findPayloads,
  keyMgmtAttribute,
  ntpTimestamp,
  openPskInit,
  verifySignature,
  type CsIdMap,
  type MikeySigner,
} from '@app/mikey';
import {
  ackText,
  byeOkText,
  byeText,
  inviteText,
  newDialog,
  okText,
  ringingText,
  sdpBody,
  sdpSessionId,
  type CallDialog,
  type MediaLine,
} from './sip-text';
import type { UserEquipment } from './user-equipment';

/** Key management of a simulated call. */
export type CallScheme = 'mikey-ticket' | 'sdes' | 'mikey-psk' | 'mikey-dh';

/** SRTP protection profile of all simulated calls (RFC 4568 §6.2.1; RFC 3711 defaults). */
export const SRTP_SUITE = 'AES_CM_128_HMAC_SHA1_80';

/** The SRTP master key and salt of one stream, as the endpoints really use them. */
export interface SrtpStreamKeys {
  /** Index of the SDP media line. */
  mediaIndex: number;
  direction: 'initiator-to-responder' | 'responder-to-initiator';
  /** MIKEY crypto session id (RFC 3830 §6.1.1), for MIKEY calls. */
  csId?: number;
  /** SDES crypto attribute tag (RFC 4568 §9.1), for SDES calls. */
  cryptoTag?: number;
  ssrc?: number;
  masterKey: Buffer;
  masterSalt: Buffer;
}

/** A simulated call: the SIP messages, as the responder and as the LI point saw them, and the real keys. */
export interface SimulatedCall {
  scheme: CallScheme;
  callId: string;
  initiator: string;
  responder: string;
  /** The SIP dialog (tags, addresses, CSeq) the messages belong to. */
  dialog: CallDialog;
  /** INVITE as delivered to the responder. */
  invite: Buffer;
  /** INVITE as seen at the LI point (P/S-CSCF): differs when an attack was simulated. */
  inviteAtLi: Buffer;
  ok200: Buffer;
  /** Keys as derived by the initiator. */
  keys: SrtpStreamKeys[];
  /** Keys as derived by the responder (equal to `keys` unless something is broken). */
  responderKeys: SrtpStreamKeys[];
  /** Whether the CSP can obtain the keys (seed 003): MIKEY-TICKET and SDES yes, PSK/DH no. */
  cspCanObtainKeys: boolean;
  /** MIKEY data of the call (MIKEY schemes). */
  mikey?: {
    /** I_MESSAGE / TRANSFER_INIT as sent by the initiator and received by the responder. */
    init: Buffer;
    /** The same message as the LI point saw it. */
    initAtLi: Buffer;
    /** R_MESSAGE / TRANSFER_RESP, if any. */
    resp?: Buffer;
    csbId: number;
    rand: Buffer;
    prfFunc: PrfFunc;
    /** MIKEY-TICKET: the KMS that issued the ticket (IDRkms of the TRANSFER_INIT). */
    kmsIdentity?: string;
  };
}

/** A party of a call: a UE (needed for MIKEY-TICKET) or just its public identity. */
export type CallParty = UserEquipment | string;

export interface CallOptions {
  initiator: CallParty;
  responder: CallParty;
  callId?: string;
  /** Default one audio line, PCMU/PCMA. */
  media?: Omit<MediaLine, 'crypto'>[];
  initiatorAddress?: string;
  responderAddress?: string;
}

export interface TicketCallOptions extends CallOptions {
  initiator: UserEquipment;
  responder: UserEquipment;
  /**
   * Seed 000: a man in the middle alters the TRANSFER_INIT before the LI point and a second one
   * restores it after, so the responder resolves the original. `ticket` flips one octet of the
   * Ticket Data, `rand` one of the RAND; a function rewrites the octets freely.
   */
  tamperAtLi?: 'ticket' | 'rand' | ((transferInit: Buffer) => Buffer);
  /** Seed 001: the INVITE at the LI point carries this MIKEY message (another user's) instead. */
  injectAtLi?: Buffer;
  /** PRF of the TRANSFER_INIT (TEK derivation); default PRF-HMAC-SHA-256. */
  prfFunc?: PrfFunc;
}

const DEFAULT_MEDIA: Omit<MediaLine, 'crypto'>[] = [
  {
    kind: 'audio',
    port: 49170,
    formats: [
      [0, 'PCMU/8000'],
      [8, 'PCMA/8000'],
    ],
  },
];

/** SRTP policy (RFC 3830 §6.10.1) matching {@link SRTP_SUITE}. */
export const SRTP_POLICY = SRTP_AES_CM_128_HMAC_SHA1_80_POLICY;

const identityOf = (p: CallParty): string => (typeof p === 'string' ? p : p.identity);

interface CallFrame {
  dialog: CallDialog;
  media: Omit<MediaLine, 'crypto'>[];
  offerId: string;
  answerId: string;
  /** SRTP-ID map: per media line, the initiator's then the responder's stream (CS IDs 2i+1, 2i+2). */
  csIdMap: CsIdMap;
}

function frame(o: CallOptions): CallFrame {
  const media = o.media ?? DEFAULT_MEDIA;
  const dialog = newDialog(
    { uri: identityOf(o.initiator), address: o.initiatorAddress ?? '192.0.2.10' },
    { uri: identityOf(o.responder), address: o.responderAddress ?? '192.0.2.20' },
    o.callId,
  );
  const ssrc = (): number => randomBytes(4).readUInt32BE(0);
  return {
    dialog,
    media,
    offerId: sdpSessionId(),
    answerId: sdpSessionId(),
    csIdMap: {
      type: CsIdMapType.SRTP_ID,
      entries: media.flatMap(() => [
        { policyNo: SRTP_POLICY.policyNo, ssrc: ssrc(), roc: 0 },
        { policyNo: SRTP_POLICY.policyNo, ssrc: ssrc(), roc: 0 },
      ]),
    },
  };
}

/** SRTP master key/salt of every crypto session from a TGK (RFC 3830 §4.1.3). */
function streamKeys(
  f: CallFrame,
  tgk: Buffer,
  csbId: number,
  rand: Buffer,
  prf: PrfFunc,
): SrtpStreamKeys[] {
  if (f.csIdMap.type !== CsIdMapType.SRTP_ID) return [];
  return f.csIdMap.entries.map((e, i) => {
    const csId = i + 1;
    const k = deriveSrtpMasterKeys(tgk, csbId, csId, rand, prf);
    return {
      mediaIndex: Math.floor(i / 2),
      direction: i % 2 === 0 ? 'initiator-to-responder' : 'responder-to-initiator',
      csId,
      ssrc: e.ssrc,
      masterKey: k.masterKey,
      masterSalt: k.masterSalt,
    };
  });
}

function offerAndAnswer(
  f: CallFrame,
  offerKeyMgmt: string | undefined,
  answerKeyMgmt: string | undefined,
) {
  const { dialog: d } = f;
  const offer = (km: string | undefined): Buffer =>
    inviteText(
      d,
      sdpBody({
        address: d.initiator.address,
        sessionId: f.offerId,
        media: f.media,
        ...(km ? { keyMgmt: km } : {}),
      }),
    );
  const answerMedia = f.media.map((m, i) => ({ ...m, port: m.port + 1000 + 2 * i }));
  const ok200 = okText(
    d,
    sdpBody({
      address: d.responder.address,
      sessionId: f.answerId,
      media: answerMedia,
      ...(answerKeyMgmt ? { keyMgmt: answerKeyMgmt } : {}),
    }),
  );
  return { offer, ok200 };
}

/** Flips one octet of `part` where it occurs inside `message` (a man in the middle's edit). */
function flipInside(message: Buffer, part: Buffer): Buffer {
  const at = message.indexOf(part);
  if (at < 0) throw new Error('part not found in message');
  const out = Buffer.from(message);
  out[at + Math.floor(part.length / 2)] ^= 0x5a;
  return out;
}

/**
 * A MIKEY-TICKET call (RFC 6043 §4; TS 33.328): the initiator requests a ticket at its KMS,
 * sends TRANSFER_INIT in the INVITE, the responder resolves it at its KMS (over Zk when another
 * KMS issued it) and answers TRANSFER_RESP in the 200 OK. Every exchange runs over real HTTPS.
 */
export async function ticketCall(o: TicketCallOptions): Promise<SimulatedCall> {
  const f = frame(o);
  const responder = o.responder.identity;
  const prfFunc = o.prfFunc ?? PrfFunc.PRF_HMAC_SHA_256;
  const ticket = await o.initiator.requestTicket(responder);
  const csbId = randomBytes(4).readUInt32BE(0);
  const rand = randomBytes(16);
  const init = o.initiator.transferInit(ticket, {
    responder,
    csbId,
    csIdMap: f.csIdMap,
    rand,
    policies: [SRTP_POLICY],
    prfFunc,
  }).bytes;
  let initAtLi = init;
  if (o.injectAtLi) initAtLi = o.injectAtLi;
  else if (o.tamperAtLi === 'ticket') initAtLi = flipInside(init, ticket.ticket.ticketData);
  else if (o.tamperAtLi === 'rand') initAtLi = flipInside(init, rand);
  else if (typeof o.tamperAtLi === 'function') initAtLi = o.tamperAtLi(init);

  const resolved = await o.responder.resolveTransfer(init);
  const resp = o.responder.transferResp(resolved).bytes;
  o.initiator.verifyTransferResp(resp, ticket, rand, responder);
  const { offer, ok200 } = offerAndAnswer(f, keyMgmtAttribute(init), keyMgmtAttribute(resp));
  return {
    scheme: 'mikey-ticket',
    callId: f.dialog.callId,
    dialog: f.dialog,
    initiator: o.initiator.identity,
    responder,
    invite: offer(keyMgmtAttribute(init)),
    inviteAtLi: offer(keyMgmtAttribute(initAtLi)),
    ok200,
    keys: streamKeys(f, ticket.tgk, csbId, rand, prfFunc),
    responderKeys: streamKeys(f, resolved.tgk, resolved.csbId, resolved.rand, resolved.prfFunc),
    cspCanObtainKeys: true,
    mikey: { init, initAtLi, resp, csbId, rand, prfFunc, kmsIdentity: ticket.kmsIdentity },
  };
}

/**
 * An SDES call (RFC 4568): each side puts its own master key‖salt in `a=crypto` (tag 1 per
 * media line); the CSP sees them in the SDP, so LI can always decrypt (seed 003).
 */
export function sdesCall(o: CallOptions): SimulatedCall {
  const f = frame(o);
  const mk = (): { masterKey: Buffer; masterSalt: Buffer } => ({
    masterKey: randomBytes(16),
    masterSalt: randomBytes(14),
  });
  const iKeys = f.media.map(mk);
  const rKeys = f.media.map(mk);
  const line = (k: { masterKey: Buffer; masterSalt: Buffer }): string =>
    `1 ${SRTP_SUITE} inline:${Buffer.concat([k.masterKey, k.masterSalt]).toString('base64')}`;
  const { dialog: d } = f;
  const offerMedia = f.media.map((m, i) => ({ ...m, crypto: [line(iKeys[i])] }));
  const answerMedia = f.media.map((m, i) => ({
    ...m,
    port: m.port + 1000 + 2 * i,
    crypto: [line(rKeys[i])],
  }));
  const invite = inviteText(
    d,
    sdpBody({ address: d.initiator.address, sessionId: f.offerId, media: offerMedia }),
  );
  const ok200 = okText(
    d,
    sdpBody({ address: d.responder.address, sessionId: f.answerId, media: answerMedia }),
  );
  const keys: SrtpStreamKeys[] = f.media.flatMap((_, i) => [
    { mediaIndex: i, direction: 'initiator-to-responder' as const, cryptoTag: 1, ...iKeys[i] },
    { mediaIndex: i, direction: 'responder-to-initiator' as const, cryptoTag: 1, ...rKeys[i] },
  ]);
  return {
    scheme: 'sdes',
    callId: d.callId,
    dialog: d,
    initiator: d.initiator.uri,
    responder: d.responder.uri,
    invite,
    inviteAtLi: invite,
    ok200,
    keys,
    responderKeys: keys,
    cspCanObtainKeys: true,
  };
}

/**
 * A MIKEY pre-shared-key call (RFC 3830 §3.1) with a key only the two users share: the TGK
 * travels in the INVITE's KEMAC; the CSP cannot obtain it (seed 003 §2.2).
 */
export function mikeyPskCall(o: CallOptions & { psk?: Buffer }): SimulatedCall {
  const f = frame(o);
  const psk = o.psk ?? randomBytes(20);
  const tgk = randomBytes(32);
  const csbId = randomBytes(4).readUInt32BE(0);
  const rand = randomBytes(16);
  const init = buildPskInit({
    csbId,
    csIdMap: f.csIdMap,
    timestamp: ntpTimestamp(new Date()),
    psk,
    rand,
    keys: [{ keyType: KeyDataType.TGK, key: tgk, validity: { kv: KvType.NULL } }],
    initiatorId: f.dialog.initiator.uri,
    responderId: f.dialog.responder.uri,
    policies: [SRTP_POLICY],
  }).bytes;
  const received = openPskInit(init, psk);
  const rTgk = received.keys.find((k) => k.keyType === KeyDataType.TGK)?.key;
  if (!rTgk) throw new Error('PSK I_MESSAGE without TGK');
  const { offer, ok200 } = offerAndAnswer(f, keyMgmtAttribute(init), undefined);
  const invite = offer(keyMgmtAttribute(init));
  return {
    scheme: 'mikey-psk',
    callId: f.dialog.callId,
    dialog: f.dialog,
    initiator: f.dialog.initiator.uri,
    responder: f.dialog.responder.uri,
    invite,
    inviteAtLi: invite,
    ok200,
    keys: streamKeys(f, tgk, csbId, rand, PrfFunc.MIKEY_1),
    responderKeys: streamKeys(
      f,
      rTgk,
      received.message.message.header.csbId,
      rand,
      PrfFunc.MIKEY_1,
    ),
    cspCanObtainKeys: false,
    mikey: { init, initAtLi: init, csbId, rand, prfFunc: PrfFunc.MIKEY_1 },
  };
}

const signingKeys = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();

/** A per-identity RSA key (1024 bits: 128-octet RSA/PKCS#1 v1.5 signatures, RFC 3830 §6.5). */
function rsaKeyOf(identity: string): { privateKey: KeyObject; publicKey: KeyObject } {
  let k = signingKeys.get(identity);
  if (!k) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 1024 });
    k = { privateKey: pair.privateKey, publicKey: pair.publicKey };
    signingKeys.set(identity, k);
  }
  return k;
}

function rsaSigner(identity: string): MikeySigner {
  const { privateKey } = rsaKeyOf(identity);
  return {
    signType: SignType.RSA_PKCS1_1_5,
    length: 128,
    sign: (data) => sign('sha256', data, privateKey),
  };
}

/** DH value padded to the group's length (RFC 3830 §6.4: OAKLEY 5 = 1536 bits). */
function dhValue(b: Buffer): Buffer {
  return b.length >= 192 ? b : Buffer.concat([Buffer.alloc(192 - b.length), b]);
}

/**
 * A MIKEY Diffie-Hellman call (RFC 3830 §3.3), OAKLEY group 5, RSA signatures: the TGK is the
 * DH shared secret and never crosses the network; the CSP cannot obtain it (seed 003 §2.3.3).
 */
export function mikeyDhCall(o: CallOptions): SimulatedCall {
  const f = frame(o);
  const group = getDiffieHellman('modp5');
  const dhI = createDiffieHellman(group.getPrime(), group.getGenerator());
  const dhR = createDiffieHellman(group.getPrime(), group.getGenerator());
  const pubI = dhValue(dhI.generateKeys());
  const pubR = dhValue(dhR.generateKeys());
  const csbId = randomBytes(4).readUInt32BE(0);
  const rand = randomBytes(16);
  const dhPayload = (value: Buffer) =>
    ({
      type: PayloadType.DH,
      group: DhGroup.OAKLEY_5,
      value,
      validity: { kv: KvType.NULL },
    }) as const;
  const init = buildDhMessage({
    dataType: DataType.DH_INIT,
    csbId,
    csIdMap: f.csIdMap,
    timestamp: ntpTimestamp(new Date()),
    rand,
    identity: f.dialog.initiator.uri,
    policies: [SRTP_POLICY],
    dh: [dhPayload(pubI)],
    signer: rsaSigner(f.dialog.initiator.uri),
  }).bytes;
  // Responder: checks the initiator's signature, answers with DHr and DHi (RFC 3830 §3.3).
  const received = decodeMikey(init);
  const ok = verifySignature(received, (data, sig) =>
    verify('sha256', data, rsaKeyOf(f.dialog.initiator.uri).publicKey, sig),
  );
  if (!ok) throw new Error('DH I_MESSAGE signature does not verify');
  const seenDhI = findPayloads(received.message, PayloadType.DH)[0];
  const rTgk = dhValue(dhR.computeSecret(seenDhI.value));
  const resp = buildDhMessage({
    dataType: DataType.DH_RESP,
    csbId,
    csIdMap: f.csIdMap,
    timestamp: ntpTimestamp(new Date()),
    identity: f.dialog.responder.uri,
    dh: [dhPayload(pubR), dhPayload(seenDhI.value)],
    signer: rsaSigner(f.dialog.responder.uri),
  }).bytes;
  const iTgk = dhValue(
    dhI.computeSecret(findPayloads(decodeMikey(resp).message, PayloadType.DH)[0].value),
  );
  const { offer, ok200 } = offerAndAnswer(f, keyMgmtAttribute(init), keyMgmtAttribute(resp));
  const invite = offer(keyMgmtAttribute(init));
  return {
    scheme: 'mikey-dh',
    callId: f.dialog.callId,
    dialog: f.dialog,
    initiator: f.dialog.initiator.uri,
    responder: f.dialog.responder.uri,
    invite,
    inviteAtLi: invite,
    ok200,
    keys: streamKeys(f, iTgk, csbId, rand, PrfFunc.MIKEY_1),
    responderKeys: streamKeys(f, rTgk, csbId, rand, PrfFunc.MIKEY_1),
    cspCanObtainKeys: false,
    mikey: { init, initAtLi: init, resp, csbId, rand, prfFunc: PrfFunc.MIKEY_1 },
  };
}

/** One SIP message of a call as the LI point (the P/S-CSCF) relays it. */
export interface SipFlowStep {
  /** Short name, e.g. `INVITE`, `200 (BYE)`. */
  label: string;
  sender: 'initiator' | 'responder';
  message: Buffer;
}

/**
 * The messages of a basic call at the LI point, in order (RFC 3261 §13, §15): `setup` is
 * INVITE (as LI saw it), 180 Ringing, 200 OK with the answer, ACK; `teardown` is the
 * initiator's BYE and its 200 OK. Media flows between the two.
 */
export function sipFlow(call: SimulatedCall): { setup: SipFlowStep[]; teardown: SipFlowStep[] } {
  const d = call.dialog;
  return {
    setup: [
      { label: 'INVITE', sender: 'initiator', message: call.inviteAtLi },
      { label: '180', sender: 'responder', message: ringingText(d) },
      { label: '200 (INVITE)', sender: 'responder', message: call.ok200 },
      { label: 'ACK', sender: 'initiator', message: ackText(d) },
    ],
    teardown: [
      { label: 'BYE', sender: 'initiator', message: byeText(d) },
      { label: '200 (BYE)', sender: 'responder', message: byeOkText(d) },
    ],
  };
}
