import { SeededRandom } from '../../../test/support/seeded-random';
import { networkOrder, randomRtcpPacket, randomRtpPacket, rtpStream } from '../test/rtp-packets';
import {
  estimateRoc,
  REPLAY_WINDOW,
  SRTP_SUITES,
  SrtpConfigError,
  SrtpReceiver,
  SrtpSender,
  type SrtpContextOptions,
  type SrtpSuiteName,
} from './index';

const ALL_SUITES = Object.keys(SRTP_SUITES) as SrtpSuiteName[];

function keysFor(suite: SrtpSuiteName, rnd: SeededRandom, mki?: Buffer) {
  const s = SRTP_SUITES[suite];
  return { key: rnd.bytes(s.keyLength), salt: rnd.bytes(s.masterSaltLength), mki };
}

function pair(options: SrtpContextOptions) {
  return { sender: new SrtpSender(options), receiver: new SrtpReceiver(options) };
}

describe('ROC estimation (RFC 3711 Appendix A)', () => {
  it.each([
    // [ROC, s_l, SEQ, v]
    [5, 100, 200, 5], // in order
    [5, 100, 90, 5], // late, same ROC
    [5, 100, 65500, 4], // late, from before the wrap
    [5, 65500, 10, 6], // after the wrap
    [5, 65500, 65400, 5], // late, high half
    [5, 40000, 7231, 6], // s_l - 2^15 = 7232 > SEQ: after the wrap
    [5, 40000, 7232, 5], // boundary: same ROC
    [0, 10, 65000, 0xffffffff], // ROC - 1 modulo 2^32
  ])('ROC %i, s_l %i, SEQ %i -> %i', (roc, sl, seq, v) => {
    expect(estimateRoc(roc, sl, seq)).toBe(v);
  });
});

describe.each(ALL_SUITES)('%s sender -> receiver', (suite) => {
  it('decrypts a reordered, lossy two-SSRC stream across a sequence wrap with the true index', () => {
    const rnd = new SeededRandom(0x5e7c + suite.length);
    // The second SSRC starts with ROC 2, as if signalled by key management.
    const initialRocs = new Map([[0x2222, 2]]);
    const { sender, receiver } = pair({ suite, masterKeys: [keysFor(suite, rnd)], initialRocs });
    const stream = rtpStream(
      rnd,
      new Map([
        [0x1111, 65536 - 700],
        [0x2222, 3 * 65536 - 300],
      ]),
      1000,
    );
    const wire = stream.map((p) => ({ ...p, srtp: sender.protectRtp(p.rtp) }));
    let crossed = 0;
    for (const p of networkOrder(rnd, wire, 200)) {
      const r = receiver.unprotectRtp(p.srtp);
      const seen =
        r.authenticated && `${r.ssrc} ${r.index} ${r.replay} ${r.packet.toString('hex')}`;
      expect(seen).toBe(`${p.ssrc} ${p.index} new ${p.rtp.toString('hex')}`);
      if (p.index % 0x10000 < 5) crossed++;
    }
    expect(crossed).toBeGreaterThan(0);
    expect(receiver.counters).toMatchObject({
      authenticationFailures: 0,
      rocResynchronisations: 0,
    });
  });

  it('SRTCP both ways, with E = 1 and E = 0', () => {
    const rnd = new SeededRandom(0x7c9);
    const masterKeys = [keysFor(suite, rnd)];
    for (const encryptRtcp of [true, false]) {
      const sender = new SrtpSender({ suite, masterKeys, encryptRtcp });
      const receiver = new SrtpReceiver({ suite, masterKeys });
      for (let i = 0; i < 50; i++) {
        const rtcp = randomRtcpPacket(rnd, 0xabc);
        const srtcp = sender.protectRtcp(rtcp);
        expect(srtcp.subarray(8, 12).equals(rtcp.subarray(8, 12))).toBe(!encryptRtcp);
        expect(receiver.unprotectRtcp(srtcp)).toMatchObject({
          authenticated: true,
          packet: rtcp,
          index: i,
          encrypted: encryptRtcp,
        });
      }
    }
  });
});

describe('authentication failures are flagged, counted and returned as received', () => {
  const rnd = new SeededRandom(42);
  const suite = 'AES_CM_128_HMAC_SHA1_80';
  const masterKeys = [keysFor(suite, rnd)];

  it.each([
    ['payload', (p: Buffer) => (p[20] ^= 0x01)],
    ['header', (p: Buffer) => (p[1] ^= 0x01)],
    ['tag', (p: Buffer) => (p[p.length - 1] ^= 0x80)],
  ])('a packet with a flipped bit in the %s', (_where, flip) => {
    const { sender, receiver } = pair({ suite, masterKeys });
    const rtp = Buffer.concat([
      Buffer.from('80000064000000010000abcd', 'hex'),
      Buffer.alloc(40, 7),
    ]);
    const tampered = Buffer.from(sender.protectRtp(rtp));
    flip(tampered);
    const copy = Buffer.from(tampered);
    const result = receiver.unprotectRtp(tampered);
    expect(result).toMatchObject({
      authenticated: false,
      failure: 'AUTHENTICATION_FAILED',
      ssrc: 0xabcd,
    });
    expect(result.packet).toBe(tampered);
    expect(tampered).toEqual(copy);
    expect(receiver.counters.authenticationFailures).toBe(1);
    expect(receiver.context.stream(0xabcd)).toBeUndefined();
  });

  it('a forged packet far ahead does not move the ROC', () => {
    const { sender, receiver } = pair({ suite, masterKeys });
    const packets = [1, 2, 40000, 3].map((i) => sender.protectRtp(randomRtpPacket(rnd, 9, i)));
    expect(receiver.unprotectRtp(packets[0]).authenticated).toBe(true);
    const forged = Buffer.from(packets[2]);
    forged[forged.length - 2] ^= 1;
    expect(receiver.unprotectRtp(forged).authenticated).toBe(false);
    expect(receiver.context.stream(9)).toMatchObject({ roc: 0, highestSeq: 1 });
    expect(receiver.unprotectRtp(packets[3])).toMatchObject({ authenticated: true, index: 3 });
  });

  it('SRTCP with a flipped bit, and packets too short to hold a header and tag', () => {
    const { sender, receiver } = pair({ suite, masterKeys });
    const srtcp = sender.protectRtcp(randomRtcpPacket(rnd, 5));
    srtcp[9] ^= 4;
    expect(receiver.unprotectRtcp(srtcp)).toMatchObject({
      authenticated: false,
      failure: 'AUTHENTICATION_FAILED',
      packet: srtcp,
    });
    for (const short of [Buffer.alloc(0), Buffer.from('80'), Buffer.alloc(21, 0x80)]) {
      expect(receiver.unprotectRtp(short)).toMatchObject({
        authenticated: false,
        failure: 'MALFORMED',
        packet: short,
      });
      expect(receiver.unprotectRtcp(short)).toMatchObject({
        authenticated: false,
        failure: 'MALFORMED',
      });
    }
    expect(receiver.counters).toMatchObject({ authenticationFailures: 1, malformed: 6 });
  });
});

describe('MKI (RFC 3711 §3.1)', () => {
  it.each(['AES_CM_128_HMAC_SHA1_32', 'AEAD_AES_256_GCM'] as const)(
    '%s: the receiver picks the master key the MKI names',
    (suite) => {
      const rnd = new SeededRandom(7);
      const a = keysFor(suite, rnd, Buffer.from('0001', 'hex'));
      const b = keysFor(suite, rnd, Buffer.from('0002', 'hex'));
      const receiver = new SrtpReceiver({ suite, masterKeys: [a, b] });
      for (const key of [b, a]) {
        const sender = new SrtpSender({ suite, masterKeys: [key] });
        const rtp = randomRtpPacket(rnd, 77, 10);
        expect(receiver.unprotectRtp(sender.protectRtp(rtp))).toMatchObject({
          authenticated: true,
          packet: rtp,
        });
        const rtcp = randomRtcpPacket(rnd, 77);
        expect(receiver.unprotectRtcp(sender.protectRtcp(rtcp))).toMatchObject({
          authenticated: true,
          packet: rtcp,
        });
      }
      const stranger = new SrtpSender({
        suite,
        masterKeys: [keysFor(suite, rnd, Buffer.from('0003', 'hex'))],
      });
      expect(
        receiver.unprotectRtp(stranger.protectRtp(randomRtpPacket(rnd, 77, 11))),
      ).toMatchObject({
        authenticated: false,
        failure: 'UNKNOWN_MKI',
      });
      expect(receiver.unprotectRtcp(stranger.protectRtcp(randomRtcpPacket(rnd, 77)))).toMatchObject(
        {
          authenticated: false,
          failure: 'UNKNOWN_MKI',
        },
      );
      expect(receiver.counters.unknownMki).toBe(2);
    },
  );
});

describe('key derivation rate (RFC 3711 §4.3.1)', () => {
  it('session keys change every kdr packets, and both ends must agree on the rate', () => {
    const rnd = new SeededRandom(99);
    const suite = 'AES_CM_128_HMAC_SHA1_80';
    const masterKeys = [keysFor(suite, rnd)];
    const { sender, receiver } = pair({ suite, masterKeys, keyDerivationRate: 16 });
    const noRate = new SrtpReceiver({ suite, masterKeys });
    for (let i = 65500; i < 65600; i++) {
      const srtp = sender.protectRtp(randomRtpPacket(rnd, 1, i));
      expect(receiver.unprotectRtp(srtp)).toMatchObject({ authenticated: true, index: i });
      // r = i DIV 16 is never 0 here: keys derived once (r = 0) cannot verify.
      expect(noRate.unprotectRtp(srtp).authenticated).toBe(false);
    }
  });
});

describe('replay list (reported, never dropped)', () => {
  it('flags duplicates and packets older than the window, and still decrypts them', () => {
    const rnd = new SeededRandom(3);
    const suite = 'AEAD_AES_128_GCM';
    const { sender, receiver } = pair({ suite, masterKeys: [keysFor(suite, rnd)] });
    const packets = Array.from({ length: REPLAY_WINDOW + 10 }, (_, i) => {
      const rtp = randomRtpPacket(rnd, 4, 1000 + i);
      return { rtp, srtp: sender.protectRtp(rtp) };
    });
    expect(receiver.unprotectRtp(packets[0].srtp)).toMatchObject({ replay: 'new' });
    expect(receiver.unprotectRtp(packets[0].srtp)).toMatchObject({
      authenticated: true,
      replay: 'duplicate',
      packet: packets[0].rtp,
    });
    expect(receiver.unprotectRtp(packets[REPLAY_WINDOW + 9].srtp)).toMatchObject({ replay: 'new' });
    expect(receiver.unprotectRtp(packets[5].srtp)).toMatchObject({
      authenticated: true,
      replay: 'too-old',
      packet: packets[5].rtp,
    });
    expect(receiver.unprotectRtp(packets[20].srtp)).toMatchObject({ replay: 'new' });
    expect(receiver.counters.replays).toBe(2);
  });
});

describe('ROC when interception starts mid-stream', () => {
  const rnd = new SeededRandom(11);
  const suite = 'AES_256_CM_HMAC_SHA1_80';
  const masterKeys = [keysFor(suite, rnd)];

  it('uses the initial ROC signalled for the SSRC (e.g. MIKEY SRTP ID map)', () => {
    const sender = new SrtpSender({ suite, masterKeys, initialRocs: new Map([[8, 7]]) });
    const receiver = new SrtpReceiver({ suite, masterKeys, initialRocs: new Map([[8, 7]]) });
    expect(receiver.unprotectRtp(sender.protectRtp(randomRtpPacket(rnd, 8, 500)))).toMatchObject({
      authenticated: true,
      roc: 7,
      index: 7 * 65536 + 500,
    });
    expect(receiver.counters.rocResynchronisations).toBe(0);
  });

  it('recovers a ROC off by one by trying the neighbours of the estimate', () => {
    const sender = new SrtpSender({ suite, masterKeys, initialRocs: new Map([[8, 1]]) });
    const receiver = new SrtpReceiver({ suite, masterKeys });
    const first = receiver.unprotectRtp(sender.protectRtp(randomRtpPacket(rnd, 8, 3)));
    expect(first).toMatchObject({ authenticated: true, roc: 1 });
    expect(receiver.unprotectRtp(sender.protectRtp(randomRtpPacket(rnd, 8, 4)))).toMatchObject({
      roc: 1,
    });
    expect(receiver.counters.rocResynchronisations).toBe(1);
  });
});

describe('configuration errors are typed and never echo key material', () => {
  const key = Buffer.alloc(16, 0x5a);
  it.each([
    [
      { suite: 'AES_CM_128_HMAC_SHA1_80', masterKeys: [{ key, salt: Buffer.alloc(12) }] },
      'BAD_KEY_LENGTH',
    ],
    ...['F8_128_HMAC_SHA1_80', 'toString', '__proto__'].map((name) => [
      { suite: name as SrtpSuiteName, masterKeys: [{ key, salt: Buffer.alloc(14) }] },
      'UNSUPPORTED_SUITE',
    ]),
    [
      {
        suite: 'AES_CM_128_HMAC_SHA1_80',
        masterKeys: [{ key, salt: Buffer.alloc(14) }],
        keyDerivationRate: 3,
      },
      'BAD_KEY_DERIVATION_RATE',
    ],
    [
      {
        suite: 'AES_CM_128_HMAC_SHA1_80',
        masterKeys: [
          { key, salt: Buffer.alloc(14), mki: Buffer.of(1) },
          { key, salt: Buffer.alloc(14), mki: Buffer.of(0, 2) },
        ],
      },
      'BAD_MKI',
    ],
  ] as [SrtpContextOptions, string][])('%#: %s', (options, code) => {
    let error: unknown;
    try {
      new SrtpReceiver(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SrtpConfigError);
    expect((error as SrtpConfigError).code).toBe(code);
    expect((error as Error).message).not.toContain(key.toString('hex'));
  });

  it('the sender refuses a non-RTP packet', () => {
    const sender = new SrtpSender({
      suite: 'AEAD_AES_128_GCM',
      masterKeys: [{ key, salt: Buffer.alloc(12) }],
    });
    expect(() => sender.protectRtp(Buffer.alloc(12))).toThrow(SrtpConfigError);
  });
});
