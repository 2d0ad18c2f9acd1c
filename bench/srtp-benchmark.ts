import { createCipheriv } from 'node:crypto';
import { SrtpReceiver, SrtpSender, type SrtpSuiteName } from '@app/srtp';
import { SeededRandom } from '../test/support/seeded-random';
import { randomRtpPacket } from '../libs/srtp/test/rtp-packets';
import { environment, measure, report, secondsOption } from './measure';

const PACKETS_PER_ROUND = 1000;
const SSRC = 0x5a5a5a5a;
const SUITES: SrtpSuiteName[] = [
  'AES_CM_128_HMAC_SHA1_80',
  'AEAD_AES_128_GCM',
  'AES_256_CM_HMAC_SHA1_80',
];

/**
 * `npm run bench -- srtp`: SRTP decryption (authenticate, ROC estimate, replay status,
 * decrypt) of RTP packets next to plain AES-128-CTR over the same payload octets, one core.
 * The stream crosses a sequence-number wrap; each round replays the same packets, which the
 * receiver reports as replays but still decrypts (as it does in production).
 */
export function runSrtpBenchmark(args: string[]): void {
  const seconds = secondsOption(args, 2);
  const rnd = new SeededRandom(0x5e7b);
  const plain = Array.from({ length: PACKETS_PER_ROUND }, (_, i) =>
    randomRtpPacket(rnd, SSRC, 65536 - PACKETS_PER_ROUND / 2 + i),
  );
  const payloadBytes = plain.reduce((n, p) => n + p.length - 12, 0);
  console.log(`srtp benchmark — ${environment()}, ${seconds} s per measurement`);
  console.log(
    `${PACKETS_PER_ROUND} RTP packets, ${payloadBytes} octets after the fixed header (mean ${Math.round(payloadBytes / PACKETS_PER_ROUND)})`,
  );

  const key = rnd.bytes(16);
  const iv = rnd.bytes(16);
  const bodies = plain.map((p) => p.subarray(12));
  const baseline = measure(
    'AES-128-CTR of the same octets (one cipher per packet)',
    seconds,
    PACKETS_PER_ROUND,
    payloadBytes,
    () => {
      let n = 0;
      for (const b of bodies) n += createCipheriv('aes-128-ctr', key, iv).update(b).length;
      return n;
    },
  );

  const rates = SUITES.map((suite) => {
    const masterKeys = [
      {
        key: rnd.bytes(suite.includes('256') ? 32 : 16),
        salt: rnd.bytes(suite.startsWith('AEAD') ? 12 : 14),
      },
    ];
    const sender = new SrtpSender({ suite, masterKeys });
    const srtp = plain.map((p) => sender.protectRtp(p));
    const receiver = new SrtpReceiver({ suite, masterKeys });
    // Fail loudly before measuring if the packets do not decrypt.
    if (!srtp.every((p) => receiver.unprotectRtp(p).authenticated))
      throw new Error(`${suite} does not verify`);
    return measure(
      `SrtpReceiver.unprotectRtp ${suite}`,
      seconds,
      PACKETS_PER_ROUND,
      payloadBytes,
      () => {
        let n = 0;
        for (const p of srtp) n += receiver.unprotectRtp(p).payload.length;
        return n;
      },
    );
  });
  report('SRTP decryption (packets per second)', baseline, rates);
}
