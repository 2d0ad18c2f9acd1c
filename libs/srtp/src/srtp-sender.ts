import { SrtpConfigError } from './errors';
import { packetIndex, SrtpContext, type SrtpContextOptions } from './srtp-context';
import { readRtcpSsrc, readRtpHeader } from './rtp-header';
import { MAX_SRTCP_INDEX, sealSrtcp } from './srtcp';
import { sealSrtp } from './transform';

/** Sender options: the context's (the first master key is used) and SRTCP encryption. */
export interface SrtpSenderOptions extends SrtpContextOptions {
  /** Set the SRTCP E flag and encrypt RTCP (default true; RFC 3711 §3.4 allows false). */
  encryptRtcp?: boolean;
}

/**
 * SRTP/SRTCP sender of one crypto context (RFC 3711 §3.3, §3.4; RFC 7714 §8, §9), for the lab
 * UE simulator. The ROC of each SSRC follows its sequence numbers (it is incremented when the
 * sequence number wraps, found with the same Appendix A rule the receiver uses, so that a
 * retransmitted older packet keeps its ROC); the SRTCP index starts at 0 per SSRC.
 */
export class SrtpSender {
  readonly context: SrtpContext;
  private readonly encryptRtcp: boolean;

  constructor(options: SrtpSenderOptions) {
    this.context = new SrtpContext(options);
    this.encryptRtcp = options.encryptRtcp ?? true;
  }

  /** Protects one RTP packet (header with CSRCs and extension, payload incl. any padding). */
  protectRtp(rtp: Buffer): Buffer {
    const header = readRtpHeader(rtp, rtp.length);
    if (!header) throw new SrtpConfigError('BAD_PACKET', 'not an RTP version 2 packet');
    const { headerLength, ssrc, sequenceNumber } = header;
    const stream = this.context.streamOrCreate(ssrc);
    const roc = stream.guessRoc(sequenceNumber);
    stream.accept(roc, sequenceNumber);
    const masterKey = this.context.masterKeys[0];
    const keys = masterKey.sessionKeys('srtp', packetIndex(roc, sequenceNumber));
    return sealSrtp(
      this.context.suite,
      keys,
      { header: rtp.subarray(0, headerLength), ssrc, sequenceNumber, roc },
      rtp.subarray(headerLength),
      masterKey.mki,
    );
  }

  /** Protects one (compound) RTCP packet with the SSRC's next SRTCP index. */
  protectRtcp(rtcp: Buffer): Buffer {
    const ssrc = readRtcpSsrc(rtcp, rtcp.length);
    if (ssrc === undefined) throw new SrtpConfigError('BAD_PACKET', 'not an RTCP version 2 packet');
    const stream = this.context.streamOrCreate(ssrc);
    const index = stream.nextSrtcpIndex;
    if (index > MAX_SRTCP_INDEX) {
      throw new SrtpConfigError(
        'KEY_EXHAUSTED',
        'SRTCP index space used up: re-key (RFC 3711 §9.2)',
      );
    }
    stream.nextSrtcpIndex++;
    const masterKey = this.context.masterKeys[0];
    const keys = masterKey.sessionKeys('srtcp', index);
    return sealSrtcp(this.context.suite, keys, rtcp, index, this.encryptRtcp, masterKey.mki);
  }
}
