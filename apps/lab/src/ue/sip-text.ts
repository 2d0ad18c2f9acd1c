import { randomBytes } from 'node:crypto';

/**
 * SIP INVITE / 200 OK text of a simulated call (RFC 3261 §7, §8.1.1, §20; SDP RFC 4566).
 * Lines end with CRLF; Content-Length counts the body octets. Key management goes in SDP:
 * `a=key-mgmt:mikey` (RFC 4567 §3.1, session level) or `a=crypto` (RFC 4568 §9.1, per media).
 */

/** One media line of the offer/answer. */
export interface MediaLine {
  kind: 'audio' | 'video';
  port: number;
  /** RTP payload types with their rtpmap, e.g. [[0, 'PCMU/8000']]. */
  formats: [number, string][];
  /** `a=crypto` lines' values for this media (SDES), without the `a=crypto:` prefix. */
  crypto?: string[];
}

/** A party of the call as it appears in SIP. */
export interface SipParty {
  uri: string;
  /** Contact / media address (IPv4). */
  address: string;
  tag: string;
}

export interface CallDialog {
  callId: string;
  branch: string;
  initiator: SipParty;
  responder: SipParty;
  cseq: number;
}

const CRLF = '\r\n';

/** Random token for Call-ID, tags and branches (RFC 3261 §8.1.1.4, §19.3). */
export function sipToken(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}

/** A new dialog between two parties (branch with the RFC 3261 magic cookie). */
export function newDialog(
  initiator: Omit<SipParty, 'tag'>,
  responder: Omit<SipParty, 'tag'>,
  callId?: string,
): CallDialog {
  return {
    callId: callId ?? `${sipToken(12)}@${initiator.address}`,
    branch: `z9hG4bK${sipToken(8)}`,
    initiator: { ...initiator, tag: sipToken(4) },
    responder: { ...responder, tag: sipToken(4) },
    cseq: 1,
  };
}

/** A new SDP session id (RFC 4566 §5.2: numeric, NTP-like uniqueness suffices). */
export function sdpSessionId(): string {
  return BigInt(`0x${sipToken(6)}`).toString();
}

/** SDP body (RFC 4566 §5) with optional session-level `a=key-mgmt` (RFC 4567). */
export function sdpBody(o: {
  address: string;
  sessionId: string;
  media: MediaLine[];
  keyMgmt?: string;
}): string {
  const { address, media, keyMgmt, sessionId: id } = o;
  const lines = [
    'v=0',
    `o=- ${id} ${id} IN IP4 ${address}`,
    's=-',
    `c=IN IP4 ${address}`,
    't=0 0',
    ...(keyMgmt ? [keyMgmt] : []),
  ];
  for (const m of media) {
    lines.push(`m=${m.kind} ${m.port} RTP/SAVP ${m.formats.map(([pt]) => pt).join(' ')}`);
    for (const [pt, map] of m.formats) lines.push(`a=rtpmap:${pt} ${map}`);
    for (const c of m.crypto ?? []) lines.push(`a=crypto:${c}`);
    lines.push('a=sendrecv');
  }
  return lines.join(CRLF) + CRLF;
}

function message(startLine: string, headers: [string, string][], body: string): Buffer {
  const b = Buffer.from(body, 'utf8');
  const head = [
    startLine,
    ...headers.map(([n, v]) => `${n}: ${v}`),
    `Content-Length: ${b.length}`,
  ].join(CRLF);
  return Buffer.concat([Buffer.from(head + CRLF + CRLF, 'utf8'), b]);
}

function via(d: CallDialog): string {
  return `SIP/2.0/TLS ${d.initiator.address}:5061;branch=${d.branch}`;
}

/** INVITE from the initiator to the responder with an SDP offer (RFC 3261 §13.2.1). */
export function inviteText(d: CallDialog, sdp: string): Buffer {
  return message(
    `INVITE ${d.responder.uri} SIP/2.0`,
    [
      ['Via', via(d)],
      ['Max-Forwards', '70'],
      ['From', `<${d.initiator.uri}>;tag=${d.initiator.tag}`],
      ['To', `<${d.responder.uri}>`],
      ['Call-ID', d.callId],
      ['CSeq', `${d.cseq} INVITE`],
      ['Contact', `<sip:${d.initiator.address}:5061;transport=tls>`],
      ['P-Asserted-Identity', `<${d.initiator.uri}>`],
      ['Allow', 'INVITE, ACK, CANCEL, BYE, UPDATE'],
      ['Content-Type', 'application/sdp'],
    ],
    sdp,
  );
}

/** 200 OK to the INVITE with the SDP answer (RFC 3261 §13.3.1.4). */
export function okText(d: CallDialog, sdp: string): Buffer {
  return message(
    'SIP/2.0 200 OK',
    [
      ['Via', `${via(d)};received=${d.initiator.address}`],
      ['From', `<${d.initiator.uri}>;tag=${d.initiator.tag}`],
      ['To', `<${d.responder.uri}>;tag=${d.responder.tag}`],
      ['Call-ID', d.callId],
      ['CSeq', `${d.cseq} INVITE`],
      ['Contact', `<sip:${d.responder.address}:5061;transport=tls>`],
      ['P-Asserted-Identity', `<${d.responder.uri}>`],
      ['Content-Type', 'application/sdp'],
    ],
    sdp,
  );
}

/** 180 Ringing to the INVITE, with the responder's tag (RFC 3261 §13.3.1.1); no body. */
export function ringingText(d: CallDialog): Buffer {
  return message(
    'SIP/2.0 180 Ringing',
    [
      ['Via', `${via(d)};received=${d.initiator.address}`],
      ['From', `<${d.initiator.uri}>;tag=${d.initiator.tag}`],
      ['To', `<${d.responder.uri}>;tag=${d.responder.tag}`],
      ['Call-ID', d.callId],
      ['CSeq', `${d.cseq} INVITE`],
      ['Contact', `<sip:${d.responder.address}:5061;transport=tls>`],
    ],
    '',
  );
}

/**
 * An in-dialog request from the initiator to the responder's Contact (RFC 3261 §12.2.1.1):
 * ACK keeps the INVITE's CSeq number (§17.1.1.3), BYE takes the next one (§15.1.1).
 */
export function inDialogRequestText(d: CallDialog, method: 'ACK' | 'BYE'): Buffer {
  const cseq = method === 'ACK' ? d.cseq : d.cseq + 1;
  return message(
    `${method} sip:${d.responder.address}:5061;transport=tls SIP/2.0`,
    [
      ['Via', `SIP/2.0/TLS ${d.initiator.address}:5061;branch=${d.branch}${method}`],
      ['Max-Forwards', '70'],
      ['From', `<${d.initiator.uri}>;tag=${d.initiator.tag}`],
      ['To', `<${d.responder.uri}>;tag=${d.responder.tag}`],
      ['Call-ID', d.callId],
      ['CSeq', `${cseq} ${method}`],
    ],
    '',
  );
}

/** 200 OK to the initiator's BYE (RFC 3261 §15.1.2); no body. */
export function byeOkText(d: CallDialog): Buffer {
  return message(
    'SIP/2.0 200 OK',
    [
      ['Via', `SIP/2.0/TLS ${d.initiator.address}:5061;branch=${d.branch}BYE`],
      ['From', `<${d.initiator.uri}>;tag=${d.initiator.tag}`],
      ['To', `<${d.responder.uri}>;tag=${d.responder.tag}`],
      ['Call-ID', d.callId],
      ['CSeq', `${d.cseq + 1} BYE`],
    ],
    '',
  );
}
