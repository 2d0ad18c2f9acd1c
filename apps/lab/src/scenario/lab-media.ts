import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRtpHeader } from '@app/x2';
import type { ReceivedCcPacket } from '../lea/received-log';
import { ulawWav } from '../lea/wav';
import type { MediaStream } from '../ue';
import type { IriView } from './iri-view';

/** The media a call's UEs sent (each direction's clear and SRTP packets). */
export interface SentMedia {
  /** The target's stream (left channel of the WAV) and the other party's (right channel). */
  fromTarget: MediaStream;
  toTarget: MediaStream;
}

/** The verdict on one call's intercepted media at the TLS LEA of the `decrypted` warrant. */
export interface MediaVerdict {
  call: string;
  /** HI3 packets received for the call / sent by the UEs. */
  received: number;
  sent: number;
  /** Every received packet is the clear RTP packet a UE sent, byte for byte, in order per side. */
  clearMatches: boolean;
  /** Keys in the warrant's IRIs of the call (mediaDecryption-info): must be 0 in mode decrypted. */
  keysOnHi2: number;
  /** The intercepted audio (target left, other party right). */
  wavFile?: string;
  problems: string[];
  ok: boolean;
}

/** The µ-law payloads of packets, in RTP sequence order (RFC 3550 §5.1, modulo 2^16 from the first). */
function audioOf(packets: readonly Buffer[]): Buffer {
  if (!packets.length) return Buffer.alloc(0);
  const first = packets[0].readUInt16BE(2);
  const ordered = [...packets].sort(
    (a, b) => ((a.readUInt16BE(2) - first) & 0xffff) - ((b.readUInt16BE(2) - first) & 0xffff),
  );
  return Buffer.concat(ordered.map((p) => p.subarray(parseRtpHeader(p).payloadOffset)));
}

/**
 * What the LEA checks for a call in mode `decrypted`: the HI3 packets of the call's CIN, split
 * by SSRC, must equal each UE's clear RTP packets byte for byte; the audio goes to
 * `<dir>/<file>.wav` (µ-law stereo) so a person can listen to it; the warrant's IRIs of the call
 * (`iris`) must carry no key.
 */
export function judgeMedia(
  call: string,
  sent: SentMedia,
  cc: readonly ReceivedCcPacket[],
  iris: readonly IriView[],
  dir: string,
  file: string,
): MediaVerdict {
  const problems: string[] = [];
  const packets = cc.map((p) => Buffer.from(p.rtp, 'base64'));
  const side = (s: MediaStream) =>
    packets.filter((p) => p.length >= 12 && p.readUInt32BE(8) === s.ssrc);
  const sides = [sent.fromTarget, sent.toTarget];
  const got = sides.map(side);
  const clearMatches = sides.every(
    (s, i) => got[i].length === s.clear.length && got[i].every((p, j) => p.equals(s.clear[j])),
  );
  if (!clearMatches) problems.push('intercepted packets differ from the clear RTP the UEs sent');
  const sentCount = sides.reduce((n, s) => n + s.clear.length, 0);
  if (packets.length !== sentCount)
    problems.push(`${packets.length} HI3 packets received, ${sentCount} sent`);
  const keysOnHi2 = iris.reduce((n, r) => n + r.keys.length, 0);
  if (keysOnHi2) problems.push(`${keysOnHi2} keys on HI2 in mode decrypted`);
  let wavFile: string | undefined;
  if (packets.length) {
    wavFile = join(dir, `${file}.wav`);
    writeFileSync(wavFile, ulawWav(got.map(audioOf)));
  }
  return {
    call,
    received: packets.length,
    sent: sentCount,
    clearMatches,
    keysOnHi2,
    ...(wavFile ? { wavFile } : {}),
    problems,
    ok: problems.length === 0,
  };
}
