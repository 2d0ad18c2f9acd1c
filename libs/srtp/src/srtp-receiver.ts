import {
  packetIndex,
  type ReplayStatus,
  SrtpContext,
  type SrtpContextOptions,
} from './srtp-context';
import { readRtcpSsrc, readRtpHeader } from './rtp-header';
import { openSrtcp, readSrtcpIndex, srtcpLayout } from './srtcp';
import { openSrtp, srtpLayout } from './transform';

/** Why a received packet was not authenticated. */
export type SrtpFailure = 'MALFORMED' | 'UNKNOWN_MKI' | 'AUTHENTICATION_FAILED';

/** An authenticated SRTP packet, decrypted. */
export interface SrtpAccepted {
  authenticated: true;
  /** The RTP packet: header and decrypted payload, without MKI and tag. */
  packet: Buffer;
  /** The decrypted RTP payload (a view into `packet`). */
  payload: Buffer;
  ssrc: number;
  sequenceNumber: number;
  roc: number;
  /** 48-bit packet index 2^16 · ROC + SEQ. */
  index: number;
  /** Replay-list status, reported only (see README: an LI receiver does not drop replays). */
  replay: ReplayStatus;
}

/** A packet that did not authenticate: returned as received, flagged, never dropped. */
export interface SrtpRejected {
  authenticated: false;
  failure: SrtpFailure;
  /** The packet exactly as received. */
  packet: Buffer;
  /** The payload octets as received (still encrypted); empty when the header is malformed. */
  payload: Buffer;
  ssrc?: number;
  sequenceNumber?: number;
  /** The ROC and index the receiver tried first (RFC 3711 Appendix A estimate). */
  roc?: number;
  index?: number;
}

export type SrtpUnprotectResult = SrtpAccepted | SrtpRejected;

/** An authenticated SRTCP packet. */
export interface SrtcpAccepted {
  authenticated: true;
  /** The (compound) RTCP packet, decrypted when it was encrypted. */
  packet: Buffer;
  ssrc: number;
  /** 31-bit SRTCP index. */
  index: number;
  /** The E flag: whether the sender encrypted it. */
  encrypted: boolean;
  replay: ReplayStatus;
}

/** An SRTCP packet that did not authenticate: returned as received, flagged. */
export interface SrtcpRejected {
  authenticated: false;
  failure: SrtpFailure;
  packet: Buffer;
  ssrc?: number;
  index?: number;
}

export type SrtcpUnprotectResult = SrtcpAccepted | SrtcpRejected;

/** Counters of a receiver; every packet increments exactly one of the outcome counters. */
export interface SrtpReceiverCounters {
  srtpAuthenticated: number;
  srtcpAuthenticated: number;
  authenticationFailures: number;
  unknownMki: number;
  malformed: number;
  /** Authenticated packets whose index was already seen or is older than the replay window. */
  replays: number;
  /** Packets that authenticated only with the ROC next to the Appendix A estimate. */
  rocResynchronisations: number;
}

/**
 * SRTP/SRTCP receiver of one crypto context (RFC 3711 §3.3, §3.4; RFC 7714 §8, §9): selects
 * the master key by MKI, estimates the ROC per SSRC (Appendix A), authenticates, decrypts.
 * Received packets never throw: a failure is counted and the packet returned as received.
 *
 * When the estimate fails to authenticate, ROC ± 1 are tried (a long gap or a wrong initial
 * ROC); state is only updated by authenticated packets (RFC 3711 §3.3.1).
 */
export class SrtpReceiver {
  readonly context: SrtpContext;
  readonly counters: SrtpReceiverCounters = {
    srtpAuthenticated: 0,
    srtcpAuthenticated: 0,
    authenticationFailures: 0,
    unknownMki: 0,
    malformed: 0,
    replays: 0,
    rocResynchronisations: 0,
  };

  constructor(options: SrtpContextOptions) {
    this.context = new SrtpContext(options);
  }

  unprotectRtp(srtp: Buffer): SrtpUnprotectResult {
    const { suite, mkiLength } = this.context;
    const layout = srtpLayout(suite, srtp.length, mkiLength);
    const rtp = readRtpHeader(srtp, layout.payloadEnd);
    if (!rtp) {
      this.counters.malformed++;
      return { authenticated: false, failure: 'MALFORMED', packet: srtp, payload: Buffer.alloc(0) };
    }
    const { headerLength, ssrc, sequenceNumber } = rtp;
    const header = srtp.subarray(0, headerLength);
    const body = srtp.subarray(headerLength, layout.payloadEnd);
    const state = this.context.stream(ssrc);
    const guess = state ? state.guessRoc(sequenceNumber) : this.context.initialRoc(ssrc);
    const rejected = (failure: SrtpFailure): SrtpRejected => ({
      authenticated: false,
      failure,
      packet: srtp,
      payload: body,
      ssrc,
      sequenceNumber,
      roc: guess,
      index: packetIndex(guess, sequenceNumber),
    });
    const masterKey = this.context.masterKeyFor(
      srtp.subarray(layout.mkiStart, layout.mkiStart + mkiLength),
    );
    if (!masterKey) {
      this.counters.unknownMki++;
      return rejected('UNKNOWN_MKI');
    }
    const tag = srtp.subarray(layout.tagStart, layout.tagStart + suite.srtpTagLength);
    for (const roc of [guess, (guess + 1) >>> 0, (guess - 1) >>> 0]) {
      const index = packetIndex(roc, sequenceNumber);
      const keys = masterKey.sessionKeys('srtp', index);
      const plain = openSrtp(suite, keys, { header, ssrc, sequenceNumber, roc }, body, tag);
      if (!plain) continue;
      if (roc !== guess) this.counters.rocResynchronisations++;
      const stream = state ?? this.context.streamOrCreate(ssrc);
      const replay = stream.srtpReplay.check(index);
      stream.srtpReplay.mark(index);
      stream.accept(roc, sequenceNumber);
      this.counters.srtpAuthenticated++;
      if (replay !== 'new') this.counters.replays++;
      const packet = Buffer.concat([header, plain]);
      return {
        authenticated: true,
        packet,
        payload: packet.subarray(headerLength),
        ssrc,
        sequenceNumber,
        roc,
        index,
        replay,
      };
    }
    this.counters.authenticationFailures++;
    return rejected('AUTHENTICATION_FAILED');
  }

  unprotectRtcp(srtcp: Buffer): SrtcpUnprotectResult {
    const { suite, mkiLength } = this.context;
    const layout = srtcpLayout(suite, srtcp.length, mkiLength);
    const ssrc = layout && readRtcpSsrc(srtcp, layout.bodyEnd);
    if (!layout || ssrc === undefined) {
      this.counters.malformed++;
      return { authenticated: false, failure: 'MALFORMED', packet: srtcp };
    }
    const { index, encrypted } = readSrtcpIndex(srtcp, layout);
    const masterKey = this.context.masterKeyFor(
      srtcp.subarray(layout.mkiStart, layout.mkiStart + mkiLength),
    );
    if (!masterKey) {
      this.counters.unknownMki++;
      return { authenticated: false, failure: 'UNKNOWN_MKI', packet: srtcp, ssrc, index };
    }
    const packet = openSrtcp(suite, masterKey.sessionKeys('srtcp', index), srtcp, layout);
    if (!packet) {
      this.counters.authenticationFailures++;
      return { authenticated: false, failure: 'AUTHENTICATION_FAILED', packet: srtcp, ssrc, index };
    }
    const stream = this.context.streamOrCreate(ssrc);
    const replay = stream.srtcpReplay.check(index);
    stream.srtcpReplay.mark(index);
    this.counters.srtcpAuthenticated++;
    if (replay !== 'new') this.counters.replays++;
    return { authenticated: true, packet, ssrc, index, encrypted, replay };
  }
}
