/**
 * Cross-check against an independent SRTP implementation (werift-rtp, dev dependency) in both
 * directions, for the two suites it implements, over seeded random packets with a sequence
 * number wrap, reordering and loss. werift's ROC tracking tolerates reordering of fewer than
 * 100 packets around a wrap, so the delivery order delays packets by at most 40.
 */
import { RtpHeader, SrtcpSession, SrtpSession } from 'werift-rtp';
import { SeededRandom, fuzzSeed } from '../../../test/support/seeded-random';
import { networkOrder, randomRtcpPacket, rtpStream } from '../test/rtp-packets';
import { SRTP_SUITES, SrtpReceiver, SrtpSender, type SrtpSuiteName } from './index';

/** werift profile numbers: the DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2). */
const PROFILES: [SrtpSuiteName, number][] = [
  ['AES_CM_128_HMAC_SHA1_80', 0x0001],
  ['AEAD_AES_128_GCM', 0x0007],
];
const PACKETS_PER_SSRC = 1500;
const MAX_DELAY = 40;

describe.each(PROFILES)('%s against werift-rtp (profile %i)', (suite, profile) => {
  const seed = fuzzSeed(0x3711 + profile);
  const rnd = new SeededRandom(seed);
  const s = SRTP_SUITES[suite];
  const key = rnd.bytes(s.keyLength);
  const salt = rnd.bytes(s.masterSaltLength);
  const masterKeys = [{ key, salt }];
  // werift encrypts with its local keys and decrypts with its remote keys.
  const keys = {
    localMasterKey: key,
    localMasterSalt: salt,
    remoteMasterKey: key,
    remoteMasterSalt: salt,
  };
  // Both SSRCs start with ROC 0 (werift has no initial ROC) and wrap part-way through.
  const starts = new Map([
    [0x0a0b0c0d, 65536 - 600],
    [0xfeedbeef, 65536 - 1100],
  ]);

  it(`werift protect -> our unprotect, ${2 * PACKETS_PER_SSRC} packets (seed ${seed})`, () => {
    const werift = new SrtpSession({ keys, profile });
    const receiver = new SrtpReceiver({ suite, masterKeys });
    const wire = rtpStream(rnd, starts, PACKETS_PER_SSRC).map((p) => {
      const header = RtpHeader.deSerialize(p.rtp);
      const srtp = werift.encrypt(p.rtp.subarray(header.payloadOffset), header);
      return { ...p, srtp };
    });
    let wrapped = 0;
    for (const p of networkOrder(rnd, wire, MAX_DELAY)) {
      const r = receiver.unprotectRtp(p.srtp);
      const seen = r.authenticated && `${r.ssrc} ${r.index} ${r.packet.toString('hex')}`;
      expect(seen).toBe(`${p.ssrc} ${p.index} ${p.rtp.toString('hex')}`);
      if (p.index >= 65536) wrapped++;
    }
    expect(wrapped).toBeGreaterThan(1000);
    expect(receiver.counters.authenticationFailures).toBe(0);
  });

  it(`our protect -> werift unprotect, ${2 * PACKETS_PER_SSRC} packets (seed ${seed})`, () => {
    const sender = new SrtpSender({ suite, masterKeys });
    const werift = new SrtpSession({ keys, profile });
    const wire = rtpStream(rnd, starts, PACKETS_PER_SSRC).map((p) => ({
      ...p,
      srtp: sender.protectRtp(p.rtp),
    }));
    for (const p of networkOrder(rnd, wire, MAX_DELAY)) {
      expect(werift.decrypt(p.srtp).toString('hex')).toBe(p.rtp.toString('hex'));
    }
  });

  it('SRTCP both ways', () => {
    const sender = new SrtpSender({ suite, masterKeys });
    const receiver = new SrtpReceiver({ suite, masterKeys });
    const werift = new SrtcpSession({ keys, profile });
    for (let i = 0; i < 200; i++) {
      const rtcp = randomRtcpPacket(rnd, rnd.pick([...starts.keys()]));
      expect(werift.decrypt(sender.protectRtcp(rtcp))).toEqual(rtcp);
      expect(receiver.unprotectRtcp(werift.encrypt(rtcp))).toMatchObject({
        authenticated: true,
        packet: rtcp,
      });
    }
  });
});
