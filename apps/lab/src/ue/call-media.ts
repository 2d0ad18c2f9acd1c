import { randomBytes } from 'node:crypto';
import { SrtpSender } from '@app/srtp';
import { SRTP_SUITE, type SimulatedCall, type SrtpStreamKeys } from './simulated-call';

/** G.711 sampling rate (ITU-T G.711 §1) and the 20 ms packetisation of RTP/AVP PCMU. */
export const G711_RATE = 8000;
const SAMPLES_PER_PACKET = 160;
/** RTP/AVP static payload type 0 = PCMU (RFC 3551 §6, table 4). */
const PT_PCMU = 0;

/**
 * G.711 µ-law encoding of one 16-bit linear sample (ITU-T G.711 §3.2, the segmented
 * 14-bit → 8-bit law, bias 0x84, octet inverted before transmission). A negative sample's
 * magnitude is its ones' complement, as in the ITU-T G.191 reference `ulaw_compress` (checked
 * equal to it over all 65536 inputs when this was written).
 */
export function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  const sign = sample < 0 ? 0x80 : 0;
  const x = Math.max(-32_768, Math.min(32_767, Math.trunc(sample)));
  let magnitude = Math.min(x < 0 ? ~x : x, 32_635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; exponent > 0 && !(magnitude & mask); mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = sign | (exponent << 4) | mantissa;
  return ~magnitude & 0xff;
}

/** `ms` milliseconds of a sine tone of `hz` at 8000 Hz as G.711 µ-law octets. */
export function ulawTone(hz: number, ms: number, amplitude = 8000): Buffer {
  const n = Math.round((G711_RATE * ms) / 1000);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++)
    out[i] = linearToUlaw(amplitude * Math.sin((2 * Math.PI * hz * i) / G711_RATE));
  return out;
}

/** One direction of a call's media: the clear RTP packets and their SRTP form as sent. */
export interface MediaStream {
  keys: SrtpStreamKeys;
  ssrc: number;
  /** The µ-law audio the stream carries (the concatenated payloads). */
  audio: Buffer;
  clear: Buffer[];
  srtp: Buffer[];
}

/** A fixed RTP header (RFC 3550 §5.1: V=2, no padding, extension or CSRC) and the payload. */
function rtpPacket(seq: number, timestamp: number, ssrc: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = PT_PCMU;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(timestamp >>> 0, 4);
  h.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([h, payload]);
}

/**
 * The media a UE sends on one stream: `audio` (µ-law) in 20 ms RTP packets (PT 0, 160 samples),
 * random initial sequence number and timestamp (RFC 3550 §5.1), protected with libs/srtp
 * `protectRtp` under the stream's real master key and salt (suite {@link SRTP_SUITE}). The SSRC
 * is the stream's (MIKEY CS ID map) or a random one (SDES).
 */
export function streamMedia(keys: SrtpStreamKeys, audio: Buffer): MediaStream {
  const ssrc = keys.ssrc ?? randomBytes(4).readUInt32BE(0);
  const sender = new SrtpSender({
    suite: SRTP_SUITE,
    masterKeys: [{ key: keys.masterKey, salt: keys.masterSalt }],
  });
  const seq0 = randomBytes(2).readUInt16BE(0) & 0x7fff;
  const ts0 = randomBytes(4).readUInt32BE(0);
  const clear: Buffer[] = [];
  for (let at = 0, i = 0; at < audio.length; at += SAMPLES_PER_PACKET, i++)
    clear.push(rtpPacket(seq0 + i, ts0 + at, ssrc, audio.subarray(at, at + SAMPLES_PER_PACKET)));
  return { keys, ssrc, audio, clear, srtp: clear.map((p) => sender.protectRtp(p)) };
}

/**
 * Both directions of the first media line of a call: the initiator sends a 440 Hz tone, the
 * responder a 660 Hz one (so a listener tells them apart), `ms` milliseconds each.
 */
export function callMedia(
  call: SimulatedCall,
  ms = 3000,
): { initiator: MediaStream; responder: MediaStream } {
  const of = (direction: SrtpStreamKeys['direction']) => {
    const k = call.keys.find((s) => s.mediaIndex === 0 && s.direction === direction);
    if (!k) throw new Error(`call ${call.callId} has no ${direction} stream`);
    return k;
  };
  return {
    initiator: streamMedia(of('initiator-to-responder'), ulawTone(440, ms)),
    responder: streamMedia(of('responder-to-initiator'), ulawTone(660, ms)),
  };
}
