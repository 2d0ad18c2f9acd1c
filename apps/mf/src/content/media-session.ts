import type { CryptoSessionKeys } from '@app/hi2';
import type { SessionDescription } from '@app/sip';
import { SrtpConfigError, SrtpReceiver, srtpSuite, type SrtpUnprotectResult } from '@app/srtp';
import type { UdpFlow } from '@app/x2';
import { detached } from '../interception/detached-string';
import type { KeyManagementStep } from '../keys/key-management-plan';
import type { ActiveTask } from '../warrants/task-registry';

/** Where one side of the call receives (and, with symmetric RTP, sends) a media stream. */
export interface MediaEndpoint {
  address: string;
  port: number;
  /** The m= line index in that side's SDP. */
  mediaIndex: number;
}

/** One SRTP crypto context a packet of the session may belong to. */
interface KeyCandidate {
  receiver: SrtpReceiver;
  /** The SDP endpoint whose owner sends with this key (SDES, RFC 4568 §6.1); absent for MIKEY. */
  endpoint?: MediaEndpoint;
}

/**
 * Key state of a session in mode `decrypted`:
 * - `unknown`: no SDP seen yet; media is held.
 * - `awaiting`: a MIKEY-TICKET key request is under way; media is held.
 * - `ready`: keys known; media is decrypted.
 * - `plain`: SDP without key management (RTP/AVP); media goes as received.
 * - `failed`: undecryptable or the key request failed; media goes as received (the IRI carries
 *   mediaSecFailureIndication).
 */
export type KeyState = 'unknown' | 'awaiting' | 'ready' | 'plain' | 'failed';

/** What decrypting one packet gave. */
export type Unprotected =
  | { kind: 'clear'; rtp: Buffer; mediaIndex?: number }
  | { kind: 'unauthenticated'; failure: string; ssrc?: number; sequenceNumber?: number };

/** The empty list all sessions share (frozen: lists are replaced, never changed in place). */
const NONE: readonly never[] = Object.freeze([]);

/** SRTP profile assumed for MIKEY-TICKET keys (the SRTP policy payload is not read; README). */
const MIKEY_DEFAULT_SUITE = 'AES_CM_128_HMAC_SHA1_80';

/**
 * The content side's view of one intercepted call session: identity (LIID, CIN, XID), the X2
 * Correlation IDs seen on its X2 PDUs, the media endpoints of its SDPs, and its SRTP keys.
 *
 * Keys per packet (choice): the SSRC of a packet is bound to the first key candidate that
 * authenticates it, trying first the candidates of the SDP endpoint the packet comes from (SDES:
 * each side's a=crypto is the key it sends with, RFC 4568 §6.1), then all others (MIKEY crypto
 * sessions map CS IDs to SSRCs in the CS ID map, which the MF does not need to read: trying is
 * exact because only the right key authenticates). A bound SSRC whose packet does not
 * authenticate is flagged, never re-bound.
 */
export class MediaSession {
  // Memory: one per open session, so the lists are replaced by copies of their exact length
  // (`concat`) rather than grown by `push` (room for 17 entries at the first), and those only a
  // session in mode `decrypted` fills are created with their first entry.
  /** The X2 Correlation IDs (hex) of the session's PDUs: usually one, kept without a list. */
  private correlation?: string | readonly string[];
  endpoints: readonly MediaEndpoint[] = NONE;
  keyState: KeyState = 'unknown';
  /** When the call ended (ms since epoch); trailing media still correlates by Correlation ID. */
  endedAt?: number;
  /** Keys dropped because their suite or form is not supported (counted by the caller). */
  private unusableKeys?: string[];
  private candidates?: KeyCandidate[];
  /** SSRC → the candidate that authenticated it; created with the first decrypted packet. */
  private bySsrc?: Map<number, KeyCandidate>;

  constructor(
    readonly task: ActiveTask,
    readonly callId: string,
    readonly cin: number,
    readonly xid: string,
  ) {}

  get liid(): string {
    return this.task.warrant.liid;
  }

  get decrypts(): boolean {
    return this.task.warrant.deliveryMode === 'decrypted';
  }

  /** The X2 Correlation IDs (hex) of the session's PDUs. */
  get correlationIds(): readonly string[] {
    const c = this.correlation;
    return c === undefined ? NONE : typeof c === 'string' ? [c] : c;
  }

  /** Notes an X2 Correlation ID of the session; returns the string the session keeps. */
  addCorrelationId(id: string): string {
    const ids = this.correlationIds;
    const known = ids.find((c) => c === id);
    if (known !== undefined) return known;
    this.correlation = ids.length ? ids.concat(id) : id;
    return id;
  }

  /** Takes the keys dropped since the last call (for the caller to count and audit). */
  takeUnusableKeys(): string[] {
    const taken = this.unusableKeys ?? [];
    this.unusableKeys = undefined;
    return taken;
  }

  /** Takes in one side's SDP and the key-management steps planned for it. */
  addSdp(sdp: SessionDescription, steps: readonly KeyManagementStep[]): void {
    const added: MediaEndpoint[] = [];
    for (const m of sdp.media) {
      const address = m.connection?.address;
      if (!address || m.port === 0) continue;
      const endpoint = { address: detached(address), port: m.port, mediaIndex: m.index };
      added.push(endpoint);
      for (const c of m.crypto) {
        for (const k of c.keys) {
          if (!k.masterKey || !k.masterSalt) continue;
          this.addCandidate(
            c.suite,
            {
              key: k.masterKey,
              salt: k.masterSalt,
              ...(k.mki ? { mki: mkiOctets(k.mki.value, k.mki.length) } : {}),
            },
            c.sessionParams.kdr,
            endpoint,
          );
        }
      }
    }
    if (added.length) this.endpoints = this.endpoints.concat(added);
    const kinds = new Set(steps.map((s) => s.kind));
    if (this.candidates) this.keyState = 'ready';
    else if (kinds.has('ticket')) this.keyState = 'awaiting';
    else if (kinds.has('undecryptable')) this.keyState = 'failed';
    else if (!kinds.size && this.keyState === 'unknown') this.keyState = 'plain';
  }

  /** Keys from Xk (MIKEY-TICKET, srtpKeysFromXk). */
  addTicketKeys(keys: readonly CryptoSessionKeys[]): void {
    for (const k of keys) {
      if (!k.masterSalt) {
        (this.unusableKeys ??= []).push(`csId ${String(k.csId)}: no master salt`);
        continue;
      }
      this.addCandidate(MIKEY_DEFAULT_SUITE, { key: k.masterKey, salt: k.masterSalt });
    }
    this.keyState = this.candidates ? 'ready' : 'failed';
  }

  keysFailed(): void {
    if (this.keyState !== 'ready') this.keyState = 'failed';
  }

  /** Whether `flow` has an endpoint of this session as its source or destination. */
  matchesFlow(flow: UdpFlow): boolean {
    return this.endpoints.some(
      (e) =>
        (e.address === flow.sourceAddress && e.port === flow.sourcePort) ||
        (e.address === flow.destinationAddress && e.port === flow.destinationPort),
    );
  }

  /** Decrypts one SRTP packet (keyState `ready`); never throws. */
  unprotect(packet: Buffer, flow: UdpFlow | undefined): Unprotected {
    const ssrc = packet.length >= 12 ? packet.readUInt32BE(8) : undefined;
    const bound = ssrc === undefined ? undefined : this.bySsrc?.get(ssrc);
    const order = bound ? [bound] : this.ordered(flow);
    let first: SrtpUnprotectResult | undefined;
    for (const c of order) {
      const r = c.receiver.unprotectRtp(packet);
      if (r.authenticated) {
        (this.bySsrc ??= new Map()).set(r.ssrc, c);
        return {
          kind: 'clear',
          rtp: r.packet,
          ...(c.endpoint ? { mediaIndex: c.endpoint.mediaIndex } : {}),
        };
      }
      first ??= r;
    }
    return {
      kind: 'unauthenticated',
      failure: first?.authenticated === false ? first.failure : 'NO_KEYS',
      ...(first?.ssrc !== undefined ? { ssrc: first.ssrc } : {}),
      ...(first?.sequenceNumber !== undefined ? { sequenceNumber: first.sequenceNumber } : {}),
    };
  }

  private ordered(flow: UdpFlow | undefined): KeyCandidate[] {
    const all = this.candidates ?? [];
    const fromHere = (c: KeyCandidate) =>
      !!flow &&
      !!c.endpoint &&
      c.endpoint.address === flow.sourceAddress &&
      c.endpoint.port === flow.sourcePort;
    return [...all.filter(fromHere), ...all.filter((c) => !fromHere(c))];
  }

  private addCandidate(
    suite: string,
    masterKey: { key: Buffer; salt: Buffer; mki?: Buffer },
    kdrExponent?: number,
    endpoint?: MediaEndpoint,
  ): void {
    // Mode keys: the LEA gets the keys on HI2 and media goes as received; no SRTP context here.
    if (!this.decrypts) return;
    try {
      const receiver = new SrtpReceiver({
        suite: srtpSuite(suite),
        masterKeys: [masterKey],
        // SDES KDR=n means the rate 2^n (RFC 4568 §6.3.1); absent means 0 (derive once).
        ...(kdrExponent !== undefined ? { keyDerivationRate: 2 ** kdrExponent } : {}),
      });
      (this.candidates ??= []).push({ receiver, ...(endpoint ? { endpoint } : {}) });
    } catch (e) {
      if (!(e instanceof SrtpConfigError)) throw e;
      (this.unusableKeys ??= []).push(`${suite}: ${e.code}`);
    }
  }
}

function mkiOctets(value: bigint, length: number): Buffer {
  const out = Buffer.alloc(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
