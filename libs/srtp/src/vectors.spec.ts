/**
 * Known-answer tests. Values are the published test vectors: RFC 3711 Appendix B.2 and B.3,
 * RFC 6188 §7.2 and §7.4, RFC 7714 §16 and §17, and libsrtp's srtp_driver reference packets
 * (an independent implementation; its GCM packets also pin the 96-bit master-salt KDF of
 * RFC 7714 erratum 4938 and the AEAD MKI placement).
 */
import {
  aesCmPrf,
  deriveSessionKeys,
  kdfInput,
  KDF_LABEL,
  openSrtcp,
  sealSrtcp,
  sealSrtp,
  srtcpLayout,
  SRTP_SUITES,
  SrtpReceiver,
  SrtpSender,
  type SessionKeys,
  type SrtpSuiteName,
} from './index';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('RFC 3711 Appendix B.2: AES-CM keystream', () => {
  it('encrypting zeros with SSRC 0 and index 0 yields the published keystream segment', () => {
    const keys: SessionKeys = {
      encryptionKey: hex('2B7E151628AED2A6ABF7158809CF4F3C'),
      salt: hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD'),
      authKey: Buffer.alloc(20),
    };
    const header = hex('80000000 00000000 00000000'); // SEQ 0, SSRC 0
    const segment = 1_044_512; // 65282 blocks
    const srtp = sealSrtp(
      SRTP_SUITES.AES_CM_128_HMAC_SHA1_80,
      keys,
      { header, ssrc: 0, sequenceNumber: 0, roc: 0 },
      Buffer.alloc(segment),
      Buffer.alloc(0),
    );
    const keystream = srtp.subarray(12, 12 + segment);
    const block = (n: number) => keystream.subarray(16 * n, 16 * n + 16).toString('hex');
    expect(block(0)).toBe('e03ead0935c95e80e166b16dd92b4eb4');
    expect(block(1)).toBe('d23513162b02d0f72a43a2fe4a5f97ab');
    expect(block(2)).toBe('41e95b3bb0a2e8dd477901e4fca894c0');
    expect(block(0xfeff)).toBe('ec8cdf7398607cb0f2d21675ea9ea1e4');
    expect(block(0xff00)).toBe('362b7c3c6773516318a077d7fc5073ae');
    expect(block(0xff01)).toBe('6a2cc3787889374fbeb4c81b17ba6c44');
  });
});

describe('key derivation', () => {
  it('RFC 3711 B.3: cipher key, salt and the 94-octet authentication keystream', () => {
    const key = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
    const salt = hex('0EC675AD498AFEEBB6960B3AABE6');
    const keys = deriveSessionKeys(SRTP_SUITES.AES_CM_128_HMAC_SHA1_80, key, salt, 'srtp');
    expect(keys.encryptionKey.toString('hex')).toBe('c61e7a93744f39ee10734afe3ff7a087');
    expect(keys.salt.toString('hex')).toBe('30cbbc08863d8c85d49db34a9ae1');
    expect(keys.authKey.toString('hex')).toBe('cebe321f6ff7716b6fd4ab49af256a156d38baa4');
    const auth94 = aesCmPrf(key, kdfInput(salt, KDF_LABEL.SRTP_AUTHENTICATION, 0), 94);
    expect(auth94).toEqual(
      hex(`CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE
           E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25
           6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2`),
    );
  });

  it('RFC 6188 §7.2: AES_256_CM_PRF', () => {
    const keys = deriveSessionKeys(
      SRTP_SUITES.AES_256_CM_HMAC_SHA1_80,
      hex('f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6'),
      hex('3b04803de51ee7c96423ab5b78d2'),
      'srtp',
    );
    expect(keys.encryptionKey.toString('hex')).toBe(
      '5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4',
    );
    expect(keys.salt.toString('hex')).toBe('fa31791685ca444a9e07c6c64e93');
    expect(keys.authKey.toString('hex')).toBe('fd9c32d39ed5fbb5a9dc96b30818454d1313dc05');
  });

  it('RFC 6188 §7.4: AES_192_CM_PRF', () => {
    const keys = deriveSessionKeys(
      SRTP_SUITES.AES_192_CM_HMAC_SHA1_80,
      hex('73edc66c4fa15776fb57f9505c17136550ffda71f3e8e5f1'),
      hex('c8522f3acd4ce86d5add78edbb11'),
      'srtp',
    );
    expect(keys.encryptionKey.toString('hex')).toBe(
      '31874736a8f1143870c26e4857d8a5b2c4a354407faadabb',
    );
    expect(keys.salt.toString('hex')).toBe('2372b82d639b6d8503a47adc0a6c');
    expect(keys.authKey.toString('hex')).toBe('355b10973cd95b9eacf4061c7e1a7151e7cfbfcb');
  });

  it('key derivation rate: r = index DIV kdr enters the PRF input (RFC 3711 §4.3.1)', () => {
    const salt = hex('0EC675AD498AFEEBB6960B3AABE6');
    const x = kdfInput(salt, KDF_LABEL.SRTP_SALT, 0x0102_0304_0506);
    // key_id = label || r (7 octets) XORed onto the last 7 octets of the master salt.
    expect(x).toEqual(
      Buffer.from(salt.map((b, i) => b ^ [0, 0, 0, 0, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6][i])),
    );
  });
});

/** RFC 7714 §16/§17: session keys given directly, SSRC 0x5501a0b2 / 0x4d617273, ROC 0. */
const RFC7714 = {
  salt: hex('517569642070726f2071756f'),
  key128: hex('000102030405060708090a0b0c0d0e0f'),
  key256: hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),
  rtp: hex(`8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976
            69736120 696e2070 61727465 73207472 6573`),
  rtcp: hex(`81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
             deadbeef deadbeef deadbeef deadbeef deadbeef`),
  cases: [
    {
      suite: 'AEAD_AES_128_GCM' as const,
      srtp: hex(`8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5
                 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce`),
      srtcp: hex(`81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d
                  c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872
                  45d9eade 800005d4`),
      srtcpAuthOnly: hex(`81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930
                          4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef 841dd968
                          3dd78ec9 2ae58790 125f62b3 000005d4`),
    },
    {
      suite: 'AEAD_AES_256_GCM' as const,
      srtp: hex(`8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238
                 9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13`),
      srtcp: hex(`81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50
                  a2eaa5c1 110555be 8415f658 c61de047 6f1b6fad 1d1eb30c 4446839f 57ff6f6c
                  b26ac3be 800005d4`),
      srtcpAuthOnly: hex(`81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930
                          4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef 91db4afb
                          feee5a97 8fab4393 ed2615fe 000005d4`),
    },
  ],
};

describe.each(RFC7714.cases)('RFC 7714 §16/§17 $suite', (c) => {
  const suite = SRTP_SUITES[c.suite];
  const keys: SessionKeys = {
    encryptionKey: suite.keyLength === 16 ? RFC7714.key128 : RFC7714.key256,
    salt: RFC7714.salt,
    authKey: Buffer.alloc(0),
  };
  const mki = Buffer.alloc(0);

  it('SRTP packet (§16.1 / §16.2)', () => {
    const rtp = {
      header: RFC7714.rtp.subarray(0, 12),
      ssrc: 0x5501a0b2,
      sequenceNumber: 0xf17b,
      roc: 0,
    };
    expect(sealSrtp(suite, keys, rtp, RFC7714.rtp.subarray(12), mki)).toEqual(c.srtp);
  });

  it('SRTCP packet, encrypted and authenticated-only (§17)', () => {
    expect(sealSrtcp(suite, keys, RFC7714.rtcp, 0x5d4, true, mki)).toEqual(c.srtcp);
    expect(sealSrtcp(suite, keys, RFC7714.rtcp, 0x5d4, false, mki)).toEqual(c.srtcpAuthOnly);
    for (const packet of [c.srtcp, c.srtcpAuthOnly]) {
      const layout = srtcpLayout(suite, packet.length, 0)!;
      expect(openSrtcp(suite, keys, packet, layout)).toEqual(RFC7714.rtcp);
      const tampered = Buffer.from(packet);
      tampered[20] ^= 1;
      expect(openSrtcp(suite, keys, tampered, layout)).toBeUndefined();
    }
  });
});

/** libsrtp srtp_driver.c reference packets (srtp_validate, srtp_validate_aes_256, GCM with MKI). */
describe('libsrtp reference packets through SrtpSender / SrtpReceiver', () => {
  const key128 = hex('e1f97a0d3e018be0d64fa32c06de4139');
  const rtp = hex('800f1234decafbadcafebabe abababababababababababababababab');

  const cases: { suite: SrtpSuiteName; key: Buffer; salt: Buffer; srtp: Buffer }[] = [
    {
      suite: 'AES_CM_128_HMAC_SHA1_80',
      key: key128,
      salt: hex('0ec675ad498afeebb6960b3aabe6'),
      srtp: hex('800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb'),
    },
    {
      suite: 'AES_256_CM_HMAC_SHA1_80',
      key: hex('f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6'),
      salt: hex('3b04803de51ee7c96423ab5b78d2'),
      srtp: hex('800f1234decafbadcafebabe f1d9de17ff251ff1aa007774b0b4b40d a08d9d9a5b3a55d8873b'),
    },
  ];

  it.each(cases)('$suite RTP packet both ways', ({ suite, key, salt, srtp }) => {
    const sender = new SrtpSender({ suite, masterKeys: [{ key, salt }] });
    expect(sender.protectRtp(rtp)).toEqual(srtp);
    const result = new SrtpReceiver({ suite, masterKeys: [{ key, salt }] }).unprotectRtp(srtp);
    expect(result).toMatchObject({ authenticated: true, ssrc: 0xcafebabe, roc: 0, index: 0x1234 });
    expect(result.packet).toEqual(rtp);
  });

  it('AES_CM_128_HMAC_SHA1_80 SRTCP packet with SRTCP index 1', () => {
    const suite = SRTP_SUITES.AES_CM_128_HMAC_SHA1_80;
    const salt = hex('0ec675ad498afeebb6960b3aabe6');
    const rtcp = hex('81c8000bcafebabe abababababababababababababababab');
    const srtcp = hex(`81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001
                       993e08cd54d6c1230798`);
    const keys = deriveSessionKeys(suite, key128, salt, 'srtcp');
    expect(sealSrtcp(suite, keys, rtcp, 1, true, Buffer.alloc(0))).toEqual(srtcp);
    const receiver = new SrtpReceiver({ suite: suite.name, masterKeys: [{ key: key128, salt }] });
    expect(receiver.unprotectRtcp(srtcp)).toMatchObject({
      authenticated: true,
      packet: rtcp,
      index: 1,
      encrypted: true,
      ssrc: 0xcafebabe,
    });
  });

  describe('AEAD_AES_128_GCM with a 96-bit master salt and MKI e1f97a0d', () => {
    const masterKeys = [
      { key: key128, salt: hex('0ec675ad498afeebb6960b3a'), mki: hex('e1f97a0d') },
    ];
    const rtpExt = hex(`900f1234decafbad cafebabebede0006 17414273a4752627 48220000c8308e46
                        55996386b395fb00 abababababababab abababababababab`);
    const srtpExt = hex(`900f1234decafbadcafebabebede000617414273a475262748220000c8308e46
                         55996386b395fb000eca0cf95ee955b26cd3d288b49f6ca9e0eb4eab09af2bae
                         f6804f141b9b02b0e1f97a0d`);
    const rtcp = hex(`c80006f3cb200183ab03a1eb020b3a000094200000009e00009b8881ca0005f3
                      cb2001010a6f757468616e6e656c00000000`);
    const srtcp = hex(`c80006f3cb2001836e87f6bdcdb482b1997e0b097cae3c38df506b92692b408d
                       da5a40326902a488b6126e8d229a810cedec9de3e6e4876bc08e75eda2f7dc33
                       67a080000001e1f97a0d`);

    it('RTP packet with a header extension', () => {
      const sender = new SrtpSender({ suite: 'AEAD_AES_128_GCM', masterKeys });
      expect(sender.protectRtp(rtpExt)).toEqual(srtpExt);
      const receiver = new SrtpReceiver({ suite: 'AEAD_AES_128_GCM', masterKeys });
      expect(receiver.unprotectRtp(srtpExt)).toMatchObject({ authenticated: true, packet: rtpExt });
    });

    it('SRTCP packet with index 1', () => {
      const suite = SRTP_SUITES.AEAD_AES_128_GCM;
      const keys = deriveSessionKeys(suite, masterKeys[0].key, masterKeys[0].salt, 'srtcp');
      expect(sealSrtcp(suite, keys, rtcp, 1, true, masterKeys[0].mki)).toEqual(srtcp);
      const receiver = new SrtpReceiver({ suite: 'AEAD_AES_128_GCM', masterKeys });
      expect(receiver.unprotectRtcp(srtcp)).toMatchObject({
        authenticated: true,
        packet: rtcp,
        index: 1,
      });
    });
  });
});
